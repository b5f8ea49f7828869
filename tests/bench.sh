#!/usr/bin/env bash
# make bench: runs every benchmark script, tests/*/bench_*, one after another.
# Each prints its figures and the ratios against a baseline measured in the same run.
set -u
cd "$(dirname "$0")/.."
export PYTHONPATH="$PWD/tests/lib${PYTHONPATH:+:$PYTHONPATH}"
rc=0
for b in tests/*/bench_*; do
	[ -x "$b" ] || continue
	echo "=== $b"
	"$b" || { echo "=== $b failed"; rc=1; }
done
exit $rc
