# SPDX-License-Identifier: GPL-2.0-only
"""A bounded libFuzzer run of the whole device model behind its I/O entry
point (fuzz_dm.c: virtio-blk and virtio-console, fuzzed port/MMIO accesses and
guest RAM), seeded with a driver that sets up a queue and submits a read."""
import os
import struct
import subprocess

from cairntest import BUILD

FUZZER = os.path.join(BUILD, "fuzz", "fuzz_dm")
SECONDS = 20
BAR0 = 0xE0000000            # virtio-blk's BAR0 (first in the window)


def op(kind, size_sel, off, val):
    return struct.pack("<BBHQ", kind, size_sel, off, val)


def seed(req_type):
    w = lambda off, sz, v: op(2, {1: 0, 2: 1, 4: 2, 8: 3}[sz], off, v)
    ops = [w(20, 1, 1), w(20, 1, 3), w(8, 4, 1), w(12, 4, 1), w(20, 1, 11),
           w(22, 2, 0), w(24, 2, 8), w(32, 8, 0x100), w(40, 8, 0x200), w(48, 8, 0x300),
           w(28, 2, 1), w(20, 1, 15), w(0x3000, 2, 0)]
    ram = bytearray(0x1000)
    struct.pack_into("<QIHH", ram, 0x100, 0x400, 16, 1, 1)
    struct.pack_into("<QIHH", ram, 0x110, 0x600, 512, 3, 2)
    struct.pack_into("<QIHH", ram, 0x120, 0x900, 1, 2, 0)
    struct.pack_into("<HHH", ram, 0x200, 0, 1, 0)
    struct.pack_into("<IIQ", ram, 0x400, req_type, 0, 3)
    return bytes([len(ops)]) + b"".join(ops) + bytes(ram)


def test_fuzz_dm(tmp_path):
    assert os.access(FUZZER, os.X_OK), f"{FUZZER} missing: make -C hypervisor/tools/dm fuzz"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for t in (0, 1, 4, 8, 11):
        (corpus / f"seed-{t}").write_bytes(seed(t))
    r = subprocess.run([FUZZER, f"-max_total_time={SECONDS}", "-max_len=8192", "-timeout=10",
                        "-rss_limit_mb=1024", "-print_final_stats=1",
                        f"-artifact_prefix={tmp_path}/", str(corpus)],
                       capture_output=True, text=True, timeout=SECONDS + 60)
    tail = r.stderr[-3000:]
    assert r.returncode == 0, tail
    assert "Done" in r.stderr and "ERROR" not in r.stderr, tail
    assert not list(tmp_path.glob("crash-*"))
