# SPDX-License-Identifier: GPL-2.0-only
"""The daemon's libFuzzer targets for its two parsers run for a bounded time
under ASan (and UBSan); a crash, a leak or a sanitizer report fails the test."""
import os
import subprocess
import tempfile

import pytest

from cairntest import BUILD, TOP

SECONDS = int(os.environ.get("XAPI_FUZZ_SECONDS", "60"))

SEEDS = {
    "fuzz_xmlrpc": [
        b"<?xml version='1.0'?><methodCall><methodName>VM.get_all</methodName><params>"
        b"<param><value><string>OpaqueRef:x</string></value></param></params></methodCall>",
        b"<methodCall><methodName>VM.create</methodName><params><param><value><struct>"
        b"<member><name>name_label</name><value>a</value></member>"
        b"<member><name>VCPUs_max</name><value><i4>2</i4></value></member>"
        b"<member><name>t</name><value><boolean>1</boolean></value></member>"
        b"<member><name>d</name><value><double>1.5</double></value></member>"
        b"<member><name>w</name><value><dateTime.iso8601>20260101T00:00:00Z"
        b"</dateTime.iso8601></value></member>"
        b"<member><name>o</name><value><array><data><value>x</value></data></array></value>"
        b"</member></struct></value></param></params></methodCall>",
    ],
    "fuzz_jsonrpc": [
        b'{"jsonrpc":"2.0","method":"VM.get_all","params":["OpaqueRef:x"],"id":1}',
        b'{"method":"VM.create","params":["s",{"name_label":"a","VCPUs_max":2,'
        b'"t":true,"d":1.5,"o":["x"],"m":{"k":"v"}}],"id":"z"}',
    ],
}


@pytest.mark.parametrize("target", sorted(SEEDS))
def test_fuzz_target(target, logdir):
    binary = os.path.join(BUILD, "fuzz", target)
    if not os.access(binary, os.X_OK):
        if not os.path.exists(os.path.join(TOP, "xapi-c", "Makefile")):
            pytest.skip("xapi-c not in the tree yet")
        pytest.fail(f"{binary} not built (xapi-c builds it in make all)")
    with tempfile.TemporaryDirectory(prefix=target) as corpus:
        for i, seed in enumerate(SEEDS[target]):
            with open(os.path.join(corpus, f"seed{i}"), "wb") as f:
                f.write(seed)
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
                   UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
        r = subprocess.run([binary, f"-max_total_time={SECONDS}", "-rss_limit_mb=2048",
                            "-timeout=10", "-print_final_stats=1",
                            f"-artifact_prefix={logdir}/", corpus],
                           capture_output=True, text=True, timeout=SECONDS + 120, env=env)
        with open(os.path.join(logdir, f"{target}.log"), "w") as f:
            f.write(r.stdout + r.stderr)
    assert r.returncode == 0, f"{target} found a problem (see {logdir}):\n{r.stderr[-3000:]}"
    assert "Done " in r.stderr and "stat::number_of_executed_units" in r.stderr, r.stderr[-2000:]
