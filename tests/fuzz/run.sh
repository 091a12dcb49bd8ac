#!/bin/sh
# run.sh BINDIR SECONDS NAME...: run each libFuzzer target for SECONDS,
# starting from its seed corpus in tests/fuzz/corpus/NAME when present.
set -eu
bindir=$1
secs=$2
shift 2
[ "$#" -gt 0 ] || { echo "no fuzz targets" >&2; exit 1; }
status=0
for name in "$@"; do
    work="$bindir/../corpus/$name"
    mkdir -p "$work"
    seeds=""
    [ -d "tests/fuzz/corpus/$name" ] && seeds="tests/fuzz/corpus/$name"
    echo "== $name (${secs}s)"
    log="$bindir/../$name.log"
    rc=0
    "$bindir/$name" -max_total_time="$secs" -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$bindir/../$name-" \
        "$work" $seeds >"$log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        tail -n 60 "$log"
        echo "fuzz: $name failed (exit $rc); reproducer above, log $log" >&2
        status=1
    else
        grep -E '^Done|number_of_executed_units' "$log"
    fi
done
exit $status
