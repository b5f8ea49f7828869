# SPDX-License-Identifier: GPL-2.0-only
"""Fixtures for xapi-c's integration tests (see xapid.py)."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from xapid import Daemon, Xml, drop_user, make_user  # noqa: E402


@pytest.fixture(scope="session")
def user():
    if os.geteuid() != 0:
        pytest.skip("needs root to create a local account for PAM")
    name, pw = make_user()
    yield name, pw
    drop_user(name)


@pytest.fixture(scope="module")
def daemon(request, user):
    from cairntest import log_dir
    d = Daemon(log_dir(request.node.nodeid))
    try:
        yield d.start()
    finally:
        d.cleanup()


@pytest.fixture
def new_daemon(request, user):
    """Factory for daemons of a test's own (extra command-line options)."""
    from cairntest import log_dir
    made = []

    def make(*extra):
        d = Daemon(log_dir(request.node.nodeid), extra)
        made.append(d)
        return d.start()

    yield make
    for d in made:
        d.cleanup()


@pytest.fixture(scope="module")
def x(daemon, user):
    return Xml(daemon).login(*user)
