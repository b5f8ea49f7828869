# SPDX-License-Identifier: GPL-2.0-only
"""virtio-blk through the test transport: the Python guest probes PCI, sets up
a queue in its RAM and checks that data lands in the backing file."""
import hashlib
import os
import struct
import time

import pytest

from dmproto import (F_EVENT_IDX, F_INDIRECT, F_VERSION_1, NEEDS_RESET, Guest,
                     VirtioPci, device_model, dm_log)

BLK_F_RO, BLK_F_FLUSH, BLK_F_DISCARD = 5, 9, 13
T_IN, T_OUT, T_FLUSH, T_GET_ID, T_DISCARD = 0, 1, 4, 8, 11
S_OK, S_IOERR, S_UNSUPP = 0, 1, 2
DISK_MB = 8
ALL = (1 << F_VERSION_1) | (1 << F_INDIRECT) | (1 << F_EVENT_IDX) | \
    (1 << BLK_F_FLUSH) | (1 << BLK_F_DISCARD) | (1 << BLK_F_RO)


@pytest.fixture
def disk(tmp_path):
    path = tmp_path / "disk.img"
    path.write_bytes(os.urandom(DISK_MB << 20))
    return path


class Blk:
    def __init__(self, g, slot, features=ALL, qsize=64):
        self.g = g
        self.dev = VirtioPci(g, slot)
        self.negotiated = self.dev.init(features, 1, qsize)
        self.q = self.dev.queues[0]
        self.hdr = g.alloc(16 * 64)
        self.st = g.alloc(64)
        self.n = 0

    def submit(self, typ, sector, data_gpa=None, data_len=0, write=False,
               indirect=False, kick=True):
        hdr = self.hdr + 16 * (self.n % 64)
        st = self.st + (self.n % 64)
        self.n += 1
        self.g.w("IIQ", hdr, typ, 0, sector)
        self.g.w("B", st, 0xFF)
        bufs = [(hdr, 16, False)]
        if data_len:
            bufs.append((data_gpa, data_len, not write))
        bufs.append((st, 1, True))
        head = self.q.add(bufs, indirect=indirect)
        if kick:
            self.dev.kick(0)
        return head, st

    def wait_used(self, n=1, timeout=10, arm=True):
        """Waits until n more requests than already reaped have completed
        (reads and writes complete asynchronously through io_uring). With arm,
        asks for an interrupt at the n-th completion (used_event) and sleeps
        until it comes."""
        want = (self.q.last_used + n) & 0xFFFF
        if arm and self.negotiated >> F_EVENT_IDX & 1:
            self.q.used_event((want - 1) & 0xFFFF)
        deadline = time.time() + timeout
        self.g.sync()
        while True:
            left = (want - self.g.r("H", self.q.used + 2)) & 0xFFFF
            if left == 0 or left > n:
                return
            assert time.time() < deadline, "request did not complete"
            self.g.poll_msis(0.2 if arm else 0.01)

    def run(self, typ, sector, data_gpa=None, data_len=0, write=False, indirect=False):
        head, st = self.submit(typ, sector, data_gpa, data_len, write, indirect)
        self.wait_used()
        used = self.q.get_used()
        assert [h for h, _ in used] == [head], used
        return self.g.r("B", st), used[0][1]


IO_MODES = pytest.mark.parametrize("mode", ["", ",sync"], ids=["io_uring", "sync"])


def io_uring_fds(pid):
    return sum(os.readlink(f"/proc/{pid}/fd/{f}") == "anon_inode:[io_uring]"
               for f in os.listdir(f"/proc/{pid}/fd"))


@IO_MODES
def test_probe_and_rw(tmp_path, disk, mode):
    with device_model(tmp_path, "--disk", f"{disk}{mode}") as (p, sock):
        g = Guest(sock)
        # host bridge at 00:00.0, virtio-blk (1af4:1042) behind it
        assert g.cfg_read(0, 0, 4) != 0xFFFFFFFF
        assert g.cfg_read(0, 0x0A, 2) == 0x0600
        slot = g.find(0x1AF4, 0x1042)
        assert slot == 1
        # BAR sizing: all-ones reads back the size mask, then restore
        bar0 = g.cfg_read(slot, 0x10, 4)
        assert 0xE0000000 <= bar0 < 0xF0000000
        g.cfg_write(slot, 0x10, 4, 0xFFFFFFFF)
        assert g.cfg_read(slot, 0x10, 4) == 0xFFFFC000  # 16 KiB
        g.cfg_write(slot, 0x10, 4, bar0)
        assert io_uring_fds(p.pid) == (0 if mode else 1)
        b = Blk(g, slot)
        assert b.negotiated & (1 << F_VERSION_1)
        assert b.dev.cfg(0, 8) == (DISK_MB << 20) // 512
        # 256 KiB of random data at sector 2048, in 4 requests of which 2 indirect
        data = os.urandom(256 << 10)
        buf = g.alloc(len(data), 4096)
        g.write(buf, data)
        for i in range(4):
            chunk = 64 << 10
            st, _ = b.run(T_OUT, 2048 + i * chunk // 512, buf + i * chunk, chunk,
                          write=True, indirect=bool(i & 1))
            assert st == S_OK
        st, _ = b.run(T_FLUSH, 0)
        assert st == S_OK
        with open(disk, "rb") as f:
            f.seek(2048 * 512)
            assert hashlib.sha256(f.read(len(data))).digest() == hashlib.sha256(data).digest()
        # read it back into fresh memory, one request of 256 KiB
        rbuf = g.alloc(len(data), 4096)
        st, used_len = b.run(T_IN, 2048, rbuf, len(data))
        assert st == S_OK and used_len == len(data) + 1
        assert g.read(rbuf, len(data)) == data
        # get-id: the file name, up to 20 bytes
        idbuf = g.alloc(20)
        st, _ = b.run(T_GET_ID, 0, idbuf, 20)
        assert st == S_OK and g.read(idbuf, 8) == b"disk.img"
        # beyond the end: I/O error, not a crash
        st, _ = b.run(T_IN, (DISK_MB << 20) // 512 - 1, rbuf, 4096)
        assert st == S_IOERR
        st, _ = b.run(99, 0)
        assert st == S_UNSUPP
        assert g.msis, "completions raised no MSI"
        assert not b.dev.status & NEEDS_RESET
        g.close()
    assert "serving" in dm_log(tmp_path)


def test_read_only_refuses_writes(tmp_path, disk):
    before = hashlib.sha256(disk.read_bytes()).hexdigest()
    with device_model(tmp_path, "--disk", f"{disk},ro") as (p, sock):
        g = Guest(sock)
        b = Blk(g, 1)
        assert b.negotiated & (1 << BLK_F_RO)
        assert not b.negotiated & (1 << BLK_F_DISCARD)
        buf = g.alloc(4096, 4096)
        g.write(buf, b"\xAA" * 4096)
        st, _ = b.run(T_OUT, 0, buf, 4096, write=True)
        assert st == S_IOERR
        g.w("QII", buf, 0, 8, 0)
        st, _ = b.run(T_DISCARD, 0, buf, 16, write=True)
        assert st == S_IOERR
        st, _ = b.run(T_IN, 0, buf, 4096)
        assert st == S_OK and g.read(buf, 4096) == disk.read_bytes()[:4096]
        g.close()
    assert hashlib.sha256(disk.read_bytes()).hexdigest() == before


def test_discard_punches_hole(tmp_path, disk):
    with device_model(tmp_path, "--disk", str(disk)) as (p, sock):
        g = Guest(sock)
        b = Blk(g, 1)
        blocks = os.stat(disk).st_blocks
        seg = g.alloc(32)
        g.w("QII", seg, 4096, 2048, 0)        # 1 MiB at 2 MiB
        st, _ = b.run(T_DISCARD, 0, seg, 16, write=True)
        assert st == S_OK
        with open(disk, "rb") as f:
            f.seek(4096 * 512)
            assert f.read(1 << 20) == bytes(1 << 20)
        assert os.stat(disk).st_blocks <= blocks - 2048
        # out of range discard: error
        g.w("QII", seg, (DISK_MB << 20) // 512 - 8, 16, 0)
        st, _ = b.run(T_DISCARD, 0, seg, 16, write=True)
        assert st == S_IOERR
        g.close()


def test_event_idx_batches_interrupts(tmp_path, disk):
    with device_model(tmp_path, "--disk", str(disk)) as (p, sock):
        g = Guest(sock)
        b = Blk(g, 1)
        assert b.negotiated & (1 << F_EVENT_IDX)
        buf = g.alloc(4096 * 8, 4096)
        b.q.used_event(7)          # interrupt only when the 8th completes
        g.msis.clear()
        for i in range(8):
            b.submit(T_IN, i * 8, buf + 4096 * i, 4096)   # one doorbell each
            b.wait_used(i + 1, arm=False)
            g.poll_msis(0.02)
            if i < 7:
                assert g.msis == [], f"interrupt after completion {i + 1}"
        assert len(b.q.get_used()) == 8
        assert b.dev.vectors_seen() == [1]
        # avail_event: the device asks for a doorbell at every new entry
        assert g.r("H", b.q.used + 4 + 8 * b.q.size) == 8
        g.close()


def test_features_without_version_1_refused(tmp_path, disk):
    with device_model(tmp_path, "--disk", str(disk)) as (p, sock):
        g = Guest(sock)
        dev = VirtioPci(g, 1)
        assert dev.init(1 << BLK_F_FLUSH, 1) is None
        g.close()
    assert "refused features" in dm_log(tmp_path)


@IO_MODES
def test_many_in_flight_then_flush(tmp_path, disk, mode):
    """32 writes (some indirect, some with unaligned buffers that cannot use
    O_DIRECT) queued behind one doorbell, a flush, then 32 reads: all data
    lands where it should."""
    with device_model(tmp_path, "--disk", f"{disk}{mode}") as (p, sock):
        g = Guest(sock)
        b = Blk(g, 1, qsize=128)
        chunks = [os.urandom(8192) for _ in range(32)]
        bufs = []
        for i, c in enumerate(chunks):
            gpa = g.alloc(8192 + 8, 4096) + (8 if i % 3 == 0 else 0)
            g.write(gpa, c)
            bufs.append(gpa)
        sts = [b.submit(T_OUT, 64 + 16 * i, bufs[i], 8192, write=True, indirect=bool(i & 1),
                        kick=False)[1] for i in range(32)]
        fl = b.submit(T_FLUSH, 0, kick=False)[1]
        b.dev.kick(0)
        b.wait_used(33)
        assert len(b.q.get_used()) == 33
        assert all(g.r("B", s) == S_OK for s in sts + [fl])
        img = disk.read_bytes()
        for i, c in enumerate(chunks):
            assert img[(64 + 16 * i) * 512:][:8192] == c, f"chunk {i}"
        rb = [g.alloc(8192, 4096) for _ in range(32)]
        sts = [b.submit(T_IN, 64 + 16 * i, rb[i], 8192, kick=False)[1] for i in range(32)]
        b.dev.kick(0)
        b.wait_used(32)
        b.q.get_used()
        assert all(g.r("B", s) == S_OK for s in sts)
        assert all(g.read(rb[i], 8192) == chunks[i] for i in range(32))
        g.close()


@IO_MODES
def test_status_byte_shares_the_data_buffer(tmp_path, disk, mode):
    """The status byte may be the last byte of the data buffer, followed by a
    zero-length writable descriptor: it must land there and nowhere else."""
    with device_model(tmp_path, "--disk", f"{disk}{mode}") as (p, sock):
        g = Guest(sock)
        b = Blk(g, 1)
        hdr, buf = g.alloc(16), g.alloc(8192, 4096)
        g.w("IIQ", hdr, T_IN, 0, 16)
        g.write(buf, b"\xEE" * 8192)
        head = b.q.add([(hdr, 16, False), (buf, 4097, True), (buf + 4200, 0, True)])
        b.dev.kick(0)
        b.wait_used()
        assert b.q.get_used() == [(head, 4097)]
        assert g.read(buf, 4096) == disk.read_bytes()[16 * 512:16 * 512 + 4096]
        assert g.r("B", buf + 4096) == S_OK
        assert g.read(buf + 4097, 8192 - 4097) == b"\xEE" * (8192 - 4097)
        g.close()
