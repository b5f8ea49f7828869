"""QEMU test machines: start, watch the serial log, forward ports, always clean up.

    with Machine("probe", kernel=k.vmlinuz, initrd=img, append="console=ttyS0",
                 smp=4, mem="4G", forwards={22: 0}) as m:
        m.wait_for(r"MARKER ok", timeout=120)
        host_port = m.port(22)

Design: QEMU runs in its own session (process group) with COM1 on its stdio. A
reader thread copies every byte to the machine's log file (build/test-logs/...)
and to an in-memory buffer that wait_for() searches. A watchdog kills the group
when the machine outlives its `timeout`. stop() and the atexit hook kill the whole
group, so no QEMU survives its test, whatever the test did.
"""
import atexit
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

from .paths import log_dir as _log_dir

QEMU = "qemu-system-x86_64"
OVMF_CODE = "/usr/share/OVMF/OVMF_CODE_4M.fd"
OVMF_VARS = "/usr/share/OVMF/OVMF_VARS_4M.fd"

_live = set()
_live_lock = threading.Lock()


class MachineError(Exception):
    pass


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kill_all():
    with _live_lock:
        machines = list(_live)
    for m in machines:
        m.stop()


atexit.register(_kill_all)


class Machine:
    def __init__(self, name, *, kernel=None, initrd=None, append=None, cdrom=None,
                 drives=(), smp=1, mem="512M", cpu="max", machine=None, firmware="bios",
                 forwards=None, nic_model="virtio-net-pci", extra=(), timeout=600,
                 log_dir=None, no_reboot=True):
        self.name = name
        self.timeout = timeout
        self.dir = log_dir or _log_dir(os.environ.get("PYTEST_CURRENT_TEST", "adhoc")
                                       .split(" ")[0])
        self.log_path = os.path.join(self.dir, name + ".log")
        # A Unix socket path must fit in 108 bytes: keep the monitor out of the
        # (possibly deep) log directory, in a short private directory of its own.
        self._sockdir = tempfile.mkdtemp(prefix="cairn-mon-")
        self.monitor_path = os.path.join(self._sockdir, "monitor")
        self.ports = {}
        self.proc = None
        self._buf = bytearray()
        self._cond = threading.Condition()
        self._eof = False
        args = [QEMU, "-accel", "tcg", "-cpu", cpu, "-smp", str(smp), "-m", str(mem),
                "-display", "none", "-vga", "none", "-serial", "stdio",
                "-monitor", f"unix:{self.monitor_path},server=on,wait=off"]
        if no_reboot:
            args.append("-no-reboot")
        if machine:
            args += ["-machine", machine]
        if firmware == "uefi":
            vars_copy = os.path.join(self.dir, name + ".vars.fd")
            shutil.copy(OVMF_VARS, vars_copy)
            args += ["-drive", f"if=pflash,format=raw,readonly=on,file={OVMF_CODE}",
                     "-drive", f"if=pflash,format=raw,file={vars_copy}"]
        elif firmware != "bios":
            raise ValueError(f"unknown firmware {firmware!r}")
        if kernel:
            args += ["-kernel", kernel]
        if initrd:
            args += ["-initrd", initrd]
        if append is not None:
            args += ["-append", append]
        if cdrom:
            args += ["-cdrom", cdrom]
        for d in drives:
            args += ["-drive", d if "=" in d else f"file={d},format=raw,if=virtio"]
        if forwards is not None:
            fwd = ""
            for guest, host in forwards.items():
                host = host or free_port()
                self.ports[guest] = host
                fwd += f",hostfwd=tcp:127.0.0.1:{host}-:{guest}"
            args += ["-netdev", "user,id=n0" + fwd, "-device", f"{nic_model},netdev=n0"]
        else:
            args += ["-nic", "none"]
        self.args = args + list(extra)

    # -- life cycle -------------------------------------------------------------
    def start(self):
        if os.path.exists(self.monitor_path):
            os.unlink(self.monitor_path)
        self._log = open(self.log_path, "wb")
        self._log.write(("# " + " ".join(self.args) + "\n").encode())
        self._log.flush()
        self.started = time.monotonic()
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        with _live_lock:
            _live.add(self)
        threading.Thread(target=self._reader, daemon=True).start()
        threading.Thread(target=self._watchdog, daemon=True).start()
        return self

    def _reader(self):
        fd = self.proc.stdout.fileno()
        while True:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            with self._cond:
                if not chunk:
                    self._eof = True
                    self._cond.notify_all()
                    break
                self._buf += chunk
                self._cond.notify_all()
            self._log.write(chunk)
            self._log.flush()

    def _watchdog(self):
        try:
            self.proc.wait(self.timeout)
        except subprocess.TimeoutExpired:
            self._note(f"watchdog: {self.name} outlived its {self.timeout}s limit, killed")
            self.stop()

    def _note(self, text):
        with self._cond:
            self._buf += ("\n[harness] " + text + "\n").encode()
            self._cond.notify_all()

    def stop(self):
        """Kills QEMU and everything in its process group; safe to call twice."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            pass
        with _live_lock:
            _live.discard(self)
        shutil.rmtree(self._sockdir, ignore_errors=True)

    def wait_exit(self, timeout):
        """Waits for QEMU to exit by itself (e.g. the guest powered off); returns rc."""
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise MachineError(f"{self.name} still running after {timeout}s\n{self.tail()}")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    # -- serial console -----------------------------------------------------------
    @property
    def output(self):
        with self._cond:
            return self._buf.decode("utf-8", "replace")

    def tail(self, lines=40):
        return "\n".join(self.output.splitlines()[-lines:])

    def wait_for(self, pattern, timeout=120, since=0):
        """Waits until PATTERN (a regex) appears in the serial output at or after
        byte offset SINCE; returns the match. Raises MachineError on timeout or
        when QEMU exits first, with the end of the log in the message."""
        rx = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = rx.search(self._buf, since)
                if m:
                    return m
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    why = "QEMU exited" if self._eof else f"{timeout}s passed"
                    break
                self._cond.wait(min(left, 1.0))
        raise MachineError(f"{self.name}: {pattern!r} not seen ({why}); log {self.log_path}\n"
                           f"{self.tail()}")

    def mark(self):
        """Current end of the output, to pass as SINCE to a later wait_for()."""
        with self._cond:
            return len(self._buf)

    def send(self, text):
        """Writes TEXT to the guest's COM1."""
        self.proc.stdin.write(text.encode() if isinstance(text, str) else text)
        self.proc.stdin.flush()

    def run(self, command, timeout=60):
        """Runs COMMAND in a guest shell on COM1 and returns its output; the guest
        must have a shell reading the console. Uses a unique end marker."""
        tag = f"__CAIRN_{time.monotonic_ns()}__"
        start = self.mark()
        self.send(f"{command}; echo {tag[:8]}''{tag[8:]} $?\n")
        m = self.wait_for(re.escape(tag) + r" (\d+)\r?\n", timeout, since=start)
        with self._cond:
            text = self._buf[start:m.start()].decode("utf-8", "replace")
        lines = text.splitlines()
        return "\n".join(lines[1:]) if lines else "", int(m.group(1))

    # -- forwarded ports and the monitor ------------------------------------------
    def port(self, guest_port):
        """The host port (on 127.0.0.1) forwarded to GUEST_PORT."""
        return self.ports[guest_port]

    def monitor(self, command, timeout=10):
        """Sends one HMP command to QEMU's monitor; returns its reply text."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(timeout)
            s.connect(self.monitor_path)
            s.sendall(command.encode() + b"\n")
            out = b""
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                try:
                    chunk = s.recv(4096)
                except socket.timeout:
                    break
                if not chunk:
                    break
                out += chunk
                if out.count(b"(qemu)") >= 2:
                    break
            return out.decode("utf-8", "replace")
