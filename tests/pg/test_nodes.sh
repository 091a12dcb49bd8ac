#!/bin/sh
# test_nodes.sh: two `chopay-server serve` nodes on one PostgreSQL
# database, each with its own data directory and port, behind nginx on
# loopback. A long poll on one node is woken by a bank notification that
# lands on the other; one Idempotency-Key sent to both gives one intent;
# ten concurrent cash payments of one invoice through both give one
# payment; after kill -9 of a node during a webhook flood every
# acknowledged notification is in the ledger and `check` passes; the
# periodic housekeeping runs on one node at a time; a kiosk key revoked
# through one node is refused on the other. Needs CHOPAY_TEST_PG
# (tests/pg/with-pg.sh; make check-pg), nginx and python3.
set -u
build=${CHOPAY_BUILD:-build}
server=${CHOPAY_SERVER:-$build/bin/chopay-server}

skip() {
    echo "-- $1"
    echo "0 passed, 0 failed"
    exit 0
}
[ -n "${CHOPAY_TEST_PG:-}" ] ||
    skip "PostgreSQL skipped: CHOPAY_TEST_PG is not set (make check-pg runs it)"
nginx=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null)
if [ -z "$nginx" ] || ! command -v python3 >/dev/null; then
    echo "FAIL: setup: nginx or python3 is not installed"
    echo "0 passed, 1 failed"
    exit 1
fi
tmp=$(mktemp -d -t chopay-nodes.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# A database of its own: the cluster is shared with the other tests.
db=chopay_nodes_$$
if ! psql "$CHOPAY_TEST_PG" -q -c "CREATE DATABASE $db" >"$tmp/psql.log" 2>&1
then
    echo "FAIL: a fresh database: $(cat "$tmp/psql.log")"
    echo "0 passed, 1 failed"
    exit 1
fi
case "$CHOPAY_TEST_PG" in
*\?*) pg="$CHOPAY_TEST_PG&dbname=$db" ;;
*) pg="$CHOPAY_TEST_PG?dbname=$db" ;;
esac

python3 "$(dirname "$0")/nodes.py" "$server" "$pg" "$tmp" "$nginx"
