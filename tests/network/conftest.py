# SPDX-License-Identifier: GPL-2.0-only
"""Fixtures for the network tests; the helpers live in ovsenv.py (a module name of
its own: every test directory's conftest.py shares the name "conftest")."""
import os

import pytest

from ovsenv import OvsEnv, VM, XenAPIError, run  # noqa: F401

@pytest.fixture
def ovs(logdir):
    if os.geteuid() != 0:
        pytest.skip("needs root for network namespaces")
    env = OvsEnv(logdir)
    try:
        env.start()
        yield env
    finally:
        env.stop()


@pytest.fixture
def domids():
    """Domain ids unlikely to clash with anyone's vif ports on this machine."""
    base = 1000 + (os.getpid() % 5000) * 4
    return [base, base + 1, base + 2, base + 3]
