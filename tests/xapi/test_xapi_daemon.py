# SPDX-License-Identifier: GPL-2.0-only
"""The daemon itself: sessions (PAM, expiry, rate limit, local root), HTTP
limits, persistence across restarts and kill -9, the host certificate."""
import os
import signal
import socket
import ssl
import subprocess
import threading
import time

from xapid import Json, Xml, errcode, vm_record


def test_session_expiry(new_daemon, user):
    d = new_daemon("--session-timeout", "1")
    c = Xml(d).login(*user)
    c("VM.get_all")
    time.sleep(2.2)
    assert errcode(c, "VM.get_all").code == "SESSION_INVALID"
    Xml(d).login(*user)("VM.get_all")     # a new login works


def test_failed_logins_are_rate_limited(new_daemon, user):
    d = new_daemon()
    c = Xml(d)
    for _ in range(5):
        assert errcode(c.call, "session.login_with_password", user[0], "bad").code == \
            "SESSION_AUTHENTICATION_FAILED"
    e = errcode(c.call, "session.login_with_password", *user)   # right password, too soon
    assert e.code == "SESSION_AUTHENTICATION_FAILED" and "Too many" in e.params[1]
    # the Unix socket (root, local) is not affected
    Json(d, 2, unix=True).login("root", "")


def test_local_root_login_over_unix_socket_only(daemon, user):
    j = Json(daemon, 2, unix=True).login("root", "")
    assert j("session.get_is_local_superuser", j.session) is True
    assert isinstance(j("VM.get_all"), list)
    e = errcode(Json(daemon, 2).call, "session.login_with_password", "root", "")
    assert e.code == "SESSION_AUTHENTICATION_FAILED"
    # a PAM user over the socket still needs the password
    e = errcode(Json(daemon, 2, unix=True).call, "session.login_with_password", user[0], "x")
    assert e.code == "SESSION_AUTHENTICATION_FAILED"


def raw_https(d, data, timeout=10):
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", d.port), timeout=timeout) as s:
        with ctx.wrap_socket(s) as t:
            t.sendall(data)
            out = b""
            try:
                while True:
                    b = t.recv(65536)
                    if not b:
                        break
                    out += b
            except (ConnectionResetError, ssl.SSLError, socket.timeout):
                pass
            return out


def status_of(resp):
    return int(resp.split(b" ", 2)[1]) if resp.startswith(b"HTTP/") else None


def test_http_limits_and_bad_requests(daemon, x):
    vms = x("VM.get_all")
    big = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nConnection: close\r\n"
           b"Content-Length: %d\r\n\r\n" % (100 << 20))
    assert status_of(raw_https(daemon, big + b"<methodCall>")) == 413
    get = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    assert status_of(raw_https(daemon, get)) == 405
    j = Json(daemon, 2)
    assert j.post(b'{"method": "VM.get_all"}', ctype="text/plain")[0] == 415
    assert j.post(b"<methodCall>", ctype="text/xml", path="/jsonrpc")[0] == 415
    st, ctype, body = j.post(b"<methodCall><methodName>x", ctype="text/xml", path="/")
    assert st == 400
    assert j.post(b'{"method": ', ctype="application/json")[0] == 400
    # chunked body growing past the limit
    head = (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nConnection: close\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n")
    chunk = b"%x\r\n%s\r\n" % (1 << 20, b"a" * (1 << 20))
    assert status_of(raw_https(daemon, head + chunk * 17 + b"0\r\n\r\n", timeout=30)) == 413
    assert x("VM.get_all") == vms        # still serving, nothing written


def test_slow_client_does_not_block_others(daemon, x):
    socks = []
    ctx = ssl.create_default_context()
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    for _ in range(20):       # connections that send half a request and stall
        s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", daemon.port), timeout=5))
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n")
        socks.append(s)
    start = time.monotonic()
    for _ in range(10):
        x("VM.get_all")
    assert time.monotonic() - start < 3
    for s in socks:
        s.close()


def test_restart_keeps_state_and_running_vms(new_daemon, user):
    d = new_daemon()
    c = Xml(d).login(*user)
    ref = c("VM.create", vm_record("survivor"))
    c("VM.start", ref, False, False)
    domid = c("VM.get_domid", ref)
    tok = c("event.from", ["vm"], "", 0.1)["token"]
    pool = c("pool.get_all")[0]
    d.stop()
    d.start()
    c = Xml(d).login(*user)
    assert c("pool.get_all") == [pool]          # the same pool, not a new one
    assert c("VM.get_power_state", ref) == "Running" and c("VM.get_domid", ref) == domid
    assert c("VM.get_current_operations", ref) == {}
    c("VM.set_name_label", ref, "after-restart")
    r = c("event.from", ["vm"], tok, 1.0)
    assert [e["ref"] for e in r["events"]] == [ref] and r["token"] > tok
    c("VM.clean_shutdown", ref)


def test_kill9_keeps_acknowledged_writes(new_daemon, user):
    d = new_daemon()
    acked, stop = [], threading.Event()

    def writer(tag):
        try:
            c = Xml(d).login(*user)
            i = 0
            while not stop.is_set():
                i += 1
                ref = c("VM.create", vm_record(f"{tag}-{i}"))
                acked.append((ref, f"{tag}-{i}"))
        except Exception:  # noqa: BLE001  (the kill cuts the connection)
            pass

    ts = [threading.Thread(target=writer, args=(t,)) for t in ("k1", "k2")]
    for t in ts:
        t.start()
    time.sleep(1.5)
    d.stop(signal.SIGKILL)
    stop.set()
    for t in ts:
        t.join(20)
    assert len(acked) > 10
    out = subprocess.run(["sqlite3", d.db, "PRAGMA integrity_check"], capture_output=True,
                         text=True).stdout.strip()
    assert out == "ok"
    d.start()
    c = Xml(d).login(*user)
    recs = c("VM.get_all_records")
    for ref, name in acked:
        assert recs[ref]["name_label"] == name
    # every VM is whole: its metrics row exists (create is one transaction)
    metrics = set(c("VM_metrics.get_all"))
    assert all(r["metrics"] in metrics for r in recs.values())
    c("VM.create", vm_record("after-kill"))


def test_certificate_generated_once_and_replaceable(new_daemon, user):
    d = new_daemon()
    key, pem = os.path.join(d.dir, "xapi-c.key"), os.path.join(d.dir, "xapi-c.pem")
    assert oct(os.stat(key).st_mode & 0o777) == "0o600"
    served = ssl.get_server_certificate(("127.0.0.1", d.port))
    assert ssl.PEM_cert_to_DER_cert(served) == ssl.PEM_cert_to_DER_cert(open(pem).read())
    d.stop()
    d.start()
    assert ssl.get_server_certificate(("127.0.0.1", d.port)) == served   # not regenerated
    d.stop()
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", pem, "-days", "2", "-subj", "/CN=replaced"], check=True,
                   capture_output=True)
    d.start()
    served2 = ssl.get_server_certificate(("127.0.0.1", d.port))
    assert ssl.PEM_cert_to_DER_cert(served2) == ssl.PEM_cert_to_DER_cert(open(pem).read())
    Xml(d).login(*user)("VM.get_all")
