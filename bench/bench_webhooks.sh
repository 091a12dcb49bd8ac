#!/bin/sh
# bench_webhooks.sh SERVER [DIR]: signed SePay webhooks/s through the real
# chopay-server on SQLite (and on the PostgreSQL of CHOPAY_TEST_PG when
# set), driven by wrk (2 threads, keep-alive) at 16 and 64 connections,
# each request a new transaction (sepay_wrk.lua), with p50/p99; beside
# them, in the same run and in the same directory, the disk's
# single-commit reference (commit_ref.py: SQLite WAL, synchronous=FULL,
# one 300-byte row per commit) and each rate's ratio to it. DIR (default
# build/) holds the throw-away data directories. BENCH_THREADS sets the
# server's threads (4, its default), BENCH_WEBHOOK_SECS each load's
# length (5).
set -eu

bin=$1
top=${2:-build}
here=$(dirname "$0")
key=bench-sepay-api-key-2026
secs=${BENCH_WEBHOOK_SECS:-5}

for tool in wrk python3; do
    command -v $tool >/dev/null 2>&1 ||
        { echo "bench_webhooks: $tool is missing (make deps)" >&2; exit 1; }
done
mkdir -p "$top"
dir=$(mktemp -d "$top/bench-webhooks.XXXXXX")
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM

cat >"$dir/bench.ini" <<INI
[server]
rate = 0
threads = ${BENCH_THREADS:-4}
per_ip_connections = 20000
max_connections = 20000

[bank.CHO-TT]
sepay_api_key = $key
INI

# Start the server with data directory $dir/$1 and the arguments after it
# (none: SQLite there).
start() {
    data=$dir/$1
    mkdir -p "$data"
    shift
    "$bin" serve --demo --listen 127.0.0.1:0 --data-dir "$data" \
        --config "$dir/bench.ini" "$@" >/dev/null 2>"$data/server.err" &
    pid=$!
    i=0
    while [ ! -s "$data/server.addr" ]; do
        i=$((i + 1))
        if [ $i -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
            echo "bench_webhooks: the server did not start:" >&2
            cat "$data/server.err" >&2
            exit 1
        fi
        sleep 0.1
    done
    url="http://$(head -n 1 "$data/server.addr")"
}

stop() {
    kill "$pid" && wait "$pid" || true
    pid=
}

ref=$(python3 "$here/commit_ref.py" "$dir" 2)
printf 'single-commit reference (python3 sqlite3, WAL, synchronous=FULL, 300-byte rows): %s commits/s\n' "$ref"

# One wrk run: "rate p50 p99 errors" (latencies in ms; errors: non-2xx
# answers and socket errors).
run() {
    wrk -t2 -c"$1" -d"${secs}s" --latency -s "$here/sepay_wrk.lua" "$url" \
        -- "$key" "$2" >"$dir/wrk.out" 2>&1 || { cat "$dir/wrk.out" >&2; exit 1; }
    awk '
        function ms(v) {
            if (v ~ /us$/) return v / 1000
            if (v ~ /ms$/) return v + 0
            if (v ~ /s$/) return v * 1000
            return v
        }
        $1 == "50%" { p50 = ms($2) }
        $1 == "99%" { p99 = ms($2) }
        $1 == "Requests/sec:" { rate = $2 }
        /Non-2xx or 3xx responses:/ { bad += $NF }
        /Socket errors:/ {
            for (i = 3; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) bad += $i + 0
        }
        END { printf "%s %.2f %.2f %d\n", rate, p50, p99, bad }
    ' "$dir/wrk.out"
}

# Both loads on the server that `start "$@"` starts, named $1.
measure() {
    name=$1
    start "$@"
    for c in 16 64; do
        set -- $(run "$c" "$c")
        [ $# -eq 4 ] || { echo "bench_webhooks: wrk failed" >&2; exit 1; }
        printf '%s webhooks/s at %2d connections: %8.1f  p50 %6.2f ms  p99 %7.2f ms  %.2fx the reference  errors %s\n' \
            "$name" "$c" "$1" "$2" "$3" \
            "$(echo "$1 $ref" | awk '{ print $1 / $2 }')" "$4"
    done
    stop
}

measure sqlite
# PostgreSQL when there is one (tests/pg/with-pg.sh sets CHOPAY_TEST_PG)
if [ -n "${CHOPAY_TEST_PG:-}" ]; then
    measure pgsql --db "$CHOPAY_TEST_PG"
fi
