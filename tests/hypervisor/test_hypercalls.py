# SPDX-License-Identifier: GPL-2.0-only
"""Hypercalls from dom0 under the Cairn hypervisor: cairn.ko loads and creates
/dev/cairn (root only), `hv info` reports the host, and bad hypercalls (unknown
op, bad or kernel pointers, oversized lengths, calls from CPL 3) are refused
while the host keeps running.

One machine (-smp 4 -m 4G, SeaBIOS, GRUB ISO) is booted for the whole module;
the tests run in file order against it.
"""
import re

import pytest

from cairntest import Machine, log_dir
from cairntest.dom0 import DOM0_READY, build_dom0_initramfs
from cairntest.hviso import hv_iso

DOM0_MEM_MIB = 1024
ENOSYS, EFAULT, EINVAL, EPERM, EACCES = 38, 14, 22, 1, 13


@pytest.fixture(scope="module")
def dom0(kernel, tmp_path_factory):
    img = build_dom0_initramfs(kernel, str(tmp_path_factory.mktemp("dom0") / "dom0.cpio"))
    iso = hv_iso(kernel.vmlinuz, img, hv_args=f"console=com1 dom0_mem={DOM0_MEM_MIB}M",
                 dom0_args="console=ttyS0 panic=-1 quiet")
    m = Machine("hc", cdrom=iso, smp=4, mem="4G", extra=["-boot", "d"], timeout=400,
                log_dir=log_dir("hypervisor/test_hypercalls"))
    m.start()
    try:
        m.wait_for(r"CAIRN-DOM0 up", timeout=240)
        m.wait_for(DOM0_READY, timeout=60)
        yield m
    finally:
        m.stop()


def probe(m, *names):
    """Runs hcprobe; returns {name: (ioctl, result or None)}."""
    out, rc = m.run("hcprobe " + " ".join(names), timeout=60)
    assert rc == 0, out
    found = {}
    for name, ioctl, result in re.findall(r"^(\w+): ioctl=(-?\d+) result=(-?\d+|-)\s*$", out,
                                          re.M):
        found[name] = (int(ioctl), None if result == "-" else int(result))
    assert set(names) <= set(found), out
    return found


def hv_info(m):
    out, rc = m.run("hv info", timeout=60)
    assert rc == 0, out
    return out


def test_driver_loads_under_cairn(dom0):
    assert "CAIRN-DOM0 driver loaded" in dom0.output
    out, rc = dom0.run("dmesg | grep cairn_init")
    assert re.search(r"cairn: cairn_init: Cairn hypervisor \d+\.\d+ \(ABI 1, vmmcall\), "
                     r"/dev/cairn ready", out), out
    out, rc = dom0.run("stat -c '%A %u %g' /dev/cairn")
    assert "crw------- 0 0" in out, out


def test_hv_info(dom0):
    out = hv_info(dom0)
    assert re.search(r"^version: \d+\.\d+\.\d+\S* \(\d+\.\d+\)", out, re.M), out
    assert re.search(r"^abi: 1$", out, re.M), out
    assert re.search(r"^cpus: 4 \(dom0: 0\)$", out, re.M), out
    assert re.search(r"^dom0_cpus: 1$", out, re.M), out
    mem = re.search(r"^memory: total (\d+) MiB, free (\d+) MiB$", out, re.M)
    assert mem, out
    total, free = int(mem.group(1)), int(mem.group(2))
    # 4 GiB machine, 1 GiB for dom0: the hypervisor's allocator has most of the rest.
    assert 2048 <= total < 4096 and 0 < free <= total, out
    dom0_mem = re.search(r"^dom0_memory: (\d+) MiB$", out, re.M)
    assert dom0_mem and int(dom0_mem.group(1)) == DOM0_MEM_MIB, out


def test_version_and_console_write(dom0):
    r = probe(dom0, "version", "console")
    assert r["version"][0] == 0 and r["version"][1] > 0
    msg = "hcprobe: hello from dom0 user space via hypercall\n"
    assert r["console"] == (0, len(msg))
    dom0.wait_for(r"hello from dom0 user space via hypercall", timeout=10)


def test_unknown_op_is_enosys(dom0):
    r = probe(dom0, "badop", "maxop")
    assert r["badop"] == (0, -ENOSYS)
    assert r["maxop"] == (0, -ENOSYS)


def test_bad_pointers_are_efault(dom0):
    r = probe(dom0, "badptr", "badbuf")
    # Unmapped user pages reach the hypervisor, which answers -EFAULT.
    assert r["badptr"] == (0, -EFAULT)
    assert r["badbuf"] == (0, -EFAULT)


def test_kernel_pointers_are_refused_by_the_driver(dom0):
    r = probe(dom0, "kernptr", "noncanon")
    assert r["kernptr"] == (-EFAULT, None)
    assert r["noncanon"] == (-EFAULT, None)


def test_bad_lengths_and_structures(dom0):
    r = probe(dom0, "biglen", "badinfo", "badmagic")
    assert r["biglen"] == (0, -EINVAL)
    assert r["badinfo"] == (0, -EINVAL)
    assert r["badmagic"] == (-EINVAL, None)


def test_cpl3_vmmcall_is_refused(dom0):
    out, rc = dom0.run("hcprobe cpl3")
    assert re.search(r"^cpl3: result=-1\s*$", out, re.M), out  # -EPERM in RAX


def test_host_keeps_running_after_bad_calls(dom0):
    out = hv_info(dom0)
    assert re.search(r"^cpus: 4 \(dom0: 0\)$", out, re.M), out
    assert "panic" not in re.sub(r"panic=-1", "", dom0.output).lower()
    assert "TRIPLE FAULT" not in dom0.output


def test_root_only(dom0):
    out, rc = dom0.run("hcprobe nonroot")
    assert "nonroot: open=-%d" % EACCES in out, out   # mode 0600
    dom0.run("chmod 666 /dev/cairn")
    out, rc = dom0.run("hcprobe nonroot")
    assert "nonroot: open=-%d" % EPERM in out, out    # the driver's CAP_SYS_ADMIN check
    dom0.run("chmod 600 /dev/cairn")


def test_hv_info_uefi(kernel, machine, tmp_path):
    """The same dom0 booted through OVMF: the driver loads and hv info works."""
    img = build_dom0_initramfs(kernel, str(tmp_path / "dom0.cpio"), extra_init="hv info")
    iso = hv_iso(kernel.vmlinuz, img, hv_args=f"console=com1 dom0_mem={DOM0_MEM_MIB}M",
                 dom0_args="console=ttyS0 panic=-1 quiet")
    m = machine("hc-uefi", cdrom=iso, smp=4, mem="4G", firmware="uefi",
                extra=["-boot", "d"], timeout=400)
    m.wait_for(r"CAIRN-DOM0 driver loaded", timeout=300)
    m.wait_for(r"cpus: 4 \(dom0: 0\)", timeout=60)
    m.wait_for(r"memory: total \d+ MiB, free [1-9]\d* MiB", timeout=10)
    m.wait_for(DOM0_READY, timeout=30)
