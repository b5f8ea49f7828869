"""Bootable GRUB ISOs for the Cairn hypervisor: multiboot2 cairn.elf + dom0 kernel + initrd.

    iso = hv_iso(kernel.vmlinuz, initrd_path, hv_args="dom0_mem=1G",
                 dom0_args="console=ttyS0")
    m = machine("hv", cdrom=iso, smp=4, mem="4G", extra=["-boot", "d"])

Built with grub-mkrescue (BIOS and UEFI in one hybrid image) and cached under
build/cache/hv-iso/ by the hash of everything that goes in, so repeated tests
reuse the same image.
"""
import hashlib
import os
import shutil
import subprocess
import tempfile

from .paths import BUILD, CACHE

HV_ELF = os.path.join(BUILD, "hypervisor", "cairn.elf")

GRUB_CFG = """set timeout=0
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
menuentry "Cairn" {{
  multiboot2 /boot/cairn.elf {hv_args}
  module2 /boot/vmlinuz {dom0_args}
  module2 /boot/initrd.img
}}
"""


def _digest(paths, text):
    h = hashlib.sha256(text.encode())
    for p in paths:
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()[:20]


KEEP_ISOS = 16  # the cache keeps this many images (each ~30 MB), newest first


def _prune(out_dir):
    isos = sorted((os.path.join(out_dir, f) for f in os.listdir(out_dir) if f.endswith(".iso")),
                  key=os.path.getmtime, reverse=True)
    for old in isos[KEEP_ISOS:]:
        try:
            os.unlink(old)
        except OSError:
            pass


def hv_iso(vmlinuz, initrd, hv_args="", dom0_args="console=ttyS0", hv_elf=HV_ELF):
    """Path of a hybrid ISO that boots HV_ELF with HV_ARGS, the dom0 kernel VMLINUZ
    with DOM0_ARGS and INITRD as dom0's initrd."""
    if not os.path.exists(hv_elf):
        raise FileNotFoundError(f"{hv_elf} is missing (make -C hypervisor all)")
    cfg = GRUB_CFG.format(hv_args=hv_args, dom0_args=dom0_args)
    out_dir = os.path.join(CACHE, "hv-iso")
    os.makedirs(out_dir, exist_ok=True)
    out = os.path.join(out_dir, _digest([hv_elf, vmlinuz, initrd], cfg) + ".iso")
    if os.path.exists(out):
        os.utime(out)
        return out
    with tempfile.TemporaryDirectory(dir=out_dir) as tmp:
        root = os.path.join(tmp, "root")
        os.makedirs(os.path.join(root, "boot", "grub"))
        shutil.copy(hv_elf, os.path.join(root, "boot", "cairn.elf"))
        shutil.copy(vmlinuz, os.path.join(root, "boot", "vmlinuz"))
        shutil.copy(initrd, os.path.join(root, "boot", "initrd.img"))
        with open(os.path.join(root, "boot", "grub", "grub.cfg"), "w") as f:
            f.write(cfg)
        tmp_iso = os.path.join(tmp, "out.iso")
        r = subprocess.run(["grub-mkrescue", "-o", tmp_iso, root], capture_output=True,
                           text=True, timeout=300)
        if r.returncode != 0:
            raise RuntimeError(f"grub-mkrescue failed:\n{r.stderr[-2000:]}")
        os.replace(tmp_iso, out)
    _prune(out_dir)
    return out


def hv_symbol(name, hv_elf=HV_ELF):
    """The address of symbol NAME in the hypervisor image (from nm)."""
    out = subprocess.run(["nm", hv_elf], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] == name:
            return int(parts[0], 16)
    raise KeyError(name)
