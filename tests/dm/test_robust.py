# SPDX-License-Identifier: GPL-2.0-only
"""A guest that writes garbage into its rings gets that device marked broken
(DEVICE_NEEDS_RESET plus a configuration interrupt); the device model keeps
running and keeps serving its other devices, and a reset revives the device."""
import os

import pytest

from dmproto import NEEDS_RESET, Guest, VirtioPci, device_model, dm_log
from test_blk import ALL, S_OK, T_IN, Blk

GARBAGE = {
    # name: function(blk) that corrupts the ring and rings the doorbell
    "descriptor_loop": lambda b: _loop(b),
    "head_out_of_range": lambda b: _raw_head(b, 1000),
    "next_out_of_range": lambda b: _next(b, 999),
    "buffer_outside_ram": lambda b: _addr(b, b.g.size - 8, 4096),
    "buffer_far_away": lambda b: _addr(b, 0x7FFF_FFFF_F000, 4096),
    "address_wraps": lambda b: _addr(b, 0xFFFF_FFFF_FFFF_FF00, 4096),
    "avail_idx_jump": lambda b: _avail_jump(b),
    "nested_indirect": lambda b: _nested(b),
    "no_status_byte": lambda b: _no_status(b),
}


def _submit_read(b):
    buf = b.g.alloc(4096, 4096)
    head, _ = b.submit(T_IN, 0, buf, 4096, kick=False)
    return head


def _loop(b):
    head = _submit_read(b)
    ids = b.q.chains[head]
    d = b.q.desc + 16 * ids[-1]
    b.g.w("H", d + 12, 1)           # last descriptor gets NEXT ...
    b.g.w("H", d + 14, head)        # ... back to the head
    b.dev.kick(0)


def _raw_head(b, head):
    b.q.publish(head)
    b.dev.kick(0)


def _next(b, nxt):
    head = _submit_read(b)
    b.g.w("H", b.q.desc + 16 * head + 14, nxt)
    b.dev.kick(0)


def _addr(b, addr, ln):
    head = _submit_read(b)
    data = b.q.chains[head][1]
    b.g.w("QI", b.q.desc + 16 * data, addr, ln)
    b.dev.kick(0)


def _avail_jump(b):
    b.g.w("H", b.q.avail + 2, b.q.avail_idx + 500)
    b.dev.kick(0)


def _nested(b):
    t = b.g.alloc(16, 16)
    b.g.w("QIHH", t, t, 16, 4, 0)
    head = b.q.free.pop(0)
    b.q.desc_write(head, t, 16, 4, 0)
    b.q.publish(head)
    b.dev.kick(0)


def _no_status(b):
    hdr = b.g.alloc(16)
    b.g.w("IIQ", hdr, T_IN, 0, 0)
    b.q.add([(hdr, 16, False)])
    b.dev.kick(0)


def _read_ok(b, disk):
    buf = b.g.alloc(4096, 4096)
    st, _ = b.run(T_IN, 8, buf, 4096)
    assert st == S_OK
    assert b.g.read(buf, 4096) == disk.read_bytes()[4096:8192]


@pytest.mark.parametrize("kind", sorted(GARBAGE))
def test_garbage_breaks_only_that_device(tmp_path, kind):
    disks = []
    for i in range(2):
        d = tmp_path / f"d{i}.img"
        d.write_bytes(os.urandom(1 << 20))
        disks.append(d)
    before = disks[0].read_bytes()
    with device_model(tmp_path, "--disk", str(disks[0]), "--disk", str(disks[1])) as (p, sock):
        g = Guest(sock)
        bad, good = Blk(g, 1), Blk(g, 2)
        _read_ok(bad, disks[0])
        g.msis.clear()
        GARBAGE[kind](bad)
        g.sync()
        assert bad.dev.status & NEEDS_RESET, f"{kind}: device not marked broken"
        assert (0xFEE00000, 0x40) in g.msis, "no configuration interrupt"
        assert bad.dev.g.mmio_read(bad.dev.isr, 1) & 2
        # still broken: further doorbells do nothing and do not crash
        bad.dev.kick(0)
        g.sync()
        assert p.poll() is None
        _read_ok(good, disks[1])
        # a reset and re-initialisation revive the broken device
        bad2 = Blk(g, 1, ALL)
        assert not bad2.dev.status & NEEDS_RESET
        _read_ok(bad2, disks[0])
        g.close()
    assert disks[0].read_bytes() == before
    assert "device broken by the guest" in dm_log(tmp_path)


def test_queue_enable_outside_ram(tmp_path):
    d = tmp_path / "d.img"
    d.write_bytes(bytes(1 << 20))
    with device_model(tmp_path, "--disk", str(d)) as (p, sock):
        g = Guest(sock, mem_size=4 << 20)
        dev = VirtioPci(g, 1)
        dev.set_status(0)
        dev.set_status(1 | 2)
        dev.cc_w(8, 4, 1)
        dev.cc_w(12, 4, 1)
        dev.set_status(1 | 2 | 8)
        dev.cc_w(22, 2, 0)
        dev.cc_w(32, 8, (4 << 20) - 64)   # descriptor table runs past the end of RAM
        dev.cc_w(40, 8, 0x2000)
        dev.cc_w(48, 8, 0x3000)
        dev.cc_w(28, 2, 1)
        assert dev.status & NEEDS_RESET
        assert dev.cc_r(28, 2) == 0
        g.close()


def test_malformed_transport_message_ends_session(tmp_path):
    d = tmp_path / "d.img"
    d.write_bytes(bytes(1 << 20))
    with device_model(tmp_path, "--disk", str(d)) as (p, sock):
        g = Guest(sock)
        g.s.send(b"\x00" * 7)
        assert p.wait(timeout=10) == 0
        g.close()
    assert "malformed message" in dm_log(tmp_path)


def test_broken_nic_leaves_disk_and_console_alone(tmp_path):
    """A transmit ring pointing outside guest RAM breaks the NIC only."""
    from test_console import read_out
    from test_net import BASE

    d = tmp_path / "d.img"
    d.write_bytes(os.urandom(1 << 20))
    tap = f"dmr{os.getpid() % 100000}"
    with device_model(tmp_path, "--disk", str(d), "--nic",
                      f"tap={tap},mac=52:54:00:12:a0:02", console=True) as (p, sock):
        g = Guest(sock)
        blk = Blk(g, 1)
        assert g.find(0x1AF4, 0x1041) == 2 and g.find(0x1AF4, 0x1043) == 3
        nic_dev = VirtioPci(g, 2)
        assert nic_dev.init(BASE, 2) == BASE
        tx = nic_dev.queues[1]
        tx.add([(g.size + 0x1000, 64, False)])   # frame "in" memory that does not exist
        nic_dev.kick(1)
        g.sync()
        assert nic_dev.status & NEEDS_RESET
        _read_ok(blk, d)
        con = VirtioPci(g, 3)
        con.init(1 << 32, 2)
        msg = b"still alive\n"
        b = g.alloc(len(msg))
        g.write(b, msg)
        con.queues[1].add([(b, len(msg), False)])
        con.kick(1)
        g.sync()
        assert read_out(p, len(msg)) == msg
        assert p.poll() is None
        g.close()


def test_unsealed_guest_ram_refused(tmp_path):
    """Guest RAM that could shrink under the mapping (SIGBUS) is refused."""
    import mmap as _mmap
    import socket
    import struct as _struct
    import dmproto
    d = tmp_path / "d.img"
    d.write_bytes(bytes(1 << 20))
    with device_model(tmp_path, "--disk", str(d)) as (p, sock):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        for _ in range(200):
            try:
                s.connect(sock)
                break
            except (FileNotFoundError, ConnectionRefusedError):
                import time
                time.sleep(0.02)
        fd = os.memfd_create("unsealed")
        os.ftruncate(fd, 1 << 20)
        socket.send_fds(s, [dmproto.MSG.pack(dmproto.MAGIC, dmproto.T_MEM, 0, 0, 0, 1 << 20, 0)],
                        [fd])
        reply = dmproto.MSG.unpack(s.recv(64))
        assert reply[1] == dmproto.T_RESP and reply[6] == -22
        os.close(fd)
        s.close()
    assert "sealed against shrinking" in dm_log(tmp_path)
