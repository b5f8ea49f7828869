# SPDX-License-Identifier: GPL-2.0-only
"""The console websocket's frame decoder and the static-file path normalizer
(xapi-c/www/www.c) on inputs nobody chose: libFuzzer + ASan + UBSan for 20 s
with the invariants in xapi-c/www/tests/fuzz_ws.c. Built by make -C xapi-c/www all."""
import os
import re
import subprocess
import tempfile

from cairntest import BUILD
from wired import require_artifact

FUZZER = os.path.join(BUILD, "fuzz", "www-fuzz_ws")
SECONDS = 20


def test_fuzz_ws_decoder_and_paths(logdir):
    require_artifact(FUZZER, "make -C xapi-c/www all")
    seeds = [bytes([0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]),
             bytes([0x82, 0xfe, 0x00, 0x80, 1, 2, 3, 4]) + bytes(128),
             bytes([0x88, 0x82, 0, 0, 0, 0, 0x03, 0xe8]),
             b"/assets/../index.html", b"//a/./b/.hidden"]
    with tempfile.TemporaryDirectory(prefix="fuzz-www-") as corpus:
        for i, s in enumerate(seeds):
            with open(os.path.join(corpus, f"seed{i}"), "wb") as f:
                f.write(s)
        proc = subprocess.run([FUZZER, f"-max_total_time={SECONDS}", "-max_len=600", "-timeout=5",
                               f"-artifact_prefix={logdir}/", corpus],
                              capture_output=True, text=True, timeout=SECONDS + 60)
    with open(os.path.join(logdir, "fuzz.log"), "w") as f:
        f.write(proc.stderr)
    assert proc.returncode == 0, f"fuzzer found a failure (see {logdir}):\n{proc.stderr[-3000:]}"
    m = re.search(r"Done (\d+) runs", proc.stderr)
    assert m and int(m.group(1)) > 10000, f"fuzzer barely ran:\n{proc.stderr[-2000:]}"
