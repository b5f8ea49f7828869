# SPDX-License-Identifier: GPL-2.0-only
"""`hv create` and the other domain commands in dom0 under the Cairn hypervisor.

Covers what works before the hypervisor implements domain control (issue 4):
argument validation (exit status 2, a clear message, nothing asked of the
hypervisor), the domain builder's checks on a real kernel inside dom0
(--dry-run prints the guest-physical layout of the stock Debian kernel), and
the honest answer when the hypervisor does not know the domctl operations: it
returns -ENOSYS and hv says "this hypervisor does not support domain control
yet" with exit status 1, while the host keeps running. A hypervisor that
implements domain control gets a create/list/destroy round trip instead
(test_domain_control_answers_honestly decides by asking `hv list`).

One machine (-smp 2 -m 2G, SeaBIOS, GRUB ISO) for the whole module.
"""
import os
import re

import pytest

from cairntest import Machine, log_dir
from cairntest.dom0 import DOM0_READY, build_dom0_initramfs
from cairntest.hviso import hv_iso

NOT_YET = "this hypervisor does not support domain control yet"
DOMU_KERNEL = "/boot/vmlinuz"
DOMU_INITRD = "/boot/initrd.img"
CREATE = f"create --kernel {DOMU_KERNEL} --initrd {DOMU_INITRD} --memory 256 --vcpus 2"


@pytest.fixture(scope="module")
def dom0(kernel, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hvcli")
    initrd = tmp / "domu-initrd.img"
    initrd.write_bytes(os.urandom(1 << 20))
    img = build_dom0_initramfs(kernel, str(tmp / "dom0.cpio"),
                               extra_files=[(DOMU_KERNEL, kernel.vmlinuz, 0o644),
                                            (DOMU_INITRD, str(initrd), 0o644)])
    iso = hv_iso(kernel.vmlinuz, img, hv_args="console=com1 dom0_mem=512M",
                 dom0_args="console=ttyS0 panic=-1 quiet")
    m = Machine("hvcli", cdrom=iso, smp=2, mem="2G", extra=["-boot", "d"], timeout=300,
                log_dir=log_dir("hypervisor/test_hv_cli"))
    m.start()
    try:
        m.wait_for(r"CAIRN-DOM0 driver loaded", timeout=150)
        m.wait_for(DOM0_READY, timeout=30)
        yield m
    finally:
        m.stop()


def hv(m, args):
    out, rc = m.run(f"hv {args} 2>&1", timeout=60)
    return out, int(rc)


# (arguments, expected exit status, regex the message must match)
BAD_CREATE = [
    ("create", 2, r"--kernel, --memory and --vcpus are required"),
    (f"create --kernel {DOMU_KERNEL} --memory 256", 2, r"required"),
    (f"create --kernel {DOMU_KERNEL} --memory 256 --vcpus 0", 2,
     r"--vcpus: 0 is out of range \(1\.\.16\)"),
    (f"create --kernel {DOMU_KERNEL} --memory 256 --vcpus 17", 2, r"out of range \(1\.\.16\)"),
    (f"create --kernel {DOMU_KERNEL} --memory 256M --vcpus 2", 2, r"--memory: '256M' is not a number"),
    (f"create --kernel {DOMU_KERNEL} --memory -5 --vcpus 2", 2, r"'-5' is not a number"),
    (f"create --kernel {DOMU_KERNEL} --memory 8 --vcpus 2", 2, r"out of range \(16\.\.65536\)"),
    (f"create --kernel {DOMU_KERNEL} --memory 256 --vcpus 2 --cap 201", 2,
     r"--cap: 201 is out of range \(0\.\.200\)"),
    (f"create --kernel {DOMU_KERNEL} --memory 256 --vcpus 2 --weight 0", 2, r"--weight"),
    (f"create --kernel {DOMU_KERNEL} --memory 256 --vcpus 2 --name 'a b'", 2, r"name must be"),
    (f"create --kernel {DOMU_KERNEL} --memory 256 --vcpus 2 --frobnicate", 2,
     r"unknown option '--frobnicate'"),
    (f"create --kernel {DOMU_KERNEL} --memory 256 --vcpus 2 --vcpus 3", 2, r"given twice"),
    (f"create --kernel {DOMU_KERNEL} --memory 256 --vcpus", 2, r"--vcpus needs a value"),
    ("create --kernel /nonexistent --memory 256 --vcpus 2", 2,
     r"--kernel /nonexistent: No such file or directory"),
    ("create --kernel /bin/hv --memory 256 --vcpus 2", 2, r"not a bzImage"),
    (f"create --kernel {DOMU_KERNEL} --memory 32 --vcpus 2", 2,
     r"kernel needs \d+ MiB .* 32 MiB of memory is not enough"),
    # Made in the guest: a 2100-byte line would not survive the serial console.
    (f"create --kernel {DOMU_KERNEL} --memory 256 --vcpus 2 "
     "--cmdline \"$(printf %2100s '' | tr ' ' x)\"", 2,
     r"command line: 2100 bytes, the kernel takes at most 2047"),
    ("pause 0", 2, r"domain 0 is dom0"),
    ("destroy abc", 2, r"'abc' is not a number"),
    ("unpause", 2, r"usage: hv unpause DOMID"),
    ("console 1 2", 2, r"usage: hv console DOMID"),
    ("frob", 2, r"unknown command 'frob'"),
]


def test_argument_validation(dom0):
    failures = []
    for args, status, pattern in BAD_CREATE:
        out, rc = hv(dom0, args)
        if rc != status or not re.search(pattern, out):
            failures.append(f"hv {args[:80]}: exit {rc}, output {out!r}")
    assert not failures, "\n".join(failures)


def test_dry_run_lays_out_the_debian_kernel(dom0):
    out, rc = hv(dom0, CREATE + " --cmdline 'console=ttyS0 quiet' --dry-run")
    assert rc == 0, out
    assert re.search(r"^ram +0x000000000000-0x000010000000$", out, re.M), out
    assert re.search(r"^kernel +0x000001000000 \d+ bytes$", out, re.M), out
    assert re.search(r"^initrd +0x0000\w+ 1048576 bytes$", out, re.M), out
    assert re.search(r"^acpi +0x0000000e0000 4096 bytes$", out, re.M), out
    assert re.search(r"^entry +0x000001000200$", out, re.M), out


def test_domain_control_answers_honestly(dom0):
    """Without domain control in the hypervisor (-ENOSYS), every domain command
    says so and exits 1. With it, a domain is created, listed and destroyed."""
    out, rc = hv(dom0, "list")
    if NOT_YET in out:
        assert rc == 1, out
        for args in (CREATE + " --weight 512 --cap 50 --name web", "pause 1", "unpause 1",
                     "destroy 1", "console 1 --once"):
            out, rc = hv(dom0, args)
            assert rc == 1 and NOT_YET in out, f"hv {args}: exit {rc}: {out!r}"
        return
    assert rc == 0 and re.search(r"^ID +NAME +STATE", out, re.M), out
    out, rc = hv(dom0, CREATE + " --weight 512 --cap 50 --name web")
    created = re.search(r"^(\d+)\s*$", out, re.M)
    assert rc == 0 and created, out
    domid = created.group(1)
    out, rc = hv(dom0, "list")
    row = re.search(rf"^{domid} +web +\w+ +2 +256 +512 +50 ", out, re.M)
    assert rc == 0 and row, out
    out, rc = hv(dom0, f"destroy {domid}")
    assert rc == 0, out
    out, rc = hv(dom0, "list")
    assert rc == 0 and not re.search(rf"^{domid} ", out, re.M), out
    out, rc = hv(dom0, f"destroy {domid}")
    assert rc == 1 and "No such file or directory" in out, out


def test_host_keeps_running(dom0):
    out, rc = hv(dom0, "info")
    assert rc == 0 and re.search(r"^cpus: 2 ", out, re.M), out
    assert "TRIPLE FAULT" not in dom0.output
