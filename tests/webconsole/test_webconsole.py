# SPDX-License-Identifier: GPL-2.0-only
"""Browser tests of the web console (issue 10): Debian's Chromium, headless,
driven by playwright-core (run.mjs) against xapi-c with the simulator backend.

Design: one daemon for the module (temp state dir, HTTPS on a free port, two
PAM users made with useradd + chpasswd and removed afterwards). If the daemon
serves the app itself (GET / answers HTML), the browser talks to it directly;
otherwise a test-side front (front.py) serves the built files and forwards
POSTs and /console to the daemon. The live-console tests are skipped, with
the reason, while the daemon does not answer /console. Screenshots go to
build/test-logs/<test>/.
"""
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

import pytest

from cairntest import BUILD, TOP, free_port, log_dir
from front import Front
from wired import require_artifact

XAPI = os.path.join(BUILD, "xapi-c", "xapi-c")
STATIC = os.path.join(BUILD, "xapi-c", "www")
RUN = os.path.join(os.path.dirname(__file__), "run.mjs")
PLAYWRIGHT = os.path.join(TOP, "xapi-c", "www", "node_modules", "playwright-core")
NO_CONSOLE = "daemon does not serve /console yet"


def _insecure():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def _require():
    if not os.path.exists(os.path.join(TOP, "xapi-c", "Makefile")):
        pytest.skip("xapi-c daemon not in the tree yet")
    for path, what in ((XAPI, "make -C xapi-c all"), (PLAYWRIGHT, "make deps (npm ci in xapi-c/www)"),
                       ("/usr/bin/chromium", "make deps (chromium)")):
        if not os.path.exists(path):
            pytest.fail(f"{path} missing: run {what}")
    require_artifact(os.path.join(STATIC, "index.html"), "make -C xapi-c/www all")
    if os.geteuid() != 0:
        pytest.skip("creating PAM test users needs root")


def _rpc(port, method, params):
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=_insecure(), timeout=30)
    try:
        body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        conn.request("POST", "/jsonrpc", body=body, headers={"Content-Type": "application/json"})
        r = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    if r.get("error"):
        raise RuntimeError(f"{method}: {r['error']}")
    return r["result"]


def _get(port, path, headers=None):
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=_insecure(), timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type") or "", r.read()
    finally:
        conn.close()


def _serves_console(port):
    """True if the daemon answers a websocket handshake on /console (a
    refusal of the bogus session counts: the endpoint exists)."""
    status, _, _ = _get(port, "/console?session_id=OpaqueRef:x&vm=OpaqueRef:y", {
        "Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    return status in (101, 400, 401, 403, 409)


class Env:
    def __init__(self, logdir):
        self.logdir = logdir
        self.state = tempfile.mkdtemp(prefix="webconsole-")
        self.port = free_port()
        self.users = []
        self.proc = None
        self.front = None
        self.log = open(os.path.join(logdir, "xapi-c.log"), "wb")

    def add_user(self):
        name = "wc" + secrets.token_hex(4)
        password = "pw-" + secrets.token_hex(8)
        subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", name], check=True,
                       capture_output=True)
        self.users.append(name)
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n".encode(), check=True,
                       capture_output=True)
        return name, password

    def start(self):
        sock = os.path.join(self.state, "xapi.sock")
        argv = [XAPI, "--db", os.path.join(self.state, "xapi.db"), "--state-dir", self.state,
                "--https", f"127.0.0.1:{self.port}", "--unix", sock, "--backend", "sim"]
        usage = subprocess.run([XAPI, "--help"], capture_output=True, text=True, timeout=10)
        if "--www" in usage.stdout + usage.stderr:
            argv += ["--www", STATIC]	# once the daemon serves the app (INTEGRATION.md)
        self.proc = subprocess.Popen(
            argv,
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"xapi-c exited; see {self.logdir}/xapi-c.log"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    if os.path.exists(sock):
                        break
            except OSError:
                pass
            time.sleep(0.05)
        else:
            raise RuntimeError("xapi-c not ready in 20 s")
        status, ctype, _ = _get(self.port, "/")
        self.own_static = status == 200 and ctype.startswith("text/html")
        if self.own_static:
            self.base = f"https://127.0.0.1:{self.port}"
        else:
            self.front = Front(STATIC, self.port, self.log).start()
            self.base = self.front.url
        self.live_console = _serves_console(self.port)

    def stop(self):
        if self.front:
            self.front.stop()
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        for u in self.users:
            subprocess.run(["userdel", u], capture_output=True)
        shutil.rmtree(self.state, ignore_errors=True)
        self.log.close()


@pytest.fixture(scope="module")
def env(request):
    _require()
    e = Env(log_dir(request.node.nodeid))
    try:
        e.user, e.password = e.add_user()
        e.other_user, e.other_password = e.add_user()
        e.start()
        s = _rpc(e.port, "session.login_with_password", [e.user, e.password, "1.0", "setup"])
        _rpc(e.port, "network.create", [s, {"name_label": "web-net", "MTU": 1500}])
        e.has_sr = bool(_rpc(e.port, "SR.get_all", [s]))
        _rpc(e.port, "session.logout", [s])
        yield e
    finally:
        e.stop()


def run_scenario(env, scenario, logdir, **extra):
    cfg = dict(scenario=scenario, base=env.base, daemon=f"https://127.0.0.1:{env.port}",
               user=env.user, password=env.password, other_user=env.other_user,
               other_password=env.other_password, artifacts=logdir, disk=env.has_sr,
               live_console=env.live_console, **extra)
    stale = os.path.join(logdir, "failure.png")
    if os.path.exists(stale):
        os.unlink(stale)
    r = subprocess.run(["node", RUN, json.dumps(cfg)], capture_output=True, text=True,
                       timeout=150, env=dict(os.environ, NODE_TLS_REJECT_UNAUTHORIZED="0"))
    with open(os.path.join(logdir, f"{scenario}.log"), "w") as f:
        f.write(r.stderr + r.stdout)
    lines = r.stdout.strip().splitlines()
    result = json.loads(lines[-1]) if lines else {"ok": False, "error": r.stderr[-2000:]}
    assert r.returncode == 0 and result["ok"], \
        f"{scenario} failed after {result.get('steps')}: {result.get('error')}\n{r.stderr[-2000:]}"
    return result


def test_wrong_password_shows_error(env, logdir):
    run_scenario(env, "wrong-password", logdir)
    assert os.path.getsize(os.path.join(logdir, "login-wrong-password.png")) > 0


def test_vm_lifecycle_in_browser(env, logdir):
    """Log in, create a VM with a NIC (and a disk when the host has an SR),
    see an outside change and the start arrive without reload, see the
    console output, shut down, destroy."""
    r = run_scenario(env, "lifecycle", logdir)
    assert "started; power state became Running in place" in r["steps"]
    assert "destroyed; gone from the list and the server" in r["steps"]
    for name in ("overview", "create-vm-dialog", "vm-running", "vm-console", "storage", "networks"):
        assert os.path.getsize(os.path.join(logdir, f"{name}.png")) > 0


def test_disks_and_nics(env, logdir):
    """Create and destroy a VDI on the Storage page; attach new disks and NICs
    to a VM; destroying the VM removes the disks only it used."""
    if not env.has_sr:
        pytest.skip("the daemon has no SR to put disks on")
    run_scenario(env, "storage", logdir)


def test_keyboard_only(env, logdir):
    """Log in, reach the VMs and the New VM dialog with Tab/Enter, labelled
    fields, focus kept in the dialog, Escape closes it."""
    run_scenario(env, "keyboard", logdir)


def test_session_expiry_returns_to_login(env, logdir):
    """A session ended elsewhere sends the page back to the login, with a message."""
    run_scenario(env, "session-expiry", logdir)


def test_js_units():
    r = subprocess.run(["node", "--test", os.path.join(TOP, "xapi-c", "www", "tests", "errors.test.mjs")],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr


def test_live_console_over_websocket(env, logdir):
    if not env.live_console:
        pytest.skip(NO_CONSOLE)
    r = run_scenario(env, "live-console", logdir)
    assert "live console connected and shows the VM output" in r["steps"]
    assert os.path.getsize(os.path.join(logdir, "live-console.png")) > 0


def test_console_needs_a_valid_session(env, logdir):
    """A session from one user cannot open another's console without credentials."""
    if not env.live_console:
        pytest.skip(NO_CONSOLE)
    run_scenario(env, "console-isolation", logdir)
