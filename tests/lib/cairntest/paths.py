"""Where things are: the source tree, the build directory and its caches."""
import os
import re

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BUILD = os.environ.get("BUILD", os.path.join(TOP, "build"))
CACHE = os.path.join(BUILD, "cache")


def log_dir(name):
    """A fresh-enough directory for one test's logs: build/test-logs/<name>/."""
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:120]
    path = os.path.join(BUILD, "test-logs", safe)
    os.makedirs(path, exist_ok=True)
    return path
