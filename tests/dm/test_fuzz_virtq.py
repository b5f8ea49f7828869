# SPDX-License-Identifier: GPL-2.0-only
"""A bounded libFuzzer run of the virtqueue parser (fuzz_virtq.c) under ASan
and UBSan, started from a few well-formed rings so it explores past the first
checks. Any crash, out-of-bounds access or undefined behaviour fails the test."""
import os
import struct
import subprocess

from cairntest import BUILD

FUZZER = os.path.join(BUILD, "fuzz", "fuzz_virtq")
SECONDS = 40


def seed(event_idx, indirect):
    """Queue of 8 at 0x10000 (desc), 0x10100 (avail), 0x10200 (used) in region 1."""
    cfg = struct.pack("<BBHIII", 3, event_idx, 0, 0x10000, 0x10100, 0x10200)
    mem = bytearray(0x2000)
    d = lambda i, a, l, f, n, base=0: struct.pack_into("<QIHH", mem, base + 16 * i, a, l, f, n)
    d(0, 0x11000, 16, 1, 1)
    d(1, 0x11100, 512, 2, 0)
    heads = [0]
    if indirect:
        d(0, 0x11200, 16, 1, 1, base=0x400)
        d(1, 0x11300, 64, 3, 2, base=0x400)
        d(2, 0x11400, 1, 2, 0, base=0x400)
        d(2, 0x10400, 48, 4, 0)
        heads.append(2)
    struct.pack_into("<HH", mem, 0x100, 0, len(heads))
    for i, h in enumerate(heads):
        struct.pack_into("<H", mem, 0x104 + 2 * i, h)
    struct.pack_into("<H", mem, 0x104 + 16, 1)     # used_event
    return cfg + bytes(mem)


def test_fuzz_virtq(tmp_path):
    assert os.access(FUZZER, os.X_OK), f"{FUZZER} missing: make -C hypervisor/tools/dm fuzz"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for ev in (0, 1):
        for ind in (False, True):
            (corpus / f"seed-{ev}-{int(ind)}").write_bytes(seed(ev, ind))
    r = subprocess.run([FUZZER, f"-max_total_time={SECONDS}", "-max_len=70000",
                        "-timeout=10", "-rss_limit_mb=1024", "-print_final_stats=1",
                        f"-artifact_prefix={tmp_path}/", str(corpus)],
                       capture_output=True, text=True, timeout=SECONDS + 60)
    tail = r.stderr[-3000:]
    assert r.returncode == 0, tail
    assert "Done" in r.stderr and "ERROR" not in r.stderr, tail
    runs = [l for l in r.stderr.splitlines() if l.startswith("stat::number_of_executed_units")]
    assert runs and int(runs[0].split(":")[-1]) > 10000, tail
    assert not list(tmp_path.glob("crash-*"))
