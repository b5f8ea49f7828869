# SPDX-License-Identifier: GPL-2.0-only
"""Dom0 initramfs images: busybox, the /dev/cairn driver and the hv tools.

    img = build_dom0_initramfs(kernel, "/tmp/dom0.cpio", extra_init="hv info")
    m = machine("dom0", kernel=kernel.vmlinuz, initrd=img, append="console=ttyS0")
    m.wait_for(DOM0_UP)

/init mounts proc, sys and dev, prints "CAIRN-DOM0 up", loads cairn.ko
(printing "CAIRN-DOM0 driver loaded" or "CAIRN-DOM0 driver refused rc=N"), runs
EXTRA_INIT, prints "CAIRN-DOM0 ready" and leaves a shell on the console, so
Machine.run() works. hv (static) and hcprobe are in /bin.
"""
import os
import subprocess

from .initramfs import Initramfs
from .paths import BUILD

DRIVER = os.path.join(BUILD, "dom0-image", "driver", "cairn.ko")
HV = os.path.join(BUILD, "hypervisor", "tools", "hv-static")
HCPROBE = os.path.join(BUILD, "hypervisor", "tools", "hcprobe")

DOM0_UP = r"CAIRN-DOM0 up"
DOM0_READY = r"CAIRN-DOM0 ready"

INIT = """#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo "CAIRN-DOM0 up"
if insmod /lib/modules/cairn.ko; then
	echo "CAIRN-DOM0 driver loaded"
else
	echo "CAIRN-DOM0 driver refused rc=$?"
fi
{extra_init}
echo "CAIRN-DOM0 ready"
exec /bin/sh
"""


def module_vermagic(path):
    """The kernel version a module was built for (first word of its vermagic)."""
    out = subprocess.run(["modinfo", "-F", "vermagic", path], capture_output=True, text=True,
                         check=True).stdout
    return out.split()[0] if out.split() else ""


def build_dom0_initramfs(kernel, out_path, extra_init="", extra_files=()):
    """Writes a dom0 initramfs to OUT_PATH and returns the path. Fails when the
    driver or tools are not built, or cairn.ko was built for another kernel.
    EXTRA_FILES: (guest path, host path, mode) to add, e.g. a domU's kernel."""
    for path, how in ((DRIVER, "make -C dom0-image/driver all"),
                      (HV, "make -C hypervisor/tools all"),
                      (HCPROBE, "make -C hypervisor/tools all")):
        if not os.path.exists(path):
            raise FileNotFoundError(f"{path} is missing ({how})")
    built_for = module_vermagic(DRIVER)
    if built_for != kernel.version:
        raise RuntimeError(f"{DRIVER} is built for {built_for!r}, the test kernel is "
                           f"{kernel.version!r}: rebuild it (make -C dom0-image/driver all)")
    img = Initramfs()
    img.busybox()
    img.add_host_file("/lib/modules/cairn.ko", DRIVER, 0o644)
    img.add_host_file("/bin/hv", HV, 0o755)
    img.add_host_file("/bin/hcprobe", HCPROBE, 0o755)
    for guest_path, host_path, mode in extra_files:
        img.add_host_file(guest_path, host_path, mode)
    img.add_file("/init", INIT.format(extra_init=extra_init), 0o755)
    return img.write(out_path)
