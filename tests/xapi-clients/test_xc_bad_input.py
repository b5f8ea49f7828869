# SPDX-License-Identifier: GPL-2.0-only
"""Bad input to xapi-c: malformed XML and JSON, wrong Content-Types, wrong
argument counts and types, unknown methods, invalid and foreign refs, a
100 MiB body, slow (slowloris-style) clients. Each gets the right XenAPI
error or HTTP status, the daemon keeps serving, and nothing is written."""
import hashlib
import json
import socket
import sqlite3
import ssl
import threading
import time

import pytest

from xc import JsonRpc, XapiError, XmlRpc, daemon, http_post, pam_user, vm_record  # noqa: F401

# Tables whose rows any call may touch (sessions, rate limits): left out of
# the "nothing written" comparison.
VOLATILE = ("session", "login", "event", "token", "sqlite_")


def db_digest(d):
    """A digest of every non-volatile table's content."""
    con = sqlite3.connect(f"file:{d.db}?mode=ro", uri=True, timeout=10)
    try:
        h = {}
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for t in tables:
            if any(v in t.lower() for v in VOLATILE):
                continue
            rows = sorted(repr(r) for r in con.execute(f'SELECT * FROM "{t}"'))
            h[t] = hashlib.sha256("\n".join(rows).encode()).hexdigest()
        return h
    finally:
        con.close()


@pytest.fixture(scope="module")
def x(daemon, pam_user):
    c = XmlRpc(daemon).login(*pam_user)
    c.vm = c("VM.create", vm_record("bad-input-vm"))
    c.host = c("pool.get_master", c("pool.get_all")[0])
    return c


def still_serving(d, x):
    assert d.alive(), "xapi-c died"
    assert x("VM.get_name_label", x.vm) == "bad-input-vm"


def xml_call(method, *params_xml):
    ps = "".join(f"<param><value>{p}</value></param>" for p in params_xml)
    return (f"<?xml version='1.0'?><methodCall><methodName>{method}</methodName>"
            f"<params>{ps}</params></methodCall>").encode()


def xenapi_error(body):
    """The ErrorDescription of an XML-RPC XenAPI Failure body."""
    import xmlrpc.client
    (r,), _ = xmlrpc.client.loads(body)
    assert r["Status"] == "Failure", r
    return r["ErrorDescription"]


MALFORMED_XML = [
    b"",
    b"<methodCall>",
    b"<methodCall><methodName>VM.get_all</methodName><params><param>",
    b"not xml at all",
    b"<?xml version='1.0'?><methodCall><methodName>x</methodName><params><param><value>"
    + b"<array><data><value>" * 500 + b"</methodCall>",
    b"<!DOCTYPE a [<!ENTITY b 'c'><!ENTITY d '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>]>"
    b"<methodCall><methodName>&d;</methodName></methodCall>",
    b"<methodCall><methodName>VM.get_all</methodName><params><param><value><int>12x</int>"
    b"</value></param></params></methodCall>",
    b"\xff\xfe<\x00m\x00",
]


@pytest.mark.parametrize("body", MALFORMED_XML, ids=range(len(MALFORMED_XML)))
def test_malformed_xml(daemon, x, body):
    before = db_digest(daemon)
    status, ctype, reply = http_post(daemon, "/", body, "text/xml")
    if status == 200:  # accepted as XML-RPC: then it must be a XenAPI failure
        assert xenapi_error(reply)[0] in ("INTERNAL_ERROR", "MESSAGE_METHOD_UNKNOWN",
                                          "XMLRPC_UNMARSHAL_FAILURE"), reply[:300]
    else:
        assert status == 400, (status, reply[:300])
    still_serving(daemon, x)
    assert db_digest(daemon) == before


MALFORMED_JSON = [
    b"", b"{", b"[]", b"42", b'{"method": 1, "params": [], "id": 1}',
    b'{"jsonrpc": "2.0", "method": "VM.get_all", "params": {"a": 1}, "id": 1}',
    b'{"jsonrpc": "2.0", "method": "VM.get_all", "params": [' + b"[" * 500 + b"]" * 500
    + b'], "id": 1}',
    b'{"jsonrpc": "2.0", "method": "VM.get_all", "params": ["\xff"], "id": 1}',
]


@pytest.mark.parametrize("body", MALFORMED_JSON, ids=range(len(MALFORMED_JSON)))
def test_malformed_json(daemon, x, body):
    before = db_digest(daemon)
    status, ctype, reply = http_post(daemon, "/jsonrpc", body, "application/json")
    if status == 200:  # a JSON-RPC error object, never a result
        r = json.loads(reply)
        assert r.get("error") not in (None, {}, []) and r.get("result") is None, r
    else:
        assert status == 400, (status, reply[:300])
    still_serving(daemon, x)
    assert db_digest(daemon) == before


def test_wrong_content_types(daemon, x):
    good_xml = xml_call("VM.get_all", f"<string>{x.session}</string>")
    good_json = json.dumps({"jsonrpc": "2.0", "method": "VM.get_all",
                            "params": [x.session], "id": 1}).encode()
    for path, body, ctype in [("/", good_xml, "application/x-www-form-urlencoded"),
                              ("/", good_xml, "text/plain"),
                              ("/jsonrpc", good_json, "text/plain"),
                              ("/jsonrpc", good_json, "application/json-rpc")]:
        status, _, reply = http_post(daemon, path, body, ctype)
        assert 400 <= status < 500, (path, ctype, status, reply[:200])
    status, ctype, _ = http_post(daemon, "/", good_xml, "text/xml")
    assert status == 200 and ctype.startswith("text/xml")
    still_serving(daemon, x)


def test_argument_errors(daemon, x, pam_user):
    j = JsonRpc(daemon, 2).login(*pam_user)   # a login writes its session
    before = db_digest(daemon)
    cases = [
        (("VM.set_name_label", x.vm), "MESSAGE_PARAMETER_COUNT_MISMATCH"),
        (("VM.set_name_label", x.vm, "a", "b"), "MESSAGE_PARAMETER_COUNT_MISMATCH"),
        (("VM.set_name_label", x.vm, 42), "FIELD_TYPE_ERROR"),
        (("VM.set_name_label", x.vm, {"a": "b"}), "FIELD_TYPE_ERROR"),
        (("VM.set_name_label", x.vm, ["a"]), "FIELD_TYPE_ERROR"),
        (("VM.set_is_a_template", x.vm, "yes"), "FIELD_TYPE_ERROR"),
        (("VM.set_memory_static_max", x.vm, "lots"), "FIELD_TYPE_ERROR"),
        (("VM.set_name_label", "OpaqueRef:nope", "a"), "HANDLE_INVALID"),
        (("VM.set_name_label", "garbage", "a"), "HANDLE_INVALID"),
        (("VM.set_name_label", x.host, "a"), "HANDLE_INVALID"),   # foreign ref
        (("VM.destroy", x.host), "HANDLE_INVALID"),
        (("VM.start", x.vm, "no", False), "FIELD_TYPE_ERROR"),
        (("VM.frobnicate", x.vm), "MESSAGE_METHOD_UNKNOWN"),
        (("Nope.get_all",), "MESSAGE_METHOD_UNKNOWN"),
        (("VM.create", {"name_label": 5}), "FIELD_TYPE_ERROR"),
    ]
    for c in (x, j):
        for (method, *args), code in cases:
            with pytest.raises(XapiError) as e:
                c(method, *args)
            assert e.value.code == code, (type(c).__name__, method, args, e.value.desc)
    with pytest.raises(XapiError) as e:
        x.call("VM.get_all", "OpaqueRef:not-a-session")
    assert e.value.code == "SESSION_INVALID"
    still_serving(daemon, x)
    assert db_digest(daemon) == before


def test_100_mib_body_is_refused(daemon, x):
    before = db_digest(daemon)
    size = 100 << 20
    head = b"<?xml version='1.0'?><methodCall><methodName>VM.set_name_label</methodName><params>"
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    t0 = time.monotonic()
    with socket.create_connection(("127.0.0.1", daemon.port), timeout=30) as raw, \
            ctx.wrap_socket(raw) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n"
                  + f"Content-Length: {size}\r\n\r\n".encode() + head)
        chunk = b"A" * (1 << 20)
        sent, answer = len(head), b""
        try:
            while sent < size:
                n = min(len(chunk), size - sent)
                s.sendall(chunk[:n])
                sent += n
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout):
            pass  # the daemon stopped reading: what we want
        try:
            answer = s.recv(4096)
        except (ConnectionResetError, ssl.SSLError, socket.timeout):
            pass
    status = int(answer.split()[1]) if answer.startswith(b"HTTP/1.") else None
    assert status in (None, 413), answer[:200]   # 413, or the connection cut
    assert time.monotonic() - t0 < 60
    still_serving(daemon, x)
    assert db_digest(daemon) == before


def test_slow_clients_do_not_starve_others(daemon, x):
    """Slowloris-style: 600 connections from 127.0.0.1, more than the
    daemon's whole connection limit, each trickle a request one byte every
    half second for ~8 s (loopback only). A client from another loopback
    address is served within a second all the while, and once the slow
    clients go, 127.0.0.1 is served again."""
    before = db_digest(daemon)
    stop = threading.Event()
    call = xml_call("VM.get_name_label", f"<string>{x.session}</string>",
                    f"<string>{x.vm}</string>")

    def slow():
        try:
            with socket.create_connection(("127.0.0.1", daemon.port), timeout=30) as s:
                for b in b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nX-a: ":
                    if stop.is_set():
                        return
                    s.send(bytes([b]))
                    time.sleep(0.5)
                while not stop.is_set():
                    s.send(b"a")
                    time.sleep(0.5)
        except OSError:
            return  # refused or dropped by the daemon: fine

    threads = [threading.Thread(target=slow, daemon=True) for _ in range(600)]
    for t in threads:
        t.start()
    try:
        time.sleep(1)
        worst = 0.0
        end = time.monotonic() + 7
        while time.monotonic() < end:
            t0 = time.monotonic()
            status, _, reply = http_post(daemon, "/", call, "text/xml", timeout=10,
                                         source="127.0.0.2")
            worst = max(worst, time.monotonic() - t0)
            assert status == 200 and b"bad-input-vm" in reply, (status, reply[:200])
            assert daemon.alive()
            time.sleep(0.2)
        assert worst < 1.0, f"a normal call took {worst:.2f}s under slow clients"
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=35)
    deadline = time.monotonic() + 10
    while True:  # the slots the slow clients held come back
        try:
            still_serving(daemon, x)
            break
        except (OSError, AssertionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    assert db_digest(daemon) == before
