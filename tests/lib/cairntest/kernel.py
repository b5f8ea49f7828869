"""The stock Debian kernel, fetched by package name and cached under build/cache.

`apt-get download linux-image-amd64` names the current kernel package through its
Depends; that package is downloaded too and unpacked once. Several test processes
may ask at the same time: a lock file serialises them.
"""
import fcntl
import glob
import os
import shutil
import subprocess
import tempfile

from .paths import CACHE


class DebianKernel:
    """vmlinuz, the unpacked /lib/modules tree and the version string."""

    def __init__(self, root):
        self.root = root
        self.vmlinuz = os.path.join(root, "vmlinuz")
        self.version = open(os.path.join(root, "version")).read().strip()
        self.modules = os.path.join(root, "lib", "modules", self.version)

    def module_path(self, name):
        """Path of module NAME (dashes and underscores alike), or None if built in."""
        want = name.replace("-", "_")
        for line in open(os.path.join(self.modules, "modules.dep")):
            path = line.split(":", 1)[0]
            base = os.path.basename(path).split(".ko")[0].replace("-", "_")
            if base == want:
                return os.path.join(self.modules, path)
        return None

    def module_deps(self, name):
        """NAME's module file and those it needs, dependencies first (empty if built in)."""
        deps = {}
        for line in open(os.path.join(self.modules, "modules.dep")):
            path, _, rest = line.partition(":")
            deps[path] = rest.split()
        target = self.module_path(name)
        if target is None:
            if self.is_builtin(name):
                return []
            raise KeyError(f"kernel {self.version} has no module {name}")
        order, seen = [], set()

        def visit(rel):
            if rel in seen:
                return
            seen.add(rel)
            for dep in deps.get(rel, []):
                visit(dep)
            order.append(os.path.join(self.modules, rel))

        visit(os.path.relpath(target, self.modules))
        return order

    def is_builtin(self, name):
        want = name.replace("-", "_")
        path = os.path.join(self.modules, "modules.builtin")
        for line in open(path):
            if os.path.basename(line.strip()).split(".ko")[0].replace("-", "_") == want:
                return True
        return False


def _download(pkg, dest):
    subprocess.run(["apt-get", "download", "-qq", pkg], cwd=dest, check=True,
                   stdout=subprocess.DEVNULL)
    debs = glob.glob(os.path.join(dest, pkg + "_*.deb"))
    if not debs:
        raise RuntimeError(f"apt-get download {pkg} produced no .deb")
    return debs[0]


def debian_kernel():
    """Returns the cached DebianKernel, fetching it on first use."""
    root = os.path.join(CACHE, "debian-kernel")
    os.makedirs(CACHE, exist_ok=True)
    with open(os.path.join(CACHE, "debian-kernel.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(root, "version")):
            return DebianKernel(root)
        tmp = tempfile.mkdtemp(dir=CACHE, prefix="kernel.")
        try:
            meta = _download("linux-image-amd64", tmp)
            dep = subprocess.run(["dpkg-deb", "-f", meta, "Depends"], check=True,
                                 capture_output=True, text=True).stdout
            pkg = dep.split(",")[0].split()[0]
            deb = _download(pkg, tmp)
            unpack = os.path.join(tmp, "root")
            subprocess.run(["dpkg-deb", "-x", deb, unpack], check=True)
            if not os.path.isdir(os.path.join(unpack, "lib", "modules")):
                os.makedirs(os.path.join(unpack, "lib"), exist_ok=True)
                os.rename(os.path.join(unpack, "usr", "lib", "modules"),
                          os.path.join(unpack, "lib", "modules"))
            version = os.listdir(os.path.join(unpack, "lib", "modules"))[0]
            subprocess.run(["depmod", "-b", unpack, version], check=True)
            shutil.copy(os.path.join(unpack, "boot", "vmlinuz-" + version),
                        os.path.join(unpack, "vmlinuz"))
            with open(os.path.join(unpack, "version"), "w") as f:
                f.write(version + "\n")
            shutil.rmtree(os.path.join(unpack, "usr"), ignore_errors=True)
            if os.path.exists(root):
                shutil.rmtree(root)
            os.rename(unpack, root)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return DebianKernel(root)
