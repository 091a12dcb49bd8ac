#!/bin/sh
# with-pg.sh CMD...: run CMD against a throw-away PostgreSQL 15 cluster,
# with CHOPAY_TEST_PG holding its connection URL; the cluster is stopped
# and deleted afterwards, and CMD's exit status is the script's.
# As root: pg_virtualenv -t (postgresql-common; the cluster lives in a
# temporary directory, so runs side by side never collide). Otherwise:
# initdb into a temporary directory, listening only on a unix socket there.
set -eu

[ $# -gt 0 ] || { echo "usage: with-pg.sh CMD..." >&2; exit 2; }
PG_VERSION=15
PG_BIN=/usr/lib/postgresql/$PG_VERSION/bin

if [ "$(id -u)" -eq 0 ]; then
    command -v pg_virtualenv >/dev/null 2>&1 || {
        echo "with-pg.sh: pg_virtualenv missing (apt-get install postgresql)" >&2
        exit 2
    }
    # pg_virtualenv exports PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE
    # shellcheck disable=SC2016
    exec pg_virtualenv -t -v "$PG_VERSION" sh -c '
        CHOPAY_TEST_PG="postgresql://$PGUSER:$PGPASSWORD@$PGHOST:$PGPORT/$PGDATABASE"
        export CHOPAY_TEST_PG
        exec "$@"' with-pg "$@"
fi

[ -x "$PG_BIN/initdb" ] || {
    echo "with-pg.sh: $PG_BIN/initdb missing (apt-get install postgresql)" >&2
    exit 2
}
dir=$(mktemp -d -t chopay-pg.XXXXXX)
cleanup() {
    "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || :
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' HUP INT TERM

"$PG_BIN/initdb" -D "$dir/data" -U chopay -A trust -E UTF8 --no-sync \
    >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
"$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
    -o "-k $dir -c listen_addresses= -c fsync=off" start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }

CHOPAY_TEST_PG="postgresql:///postgres?host=$dir&user=chopay"
export CHOPAY_TEST_PG
rc=0
"$@" || rc=$?
exit "$rc"
