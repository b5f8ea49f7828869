# SPDX-License-Identifier: GPL-2.0-only
"""Fixtures for the device-model tests: cairn-dm must have been built."""
import os

import pytest

from dmproto import DM


@pytest.fixture(autouse=True)
def _need_dm():
    if not os.access(DM, os.X_OK):
        pytest.fail(f"{DM} missing: run `make -C hypervisor/tools/dm all` first")
