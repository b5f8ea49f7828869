# SPDX-License-Identifier: GPL-2.0-only
"""The /dev/cairn driver and the hv tools without the hypervisor: on a plain
QEMU machine cairn.ko is built for the right kernel but refuses to load, with a
clear kernel log line, and hv/hcprobe fail cleanly without /dev/cairn."""
from cairntest.dom0 import DOM0_READY, build_dom0_initramfs

EXTRA_INIT = """dmesg | grep 'cairn:'
ls -l /dev/cairn 2>&1
grep -c '^cairn ' /proc/modules
"""


def test_driver_refused_without_hv(kernel, machine, tmp_path):
    img = build_dom0_initramfs(kernel, str(tmp_path / "dom0.cpio"), extra_init=EXTRA_INIT)
    m = machine("no-hv", kernel=kernel.vmlinuz, initrd=img, append="console=ttyS0 quiet",
                mem="256M", timeout=180)
    m.wait_for(r"CAIRN-DOM0 up", timeout=120)
    # insmod reaches the module's init (so vermagic and symbols matched), which
    # answers ENODEV: "No such device".
    refused = m.wait_for(r"CAIRN-DOM0 driver (loaded|refused rc=\d+)", timeout=60)
    assert refused.group(1) != b"loaded", m.tail()
    m.wait_for(r"cairn: cairn_init: no Cairn hypervisor \(CPUID 0x40000000 signature "
               r"\"[^\"]*\"\), not loading", timeout=10)
    m.wait_for(DOM0_READY, timeout=30)
    assert "No such device" in m.output
    assert "Invalid module format" not in m.output
    out, rc = m.run("test -e /dev/cairn; echo exists=$?")
    assert "exists=1" in out, out
    out, rc = m.run("grep -c '^cairn ' /proc/modules")
    assert out.split()[-1] == "0", out

    # hv without the driver: a clear message and exit status 1.
    out, rc = m.run("hv info")
    assert rc == 1, out
    assert "hv: cannot open /dev/cairn: No such file or directory" in out, out
    # Usage errors: exit status 2.
    out, rc = m.run("hv frobnicate")
    assert rc == 2, out
    assert "unknown command 'frobnicate'" in out and "usage: hv" in out, out
    out, rc = m.run("hv")
    assert rc == 2, out
    out, rc = m.run("hcprobe badop")
    assert rc == 1 and "cannot open /dev/cairn" in out, out
    # VMMCALL from user mode with no hypervisor underneath: #UD, caught as SIGILL.
    out, rc = m.run("hcprobe cpl3")
    assert "cpl3: signal=SIGILL" in out, out
