# SPDX-License-Identifier: GPL-2.0-only
"""A QEMU test machine for the LVM SR: the stock Debian kernel, busybox, the
device-mapper modules, the host's lvm, dmsetup, thin_check, qemu-img and
sr-tool (with their shared libraries), spare virtio disks, a shell on COM1."""
import json
import os
import re
import shlex
import subprocess

from cairntest import BUILD, Initramfs, Machine
from cairntest.hostbin import add_host_binary

from srtool import SR_TOOL, parse_error

MODULES = ["crc32c_generic", "dm_mod", "dm_bufio", "dm_bio_prison", "dm_persistent_data",
           "dm_thin_pool", "dm_snapshot", "virtio_pci", "virtio_blk"]

# LVM without udev, lvmetad, dmeventd or a devices file, in an initramfs.
LVM_CONF = """\
devices {
	dir = "/dev"
	scan = [ "/dev" ]
	obtain_device_list_from_udev = 0
	external_device_info_source = "none"
	use_devicesfile = 0
	multipath_component_detection = 0
	md_component_detection = 0
}
global {
	event_activation = 0
	use_lvmpolld = 0
	thin_check_executable = "/usr/sbin/thin_check"
}
activation {
	udev_sync = 0
	udev_rules = 0
	verify_udev_operations = 1
	monitoring = 0
}
backup {
	backup = 0
	archive = 0
}
"""

INIT = """#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /run/lock /run/lvm /tmp
for m in $(cat /etc/modules.order); do insmod "$m" || echo "insmod $m failed"; done
dmesg -n 1
stty -echo
export PS1=''
echo CAIRN-STORAGE-READY
exec /bin/sh
"""

# An lvm whose lvcreate never returns: the runner must kill it at the timeout.
LVM_HANG = """#!/bin/sh
case "$1" in lvcreate) exec sleep 600 ;; esac
exec /usr/sbin/lvm "$@"
"""


def build_initramfs(kernel, path):
    img = Initramfs()
    img.busybox()
    add_host_binary(img, "/usr/sbin/lvm", links=["/usr/sbin/" + n for n in (
        "lvs", "vgs", "pvs", "lvcreate", "vgcreate", "pvcreate", "lvremove", "lvchange",
        "vgchange", "lvextend")])
    add_host_binary(img, "/usr/sbin/dmsetup")
    add_host_binary(img, "/usr/sbin/pdata_tools", links=[
        "/usr/sbin/thin_check", "/usr/sbin/thin_dump", "/usr/sbin/thin_repair",
        "/usr/sbin/thin_restore"])
    add_host_binary(img, "/usr/bin/qemu-img")
    add_host_binary(img, SR_TOOL, dest="/usr/bin/sr-tool")
    img.add_modules(kernel, MODULES)
    img.add_file("/etc/lvm/lvm.conf", LVM_CONF)
    img.add_file("/usr/bin/lvm-hang", LVM_HANG, 0o755)
    img.add_file("/init", INIT, 0o755)
    return img.write(path)


def sparse_disk(path, size):
    if os.path.exists(path):
        os.unlink(path)
    with open(path, "wb") as f:
        f.truncate(size)
    return path


class GuestError(Exception):
    def __init__(self, code, params):
        super().__init__(f"{code} {params}")
        self.code, self.params = code, params


class LvmGuest:
    """The booted machine and helpers to run commands and sr-tool in it."""

    def __init__(self, kernel, workdir, logdir, disks, drive_opts="", mem="768M"):
        os.makedirs(workdir, exist_ok=True)
        initrd = build_initramfs(kernel, os.path.join(workdir, "storage.cpio"))
        self.disks = [sparse_disk(os.path.join(workdir, n + ".img"), s) for n, s in disks]
        drives = [f"file={d},format=raw,if=virtio,cache=unsafe{drive_opts}" for d in self.disks]
        self.m = Machine("lvm", kernel=kernel.vmlinuz, initrd=initrd, mem=mem, smp=1,
                         append="console=ttyS0 quiet loglevel=1 panic=-1", drives=drives,
                         log_dir=logdir, timeout=900)

    def start(self):
        self.m.start()
        self.m.wait_for(r"CAIRN-STORAGE-READY", timeout=240)
        return self

    def stop(self):
        """Stops the machine and deletes its disk images."""
        self.m.stop()
        for d in self.disks:
            if os.path.exists(d):
                os.unlink(d)

    def sh(self, cmd, timeout=120, check=True):
        """Runs CMD in the guest shell; returns (output, status)."""
        out, rc = self.m.run("echo; " + cmd, timeout=timeout)
        out = out.replace("\r", "")
        if check and rc != 0:
            raise AssertionError(f"guest: {cmd!r} exited {rc}:\n{out}")
        return out, rc

    def tool_raw(self, *args, env=None, timeout=240):
        pre = " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items())
        cmd = (f"{pre} CAIRN_SR_QUIET=1 sr-tool --state /run/sr "
               + " ".join(shlex.quote(a) for a in args)
               + " >/tmp/o 2>/tmp/e; r=$?; echo @@OUT; cat /tmp/o; echo @@ERR; cat /tmp/e;"
               " echo \"@@RC=$r=\"")
        # The status comes from our own marker: Machine.run() can match a
        # two-digit status before its second digit has arrived on the console.
        out, _ = self.sh(cmd, timeout=timeout, check=False)
        m = re.search(r"@@RC=(\d+)=", out)
        assert m, f"no status from sr-tool {args}: {out}"
        stdout, _, stderr = out[:m.start()].partition("@@OUT")[2].partition("@@ERR")
        return stdout.strip(), stderr.strip(), int(m.group(1))

    def tool(self, *args, **kw):
        stdout, stderr, rc = self.tool_raw(*args, **kw)
        if rc != 0:
            err = parse_error(stderr)
            if err is None:
                raise AssertionError(f"sr-tool {args} exited {rc}: {stderr}")
            raise GuestError(err["error"], err["params"])
        return json.loads(stdout)

    def lvm_json(self, *args):
        out, _ = self.sh("lvm " + " ".join(shlex.quote(a) for a in args) +
                         " --reportformat json --units b --nosuffix 2>/dev/null")
        return json.loads(out[out.index("{"):])
