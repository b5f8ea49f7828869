# SPDX-License-Identifier: GPL-2.0-only
"""`xe` against xapi-c: lists, creates, starts and shuts down VMs, over the
local Unix socket and over HTTPS with the server's key pinned; readable
errors and non-zero exit codes."""
import re

from xc import XmlRpc, daemon, pam_user, xe  # noqa: F401  (fixtures)

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def api(d, user):
    return XmlRpc(d).login(*user)


def power(d, user, uuid):
    x = api(d, user)
    return x("VM.get_power_state", x("VM.get_by_uuid", uuid))


def test_host_sr_network_lists(daemon, pam_user):
    x = api(daemon, pam_user)
    hosts = x("host.get_all_records")
    r = xe(daemon, "host-list", "--minimal")
    assert set(r.stdout.strip().split(",")) == {h["uuid"] for h in hosts.values()}
    full = xe(daemon, "host-list").stdout
    for h in hosts.values():
        assert re.search(rf"^uuid\s+\( RO\): {h['uuid']}$", full, re.M), full
        assert re.search(rf"^\s*name-label \( RW\): {re.escape(h['name_label'])}$", full, re.M), full
    for cmd, cls in (("sr-list", "SR"), ("network-list", "network")):
        out = xe(daemon, cmd, "--minimal").stdout.strip()
        want = {r["uuid"] for r in x(f"{cls}.get_all_records").values()}
        assert set(filter(None, out.split(","))) == want, (cmd, out)


def test_vm_create_list_start_shutdown(daemon, pam_user):
    uuid = xe(daemon, "vm-create", "name-label=xe-vm1", "memory=512MiB", "vcpus=2").stdout.strip()
    assert re.fullmatch(UUID, uuid), uuid
    x = api(daemon, pam_user)
    rec = x("VM.get_record", x("VM.get_by_uuid", uuid))
    assert rec["name_label"] == "xe-vm1"
    assert int(rec["memory_static_max"]) == 512 << 20
    assert int(rec["VCPUs_max"]) == 2 and int(rec["VCPUs_at_startup"]) == 2
    assert rec["power_state"] == "Halted"

    out = xe(daemon, "vm-list", "name-label=xe-vm1").stdout
    assert out == (f"uuid        ( RO): {uuid}\n"
                   " name-label ( RW): xe-vm1\n"
                   "power-state ( RO): halted\n\n\n"), out
    assert xe(daemon, "vm-list", "name-label=xe-vm1", "--minimal").stdout == uuid + "\n"
    assert xe(daemon, "vm-list", "name-label=nope", "--minimal").stdout == "\n"

    xe(daemon, "vm-start", f"uuid={uuid}")
    assert power(daemon, pam_user, uuid) == "Running"
    assert uuid in xe(daemon, "vm-list", "power-state=running", "--minimal").stdout
    assert xe(daemon, "vm-param-get", f"uuid={uuid}", "param-name=power-state").stdout == "running\n"

    xe(daemon, "vm-shutdown", f"uuid={uuid}")
    assert power(daemon, pam_user, uuid) == "Halted"
    xe(daemon, "vm-start", "vm=xe-vm1")
    xe(daemon, "vm-shutdown", "vm=xe-vm1", "--force")
    assert power(daemon, pam_user, uuid) == "Halted"


def test_vm_param_set_get_and_destroy(daemon, pam_user):
    uuid = xe(daemon, "vm-create", "name-label=xe-vm2").stdout.strip()
    xe(daemon, "vm-param-set", f"uuid={uuid}", "name-label=xe-vm2b", "name-description=two words")
    get = lambda *a: xe(daemon, "vm-param-get", f"uuid={uuid}", *a).stdout  # noqa: E731
    assert get("param-name=name-label") == "xe-vm2b\n"
    assert get("param-name=name-description") == "two words\n"
    xe(daemon, "vm-param-set", f"uuid={uuid}", "other-config:cairn-test=yes")
    assert get("param-name=other-config", "param-key=cairn-test") == "yes\n"
    xe(daemon, "vm-param-set", f"uuid={uuid}", "other-config:cairn-test=no")
    assert get("param-name=other-config", "param-key=cairn-test") == "no\n"
    plist = xe(daemon, "vm-param-list", f"uuid={uuid}").stdout
    assert re.search(r"^\s*memory-static-max \( RW\): \d+$|^\s*memory-static-max \( RO\): \d+$",
                     plist, re.M), plist
    assert re.search(r"^\s*other-config \(MRW\): .*cairn-test: no", plist, re.M), plist
    xe(daemon, "vm-destroy", f"uuid={uuid}")
    assert xe(daemon, "vm-list", f"uuid={uuid}", "--minimal").stdout == "\n"


def test_errors_are_readable_and_fail(daemon):
    uuid = xe(daemon, "vm-create", "name-label=xe-vm3").stdout.strip()
    xe(daemon, "vm-start", f"uuid={uuid}")
    r = xe(daemon, "vm-start", f"uuid={uuid}", check=False)
    assert r.returncode == 1
    assert "The VM must be halted" in r.stderr, r.stderr
    assert "error code: VM_BAD_POWER_STATE" in r.stderr, r.stderr
    xe(daemon, "vm-shutdown", f"uuid={uuid}", "--force")

    r = xe(daemon, "vm-start", "uuid=00000000-0000-0000-0000-000000000000", check=False)
    assert r.returncode == 1 and "error code: XE_NO_MATCH" in r.stderr, r.stderr
    r = xe(daemon, "vm-frobnicate", check=False)
    assert r.returncode == 2 and "Unknown command: vm-frobnicate" in r.stderr
    r = xe(daemon, "vm-list", "--frobnicate", check=False)
    assert r.returncode == 2 and "Unknown option" in r.stderr
    xe(daemon, "vm-create", "name-label=twin")
    xe(daemon, "vm-create", "name-label=twin")
    r = xe(daemon, "vm-start", "name-label=twin", check=False)
    assert r.returncode == 1 and "XE_MULTIPLE_MATCHES" in r.stderr, r.stderr


def test_https_with_pinned_key_and_password(daemon, pam_user):
    r = xe(daemon, "host-list", "--minimal", local=False, user=pam_user)
    assert re.fullmatch(UUID + r"\n", r.stdout), r.stdout

    base = ["-s", "127.0.0.1", "-p", str(daemon.port), "-u", pam_user[0], "-pw", pam_user[1]]
    # a self-signed certificate is refused unless pinned or explicitly accepted
    r = xe(daemon, *base, "host-list", check=False)
    assert r.returncode == 1 and "cannot talk to the server" in r.stderr, r.stderr
    wrong = "sha256//" + "A" * 43 + "="
    r = xe(daemon, *base, "--fingerprint", wrong, "host-list", check=False)
    assert r.returncode == 1, r.stdout
    assert xe(daemon, *base, "--no-verify", "host-list", "--minimal").returncode == 0
    # a known-hosts file pins the key too
    kh = f"{daemon.state_dir}/known_hosts"
    with open(kh, "w") as f:
        f.write(f"127.0.0.1:{daemon.port} {daemon.pin()}\n")
    assert xe(daemon, *base, "--known-hosts", kh, "host-list", "--minimal").returncode == 0

    pwf = f"{daemon.state_dir}/pw"
    with open(pwf, "w") as f:
        f.write(pam_user[1] + "\n")
    r = xe(daemon, "-s", "127.0.0.1", "-p", str(daemon.port), "-u", pam_user[0], "-pwf", pwf,
           "--no-verify", "host-list", "--minimal")
    assert re.fullmatch(UUID + r"\n", r.stdout), r.stdout

    bad = ["-s", "127.0.0.1", "-p", str(daemon.port), "-u", pam_user[0], "-pw", "wrong",
           "--no-verify"]
    r = xe(daemon, *bad, "host-list", check=False)
    assert r.returncode == 1
    assert "error code: SESSION_AUTHENTICATION_FAILED" in r.stderr, r.stderr


def test_event_wait(daemon):
    import subprocess
    import time
    from xc import XE
    uuid = xe(daemon, "vm-create", "name-label=xe-vm4").stdout.strip()
    w = subprocess.Popen([XE, "--unix", daemon.sock, "event-wait", "class=vm", f"uuid={uuid}",
                          "power-state=running", "timeout=20"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        assert w.poll() is None, w.communicate()
        xe(daemon, "vm-start", f"uuid={uuid}")
        out, err = w.communicate(timeout=15)
        assert w.returncode == 0, err
    finally:
        if w.poll() is None:
            w.kill()
            w.wait()
    r = xe(daemon, "event-wait", "class=vm", f"uuid={uuid}", "power-state=paused", "timeout=1",
           check=False)
    assert r.returncode == 1 and "timed out" in r.stderr


def test_unix_socket_from_environment(daemon):
    import os
    import subprocess
    from xc import XE
    env = dict(os.environ, XE_UNIX_SOCKET=daemon.sock, HOME=daemon.state_dir)
    r = subprocess.run([XE, "host-list", "--minimal"], capture_output=True, text=True, env=env,
                       timeout=30)
    assert r.returncode == 0 and re.fullmatch(UUID + r"\n", r.stdout), r.stderr
    env["XE_UNIX_SOCKET"] = daemon.sock + ".missing"
    r = subprocess.run([XE, "host-list"], capture_output=True, text=True, env=env, timeout=30)
    assert r.returncode == 1 and "cannot talk to the server" in r.stderr, r.stderr
