"""Shared pytest fixtures for every Cairn test directory."""
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "lib"))

from cairntest import Machine, debian_kernel, log_dir  # noqa: E402


@pytest.fixture(scope="session")
def kernel():
    """The stock Debian kernel (fetched by package name, cached in build/cache)."""
    return debian_kernel()


@pytest.fixture
def logdir(request):
    """build/test-logs/<test id>/, for the test's logs and artifacts."""
    return log_dir(request.node.nodeid)


@pytest.fixture
def machine(logdir):
    """Factory for QEMU machines that are always stopped when the test ends:
    m = machine("name", kernel=..., ...); m is already started."""
    made = []

    def make(name, **kw):
        kw.setdefault("log_dir", logdir)
        m = Machine(name, **kw)
        made.append(m)
        return m.start()

    yield make
    for m in made:
        m.stop()
