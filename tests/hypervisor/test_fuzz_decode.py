# SPDX-License-Identifier: GPL-2.0-only
"""Fuzzes the hypervisor's instruction decoder (hypervisor/lib/x86_decode.c)
for about a minute with libFuzzer + ASan + UBSan; any crash, sanitizer report
or broken invariant (the target aborts) fails the test.

The target is built by `make -C hypervisor/tools all` into build/fuzz/x86_decode.
"""
import os
import re
import subprocess
import tempfile

from cairntest import BUILD

FUZZER = os.path.join(BUILD, "fuzz", "x86_decode")
SECONDS = 60


def test_fuzz_x86_decode(logdir):
    assert os.access(FUZZER, os.X_OK), f"{FUZZER} missing: run make -C hypervisor/tools all"
    with tempfile.TemporaryDirectory(prefix="fuzz-x86-") as corpus:
        # Seeds: a few real instructions (mode byte, register seed, bytes).
        seeds = [b"\x01\x10\x8b\x87\x00\x03\x00\x00", b"\x01\x10\x0f\x01\xd9",
                 b"\x00\x10\x67\x66\x8b\x4b\x12", b"\x01\x10\xc4\xc1\x7e\x7f\x00",
                 b"\x01\x10\x62\xd1\xfd\x48\x6f\xb3\x01\x00\x00\x00"]
        for i, s in enumerate(seeds):
            with open(os.path.join(corpus, f"seed{i}"), "wb") as f:
                f.write(s)
        proc = subprocess.run(
            [FUZZER, f"-max_total_time={SECONDS}", "-max_len=24", "-timeout=5",
             f"-artifact_prefix={logdir}/", corpus],
            capture_output=True, text=True, timeout=SECONDS + 120)
    log = proc.stderr
    with open(os.path.join(logdir, "fuzz.log"), "w") as f:
        f.write(log)
    assert proc.returncode == 0, f"fuzzer found a failure (see {logdir}):\n{log[-3000:]}"
    m = re.search(r"Done (\d+) runs", log)
    assert m and int(m.group(1)) > 100000, f"fuzzer barely ran:\n{log[-2000:]}"
