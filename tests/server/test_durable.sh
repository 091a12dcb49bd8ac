#!/bin/sh
# test_durable.sh: a write is on disk before it is answered, seen in the
# system calls of the real server (Debian's strace, -f -y): between
# reading a signed SePay notification (and a kiosk's intent) and sending
# its 2xx, the server fdatasyncs the database's WAL; the WAL's directory
# is fsync'd once; and a write command of the CLI syncs the WAL before
# it exits. Ends with "N passed, N failed".
set -u
build=${CHOPAY_BUILD:-build}
server="$build/bin/chopay-server"
tmp=$(mktemp -d)
pid=
# Stop the traced server (strace's child; strace ends with it).
stop() {
    [ -n "$pid" ] || return 0
    pkill -TERM -P "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    pid=
}
cleanup() {
    stop
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { # check DESCRIPTION COMMAND...
    what=$1
    shift
    if "$@"; then ok; else bad "$what"; fi
}

for tool in strace curl python3 pkill; do
    command -v $tool >/dev/null ||
        { echo "$tool missing (make deps)"; echo "0 passed, 1 failed"; exit 1; }
done
[ -x "$server" ] || { echo "no $server"; echo "0 passed, 1 failed"; exit 1; }

key=durable-sepay-api-key-2026
cat >"$tmp/chopay.ini" <<INI
[server]
rate = 0

[bank.CHO-TT]
sepay_api_key = $key
INI

# Trace the server: the reads and sends of its sockets, its syncs, with
# file names (-y) and enough of each buffer to tell a request's line and
# an answer's status.
strace -f -y -qq -s 48 -o "$tmp/trace" \
    -e trace=recvfrom,read,sendto,sendmsg,writev,fdatasync,fsync \
    "$server" serve --demo --listen 127.0.0.1:0 --data-dir "$tmp/data" \
    --config "$tmp/chopay.ini" >/dev/null 2>"$tmp/server.err" &
pid=$!
i=0
while [ ! -s "$tmp/data/server.addr" ]; do
    i=$((i + 1))
    if [ $i -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then
        echo "the server did not start under strace:"
        cat "$tmp/server.err"
        echo "0 passed, 1 failed"
        exit 1
    fi
    sleep 0.1
done
url="http://$(head -n 1 "$tmp/data/server.addr")"
kiosk=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["kiosks"]["CHO-TT"])' \
    "$tmp/data/demo-credentials.json")

when=$(TZ=Asia/Ho_Chi_Minh date '+%Y-%m-%d %H:%M:%S')
body='{"id":7700001,"gateway":"MBBank","transactionDate":"'"$when"'",'
body=$body'"accountNumber":"1023456789","code":null,"content":"DURABLE'
body=$body' chuyen tien","transferType":"in","transferAmount":12000,'
body=$body'"accumulated":0,"subAccount":null,"referenceCode":"FT7700001",'
body=$body'"description":"DURABLE chuyen tien"}'
status=$(curl -s -o "$tmp/hook.json" -w '%{http_code}' -X POST \
    -H "Authorization: Apikey $key" -H 'Content-Type: application/json' \
    --data "$body" "$url/v1/bank/sepay")
check "the webhook answered $status ($(cat "$tmp/hook.json"))" \
    [ "$status" = 200 ]
status=$(curl -s -o "$tmp/intent.json" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $kiosk" -H 'Idempotency-Key: durable-1' \
    -H 'Content-Type: application/json' \
    --data '{"payer":"A-1","invoices":"all"}' "$url/v1/intents")
check "the intent answered $status ($(cat "$tmp/intent.json"))" \
    [ "$status" = 201 ]
stop

# In the trace (one line per call, or per call's end: "<... X resumed>"),
# between the line that reads the request (its first line) and the line
# that sends an answer of `status`, a completed fdatasync of the WAL.
synced_between() { # synced_between REQUEST-LINE STATUS
    awk -v req="$1" -v st="HTTP/1.1 $2" '
        index($0, req) && !seen { seen = 1; synced = 0; next }
        seen && /fdatasync/ && /-wal>/ && / = 0$/ { synced = 1 }
        seen && /<\.\.\. fdatasync resumed>/ && / = 0$/ { synced = 1 }
        seen && index($0, st) { found = 1; exit }
        END { exit !(found && synced) }
    ' "$tmp/trace"
}
check "the webhook's WAL fdatasync comes before its 200" \
    synced_between "POST /v1/bank/sepay" 200
check "the intent's WAL fdatasync comes before its 201" \
    synced_between "POST /v1/intents" 201
check "the WAL's directory is fsync'd" \
    grep -q "fsync([0-9]*<$tmp/data>)" "$tmp/trace"

# A CLI write (a token) syncs the WAL before the command exits.
strace -f -y -qq -o "$tmp/cli" -e trace=fdatasync \
    "$server" --data-dir "$tmp/data" token add --role admin >/dev/null 2>&1
check "token add fdatasyncs the WAL" grep -q -- "-wal>) = 0" "$tmp/cli"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
