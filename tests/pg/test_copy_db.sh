#!/bin/sh
# test_copy_db.sh: `chopay-server copy-db` moves a deployment from SQLite
# to PostgreSQL and back. The deployment is a simulator run (every event
# class: intents, webhooks, statements, cash, refunds, review, day
# closes, kill -9 and restarts). After SQLite -> PostgreSQL -> SQLite the
# copy passes `check` and `audit verify`, and every daily report of both
# organisations, JSON and CSV, over the days around the run is the same
# byte for byte as the original's. A non-empty target and a bad URL are
# refused. Needs CHOPAY_TEST_PG (tests/pg/with-pg.sh; make check-pg).
set -u
build=${CHOPAY_BUILD:-build}
server=${CHOPAY_SERVER:-$build/bin/chopay-server}
pass=0
fail=0
ok() {
    if [ "$1" -eq 0 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $2"
    fi
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}

if [ -z "${CHOPAY_TEST_PG:-}" ]; then
    echo "-- PostgreSQL skipped: CHOPAY_TEST_PG is not set (make check-pg runs it)"
    finish
fi
tmp=$(mktemp -d -t chopay-copy.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# A database of its own: the cluster is shared with the other tests.
db=chopay_copy_$$
psql "$CHOPAY_TEST_PG" -q -c "CREATE DATABASE $db" >"$tmp/psql.log" 2>&1
ok $? "a fresh database for the copy: $(cat "$tmp/psql.log")"
case "$CHOPAY_TEST_PG" in
*\?*) pg="$CHOPAY_TEST_PG&dbname=$db" ;;
*) pg="$CHOPAY_TEST_PG?dbname=$db" ;;
esac

# A deployment with money in every state.
CHOPAY_TEST_PG= TMPDIR=$tmp python3 tests/sim/sim.py --server "$server" --seed 11 \
    --steps 80 --keep >"$tmp/sim.log" 2>&1
ok $? "simulator run (see $tmp/sim.log)"
a=$(find "$tmp" -path '*chopay-sim-11-*' -name chopay.db | head -n 1)
[ -n "$a" ]
ok $? "the simulator's data directory was kept"
adir=$(dirname "$a")
bdir=$tmp/copy
mkdir -p "$bdir"

"$server" copy-db --from "$a" --to "$pg" >"$tmp/to-pg.log" 2>&1
ok $? "copy-db SQLite -> PostgreSQL: $(tail -n 1 "$tmp/to-pg.log")"
grep -q 'copied and verified' "$tmp/to-pg.log"
ok $? "copy-db says what it copied"
"$server" copy-db --from "$pg" --to "sqlite:$bdir/chopay.db" \
    >"$tmp/back.log" 2>&1
ok $? "copy-db PostgreSQL -> SQLite: $(tail -n 1 "$tmp/back.log")"
[ "$(grep '^copy-db: audit ' "$tmp/to-pg.log")" = \
  "$(grep '^copy-db: audit ' "$tmp/back.log")" ]
ok $? "the audit chain went both ways whole"

"$server" check --data-dir "$bdir" >"$tmp/check.log" 2>&1
ok $? "check on the copy: $(tail -n 1 "$tmp/check.log")"
"$server" audit verify --data-dir "$bdir" >"$tmp/audit.log" 2>&1
ok $? "audit verify on the copy: $(tail -n 1 "$tmp/audit.log")"

# Every daily report, before and after.
same=0
days=0
now=$(date -u +%s)
for org in SIM OTH; do
    for back in $(seq -40 2); do
        d=$(date -u -d "@$((now + back * 86400))" +%Y-%m-%d)
        for fmt in "" --csv; do
            # shellcheck disable=SC2086
            "$server" report daily --data-dir "$adir" --org "$org" \
                --date "$d" $fmt >"$tmp/r-a" 2>&1
            # shellcheck disable=SC2086
            "$server" report daily --data-dir "$bdir" --org "$org" \
                --date "$d" $fmt >"$tmp/r-b" 2>&1
            cat "$tmp/r-a" >>"$tmp/all-a"
            days=$((days + 1))
            if cmp -s "$tmp/r-a" "$tmp/r-b"; then
                same=$((same + 1))
            else
                echo "report daily $org $d $fmt differs:"
                diff "$tmp/r-a" "$tmp/r-b" | head -n 5
            fi
        done
    done
done
[ "$same" -eq "$days" ]
ok $? "$same of $days daily reports identical after the round trip"
grep -q '"received_amount":[1-9]' "$tmp/all-a"
ok $? "the reports compared carry money"

# Refusals: a target with tables in it, a URL that is no database.
"$server" copy-db --from "$a" --to "$pg" >"$tmp/again.log" 2>&1
rc=$?
[ "$rc" -eq 1 ] && grep -q 'empty database' "$tmp/again.log"
ok $? "a non-empty target is refused (exit $rc)"
"$server" copy-db --from "$a" --to "ftp://example.org/x" >"$tmp/bad.log" 2>&1
rc=$?
[ "$rc" -eq 2 ] && grep -q 'not a database URL' "$tmp/bad.log"
ok $? "a URL that is no database is refused (exit $rc)"
finish
