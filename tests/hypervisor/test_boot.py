"""The Cairn hypervisor boots from a GRUB ISO (SeaBIOS and OVMF), brings up every
CPU, and runs the Debian kernel as dom0, which sees only its own CPU and RAM and
cannot read the hypervisor's memory. Also: the exception report, and a dom0
triple fault stops the machine with a report instead of resetting it."""
import os
import re
import subprocess

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
for m in $(cat /etc/modules.order 2>/dev/null); do insmod "$m"; done
echo "CAIRN-DOM0 userspace cpus=$(grep -c ^processor /proc/cpuinfo) $(grep MemTotal /proc/meminfo | tr -s ' ')"
exec /bin/sh
"""


# What dom0 sees of the CPU: CPUID leaves and the MSRs Cairn guards (through msr.ko).
CPUPROBE_C = r"""
#include <cpuid.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void msr(int fd, const char *name, unsigned reg)
{
	uint64_t v = 0;
	if (pread(fd, &v, 8, reg) == 8)
		printf("%s=%#llx\n", name, (unsigned long long)v);
	else
		printf("%s=error\n", name);
}

int main(void)
{
	unsigned a, b, c, d;
	char sig[13] = { 0 };
	uint64_t v = 0x1000;
	int fd;

	__cpuid(0x40000000, a, b, c, d);
	memcpy(sig, &b, 4); memcpy(sig + 4, &c, 4); memcpy(sig + 8, &d, 4);
	printf("sig=%s max=%#x\n", sig, a);
	__cpuid(0x80000001, a, b, c, d);
	printf("svm=%u\n", (c >> 2) & 1);
	__cpuid(1, a, b, c, d);
	printf("hypervisor_bit=%u\n", c >> 31);
	fd = open("/dev/cpu/0/msr", O_RDWR);
	if (fd < 0) { printf("msr=unavailable\n"); return 1; }
	msr(fd, "efer", 0xc0000080);
	msr(fd, "vm_cr", 0xc0010114);
	printf("hsave_write=%s\n", pwrite(fd, &v, 8, 0xc0010117) == 8 ? "accepted" : "refused");
	msr(fd, "hsave", 0xc0010117);
	printf("CPUPROBE done\n");
	return 0;
}
"""


@pytest.fixture(scope="module")
def dom0_initrd(kernel, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("dom0")
    src = tmp / "cpuprobe.c"
    src.write_text(CPUPROBE_C)
    subprocess.run(["gcc", "-static", "-O2", "-o", str(tmp / "cpuprobe"), str(src)], check=True)
    img = Initramfs()
    img.busybox()
    img.add_file("/init", DOM0_INIT, 0o755)
    img.add_host_file("/bin/cpuprobe", str(tmp / "cpuprobe"), 0o755)
    img.add_modules(kernel, ["msr"])
    return img.write(str(tmp / "dom0.cpio"))


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
    npt = m.wait_for(r"dom0 nested page tables: .* with (\d+) 1G, (\d+) 2M and (\d+) 4K pages",
                     timeout=10)
    n1g, n2m, n4k = (int(x) for x in npt.groups())
    # Large pages wherever alignment allows; 4K only around the 128 KiB image.
    assert n1g >= 400 and n2m >= 1 and 0 < n4k < 1024, npt.group(0)
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
    # CPUID and the guarded MSRs, as dom0 sees them.
    out, rc = m.run("cpuprobe", timeout=60)
    assert "CPUPROBE done" in out, out
    probe = dict(line.split("=", 1) for line in out.split() if "=" in line)
    assert probe["sig"] == "CairnCairnHV", out          # leaf 0x40000000
    assert probe["svm"] == "0", out                     # SVM hidden
    assert probe["hypervisor_bit"] == "1", out
    assert not int(probe["efer"], 16) & (1 << 12), out  # EFER.SVME hidden (kept set for VMRUN)
    assert int(probe["efer"], 16) & (1 << 10), out      # but it is dom0's real EFER (LMA)
    assert int(probe["vm_cr"], 16) & (1 << 4), out      # VM_CR.SVMDIS: SVM disabled
    assert probe["hsave_write"] == "refused", out       # VM_HSAVE_PA write: #GP
    assert probe["hsave"] == "0", out
    m.wait_for(r"write of MSR 0xc0010117 refused with #GP", timeout=10)

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
    # The line end matters: the address may still be arriving when the rest matches.
    bt = m.wait_for(r"backtrace:\r?\n[^\n]*\[0\] (0x[0-9a-f]+)\r?\n", timeout=10)
    assert int(bt.group(1), 16) >= HV_VIRT_BASE
    m.wait_for(r"panic: the hypervisor has stopped", timeout=10)
    assert "starting dom0" not in m.output
