# SPDX-License-Identifier: GPL-2.0-only
"""A short libFuzzer run of the answerfile parser (ASan+UBSan) from the seed corpus."""
import os
import shutil
import subprocess

from cairntest import BUILD, TOP

FUZZER = os.path.join(BUILD, "fuzz", "fuzz_answerfile")


def test_answerfile_fuzzer_finds_nothing_in_15s(tmp_path):
    assert os.path.exists(FUZZER), "run make -C installer all"
    work = tmp_path / "corpus"
    shutil.copytree(os.path.join(TOP, "installer", "tests", "corpus"), work)
    r = subprocess.run([FUZZER, "-max_total_time=15", "-seed=1", "-max_len=4096",
                        f"-artifact_prefix={tmp_path}/", str(work)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Done" in r.stderr
