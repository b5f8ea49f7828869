# SPDX-License-Identifier: GPL-2.0-only
"""Xen Orchestra's connector (npm `xen-api`, run with the system's node)
against xapi-c: HTTPS with a self-signed certificate, every class listed by
system.listMethods loaded, and a VM created and started over XML-RPC seen
reaching power_state Running through event.from, then leaving the cache
when it is destroyed."""
import json
import os
import select
import shutil
import subprocess
import time

import pytest

from xc import XmlRpc, daemon, pam_user, vm_record  # noqa: F401  (fixtures)

HERE = os.path.dirname(os.path.abspath(__file__))


def read_step(proc, want, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.2)
        if ready:
            line = proc.stdout.readline()
            if not line:
                break
            msg = json.loads(line)
            assert msg["step"] == want, msg
            return msg
    proc.kill()
    out, err = proc.communicate()
    pytest.fail(f"no '{want}' from the connector in {timeout}s\n{out}\n{err}")


@pytest.mark.parametrize("transport", ["auto", "xml-rpc"])
def test_xen_api_connector_sees_vm_running(daemon, pam_user, transport):
    """`auto` is the connector's default: JSON-RPC on /jsonrpc; `xml-rpc` is
    what it uses with hosts that have no JSON-RPC."""
    node = shutil.which("node")
    assert node, "node is missing: make deps"
    assert os.path.isdir(os.path.join(HERE, "node_modules", "xen-api")), \
        "npm module xen-api missing: make deps"
    x = XmlRpc(daemon).login(*pam_user)
    methods = x.raw("system.listMethods")
    methods = methods.get("Value", methods) if isinstance(methods, dict) else methods
    classes = {m.split(".")[0] for m in methods if m.endswith(".get_all_records")}
    for cls in ("pool", "host", "VM", "SR", "network", "task"):
        assert cls in classes, f"{cls}.get_all_records missing from system.listMethods"

    proc = subprocess.Popen([node, os.path.join(HERE, "xo_watch.mjs"), daemon.url, *pam_user,
                             f"xo-vm-{transport}", "40", transport], cwd=HERE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        ready = read_step(proc, "ready", 40)
        assert ready["warnings"] == [], ready["warnings"]
        assert set(ready["types"]) == classes
        for cls in classes:
            try:
                n = len(x(f"{cls}.get_all_records"))
            except Exception:  # noqa: BLE001  (a class the session may not read)
                continue
            assert ready["counts"].get(cls, 0) == n, (cls, ready["counts"])
        assert ready["counts"].get("pool") == 1 and ready["counts"].get("host", 0) >= 1

        ref = x("VM.create", vm_record(f"xo-vm-{transport}"))
        x("VM.start", ref, False, False)
        running = read_step(proc, "running", 30)
        assert running["ref"] == ref
        assert running["warnings"] == [], running["warnings"]
        x("VM.hard_shutdown", ref)
        x("VM.destroy", ref)
        removed = read_step(proc, "removed", 30)
        assert removed["warnings"] == [], removed["warnings"]
        proc.wait(15)
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
