#!/bin/sh
# run.sh BINDIR SECONDS NAME...: run each libFuzzer target for SECONDS,
# starting from its seed corpus in tests/fuzz/corpus/NAME when present.
set -eu
bindir=$1
secs=$2
shift 2
[ "$#" -gt 0 ] || { echo "no fuzz targets" >&2; exit 1; }
for name in "$@"; do
    work="$bindir/../corpus/$name"
    mkdir -p "$work"
    seeds=""
    [ -d "tests/fuzz/corpus/$name" ] && seeds="tests/fuzz/corpus/$name"
    echo "== $name (${secs}s)"
    "$bindir/$name" -max_total_time="$secs" -max_len=65536 \
        -print_final_stats=1 "$work" $seeds 2>&1 | tail -n 12
done
