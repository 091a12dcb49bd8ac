# lib.sh: helpers the kiosk test scripts share (sourced, not run): result
# counting, JSON and screenshot look-ups, running the real chopay-kiosk
# headless in the background, and starting tests/kiosk/fake_server.py or
# the real chopay-server --demo on a loopback port. Expects $build and
# $tmp to be set by the sourcing script, and calls `finish` at the end.

kiosk="$build/bin/chopay-kiosk"
server="$build/bin/chopay-server"
chopay="$build/bin/chopay"
here=tests/kiosk
png="python3 $here/pngcheck.py"
pids=""
pass=0
fail=0
# Under ASan a kiosk run is slower; give waits more room.
slow=1
[ -n "${CHOPAY_SAN:-}" ] && slow=3

lib_cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    [ -n "${KEEP_TMP:-}" ] && echo "kept $tmp" >&2 || rm -rf "$tmp"
}
trap lib_cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    echo "FAIL: $*" >&2
}
# check DESCRIPTION COMMAND...: passes when the command succeeds.
check() {
    d=$1
    shift
    if "$@" >/dev/null 2>&1; then ok; else bad "$d"; fi
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}
# gt A B / lt A B / near A B TOL: numeric comparisons on decimals.
gt() { python3 -c "import sys; sys.exit(0 if float('$1') > float('$2') else 1)"; }
lt() { python3 -c "import sys; sys.exit(0 if float('$1') < float('$2') else 1)"; }
near() {
    python3 -c "import sys; sys.exit(0 if abs(float('$1') - float('$2')) <= float('$3') else 1)"
}
# jget FILE-OR-- EXPR: evaluate a Python expression on JSON `j`.
jget() {
    if [ "$1" = - ]; then
        python3 -c "import json,sys; j=json.load(sys.stdin); print($2)"
    else
        python3 -c "import json,sys; j=json.load(open('$1')); print($2)"
    fi
}
# shot DIR NAME: the last screenshot of screen NAME in DIR.
shot() { ls "$1"/*-"$2".png 2>/dev/null | tail -n 1; }
# qr_of PNG: the payload zbarimg reads from a screenshot.
qr_of() {
    tries=0
    while :; do
        out=$(zbarimg --raw -q "$1" 2>/dev/null | head -n 1)
        tries=$((tries + 1))
        if [ -n "$out" ] || [ "$tries" -ge $((15 * slow)) ]; then
            echo "$out"
            return
        fi
        sleep 0.2
    done
}
# kiosk_run NAME SERVER KEYFILE SCRIPT [ARGS...]: the kiosk headless in the
# background (unless $KIOSK_MODE says otherwise); $kpid is its pid,
# $tmp/NAME.log its output, screenshots in $tmp/NAME/ (none when $noshots
# is set), data in $tmp/data-NAME/ ($KDATA overrides).
kiosk_run() {
    n=$1 srv=$2 key=$3 scr=$4
    shift 4
    mkdir -p "$tmp/$n"
    sd="--screenshot-dir=$tmp/$n"
    [ -n "${noshots:-}" ] && sd="--long-poll=5"
    ${KIOSK_WRAP:-} "$kiosk" ${KIOSK_MODE---headless} \
        ${KIOSK_SOUND:---no-sound} --size ${KIOSK_SIZE:-800x480} \
        --server "$srv" --key-file "$key" \
        --data-dir "${KDATA:-$tmp/data-$n}" --script "$scr" \
        "$sd" \
        --long-poll 5 "$@" \
        >"$tmp/$n.log" 2>&1 &
    kpid=$!
}
# kiosk_wait [SECONDS]: wait for the last kiosk, $krc its status (its log
# is shown when it failed, unless $KIOSK_MAY_FAIL is set).
kiosk_wait() {
    lim=$((${1:-60} * slow * 10))
    i=0
    while kill -0 "$kpid" 2>/dev/null && [ "$i" -lt "$lim" ]; do
        sleep 0.1
        i=$((i + 1))
    done
    if kill -0 "$kpid" 2>/dev/null; then
        kill "$kpid"
        echo "kiosk timed out" >>"$tmp/$n.log"
    fi
    wait "$kpid"
    krc=$?
    [ "$krc" -eq 0 ] || [ -n "${KIOSK_MAY_FAIL:-}" ] || {
        echo "--- kiosk log ($n, exit $krc):" >&2
        tail -n 15 "$tmp/$n.log" >&2
    }
}
# wait_for SECONDS COMMAND...: poll until the command succeeds.
wait_for() {
    lim=$(($1 * slow * 10))
    shift
    i=0
    while ! "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        [ "$i" -ge "$lim" ] && return 1
        sleep 0.1
    done
    return 0
}
# intent_of LOG FIELD [N]: id, code, amount or expires_in of the N-th
# "intent id=..." line a kiosk logged (default the first).
intent_of() {
    grep 'intent id=' "$1" | sed -n "${3:-1}p" |
        sed "s/.* $2=\([^ ]*\).*/\1/"
}

# ---- tests/kiosk/fake_server.py ------------------------------------------
# fake_start [PORT [FLAGS]]: $furl; fake_stop.
fake_start() {
    rm -f "$tmp/fake.port"
    python3 "$here/fake_server.py" "$tmp/fake.port" k_test ${1:-0} ${2:-} \
        2>>"$tmp/fake.log" &
    fpid=$!
    pids="$pids $fpid"
    wait_for 10 test -s "$tmp/fake.port" || bad "fake server start"
    fport=$(cat "$tmp/fake.port")
    furl="http://127.0.0.1:$fport"
}
fake_stop() {
    kill "$fpid" 2>/dev/null
    wait "$fpid" 2>/dev/null
}
fstate() { curl -s "$furl/control/state"; }
settle() {
    curl -s -X POST -d "{\"id\": $1, \"status\": \"$2\", \"paid\": $3}" \
        "$furl/control/settle" >/dev/null
}
n_intents() { [ "$(fstate | jget - "len(j['intents'])")" -ge "$1" ]; }

# ---- the real chopay-server --------------------------------------------------
# srv_start [serve|--demo [PORT]]: data in $sdir; $spid, $surl.
srv_start() {
    rm -f "$sdir/server.addr"
    mkdir -p "$sdir"
    "$server" ${1:---demo} --listen "127.0.0.1:${2:-0}" \
        --data-dir "$sdir" >>"$tmp/srv.out" 2>>"$tmp/srv.log" &
    spid=$!
    pids="$pids $spid"
    wait_for 15 test -s "$sdir/server.addr" || bad "server start"
    saddr=$(cat "$sdir/server.addr")
    surl="http://$saddr"
}
srv_stop() {
    kill "$spid" 2>/dev/null
    wait "$spid" 2>/dev/null
}
