"""The Cairn hypervisor boots from a GRUB ISO (SeaBIOS and OVMF), brings up every
CPU, and runs the Debian kernel as dom0, which sees only its own CPU and RAM and
cannot read the hypervisor's memory. Also: the exception report, and a dom0
triple fault stops the machine with a report instead of resetting it."""
import re

import pytest

from cairntest import Initramfs
from cairntest.hviso import hv_iso, hv_symbol

HV_VIRT_BASE = 0xffffffff80000000
SIGNATURE = "CAIRN-HV-SIGNATURE-7f3a9c21"
DOM0_MEM_MIB = 1024
MACHINE = dict(smp=4, mem="4G", extra=["-boot", "d"], timeout=300)

DOM0_INIT = """#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "CAIRN-DOM0 userspace cpus=$(grep -c ^processor /proc/cpuinfo) $(grep MemTotal /proc/meminfo | tr -s ' ')"
exec /bin/sh
"""


@pytest.fixture(scope="module")
def dom0_initrd(kernel, tmp_path_factory):
    img = Initramfs()
    img.busybox()
    img.add_file("/init", DOM0_INIT, 0o755)
    return img.write(str(tmp_path_factory.mktemp("dom0") / "dom0.cpio"))


def boot(machine, kernel, initrd, name, hv_args="", dom0_args="", **kw):
    iso = hv_iso(kernel.vmlinuz, initrd,
                 hv_args=f"console=com1 dom0_mem={DOM0_MEM_MIB}M {hv_args}".strip(),
                 dom0_args=f"console=ttyS0 panic=-1 {dom0_args}".strip())
    opts = dict(MACHINE)
    opts.update(kw)
    return machine(name, cdrom=iso, **opts)


def check_hypervisor_came_up(m, firmware):
    m.wait_for(SIGNATURE + r".*" + firmware, timeout=120)
    m.wait_for(r"4 of 4 CPUs online", timeout=60)
    m.wait_for(r"IPI and LAPIC timer self-test: 3 of 3 APs answered", timeout=30)
    m.wait_for(r"starting dom0 on CPU 0", timeout=60)


def check_dom0_view(m):
    hit = m.wait_for(r"CAIRN-DOM0 userspace cpus=(\d+) MemTotal: (\d+) kB", timeout=180)
    assert hit.group(1) == b"1", "dom0 sees more than its own CPU"
    mem_kib = int(hit.group(2))
    # The kernel keeps some of its RAM for itself (image, reserved areas): ~40 MiB here.
    assert DOM0_MEM_MIB * 1024 - 96 * 1024 < mem_kib <= DOM0_MEM_MIB * 1024, mem_kib
    # Short commands: the console echo of a long one wraps and pollutes the output.
    out, rc = m.run("grep -c ^processor /proc/cpuinfo")
    assert out.split()[-1] == "1", out
    out, rc = m.run("grep -c 'flags.* svm' /proc/cpuinfo")
    assert out.split()[-1] == "0", out   # SVM hidden from dom0


def test_boot_bios_dom0_isolated(kernel, machine, dom0_initrd):
    """SeaBIOS: banner, 4 CPUs, dom0 with 1 CPU and dom0_mem of RAM, no view of the
    hypervisor's memory through /dev/mem, and the host keeps running."""
    m = boot(machine, kernel, dom0_initrd, "hv-bios", hv_args="loglvl=debug",
             dom0_args="iomem=relaxed")
    check_hypervisor_came_up(m, "BIOS")
    m.wait_for(r"DBG write_e820: dom0 e820: ", timeout=10)   # loglvl=debug shows more
    check_dom0_view(m)

    # The signature string sits in the hypervisor image; read its page through /dev/mem.
    sig_pa = hv_symbol("hv_signature") - HV_VIRT_BASE
    page = sig_pa // 4096
    out, rc = m.run(f"dd if=/dev/mem bs=4096 skip={page} count=1 of=/hv.bin", timeout=60)
    assert "1+0 records in" in out, out
    out, rc = m.run("grep -c CAIRN-HV /hv.bin")
    assert out.split()[-1] == "0", out
    out, rc = m.run("tr -d '\\000' < /hv.bin | wc -c")
    assert out.split()[-1] == "0", out   # the scratch page: zeros
    m.wait_for(r"access to gpa 0x[0-9a-f]+ \(not its memory\).*scratch page mapped", timeout=10)
    # Dom0 can still read what it owns through /dev/mem (the BIOS area, for instance).
    out, rc = m.run("dd if=/dev/mem bs=4096 skip=240 count=16 of=/bios.bin")
    assert "16+0 records in" in out, out
    out, rc = m.run("tr -d '\\000' < /bios.bin | wc -c")
    assert int(out.split()[-1]) > 1000, out
    # The host survives: dom0 still answers, no hypervisor panic.
    out, rc = m.run("echo still-$((6*7))")
    assert "still-42" in out
    assert "panic" not in re.sub(r"panic=-1", "", m.output).lower()


def test_boot_q35_iommu_quiet(kernel, machine, dom0_initrd):
    """The bench's machine (q35 with an Intel IOMMU, no RDTSCP/PKU), and loglvl=warn:
    dom0 comes up and the hypervisor prints no info lines."""
    m = boot(machine, kernel, dom0_initrd, "hv-q35", hv_args="loglvl=warn", cpu="max,-rdtscp,-pku",
             extra=["-machine", "q35", "-device", "intel-iommu,intremap=on", "-boot", "d"])
    check_dom0_view(m)
    assert not re.search(r"\(HV\) \[[ 0-9.]+\] (INF|DBG)", m.output), "loglvl=warn printed info"


def test_boot_uefi(kernel, machine, dom0_initrd):
    m = boot(machine, kernel, dom0_initrd, "hv-uefi", firmware="uefi")
    check_hypervisor_came_up(m, "UEFI")
    check_dom0_view(m)


def test_dom0_triple_fault(kernel, machine, dom0_initrd):
    """reboot=triple makes dom0's restart a triple fault: the hypervisor reports it
    and stops; QEMU is not reset (-no-reboot would make it exit)."""
    m = boot(machine, kernel, dom0_initrd, "hv-3f", dom0_args="reboot=triple")
    m.wait_for(r"CAIRN-DOM0 userspace", timeout=240)
    m.send("echo 1 > /proc/sys/kernel/sysrq; echo b > /proc/sysrq-trigger\n")
    m.wait_for(r"dom0 TRIPLE FAULT \(shutdown intercept\)", timeout=60)
    m.wait_for(r"RIP 0x[0-9a-f]+ RSP 0x[0-9a-f]+", timeout=10)
    m.wait_for(r"stopping the machine", timeout=10)
    assert m.running, "QEMU exited: the machine was reset instead of stopped"


def test_hv_exception_report(kernel, machine, dom0_initrd):
    m = boot(machine, kernel, dom0_initrd, "hv-fault", hv_args="debug_fault", timeout=120)
    m.wait_for(r"EXCEPTION #GP general protection \(vector 13\)", timeout=120)
    m.wait_for(r"RIP 0xffffffff8[0-9a-f]+ CS 0x8", timeout=10)
    m.wait_for(r"RAX [0-9a-f]{16} RBX", timeout=10)
    bt = m.wait_for(r"backtrace:\r?\n[^\n]*\[0\] (0x[0-9a-f]+)", timeout=10)
    assert int(bt.group(1), 16) >= HV_VIRT_BASE
    m.wait_for(r"panic: the hypervisor has stopped", timeout=10)
    assert "starting dom0" not in m.output
