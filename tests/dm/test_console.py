# SPDX-License-Identifier: GPL-2.0-only
"""virtio-console: bytes both ways between the guest and the device model's
stdin/stdout, including input that arrives before the guest posted buffers."""
import os
import select
import time

from dmproto import F_VERSION_1, Guest, VirtioPci, device_model


def read_out(p, n, timeout=5):
    out = b""
    deadline = time.time() + timeout
    while len(out) < n and time.time() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 0.1)
        if r:
            out += os.read(p.stdout.fileno(), 4096)
    return out


def test_console_both_ways(tmp_path):
    with device_model(tmp_path, console=True) as (p, sock):
        g = Guest(sock)
        slot = g.find(0x1AF4, 0x1043)
        assert slot == 1
        # input typed before the driver is ready waits for receive buffers
        p.stdin.write(b"early input\n")
        p.stdin.flush()
        dev = VirtioPci(g, slot)
        assert dev.init(1 << F_VERSION_1, 2) == 1 << F_VERSION_1
        rxq, txq = dev.queues[0], dev.queues[1]
        assert dev.cfg(0, 2) == 80 and dev.cfg(2, 2) == 25
        msg = b"hello from the guest\n"
        b = g.alloc(len(msg))
        g.write(b, msg)
        txq.add([(b, len(msg), False)])
        dev.kick(1)
        g.sync()
        assert read_out(p, len(msg)) == msg
        bufs = {}
        for _ in range(4):
            rb = g.alloc(64)
            bufs[rxq.add([(rb, 64, True)])] = rb
        dev.kick(0)
        got = b""
        deadline = time.time() + 5
        p.stdin.write(b"and more\n")
        p.stdin.flush()
        while len(got) < 21 and time.time() < deadline:
            g.poll_msis(0.05)
            for head, ln in rxq.get_used():
                got += g.read(bufs[head], ln)
        assert got == b"early input\nand more\n"
        assert g.msis
        g.close()
