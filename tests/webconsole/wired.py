# SPDX-License-Identifier: GPL-2.0-only
"""Is xapi-c/www part of the build yet? Until xapi-c/Makefile runs
`make -C www`, `make test` does not build the app, its C tests or its fuzzer:
the tests that need them are skipped with that reason; once it does, a
missing artifact is a failure."""
import os

import pytest

from cairntest import TOP


def www_in_build():
    try:
        with open(os.path.join(TOP, "xapi-c", "Makefile")) as f:
            return "www" in f.read()
    except OSError:
        return False


def require_artifact(path, how):
    if os.path.exists(path):
        return
    if not www_in_build():
        pytest.skip(f"{path} not built: xapi-c/Makefile does not build xapi-c/www yet ({how})")
    pytest.fail(f"{path} missing: run {how}")
