# SPDX-License-Identifier: GPL-2.0-only
"""libFuzzer targets run for a bounded time under ASan (and UBSan): the
daemon's two request parsers (XML-RPC, JSON-RPC) and xe's response parser.
A crash, a leak, a timeout or a sanitizer report fails the test."""
import os
import subprocess
import tempfile

import pytest

from cairntest import BUILD, TOP

SECONDS = int(os.environ.get("XAPI_FUZZ_SECONDS", "60"))
# xe's parser is smaller and reads only what a server sends: a shorter run.
TIME = {"fuzz_xmlrpc": SECONDS, "fuzz_jsonrpc": SECONDS, "fuzz_xe_response": max(SECONDS // 3, 1)}

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
    "fuzz_xe_response": [
        b'<?xml version="1.0"?><methodResponse><params><param><value><struct>'
        b"<member><name>Status</name><value>Success</value></member>"
        b"<member><name>Value</name><value><struct><member><name>power_state</name>"
        b"<value>Running</value></member><member><name>n</name><value><i4>3</i4></value>"
        b"</member><member><name>o</name><value><array><data><value><boolean>1</boolean>"
        b"</value></data></array></value></member></struct></value></member>"
        b"</struct></value></param></params></methodResponse>",
        b"<methodResponse><params><param><value><struct>"
        b"<member><name>Status</name><value>Failure</value></member>"
        b"<member><name>ErrorDescription</name><value><array><data>"
        b"<value>VM_BAD_POWER_STATE</value><value>OpaqueRef:1</value><value>Halted</value>"
        b"</data></array></value></member></struct></value></param></params></methodResponse>",
        b"<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>1"
        b"</int></value></member></struct></value></fault></methodResponse>",
    ],
}


@pytest.mark.parametrize("target", sorted(SEEDS))
def test_fuzz_target(target, logdir):
    binary = os.path.join(BUILD, "fuzz", target)
    if not os.access(binary, os.X_OK):
        if not os.path.exists(os.path.join(TOP, "xapi-c", "Makefile")):
            pytest.skip("xapi-c not in the tree yet")
        pytest.fail(f"{binary} not built (make -C xapi-c all builds it)")
    with tempfile.TemporaryDirectory(prefix=target) as corpus:
        for i, seed in enumerate(SEEDS[target]):
            with open(os.path.join(corpus, f"seed{i}"), "wb") as f:
                f.write(seed)
        env = dict(os.environ, ASAN_OPTIONS="detect_leaks=1:abort_on_error=0",
                   UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1")
        r = subprocess.run([binary, f"-max_total_time={TIME[target]}", "-rss_limit_mb=2048",
                            "-timeout=10", "-print_final_stats=1",
                            f"-artifact_prefix={logdir}/", corpus],
                           capture_output=True, text=True, timeout=TIME[target] + 120, env=env)
        with open(os.path.join(logdir, f"{target}.log"), "w") as f:
            f.write(r.stdout + r.stderr)
    assert r.returncode == 0, f"{target} found a problem (see {logdir}):\n{r.stderr[-3000:]}"
    assert "Done " in r.stderr and "stat::number_of_executed_units" in r.stderr, r.stderr[-2000:]
