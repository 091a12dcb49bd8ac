#!/bin/sh
# screens.sh OUT [WxH[@R]...]: screenshots of every kiosk screen at each
# size, WxH@R turned R degrees (default 800x480 1024x600 1920x1080
# 800x480@90) into OUT/WxH[@R]/, driving the real
# kiosk headless against tests/kiosk/fake_server.py (which can settle an
# intent as partial or paid on command). For people to look at; the
# checks live in test_kiosk.sh. Reads $CHOPAY_BUILD (default build).
set -u
build=${CHOPAY_BUILD:-build}
kiosk="$build/bin/chopay-kiosk"
out=${1:?usage: screens.sh OUT [WxH...]}
shift
sizes=${*:-800x480 1024x600 1920x1080 800x480@90}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'kill $fpid 2>/dev/null; rm -rf "$tmp"' EXIT
echo k_screens >"$tmp/key"
echo k_wrong >"$tmp/bad"

start_fake() {
    rm -f "$tmp/port"
    python3 "$here/fake_server.py" "$tmp/port" k_screens ${1:-} ${2:-} \
        2>/dev/null &
    fpid=$!
    while [ ! -s "$tmp/port" ]; do sleep 0.1; done
    url="http://127.0.0.1:$(cat "$tmp/port")"
}
state() { curl -s "$url/control/state"; }
count() { state | python3 -c "import json,sys; print(len(json.load(sys.stdin)['intents']))"; }
settle() {
    curl -s -X POST -d "{\"id\": $1, \"status\": \"$2\", \"paid\": $3}" \
        "$url/control/settle" >/dev/null
}
wait_count() { while [ "$(count)" -lt "$1" ]; do sleep 0.2; done; }
run() { # SIZE DIR SCRIPT KEY [ARGS]
    r_size=$1 r_dir=$2 r_scr=$3 r_key=$4
    shift 4
    r_rot=0
    case $r_size in *@*) r_rot=${r_size#*@} ;; esac
    "$kiosk" --headless --no-sound --size "${r_size%@*}" --rotate "$r_rot" \
        --server "$url" \
        --key-file "$r_key" --data-dir "$tmp/data-$r_size" \
        --script "$r_scr" --screenshot-dir "$r_dir" --collector-pin 1234 \
        --long-poll 2 "$@" >>"$tmp/log" 2>&1 ||
        echo "screens.sh: $r_scr at $r_size failed (exit $?)" >&2
}

cat >"$tmp/pay.txt" <<'S'
wait 1500
type A-12
key Return
wait-screen dues 5000
tap inv-1
screenshot
tap pay-all
wait-screen qr 5000
tap paid
wait-screen waiting
wait-screen partial 30000
wait 1000
screenshot
wait-screen paid 30000
quit
S
cat >"$tmp/expire.txt" <<'S'
tap English
screenshot
type A-12
key Return
wait-screen dues 5000
tap pay-all
wait-screen expired 30000
quit
S
cat >"$tmp/collector.txt" <<'S'
tap collector
wait-screen pin
tap key-1
tap key-2
screenshot
tap key-3
tap key-4
tap ok
wait-screen collector
tap record-cash
type A-12
key Return
wait-screen dues 5000
tap pay-all
wait-screen cash-confirm
tap other-amount
wait-screen cash-amount
type 2000000
screenshot
tap ok
wait-screen cash-confirm
tap confirm
wait-screen cash-done
wait 1000
screenshot
tap done
wait-screen collector
wait 1000
screenshot
quit
S
cat >"$tmp/collectors.txt" <<'S'
tap collector
wait-screen pin
type 1234
key Return
wait-screen collector
tap record-cash
type A-12
key Return
wait-screen dues 5000
tap pay-all
wait-screen cash-confirm
tap confirm
wait-screen cash-pin
type 11
screenshot
type 11
key Return
wait 1500
screenshot
type 2468
key Return
wait-screen cash-done
wait 2000
screenshot
quit
S
cat >"$tmp/notfound.txt" <<'S'
type Z-9
key Return
wait 500
screenshot
quit
S
cat >"$tmp/error.txt" <<'S'
type A-12
key Return
wait-screen error 5000
quit
S
cat >"$tmp/offline.txt" <<'S'
type A-12
key Return
wait-screen dues 15000
tap pay-all
wait-screen qr 15000
tap paid
wait-screen waiting
wait 500
quit
S
start_fake
n=0
for s in $sizes; do
    d="$out/$s"
    rm -rf "$d"
    mkdir -p "$d/pay" "$d/expired" "$d/collector" "$d/error" "$d/offline" \
        "$d/notfound"
    run "$s" "$d/pay" "$tmp/pay.txt" "$tmp/key" &
    kp=$!
    n=$((n + 1)); wait_count "$n"; sleep 2; settle "$n" partial 500000
    n=$((n + 1)); wait_count "$n"; sleep 2; settle "$n" paid 1010000
    wait "$kp"
    run "$s" "$d/expired" "$tmp/expire.txt" "$tmp/key" &
    kp=$!
    n=$((n + 1)); wait_count "$n"; sleep 1; settle "$n" expired 0
    wait "$kp"
    run "$s" "$d/collector" "$tmp/collector.txt" "$tmp/key"
    run "$s" "$d/error" "$tmp/error.txt" "$tmp/bad"
    run "$s" "$d/notfound" "$tmp/notfound.txt" "$tmp/key"
done
port=$(cat "$tmp/port")
kill "$fpid"
wait "$fpid" 2>/dev/null
for s in $sizes; do
    run "$s" "$out/$s/offline" "$tmp/offline.txt" "$tmp/key"
done
start_fake 0 collectors
for s in $sizes; do
    mkdir -p "$out/$s/collectors"
    run "$s" "$out/$s/collectors" "$tmp/collectors.txt" "$tmp/key"
done
kill "$fpid"
echo "screenshots in $out/{$(echo $sizes | tr ' ' ,)}/{pay,expired,collector,error,notfound,offline,collectors}"
