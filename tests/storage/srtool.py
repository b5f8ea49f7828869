# SPDX-License-Identifier: GPL-2.0-only
"""Helpers for driving sr-tool (storage/tools/sr-tool.c) from the storage tests."""
import json
import os
import subprocess

from cairntest import BUILD

SR_TOOL = os.path.join(BUILD, "storage", "sr-tool")


class SrError(Exception):
    def __init__(self, code, params, rc):
        super().__init__(f"{code} {params}")
        self.code, self.params, self.rc = code, params, rc


def parse_error(stderr):
    """The {"error": CODE, "params": [...]} line sr-tool prints on failure."""
    for line in reversed(stderr.strip().splitlines()):
        if line.startswith('{"error"'):
            return json.loads(line)
    return None


class Tool:
    """Runs sr-tool with a private state directory; returns parsed JSON."""

    def __init__(self, state, argv0=None, extra=(), env=None):
        self.state = str(state)
        self.argv0 = argv0 or SR_TOOL
        self.extra = list(extra)
        self.env = dict(os.environ, CAIRN_SR_QUIET="1", **(env or {}))

    def raw(self, *args, env=None, timeout=120):
        e = dict(self.env, **(env or {}))
        return subprocess.run([self.argv0, "--state", self.state, *self.extra, *args],
                              capture_output=True, text=True, env=e, timeout=timeout)

    def __call__(self, *args, **kw):
        r = self.raw(*args, **kw)
        if r.returncode != 0:
            err = parse_error(r.stderr)
            if err is None:
                raise AssertionError(f"sr-tool {args} failed ({r.returncode}): {r.stderr}")
            raise SrError(err["error"], err["params"], r.returncode)
        return json.loads(r.stdout)
