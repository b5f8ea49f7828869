"""Builds newc cpio initramfs images without root: owners are written as 0:0.

    img = Initramfs()
    img.busybox()                      # /bin/busybox and its applets
    img.add_file("/init", "#!/bin/sh\\n...", mode=0o755)
    img.add_modules(kernel, ["virtio_net"])   # with dependencies, load order kept
    img.write(path)
"""
import os
import shutil
import stat

BUSYBOX = "/bin/busybox"


class Initramfs:
    def __init__(self):
        self.entries = {}  # path -> (mode, data or None for dirs, link target)
        self.module_order = []
        self.add_dir("/")
        for d in ("/bin", "/sbin", "/dev", "/proc", "/sys", "/tmp", "/etc", "/lib", "/mnt",
                  "/run", "/root"):
            self.add_dir(d)

    def add_dir(self, path, mode=0o755):
        self.entries[path.rstrip("/") or "/"] = (stat.S_IFDIR | mode, b"", None)

    def _parents(self, path):
        parent = os.path.dirname(path)
        while parent not in ("", "/") and parent not in self.entries:
            self.add_dir(parent)
            parent = os.path.dirname(parent)

    def add_file(self, path, data, mode=0o644):
        if isinstance(data, str):
            data = data.encode()
        self._parents(path)
        self.entries[path] = (stat.S_IFREG | mode, data, None)

    def add_host_file(self, path, src, mode=None):
        with open(src, "rb") as f:
            data = f.read()
        self.add_file(path, data, mode if mode is not None else os.stat(src).st_mode & 0o7777)

    def add_symlink(self, path, target):
        self._parents(path)
        self.entries[path] = (stat.S_IFLNK | 0o777, target.encode(), target)

    def busybox(self):
        """Adds static busybox with a symlink for every applet it lists."""
        if not os.path.exists(BUSYBOX):
            raise FileNotFoundError("busybox-static is not installed (make deps)")
        self.add_host_file("/bin/busybox", BUSYBOX, 0o755)
        import subprocess
        out = subprocess.run([BUSYBOX, "--list-full"], capture_output=True, text=True,
                             check=True).stdout
        for applet in out.split():
            path = "/" + applet
            if path != "/bin/busybox" and path not in self.entries:
                self.add_symlink(path, "/bin/busybox")

    def add_modules(self, kernel, names):
        """Adds the named modules and their dependencies under /lib/modules and
        records a load order in /etc/modules.order (one path a line)."""
        for name in names:
            for path in kernel.module_deps(name):
                dest = "/lib/modules/" + os.path.basename(path)
                if dest not in self.entries:
                    self.add_host_file(dest, path, 0o644)
                    self.module_order.append(dest)
        self.add_file("/etc/modules.order", "".join(m + "\n" for m in self.module_order))

    def write(self, out):
        """Writes the archive to OUT atomically."""
        tmp = out + ".tmp"
        with open(tmp, "wb") as f:
            for ino, path in enumerate(sorted(self.entries), start=1):
                mode, data, _ = self.entries[path]
                name = "." if path == "/" else path.lstrip("/")
                _write_entry(f, ino, name, mode, data)
            _write_entry(f, 0, "TRAILER!!!", 0, b"")
        os.replace(tmp, out)
        return out


def _pad(f, n):
    f.write(b"\0" * ((4 - n % 4) % 4))


def _write_entry(f, ino, name, mode, data):
    nameb = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 2 if stat.S_ISDIR(mode) else 1, 0, len(data),
              0, 0, 0, 0, len(nameb), 0]
    header = b"070701" + b"".join(b"%08X" % v for v in fields)
    f.write(header)
    f.write(nameb)
    _pad(f, len(header) + len(nameb))
    f.write(data)
    _pad(f, len(data))


