#!/bin/sh
# run.sh BUILD TEST...: run each test binary, read its closing
# "N passed, N failed" line, and print the sum. Fails when any test failed,
# crashed, printed no closing line, or when no test ran at all.
set -u
build=$1
shift
total_pass=0
total_fail=0
bad=""
ran=0
export CHOPAY_BUILD="$build"
log_dir="$build/test-logs"
mkdir -p "$log_dir"
for t in "$@"; do
    name=$(basename "$t")
    log="$log_dir/$name.log"
    "$t" >"$log" 2>&1
    rc=$?
    ran=$((ran + 1))
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "FAIL $name: no result line (exit $rc)"
        tail -n 20 "$log"
        bad="$bad $name"
        total_fail=$((total_fail + 1))
        continue
    fi
    p=$(echo "$line" | sed -E 's/^([0-9]+) passed.*/\1/')
    f=$(echo "$line" | sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/')
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$rc" -ne 0 ] || [ "$f" -ne 0 ]; then
        echo "FAIL $name: $line (exit $rc)"
        grep -v -E '^[0-9]+ passed' "$log" | tail -n 30
        bad="$bad $name"
        [ "$f" -eq 0 ] && total_fail=$((total_fail + 1))
    else
        echo "ok   $name: $line"
    fi
done
echo "$total_pass passed, $total_fail failed"
if [ "$ran" -eq 0 ] || [ "$total_pass" -eq 0 ]; then
    echo "no test ran" >&2
    exit 1
fi
[ -z "$bad" ] || { echo "failed:$bad" >&2; exit 1; }
exit 0
