# SPDX-License-Identifier: GPL-2.0-only
"""xapi-c over HTTPS: login, records, generic messages, errors, protocols."""
import json

from xapid import Json, Xml, XapiError, errcode, vm_record


def test_login_and_startup_records(daemon, x, user):
    pools = x("pool.get_all_records")
    assert len(pools) == 1
    pool = next(iter(pools.values()))
    hosts = x("host.get_all_records")
    assert list(hosts) == [pool["master"]]
    host = hosts[pool["master"]]
    for k in ("product_brand", "product_version", "platform_version", "build_number"):
        assert host["software_version"][k]
    for f in ("license_params", "capabilities", "chipset_info", "cpu_info", "PIFs", "PBDs",
              "host_CPUs", "resident_VMs", "API_version_major"):
        assert f in host, f
    assert isinstance(pool["restrictions"], dict) and isinstance(pool["cpu_info"], dict)
    assert len(host["host_CPUs"]) == 2
    assert set(host["host_CPUs"]) == set(x("host_cpu.get_all"))
    metrics = x("host_metrics.get_record", host["metrics"])
    assert int(metrics["memory_total"]) >= int(metrics["memory_free"]) > 0
    assert x("SR.get_record", pool["default_SR"])["PBDs"]
    assert x("session.get_this_host", x.session) == pool["master"]
    assert x("session.get_auth_user_name", x.session) == user[0]


def test_bad_credentials(daemon, user):
    c = Xml(daemon)
    e = errcode(c.call, "session.login_with_password", user[0], "wrong")
    assert e.code == "SESSION_AUTHENTICATION_FAILED"
    e = errcode(c.call, "session.login_with_password", "no-such-user-xyz", "pw")
    assert e.code == "SESSION_AUTHENTICATION_FAILED"
    e = errcode(c.call, "session.login_with_password", user[0])
    assert e.code == "MESSAGE_PARAMETER_COUNT_MISMATCH"
    e = errcode(c.call, "VM.get_all", "OpaqueRef:made-up")
    assert e.code == "SESSION_INVALID" and e.params == ["OpaqueRef:made-up"]


def test_logout_invalidates(daemon, user):
    c = Xml(daemon).login(*user)
    c("VM.get_all")
    c("session.logout")
    assert errcode(c, "VM.get_all").code == "SESSION_INVALID"


def test_records_complete_and_typed(x):
    ref = x("VM.create", vm_record("complete"))
    rec = x("VM.get_record", ref)
    assert ref.startswith("OpaqueRef:") and len(ref) == len("OpaqueRef:") + 36
    for f in ("uuid", "power_state", "current_operations", "allowed_operations", "VBDs", "VIFs",
              "consoles", "other_config", "tags", "blobs", "snapshot_time", "domid", "metrics",
              "guest_metrics", "resident_on", "HVM_shadow_multiplier", "platform", "NVRAM"):
        assert f in rec, f
    assert rec["power_state"] == "Halted"
    assert rec["memory_static_max"] == str(1 << 30)          # int64 as a string
    assert rec["domid"] == "-1"
    assert rec["guest_metrics"] == "OpaqueRef:NULL"
    assert rec["resident_on"] == "OpaqueRef:NULL"
    assert str(rec["snapshot_time"]) == "19700101T00:00:00Z"   # xmlrpc.client.DateTime
    assert rec["current_operations"] == {}
    assert "start" in rec["allowed_operations"]
    assert x("VM.get_by_uuid", rec["uuid"]) == ref
    assert ref in x("VM.get_by_name_label", "complete")
    assert x("VM_metrics.get_record", rec["metrics"])["memory_actual"] == "0"
    x("VM.destroy", ref)


def test_generic_field_messages(x):
    ref = x("VM.create", vm_record("fields"))
    x("VM.set_name_label", ref, "renamed")
    assert x("VM.get_name_label", ref) == "renamed"
    x("VM.add_to_other_config", ref, "k", "v")
    assert errcode(x, "VM.add_to_other_config", ref, "k", "w").code == "MAP_DUPLICATE_KEY"
    assert x("VM.get_other_config", ref) == {"k": "v"}
    x("VM.remove_from_other_config", ref, "k")
    assert x("VM.get_other_config", ref) == {}
    x("VM.add_tags", ref, "a")
    x("VM.add_tags", ref, "a")
    x("VM.add_tags", ref, "b")
    x("VM.remove_tags", ref, "a")
    assert x("VM.get_tags", ref) == ["b"]
    x("VM.set_memory_static_max", ref, str(2 << 30))
    assert x("VM.get_memory_static_max", ref) == str(2 << 30)
    # read-only fields have no setter
    assert errcode(x, "VM.set_power_state", ref, "Running").code == "MESSAGE_METHOD_UNKNOWN"
    assert errcode(x, "VM.set_domid", ref, "3").code == "MESSAGE_METHOD_UNKNOWN"
    x("VM.destroy", ref)


def test_errors_as_xenapi_names_them(x, daemon):
    ref = x("VM.create", vm_record("errors"))
    host = x("host.get_all")[0]
    cases = [
        (("VM.get_record", "OpaqueRef:00000000-0000-0000-0000-000000000000"), "HANDLE_INVALID",
         ["VM", "OpaqueRef:00000000-0000-0000-0000-000000000000"]),
        (("VM.get_record", host), "HANDLE_INVALID", ["VM", host]),
        (("VM.get_by_uuid", "nope"), "UUID_INVALID", ["VM", "nope"]),
        (("VM.no_such_thing", ref), "MESSAGE_METHOD_UNKNOWN", ["VM.no_such_thing"]),
        (("Frob.get_all",), "MESSAGE_METHOD_UNKNOWN", ["Frob.get_all"]),
        (("VM.get_record",), "MESSAGE_PARAMETER_COUNT_MISMATCH", ["VM.get_record", "2", "1"]),
        (("VM.set_name_label", ref, 5), "FIELD_TYPE_ERROR", ["value"]),
        (("VM.set_actions_after_crash", ref, "explode"), "FIELD_TYPE_ERROR", ["value"]),
        (("VM.start", ref, "yes", False), "FIELD_TYPE_ERROR", ["start_paused"]),
        (("VM.create", {"name_label": ["x"]}), "FIELD_TYPE_ERROR", ["name_label"]),
        (("VM.create", dict(vm_record("bad-mem"), memory_static_min=str(4 << 30))),
         "MEMORY_CONSTRAINT_VIOLATION", None),
        (("VM.create", dict(vm_record("bad-cpu"), VCPUs_at_startup="9")),
         "VALUE_NOT_SUPPORTED", None),
    ]
    for (method, *args), code, params in cases:
        e = errcode(x, method, *args)
        assert e.code == code, (method, e.desc)
        if params is not None:
            assert e.params == params, (method, e.desc)
    assert x("VM.get_by_name_label", "bad-mem") == []
    x("VM.destroy", ref)


def test_failed_call_writes_nothing(x):
    """A failed call leaves no rows and logs no events."""
    before = (len(x("VM.get_all")), len(x("VM_metrics.get_all")))
    tok = x("event.from", ["*"], "", 0.1)["token"]
    for bad in (dict(vm_record("rb"), VCPUs_at_startup="9"),
                dict(vm_record("rb"), memory_dynamic_max=str(8 << 30))):
        errcode(x, "VM.create", bad)
    assert (len(x("VM.get_all")), len(x("VM_metrics.get_all"))) == before
    r = x("event.from", ["*"], tok, 0.1)
    assert [e for e in r["events"] if e["class"] != "session"] == []


def norm(v):
    """XML-RPC carries int64 as strings and datetimes as DateTime objects."""
    if isinstance(v, dict):
        return {k: norm(w) for k, w in v.items()}
    if isinstance(v, list):
        return [norm(w) for w in v]
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v) if isinstance(v, int) else v
    if hasattr(v, "value") and not isinstance(v, (str, bytes)):
        return str(v.value)
    return v


def test_xml_json_v1_v2_agree(daemon, x, user):
    j1 = Json(daemon, 1).login(*user)
    j2 = Json(daemon, 2).login(*user)
    ref = x("VM.create", vm_record("agree"))
    x("VM.start", ref, False, False)
    for method, args in [("VM.get_record", [ref]), ("VM.get_all_records", []),
                         ("pool.get_all_records", []), ("host.get_all_records", []),
                         ("VM.get_power_state", [ref]), ("VM.get_VCPUs_max", [ref]),
                         ("VM_metrics.get_all_records", [])]:
        a = norm(x(method, *args))
        b = norm(j1(method, *args))
        c = norm(j2(method, *args))
        assert a == b == c, method
    for c in (x, j1, j2):
        e = errcode(c, "VM.start", ref, False, False)
        assert e.desc == ["VM_BAD_POWER_STATE", ref, "halted", "running"]
    # ints are JSON numbers in JSON-RPC
    assert j2("VM.get_VCPUs_max", ref) == 2 and x("VM.get_VCPUs_max", ref) == "2"
    # writes through any protocol are seen by the others
    j1("VM.set_name_description", ref, "via v1")
    assert x("VM.get_name_description", ref) == "via v1"
    j2("VM.hard_shutdown", ref)
    assert x("VM.get_power_state", ref) == "Halted"
    x("VM.destroy", ref)


def test_list_methods(x):
    methods = set(x.call("system.listMethods"))
    for m in ("VM.get_all_records", "VM.start", "Async.VM.start", "VM.set_name_label",
              "VM.add_to_other_config", "VM.remove_tags", "event.from", "event.inject",
              "task.cancel", "pool.get_all_records", "host_metrics.get_memory_free",
              "session.login_with_password", "VM.create", "Async.VM.clone", "system.listMethods"):
        assert m in methods, m
    assert "session.get_all_records" not in methods          # no listing other sessions
    assert "VM.set_power_state" not in methods
    classes = {m.split(".")[0] for m in methods if m.endswith(".get_all_records")}
    assert classes >= {"pool", "host", "host_cpu", "host_metrics", "VM", "VM_metrics",
                       "VM_guest_metrics", "VBD", "VDI", "SR", "PBD", "VIF", "network", "PIF",
                       "task", "message", "console"}
    for cls in classes:   # every listed class answers
        assert isinstance(x(f"{cls}.get_all_records"), dict)


def test_message_class(x):
    ref = x("message.create", "VM_STARTED", "3", "VM", "some-uuid", "body text")
    rec = x("message.get_record", ref)
    assert rec["name"] == "VM_STARTED" and rec["priority"] == "3" and rec["cls"] == "VM"
    assert ref in x("message.get_all_records")
    x("message.destroy", ref)
    assert errcode(x, "message.get_record", ref).code == "HANDLE_INVALID"


def test_json_raw_shapes(daemon, x):
    j = Json(daemon, 2)
    status, ctype, body = j.post(json.dumps({"jsonrpc": "2.0", "method": "VM.get_all",
                                             "params": ["OpaqueRef:bad"], "id": "abc"}).encode())
    r = json.loads(body)
    assert status == 200 and ctype == "application/json"
    assert r == {"jsonrpc": "2.0", "error": {"code": 1, "message": "SESSION_INVALID",
                                             "data": ["OpaqueRef:bad"]}, "id": "abc"}
    status, ctype, body = j.post(json.dumps({"method": "VM.get_all", "params": [x.session],
                                             "id": 5}).encode())
    r = json.loads(body)
    assert r["error"] is None and r["id"] == 5 and isinstance(r["result"], list)


def test_xml_reply_is_compact(daemon, x):
    """Xen Orchestra's XML-RPC parser keeps whitespace text nodes and fails on
    them: replies carry none between elements."""
    import re
    body = (b"<?xml version='1.0'?><methodCall><methodName>VM.get_all_records</methodName>"
            b"<params><param><value>%s</value></param></params></methodCall>" % x.session.encode())
    st, ctype, reply = Json(daemon).post(body, ctype="text/xml", path="/")
    assert st == 200 and ctype == "text/xml"
    assert not re.search(rb">\s+<", reply) and reply == reply.strip()
    st, ctype, reply = Json(daemon).post(body.replace(b"get_all_records", b"get_all"),
                                         ctype="text/xml", path="/RPC2")
    assert st == 200 and not re.search(rb">\s+<", reply) and reply == reply.strip()


def test_get_all_records_matches_get_record(daemon, x, user):
    """get_all_records is written straight from the database's columns; it
    must say exactly what get_record (built from the datamodel) says."""
    ref = x("VM.create", dict(vm_record("same"), other_config={"a": "1", "b": "<&>"},
                              tags=["t1"], HVM_shadow_multiplier=1.5))
    x("VM.start", ref, False, False)
    for c in (x, Json(daemon, 1).login(*user), Json(daemon, 2).login(*user)):
        for cls in ("VM", "VM_metrics", "host", "pool", "host_cpu", "SR", "PIF"):
            allr = c(f"{cls}.get_all_records")
            for r, rec in allr.items():
                assert norm(rec) == norm(c(f"{cls}.get_record", r)), (cls, r)
    x("VM.hard_shutdown", ref)
    x("VM.destroy", ref)
