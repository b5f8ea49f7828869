"""Runs every C unit-test binary in build/unit/, one pytest test per C test.

Components put their sanitizer-built unit tests there (`make unit`); each binary
answers `--list` and runs the tests named on its command line (tests/unit/unit.h).
"""
import glob
import os
import subprocess

import pytest

from cairntest import BUILD


def _cases():
    cases = []
    for binary in sorted(glob.glob(os.path.join(BUILD, "unit", "*"))):
        if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
            continue
        names = subprocess.run([binary, "--list"], capture_output=True, text=True,
                               timeout=30).stdout.split()
        cases += [pytest.param(binary, n, id=f"{os.path.basename(binary)}::{n}") for n in names]
    return cases


CASES = _cases()


def test_unit_binaries_were_built():
    assert CASES, f"no unit tests in {BUILD}/unit: run `make unit` first"


@pytest.mark.parametrize("binary,name", CASES)
def test_c(binary, name):
    env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
               UBSAN_OPTIONS="print_stacktrace=1")
    r = subprocess.run([binary, name], capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
