"""The test harness tests itself: the C unit harness reports failures, a failing
test makes `make test` and `.ci/run` fail, and QEMU machines boot the Debian
kernel, show markers, take console input, forward ports and are cleaned up."""
import os
import subprocess
import textwrap
import time
import urllib.request

import pytest

from cairntest import BUILD, TOP, Initramfs, Machine, MachineError

PROBE_INIT = """#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in $(cat /etc/modules.order 2>/dev/null); do insmod "$m"; done
echo "CAIRN-MARKER probe up cpus=$(grep -c ^processor /proc/cpuinfo)"
[ -x /probe.sh ] && /probe.sh
exec /bin/sh
"""


def probe_initramfs(kernel, path, modules=(), probe=None):
    img = Initramfs()
    img.busybox()
    img.add_file("/init", PROBE_INIT, 0o755)
    if modules:
        img.add_modules(kernel, list(modules))
    if probe:
        img.add_file("/probe.sh", probe, 0o755)
    return img.write(path)


def test_unit_harness_reports_failures():
    binary = os.path.join(BUILD, "unit-selftest", "harness-selftest-fail")
    r = subprocess.run([binary], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "FAIL fails_check" in r.stdout
    assert "FAIL fails_require_and_stops" in r.stdout
    assert "FAIL crashes: killed by signal" in r.stdout
    assert "ok passes" in r.stdout
    assert "1 passed, 3 failed" in r.stdout.splitlines()[-1]
    assert "1 == 2: 1 != 2" in r.stderr


def test_failing_test_fails_make_test_and_ci(tmp_path):
    """A deliberately failing test must make both entry points exit non-zero."""
    bad = tmp_path / "test_deliberately_failing.py"
    bad.write_text("def test_fails():\n    assert 1 == 2\n")
    env = dict(os.environ, PYTEST_ARGS=str(bad))
    env.pop("MAKEFLAGS", None)
    env.pop("MAKELEVEL", None)
    for cmd in (["make", "-s", "-C", TOP, "test"], ["bash", os.path.join(TOP, ".ci", "run")]):
        r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        assert r.returncode != 0, f"{cmd} passed with a failing test:\n{r.stdout[-2000:]}"
        assert "1 failed" in r.stdout, r.stdout[-2000:]


def test_boots_debian_kernel_to_marker(kernel, machine, tmp_path):
    img = probe_initramfs(kernel, str(tmp_path / "probe.cpio"))
    m = machine("probe", kernel=kernel.vmlinuz, initrd=img, smp=2, mem="256M",
                append="console=ttyS0 quiet panic=-1", timeout=300)
    hit = m.wait_for(r"CAIRN-MARKER probe up cpus=(\d+)\r?\n", timeout=180)
    assert hit.group(1) == b"2"
    out, rc = m.run("echo $((6 * 7)) && uname -r")
    assert rc == 0 and "42" in out and kernel.version in out
    assert os.path.getsize(m.log_path) > 0


def test_boots_under_uefi(kernel, machine, tmp_path):
    img = probe_initramfs(kernel, str(tmp_path / "probe.cpio"))
    m = machine("probe-uefi", kernel=kernel.vmlinuz, initrd=img, firmware="uefi",
                mem="512M", append="console=ttyS0 quiet panic=-1", timeout=300)
    m.wait_for(r"CAIRN-MARKER probe up", timeout=240)
    out, rc = m.run("ls /sys/firmware/efi >/dev/null && echo efi-present")
    assert "efi-present" in out


def test_forwards_a_port(kernel, machine, tmp_path):
    probe = textwrap.dedent("""\
        #!/bin/sh
        ip link set lo up
        ip addr add 10.0.2.15/24 dev eth0
        ip link set eth0 up
        mkdir -p /www && echo cairn-forward-ok > /www/index.html
        httpd -p 80 -h /www
        echo CAIRN-MARKER httpd up
        """)
    img = probe_initramfs(kernel, str(tmp_path / "net.cpio"),
                          modules=["virtio_net", "virtio_pci"], probe=probe)
    m = machine("net", kernel=kernel.vmlinuz, initrd=img, mem="256M", forwards={80: 0},
                append="console=ttyS0 quiet panic=-1", timeout=300)
    m.wait_for(r"CAIRN-MARKER httpd up", timeout=180)
    url = f"http://127.0.0.1:{m.port(80)}/index.html"
    body = None
    for _ in range(30):
        try:
            body = urllib.request.urlopen(url, timeout=5).read()
            break
        except OSError:
            time.sleep(1)
    assert body == b"cairn-forward-ok\n"


def test_watchdog_and_cleanup(kernel, tmp_path, logdir):
    img = probe_initramfs(kernel, str(tmp_path / "probe.cpio"))
    m = Machine("stuck", kernel=kernel.vmlinuz, initrd=img, mem="256M", log_dir=logdir,
                append="console=ttyS0 quiet", timeout=5)
    with m:
        with pytest.raises(MachineError):
            m.wait_for(r"this never appears", timeout=60)
        pid = m.proc.pid
        assert m.proc.poll() is not None, "watchdog did not kill QEMU"
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert "outlived its 5s limit" in m.output
