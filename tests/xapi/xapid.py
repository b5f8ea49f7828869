# SPDX-License-Identifier: GPL-2.0-only
"""Helpers for xapi-c's integration tests: a daemon on loopback with a temp
state dir (always stopped), a local PAM account, and three plain clients
(XML-RPC via xmlrpc.client, JSON-RPC v1 and v2 via http.client) that accept
the daemon's self-signed certificate."""
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

from cairntest import BUILD, free_port

XAPI = os.path.join(BUILD, "xapi-c", "xapi-c")


class XapiError(Exception):
    def __init__(self, desc):
        super().__init__(desc)
        self.code = desc[0] if desc else None
        self.params = list(desc[1:])
        self.desc = desc


class Daemon:
    def __init__(self, logdir, extra=()):
        self.dir = tempfile.mkdtemp(prefix="xapi-c-test-")
        self.db = os.path.join(self.dir, "xapi.db")
        self.sock = os.path.join(self.dir, "xapi.sock")
        self.logdir = logdir
        self.extra = list(extra)
        self.proc = None
        self.port = None
        self.n = 0

    def start(self, timeout=15):
        assert os.access(XAPI, os.X_OK), f"{XAPI} not built: make -C xapi-c all"
        self.port = self.port or free_port()
        self.n += 1
        log = open(os.path.join(self.logdir, f"xapi-c.{self.n}.log"), "wb")
        self.proc = subprocess.Popen(
            [XAPI, "--db", self.db, "--state-dir", self.dir, "--https", f"127.0.0.1:{self.port}",
             "--unix", self.sock, "--backend", "sim", *self.extra],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            assert self.proc.poll() is None, f"xapi-c exited ({self.proc.returncode}), see {self.logdir}"
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    if os.path.exists(self.sock):
                        return self
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("xapi-c did not start")

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def tls(self):
        ctx = ssl.create_default_context(cafile=os.path.join(self.dir, "xapi-c.pem"))
        ctx.check_hostname = False
        return ctx


class Xml:
    """XenAPI over XML-RPC; call(method, *args) unwraps {Status, Value}."""

    def __init__(self, d):
        self.d = d
        self.proxy = xmlrpc.client.ServerProxy(f"https://127.0.0.1:{d.port}/", context=d.tls(),
                                               allow_none=False)
        self.session = None

    def raw(self, method, *args):
        return getattr(self.proxy, method)(*args)

    def call(self, method, *args):
        r = self.raw(method, *args)
        if r["Status"] != "Success":
            raise XapiError(r["ErrorDescription"])
        return r["Value"]

    def __call__(self, method, *args):
        return self.call(method, self.session, *args)

    def login(self, user, pw):
        self.session = self.call("session.login_with_password", user, pw, "2.21", "xapi-c-tests")
        return self


class Json:
    """XenAPI over JSON-RPC v1 or v2 on /jsonrpc."""

    def __init__(self, d, version=2, unix=False):
        self.d, self.version, self.unix = d, version, unix
        self.session = None

    def post(self, body, ctype="application/json", path="/jsonrpc"):
        if self.unix:
            c = UnixHTTPConnection(self.d.sock)
        else:
            c = http.client.HTTPSConnection("127.0.0.1", self.d.port, context=self.d.tls(), timeout=60)
        c.request("POST", path, body, {"Content-Type": ctype})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, r.getheader("Content-Type"), data

    def call(self, method, *args):
        req = {"method": method, "params": list(args), "id": 1}
        if self.version == 2:
            req["jsonrpc"] = "2.0"
        status, ctype, data = self.post(json.dumps(req).encode())
        assert status == 200 and ctype == "application/json", (status, ctype, data[:200])
        r = json.loads(data)
        if self.version == 2:
            assert r["jsonrpc"] == "2.0" and r["id"] == 1
            if "error" in r:
                e = r["error"]
                assert e["code"] == 1
                raise XapiError([e["message"], *e["data"]])
            return r["result"]
        if r["error"] is not None:
            assert r["result"] is None
            raise XapiError(r["error"])
        return r["result"]

    def __call__(self, method, *args):
        return self.call(method, self.session, *args)

    def login(self, user, pw):
        self.session = self.call("session.login_with_password", user, pw)
        return self


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=60)
        self.path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)


def vm_record(name, mem=1 << 30, vcpus=2):
    return {"name_label": name, "name_description": "", "memory_static_max": str(mem),
            "memory_dynamic_max": str(mem), "memory_dynamic_min": str(mem // 2),
            "memory_static_min": str(mem // 2), "VCPUs_max": str(vcpus),
            "VCPUs_at_startup": str(vcpus), "other_config": {}}


def errcode(fn, *args):
    with pytest.raises(XapiError) as e:
        fn(*args)
    return e.value


def make_user():
    name = "xt" + secrets.token_hex(4)
    pw = "Pw-" + secrets.token_hex(8)
    subprocess.run(["useradd", "-M", "-s", "/usr/sbin/nologin", name], check=True,
                   capture_output=True)
    subprocess.run(["chpasswd"], input=f"{name}:{pw}\n".encode(), check=True, capture_output=True)
    return name, pw


def drop_user(name):
    subprocess.run(["userdel", name], capture_output=True)
