#!/bin/sh
# run.sh BINDIR SECONDS NAME...: run each libFuzzer target for SECONDS,
# starting from its seed corpus in tests/fuzz/corpus/NAME when present.
# FUZZ_RUNS=N stops a target after N executions if that comes first;
# FUZZ_KEEP=1 merges what added coverage into tests/fuzz/corpus/NAME
# (libFuzzer -merge=1), so a long campaign's corpus stays in the tree.
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
    runs=""
    [ -n "${FUZZ_RUNS:-}" ] && runs="-runs=$FUZZ_RUNS"
    "$bindir/$name" -max_total_time="$secs" -max_len=65536 $runs \
        -print_final_stats=1 -artifact_prefix="$bindir/../$name-" \
        "$work" $seeds >"$log" 2>&1 || rc=$?
    if [ "$rc" -ne 0 ]; then
        tail -n 60 "$log"
        echo "fuzz: $name failed (exit $rc); reproducer above, log $log" >&2
        status=1
    else
        grep -E '^Done|number_of_executed_units' "$log"
        if [ "${FUZZ_KEEP:-0}" = 1 ]; then
            mkdir -p "tests/fuzz/corpus/$name"
            "$bindir/$name" -merge=1 -max_len=65536 \
                "tests/fuzz/corpus/$name" "$work" >"$log.merge" 2>&1 ||
                { tail -n 20 "$log.merge"; status=1; }
            grep -E 'MERGE-OUTER: [0-9]+ new files' "$log.merge" || true
        fi
    fi
done
exit $status
