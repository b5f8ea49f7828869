# SPDX-License-Identifier: GPL-2.0-only
"""Host executables in an Initramfs, with the shared libraries they load.

    from cairntest.hostbin import add_host_binary
    img = Initramfs()
    img.busybox()
    add_host_binary(img, "/usr/sbin/lvm", links=["/sbin/lvs", "/sbin/vgs"])
    add_host_binary(img, "/usr/sbin/pdata_tools", links=["/usr/sbin/thin_check"])

Design: `ldd` names every library the dynamic loader maps for a binary (the
whole closure, loader included). Each one is copied into the image at the path
ldd printed, with its contents read through any symlink, so the guest's loader
finds it where the host's did (/lib/x86_64-linux-gnu/..., /lib64/ld-linux...).
Libraries opened later with dlopen() are not visible to ldd: pass them in
`extra_libs`. Binaries that are not dynamic ("not a dynamic executable") are
copied alone.
"""
import os
import re
import subprocess

_LDD_ARROW = re.compile(r"^\s*\S+\s+=>\s+(/\S+)\s+\(0x[0-9a-f]+\)")
_LDD_PLAIN = re.compile(r"^\s*(/\S+)\s+\(0x[0-9a-f]+\)")


def shared_libraries(path):
    """Absolute paths of the shared libraries PATH loads (empty if static).
    Raises RuntimeError if ldd reports a library it cannot find."""
    r = subprocess.run(["ldd", path], capture_output=True, text=True)
    text = r.stdout + r.stderr
    if "not a dynamic executable" in text or "statically linked" in text:
        return []
    if r.returncode != 0:
        raise RuntimeError(f"ldd {path} failed: {text.strip()}")
    libs = []
    for line in r.stdout.splitlines():
        if "=> not found" in line:
            raise RuntimeError(f"ldd {path}: {line.strip()}")
        m = _LDD_ARROW.match(line) or _LDD_PLAIN.match(line)
        if m and m.group(1) not in libs:
            libs.append(m.group(1))
    return libs


def add_host_library(img, path):
    """Adds the library at PATH (contents of its final target) at PATH."""
    if path not in img.entries:
        img.add_host_file(path, os.path.realpath(path), 0o755)


def add_host_binary(img, src, dest=None, links=(), extra_libs=()):
    """Adds host executable SRC at DEST (default: the same path) with its
    shared libraries, plus symlinks LINKS pointing at DEST. Returns DEST."""
    src = os.path.abspath(src)
    real = os.path.realpath(src)
    dest = dest or src
    img.add_host_file(dest, real, 0o755)
    for lib in shared_libraries(real) + list(extra_libs):
        add_host_library(img, lib)
    for link in links:
        if link != dest:
            img.add_symlink(link, dest)
    return dest
