# SPDX-License-Identifier: GPL-2.0-only
"""A guest in Python for cairn-dm's test transport (transport_test.c).

Guest RAM is a memfd shared with the device model; PIO/MMIO accesses travel as
32-byte SOCK_SEQPACKET messages; MSIs come back as messages and are collected
in Guest.msis. VirtioPci is a minimal virtio 1.x PCI driver (modern, MSI-X,
split rings with optional indirect descriptors and EVENT_IDX) written from the
specification, enough to drive virtio-blk, -net and -console from tests.
"""
import contextlib
import fcntl
import mmap
import os
import socket
import struct
import subprocess
import time

from cairntest import BUILD

DM = os.path.join(BUILD, "hypervisor", "tools", "dm", "cairn-dm")
MSG = struct.Struct("<IHBBQQq")
MAGIC = 0x544D4443
T_MEM, T_PIO_R, T_PIO_W, T_MMIO_R, T_MMIO_W, T_MMIO_POST, T_MSI, T_RESP = range(1, 9)

ACK, DRIVER, DRIVER_OK, FEATURES_OK, NEEDS_RESET, FAILED = 1, 2, 4, 8, 64, 128
F_INDIRECT, F_EVENT_IDX, F_VERSION_1 = 28, 29, 32
DESC_NEXT, DESC_WRITE, DESC_INDIRECT = 1, 2, 4


class Guest:
    """One guest: RAM at guest-physical 0 and a connection to the device model."""

    def __init__(self, path, mem_size=32 << 20, timeout=10):
        deadline = time.time() + timeout
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        while True:
            try:
                self.s.connect(path)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                if time.time() > deadline:
                    raise
                time.sleep(0.02)
        self.s.settimeout(timeout)
        fd = os.memfd_create("guest-ram", os.MFD_ALLOW_SEALING)
        os.ftruncate(fd, mem_size)
        fcntl.fcntl(fd, fcntl.F_ADD_SEALS, fcntl.F_SEAL_SHRINK)
        self.mem = mmap.mmap(fd, mem_size)
        self.size = mem_size
        socket.send_fds(self.s, [MSG.pack(MAGIC, T_MEM, 0, 0, 0, mem_size, 0)], [fd])
        os.close(fd)
        self.msis = []
        self._wait_resp()
        self.brk = 0x100000

    def _wait_resp(self):
        while True:
            raw = self.s.recv(64)
            if not raw:
                raise ConnectionError("device model closed the connection")
            magic, typ, _size, _pad, addr, data, result = MSG.unpack(raw)
            assert magic == MAGIC
            if typ == T_MSI:
                self.msis.append((addr, data))
                continue
            assert typ == T_RESP, typ
            if result:
                raise OSError(-result, os.strerror(-result))
            return data

    def _req(self, typ, addr, size, data=0):
        self.s.send(MSG.pack(MAGIC, typ, size, 0, addr, data, 0))
        return self._wait_resp()

    def pio_read(self, port, size):
        return self._req(T_PIO_R, port, size)

    def pio_write(self, port, size, val):
        self._req(T_PIO_W, port, size, val)

    def mmio_read(self, addr, size):
        return self._req(T_MMIO_R, addr, size)

    def mmio_write(self, addr, size, val):
        self._req(T_MMIO_W, addr, size, val)

    def mmio_post(self, addr, size, val):
        self.s.send(MSG.pack(MAGIC, T_MMIO_POST, size, 0, addr, val, 0))

    def sync(self):
        """A round trip: everything posted before it has been handled."""
        self.pio_read(0xcf8, 4)

    def poll_msis(self, timeout=0.0):
        """Collects MSIs that arrive without a request (e.g. network receive)."""
        self.s.settimeout(timeout if timeout else 0.001)
        try:
            while True:
                raw = self.s.recv(64)
                if not raw:
                    break
                _m, typ, _s, _p, addr, data, _r = MSG.unpack(raw)
                assert typ == T_MSI
                self.msis.append((addr, data))
                self.s.settimeout(0.001)
        except (socket.timeout, BlockingIOError):
            pass
        finally:
            self.s.settimeout(10)

    def cfg_read(self, slot, off, size):
        self.pio_write(0xCF8, 4, 0x80000000 | slot << 11 | (off & 0xFC))
        return self.pio_read(0xCFC + (off & 3), size)

    def cfg_write(self, slot, off, size, val):
        self.pio_write(0xCF8, 4, 0x80000000 | slot << 11 | (off & 0xFC))
        self.pio_write(0xCFC + (off & 3), size, val)

    def alloc(self, size, align=16):
        self.brk = (self.brk + align - 1) & ~(align - 1)
        gpa = self.brk
        self.brk += size
        assert self.brk <= self.size
        return gpa

    def w(self, fmt, gpa, *vals):
        struct.pack_into("<" + fmt, self.mem, gpa, *vals)

    def r(self, fmt, gpa):
        return struct.unpack_from("<" + fmt, self.mem, gpa)[0]

    def write(self, gpa, data):
        self.mem[gpa:gpa + len(data)] = data

    def read(self, gpa, n):
        return bytes(self.mem[gpa:gpa + n])

    def find(self, vendor, device):
        for slot in range(32):
            if self.cfg_read(slot, 0, 4) == (device << 16 | vendor):
                return slot
        return None

    def close(self):
        self.s.close()
        self.mem.close()


class Queue:
    """A split virtqueue laid out in guest RAM."""

    def __init__(self, g, size):
        self.g, self.size = g, size
        self.desc = g.alloc(16 * size, 4096)
        self.avail = g.alloc(6 + 2 * size, 2)
        self.used = g.alloc(6 + 8 * size, 4096)
        self.free = list(range(size))
        self.avail_idx = 0
        self.last_used = 0
        self.chains = {}

    def desc_write(self, i, addr, length, flags, nxt):
        self.g.w("QIHH", self.desc + 16 * i, addr, length, flags, nxt)

    def add(self, bufs, indirect=False, publish=True):
        """bufs: [(gpa, len, device_writes)]. Returns the head descriptor."""
        g = self.g
        if indirect:
            table = g.alloc(16 * len(bufs), 16)
            for i, (addr, ln, wr) in enumerate(bufs):
                nxt = i + 1 if i + 1 < len(bufs) else 0
                g.w("QIHH", table + 16 * i, addr, ln,
                    (DESC_WRITE if wr else 0) | (DESC_NEXT if nxt else 0), nxt)
            head = self.free.pop(0)
            self.desc_write(head, table, 16 * len(bufs), DESC_INDIRECT, 0)
            self.chains[head] = [head]
        else:
            ids = [self.free.pop(0) for _ in bufs]
            for i, (addr, ln, wr) in enumerate(bufs):
                last = i + 1 == len(bufs)
                self.desc_write(ids[i], addr, ln, (DESC_WRITE if wr else 0) |
                                (0 if last else DESC_NEXT), 0 if last else ids[i + 1])
            head = ids[0]
            self.chains[head] = ids
        if publish:
            self.publish(head)
        return head

    def publish(self, head):
        self.g.w("H", self.avail + 4 + 2 * (self.avail_idx % self.size), head)
        self.avail_idx = (self.avail_idx + 1) & 0xFFFF
        self.g.w("H", self.avail + 2, self.avail_idx)

    def used_event(self, idx):
        self.g.w("H", self.avail + 4 + 2 * self.size, idx)

    def get_used(self):
        out = []
        idx = self.g.r("H", self.used + 2)
        while self.last_used != idx:
            e = self.used + 4 + 8 * (self.last_used % self.size)
            head, ln = self.g.r("I", e), self.g.r("I", e + 4)
            out.append((head, ln))
            self.free += self.chains.pop(head, [])
            self.last_used = (self.last_used + 1) & 0xFFFF
        return out


class VirtioPci:
    """A modern virtio-pci function found at slot."""

    def __init__(self, g, slot):
        self.g, self.slot = g, slot
        self.bars = [g.cfg_read(slot, 0x10 + 4 * i, 4) & ~0xF for i in range(6)]
        g.cfg_write(slot, 4, 2, g.cfg_read(slot, 4, 2) | 0x6)  # memory, bus master
        self.caps = {}
        self.msix_cap = None
        ptr = g.cfg_read(slot, 0x34, 1)
        seen = 0
        while ptr and seen < 48:
            cid = g.cfg_read(slot, ptr, 1)
            if cid == 0x09:
                typ, bar = g.cfg_read(slot, ptr + 3, 1), g.cfg_read(slot, ptr + 4, 1)
                off = g.cfg_read(slot, ptr + 8, 4)
                mult = g.cfg_read(slot, ptr + 16, 4) if typ == 2 else 0
                self.caps[typ] = (self.bars[bar] + off, mult)
            elif cid == 0x11:
                self.msix_cap = ptr
            ptr = g.cfg_read(slot, ptr + 1, 1)
            seen += 1
        self.common = self.caps[1][0]
        self.notify_base, self.notify_mult = self.caps[2]
        self.isr = self.caps[3][0]
        self.devcfg = self.caps[4][0]
        self.queues = {}

    # common configuration
    def cc_r(self, off, size):
        return self.g.mmio_read(self.common + off, size)

    def cc_w(self, off, size, val):
        self.g.mmio_write(self.common + off, size, val)

    @property
    def status(self):
        return self.cc_r(20, 1)

    def set_status(self, v):
        self.cc_w(20, 1, v)

    def device_features(self):
        f = 0
        for sel in (0, 1):
            self.cc_w(0, 4, sel)
            f |= self.cc_r(4, 4) << (32 * sel)
        return f

    def setup_msix(self):
        g, cap = self.g, self.msix_cap
        ctl = g.cfg_read(self.slot, cap + 2, 2)
        table = g.cfg_read(self.slot, cap + 4, 4)
        self.msix_table = self.bars[table & 7] + (table & ~7)
        self.nr_vectors = (ctl & 0x7FF) + 1
        for v in range(self.nr_vectors):
            e = self.msix_table + 16 * v
            g.mmio_write(e, 4, 0xFEE00000)
            g.mmio_write(e + 4, 4, 0)
            g.mmio_write(e + 8, 4, 0x40 + v)
            g.mmio_write(e + 12, 4, 0)  # unmask
        g.cfg_write(self.slot, cap + 2, 2, ctl | 0x8000)

    def init(self, features, nr_queues, qsize=64, driver_ok=True):
        """Returns the negotiated features (or None if FEATURES_OK was refused)."""
        self.set_status(0)
        self.set_status(ACK)
        self.set_status(ACK | DRIVER)
        offered = self.device_features()
        want = features & offered
        for sel in (0, 1):
            self.cc_w(8, 4, sel)
            self.cc_w(12, 4, (want >> (32 * sel)) & 0xFFFFFFFF)
        self.set_status(ACK | DRIVER | FEATURES_OK)
        if not self.status & FEATURES_OK:
            return None
        self.features = want
        self.setup_msix()
        self.cc_w(16, 2, 0)  # configuration changes on vector 0
        for q in range(nr_queues):
            self.cc_w(22, 2, q)
            assert self.cc_r(24, 2) >= qsize
            self.cc_w(24, 2, qsize)
            self.cc_w(26, 2, q + 1)
            vq = Queue(self.g, qsize)
            self.cc_w(32, 8, vq.desc)
            self.cc_w(40, 8, vq.avail)
            self.cc_w(48, 8, vq.used)
            self.cc_w(28, 2, 1)
            self.queues[q] = vq
            if want >> F_EVENT_IDX & 1:
                vq.used_event(0)
        if driver_ok:
            self.set_status(ACK | DRIVER | FEATURES_OK | DRIVER_OK)
        return want

    def kick(self, q, posted=True):
        addr = self.notify_base + q * self.notify_mult
        if posted:
            self.g.mmio_post(addr, 2, q)
        else:
            self.g.mmio_write(addr, 2, q)

    def cfg(self, off, size):
        return self.g.mmio_read(self.devcfg + off, size)

    def vectors_seen(self):
        return [d - 0x40 for (a, d) in self.g.msis]


@contextlib.contextmanager
def device_model(tmp_path, *args, user=None, console=False, stdin=None, pass_fds=()):
    """Starts cairn-dm with args on a test socket; yields (proc, socket path)."""
    sock = str(tmp_path / "dm.sock")
    cmd = [DM, "--domid", "7", "--transport", "test:" + sock] + list(args)
    if user:
        cmd += ["--user", user]
    if console:
        cmd += ["--console", "stdio"]
    log = open(tmp_path / "dm.log", "w+")
    p = subprocess.Popen(cmd, stdin=stdin if stdin is not None else subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=log, pass_fds=pass_fds)
    try:
        yield p, sock
    finally:
        if p.poll() is None:
            p.kill()
        p.wait(timeout=10)
        for f in (p.stdin, p.stdout):
            if f:
                f.close()
        log.close()


def dm_log(tmp_path):
    return (tmp_path / "dm.log").read_text()
