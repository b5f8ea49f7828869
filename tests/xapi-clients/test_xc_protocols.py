# SPDX-License-Identifier: GPL-2.0-only
"""The same XenAPI calls over XML-RPC (on /, /RPC2, /xmlrpc) and JSON-RPC v1
and v2 (on /jsonrpc) give the same results and the same errors."""
import xmlrpc.client

import pytest

from xc import JsonRpc, XapiError, XmlRpc, daemon, pam_user, vm_record  # noqa: F401


def norm(v):
    """One representation for both wires: ints as strings (XML-RPC's int64
    convention), datetimes as their ISO text."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return v
    if isinstance(v, xmlrpc.client.DateTime):
        return v.value
    if isinstance(v, dict):
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v


@pytest.fixture(scope="module")
def clients(daemon, pam_user):
    return {
        "xml /": XmlRpc(daemon, "/").login(*pam_user),
        "xml /RPC2": XmlRpc(daemon, "/RPC2").login(*pam_user),
        "xml /xmlrpc": XmlRpc(daemon, "/xmlrpc").login(*pam_user),
        "json v1": JsonRpc(daemon, 1).login(*pam_user),
        "json v2": JsonRpc(daemon, 2).login(*pam_user),
    }


def outcome(c, method, *args, session=True):
    try:
        return ("ok", norm(c(method, *args) if session else c.call(method, *args)))
    except XapiError as e:
        return ("error", e.desc)


def same_everywhere(clients, method, *args, session=True):
    results = {name: outcome(c, method, *args, session=session) for name, c in clients.items()}
    first = results["xml /"]
    for name, r in results.items():
        assert r == first, f"{method}: {name} differs from XML-RPC\n{r}\n{first}"
    return first


def test_reads_agree(clients):
    x = clients["xml /"]
    vm = x("VM.create", vm_record("proto-vm", memory=128 << 20, vcpus=3))
    x("VM.add_to_other_config", vm, "k", "v")
    host = x("pool.get_master", x("pool.get_all")[0])
    for method, args in [
        ("pool.get_all_records", ()),
        ("host.get_all_records", ()),
        ("host.get_record", (host,)),
        ("host.get_software_version", (host,)),
        ("VM.get_all_records", ()),
        ("VM.get_record", (vm,)),
        ("VM.get_by_name_label", ("proto-vm",)),
        ("VM.get_memory_static_max", (vm,)),
        ("VM.get_VCPUs_max", (vm,)),
        ("VM.get_other_config", (vm,)),
        ("VM.get_is_a_template", (vm,)),
        ("VM.get_power_state", (vm,)),
        ("SR.get_all_records", ()),
        ("network.get_all_records", ()),
    ]:
        kind, value = same_everywhere(clients, method, *args)
        assert kind == "ok", (method, value)
    rec = norm(x("VM.get_record", vm))
    assert rec["memory_static_max"] == str(128 << 20) and rec["VCPUs_max"] == "3"
    assert rec["other_config"] == {"k": "v"}
    lists = {name: list_methods(c) for name, c in clients.items()}
    first = lists["xml /"]
    assert "VM.get_all_records" in first and "event.from" in first, first[:20]
    for name, got in lists.items():
        assert sorted(got) == sorted(first), name


def list_methods(c):
    """system.listMethods takes no session; XenAPI servers answer it either
    wrapped in {Status, Value} or as a bare array."""
    r = c.raw("system.listMethods")
    if isinstance(r, dict) and "Status" in r:
        return r["Value"]
    if isinstance(r, dict) and ("result" in r or "error" in r):
        return r["result"]
    return r


def test_errors_agree(clients):
    x = clients["xml /"]
    vm = x("VM.create", vm_record("proto-err"))
    host = x("pool.get_master", x("pool.get_all")[0])
    cases = [
        (("VM.get_record", "OpaqueRef:00000000-dead-beef-0000-000000000000"), "HANDLE_INVALID"),
        (("VM.get_record", host), "HANDLE_INVALID"),                 # a foreign ref
        (("VM.get_by_uuid", "not-a-uuid"), "UUID_INVALID"),
        (("VM.no_such_message", vm), "MESSAGE_METHOD_UNKNOWN"),
        (("VM.get_record",), "MESSAGE_PARAMETER_COUNT_MISMATCH"),
        (("VM.get_record", vm, vm), "MESSAGE_PARAMETER_COUNT_MISMATCH"),
        (("VM.clean_shutdown", vm), "VM_BAD_POWER_STATE"),
    ]
    for (method, *args), code in cases:
        kind, desc = same_everywhere(clients, method, *args)
        assert kind == "error" and desc[0] == code, (method, desc)
    kind, desc = same_everywhere(clients, "VM.get_record", "OpaqueRef:bogus", vm, session=False)
    assert kind == "error" and desc[0] == "SESSION_INVALID", desc


def test_json_v2_error_shape(daemon, pam_user):
    j = JsonRpc(daemon, 2).login(*pam_user)
    r = j.raw("VM.get_record", j.session, "OpaqueRef:NULL")
    assert r.get("jsonrpc") == "2.0" and "result" not in r, r
    assert r["error"]["code"] == 1 and r["error"]["message"] == "HANDLE_INVALID", r
    assert isinstance(r["error"]["data"], list), r
    r1 = JsonRpc(daemon, 1).raw("VM.get_record", j.session, "OpaqueRef:NULL")
    assert r1["result"] is None and r1["error"][0] == "HANDLE_INVALID", r1


def test_writes_agree(clients):
    """A write over each protocol is read back identically over the others."""
    vm = clients["xml /"]("VM.create", vm_record("proto-w"))
    for name, c in clients.items():
        label = "w-" + name.replace(" ", "_")
        c("VM.set_name_label", vm, label)
        c("VM.add_to_other_config", vm, label, name)
        kind, got = same_everywhere(clients, "VM.get_name_label", vm)
        assert got == label
    kind, oc = same_everywhere(clients, "VM.get_other_config", vm)
    assert set(oc) == {"w-" + n.replace(" ", "_") for n in clients}


def test_xml_responses_have_no_whitespace_between_elements(daemon, pam_user):
    """Xen Orchestra's XML-RPC parser keeps whitespace as text nodes
    (parseXml with trim: false) and then fails on them, so a response may
    hold no whitespace between its elements, the XML declaration included."""
    import re
    from xc import http_post
    x = XmlRpc(daemon).login(*pam_user)
    vm = x("VM.create", vm_record("ws-vm"))
    for method, args in [("session.login_with_password", (pam_user[0], "wrong")),
                         ("system.listMethods", ()),
                         ("VM.get_record", (x.session, vm)),
                         ("VM.get_record", (x.session, "OpaqueRef:NULL"))]:
        body = xmlrpc.client.dumps(args, method).encode()
        status, _, reply = http_post(daemon, "/", body, "text/xml")
        assert status == 200
        assert not re.search(rb">\s+<", reply.strip()), (method, reply[:120])


def test_records_carry_what_xen_orchestra_reads(daemon, pam_user):
    """Fields Xen Orchestra reads from its object cache, present with the
    XenAPI types (maps as structs, sets as arrays, int64 as strings)."""
    x = XmlRpc(daemon).login(*pam_user)
    pool = next(iter(x("pool.get_all_records").values()))
    assert isinstance(pool["restrictions"], dict) and isinstance(pool["cpu_info"], dict)
    assert pool["master"].startswith("OpaqueRef:")
    host = x("host.get_record", pool["master"])
    sv = host["software_version"]
    for key in ("product_brand", "product_version", "platform_version", "build_number"):
        assert isinstance(sv.get(key), str) and sv[key], (key, sv)
    for field in ("license_params", "chipset_info", "other_config", "cpu_info"):
        assert isinstance(host[field], dict), field
    assert isinstance(host["capabilities"], list)
    metrics = x("host_metrics.get_record", host["metrics"])
    total, free = int(metrics["memory_total"]), int(metrics["memory_free"])
    assert total > 0 and 0 <= free <= total, metrics
    vm = x("VM.get_record", x("VM.create", vm_record("xo-fields")))
    assert vm["current_operations"] == {} and isinstance(vm["allowed_operations"], list)
    assert "start" in vm["allowed_operations"]
    assert vm["metrics"].startswith("OpaqueRef:")
