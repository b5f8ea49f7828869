# SPDX-License-Identifier: GPL-2.0-only
"""Helpers for the client-side tests of xapi-c: the daemon, a PAM user, and
plain XenAPI clients over XML-RPC and JSON-RPC v1/v2 (HTTPS or the Unix socket).

    from xc import daemon, pam_user, XmlRpc, JsonRpc   # daemon/pam_user are fixtures

Design: each test module gets its own daemon (temp state dir, free port,
Unix socket), started with the command line xapi-c documents and stopped by
pid at the end; its stderr goes to the test's log directory. The PAM user is
created once per session with useradd + chpasswd and removed afterwards.
Clients are deliberately independent of the daemon's code: Python's standard
xmlrpc.client and json, over ssl with the daemon's self-signed certificate
accepted explicitly.
"""
import base64
import glob
import hashlib
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
import xmlrpc.client

import pytest

from cairntest import BUILD, TOP, free_port, log_dir

XAPI = os.path.join(BUILD, "xapi-c", "xapi-c")
XE = os.path.join(BUILD, "xapi-c", "xe")


def require_binary(path):
    """The daemon and xe must be built; if xapi-c has not been delivered at
    all (no xapi-c/Makefile), the tests are skipped, otherwise they fail."""
    if os.access(path, os.X_OK):
        return
    if not os.path.exists(os.path.join(TOP, "xapi-c", "Makefile")):
        pytest.skip("xapi-c daemon not in the tree yet")
    pytest.fail(f"{path} not built: run make -C xapi-c all")


class Daemon:
    """One xapi-c process on loopback. start()/stop()/kill9()."""

    def __init__(self, logdir, state_dir=None):
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="xapi-clients-")
        self.db = os.path.join(self.state_dir, "xapi.db")
        self.sock = os.path.join(self.state_dir, "xapi.sock")
        self.port = free_port()
        self.logdir = logdir
        self.proc = None
        self.starts = 0

    @property
    def url(self):
        return f"https://127.0.0.1:{self.port}"

    def argv(self):
        return [XAPI, "--db", self.db, "--state-dir", self.state_dir,
                "--https", f"127.0.0.1:{self.port}", "--unix", self.sock, "--backend", "sim"]

    def start(self, timeout=20):
        require_binary(XAPI)
        self.starts += 1
        log = open(os.path.join(self.logdir, f"xapi-c.{self.starts}.log"), "wb")
        self.proc = subprocess.Popen(self.argv(), stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"xapi-c exited with {self.proc.returncode}; see {self.logdir}")
            if self.ready():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"xapi-c not ready within {timeout}s; see {self.logdir}")

    def ready(self):
        if not os.path.exists(self.sock):
            return False
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def kill9(self):
        self.proc.kill()
        self.proc.wait(10)
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.state_dir, ignore_errors=True)

    # -- the certificate ------------------------------------------------------
    def cert_pem(self):
        return ssl.get_server_certificate(("127.0.0.1", self.port))

    def pin(self):
        """sha256//BASE64 of the server's public key (xe --fingerprint)."""
        pem = self.cert_pem()
        pub = subprocess.run(["openssl", "x509", "-pubkey", "-noout"], input=pem.encode(),
                             capture_output=True, check=True).stdout
        der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "der"], input=pub,
                             capture_output=True, check=True).stdout
        return "sha256//" + base64.b64encode(hashlib.sha256(der).digest()).decode()


def _useradd(name, password):
    subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", name], check=True,
                   capture_output=True)
    subprocess.run(["chpasswd"], input=f"{name}:{password}\n".encode(), check=True,
                   capture_output=True)


@pytest.fixture(scope="session")
def pam_user():
    """(user, password) of a local account made for these tests."""
    if os.geteuid() != 0:
        pytest.skip("creating a PAM test user needs root")
    name = "xc" + secrets.token_hex(4)
    password = "pw-" + secrets.token_hex(8)
    _useradd(name, password)
    try:
        yield name, password
    finally:
        subprocess.run(["userdel", name], capture_output=True)


@pytest.fixture(scope="module")
def daemon(request):
    """A running xapi-c for the whole test module (simulator backend)."""
    d = Daemon(log_dir(request.node.nodeid))
    d.start()
    yield d
    d.cleanup()


# ---- clients -----------------------------------------------------------------

def _insecure():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


class XapiError(Exception):
    def __init__(self, desc):
        super().__init__(desc)
        self.desc = list(desc)
        self.code = desc[0] if desc else None


def http_post(d, path, body, ctype, timeout=30, extra_headers=None, source=None):
    """One raw POST to the daemon over HTTPS: (status, content-type, body bytes).
    SOURCE: another loopback address to connect from (e.g. "127.0.0.2")."""
    conn = http.client.HTTPSConnection("127.0.0.1", d.port, context=_insecure(), timeout=timeout,
                                       source_address=(source, 0) if source else None)
    try:
        headers = {"Content-Type": ctype}
        headers.update(extra_headers or {})
        conn.request("POST", path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type"), r.read()
    finally:
        conn.close()


class XmlRpc:
    """XenAPI over XML-RPC with Python's xmlrpc.client. call() unwraps
    {Status, Value} and raises XapiError for a Failure."""

    def __init__(self, d, path="/"):
        self.proxy = xmlrpc.client.ServerProxy(d.url + path, context=_insecure(),
                                               allow_none=False)
        self.session = None

    def raw(self, method, *args):
        return getattr(self.proxy, method)(*args)

    def call(self, method, *args):
        r = self.raw(method, *args)
        if r.get("Status") == "Success":
            return r["Value"]
        raise XapiError(r.get("ErrorDescription", ["?"]))

    def login(self, user, password):
        self.session = self.call("session.login_with_password", user, password, "1.0", "xc")
        return self

    def __call__(self, method, *args):
        """A call with the session as first argument."""
        return self.call(method, self.session, *args)


class JsonRpc:
    """XenAPI over JSON-RPC on /jsonrpc, version 1 or 2."""

    def __init__(self, d, version=2):
        self.d = d
        self.version = version
        self.session = None
        self.next_id = 0

    def raw(self, method, *args):
        self.next_id += 1
        req = {"method": method, "params": list(args), "id": self.next_id}
        if self.version == 2:
            req["jsonrpc"] = "2.0"
        status, ctype, body = http_post(self.d, "/jsonrpc", json.dumps(req).encode(),
                                        "application/json")
        assert status == 200, (status, body[:200])
        assert ctype == "application/json", ctype
        return json.loads(body)

    def call(self, method, *args):
        r = self.raw(method, *args)
        if self.version == 2:
            if "error" in r and r["error"] is not None:
                e = r["error"]
                raise XapiError([e["message"]] + list(e.get("data") or []))
            return r["result"]
        if r.get("error") is not None:
            raise XapiError(r["error"])
        return r["result"]

    def login(self, user, password):
        self.session = self.call("session.login_with_password", user, password, "1.0", "xc")
        return self

    def __call__(self, method, *args):
        return self.call(method, self.session, *args)


def vm_record(name, memory=256 << 20, vcpus=1):
    """The fields XenAPI's VM.create requires (int64 as strings, as on the wire)."""
    m = str(memory)
    return {
        "name_label": name, "name_description": "", "user_version": "1",
        "is_a_template": False, "affinity": "OpaqueRef:NULL",
        "memory_static_max": m, "memory_dynamic_max": m, "memory_dynamic_min": m,
        "memory_static_min": m, "VCPUs_params": {}, "VCPUs_max": str(vcpus),
        "VCPUs_at_startup": str(vcpus), "actions_after_shutdown": "destroy",
        "actions_after_reboot": "restart", "actions_after_crash": "restart",
        "PV_bootloader": "", "PV_kernel": "", "PV_ramdisk": "", "PV_args": "",
        "PV_bootloader_args": "", "PV_legacy_args": "", "HVM_boot_policy": "",
        "HVM_boot_params": {}, "platform": {}, "PCI_bus": "", "other_config": {},
        "recommendations": "",
    }


def xe(d, *args, user=None, local=True, timeout=60, check=True):
    """Runs build/xapi-c/xe against D: over the Unix socket (local) or HTTPS
    (-s with the server's key pinned). Returns the CompletedProcess."""
    require_binary(XE)
    if local:
        argv = [XE, "--unix", d.sock]
    else:
        argv = [XE, "-s", "127.0.0.1", "-p", str(d.port), "-u", user[0], "-pw", user[1],
                "--fingerprint", d.pin()]
    r = subprocess.run(argv + list(args), capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, HOME=d.state_dir))
    if check:
        assert r.returncode == 0, f"xe {' '.join(args)}: rc={r.returncode}\n{r.stdout}\n{r.stderr}"
    return r


def db_rows(d):
    """A snapshot of every table's row count in the daemon's SQLite file
    (read with the sqlite3 module, WAL included)."""
    import sqlite3
    con = sqlite3.connect(f"file:{d.db}?mode=ro", uri=True, timeout=10)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        con.close()


def state_files(d):
    return sorted(glob.glob(os.path.join(d.state_dir, "*")))
