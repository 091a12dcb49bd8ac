#!/bin/sh
# test_kiosk_collectors.sh: the kiosk against the real chopay-server --demo
# once the market has a collector with a PIN of her own:
#  * recording cash asks for the collector's PIN on a big digit keypad; a
#    wrong PIN is said plainly (red, tries left) and records nothing; the
#    right one records the cash as hers, and the cash-done screen shows
#    her own cash of the day (GET /v1/kiosk/totals?collector=);
#  * offline, the cash is queued with the PIN typed (in the journal only,
#    never in a log); back online the server refuses the wrong PIN: the
#    cash is kept, the collector screen says it waits for its PIN, and the
#    PIN typed again sends it.
# Ends with "N passed, N failed".
set -u
build=${CHOPAY_BUILD:-build}
tmp=$(mktemp -d)
. tests/kiosk/lib.sh

if [ ! -x "$kiosk" ] || [ ! -x "$server" ]; then
    bad "build chopay-kiosk and chopay-server first"
    finish
fi
sdir="$tmp/srv"
srv_start --demo
port=${saddr##*:}
jget "$sdir/demo-credentials.json" "j['kiosks']['CHO-TT']" >"$tmp/mkey"
chmod 600 "$tmp/mkey"
admin=$(jget "$sdir/demo-credentials.json" "j['admin_token']")
mk=$(cat "$tmp/mkey")
# api KEY PATH [BODY]: GET, or POST BODY with a fresh idempotency key.
api() {
    if [ $# -ge 3 ]; then
        curl -s -X POST -H "Authorization: Bearer $1" \
            -H "Idempotency-Key: t-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
            -d "$3" "$surl$2"
    else
        curl -s -H "Authorization: Bearer $1" "$surl$2"
    fi
}
# mine: the collector's own cash of the day, "count amount".
mine() {
    api "$mk" "/v1/kiosk/totals?collector=Ch%E1%BB%8B%20Lan" |
        jget - "'%d %d' % (j['collector']['cash']['count'], \
j['collector']['cash']['amount'])"
}

check "directory: no PIN before any collector" test \
    "$(api "$mk" /v1/kiosk/directory | jget - "j['collector_pins']")" = False
api "$admin" /v1/orgs/CHO-TT/collectors \
    '{"name":"Chị Lan","pin":"2468"}' >/dev/null
check "directory: cash needs a collector's PIN" test \
    "$(api "$mk" /v1/kiosk/directory | jget - "j['collector_pins']")" = True
due21=$(api "$mk" /v1/payers/A-21/dues | jget - "j['total_due']")
due22=$(api "$mk" /v1/payers/A-22/dues | jget - "j['total_due']")

# ---- online: the keypad, a wrong PIN, the right one, her day ---------------
cat >"$tmp/on.txt" <<'EOF'
tap collector
wait-screen pin
type 1234
key Return
wait-screen collector
wait 1500
tap record-cash
type A-21
key Return
wait-screen dues 5000
tap pay-all
wait-screen cash-confirm
tap confirm
wait-screen cash-pin
wait 300
screenshot
type 1111
key Return
wait 2000
screenshot
type 2468
key Return
wait-screen cash-done
wait 3000
screenshot
tap done
wait-screen collector
quit
EOF
kiosk_run on "$surl" "$tmp/mkey" "$tmp/on.txt" --collector-pin 1234
kiosk_wait 40
check "online (exit $krc)" test "$krc" -eq 0
p1=$(ls "$tmp/on"/*-cash-pin.png | head -n 1)
p2=$(ls "$tmp/on"/*-cash-pin.png | tail -n 1)
d1=$(shot "$tmp/on" cash-done)
check "PIN keypad: two screenshots" test -n "$p1" -a "$p1" != "$p2"
# the keys: white on the right three fifths
v=$($png frac "$p1" 0.42 0.2 0.98 0.95 255 255 255 10)
check "PIN keypad: big white keys ($v)" gt "$v" 0.5
v=$($png frac "$p1" 0.02 0.45 0.38 0.62 176 30 30 40)
check "PIN keypad: no message at first ($v)" lt "$v" 0.002
v=$($png frac "$p2" 0.02 0.45 0.38 0.62 176 30 30 40)
check "wrong PIN: said in red ($v)" gt "$v" 0.01
check "wrong PIN: nothing recorded, then hers" test "$(mine)" = "1 $due21"
v=$($png frac "$d1" 0.05 0.55 0.95 0.80 11 79 156 40)
check "cash done: her day's total shown ($v)" gt "$v" 0.01
check "cash done: her total fetched" \
    grep -q "collector total cash=1:$due21" "$tmp/on.log"
check "one wrong PIN: she is not locked" python3 -c "
import json, urllib.request
r = urllib.request.Request('$surl/v1/orgs/CHO-TT/collectors',
    headers={'Authorization': 'Bearer $admin'})
c = json.load(urllib.request.urlopen(r))['collectors']
assert c[0]['name'] == 'Chị Lan' and not c[0]['locked']"
check "no PIN in the log" sh -c "! grep -q '2468\\|1111' '$tmp/on.log'"

# ---- offline: queued with a wrong PIN, kept, asked again --------------------
srv_stop
cp -r "$tmp/data-on" "$tmp/data-off"
cat >"$tmp/off.txt" <<'EOF'
tap collector
wait-screen pin
type 1234
key Return
wait-screen collector
tap record-cash
type A-22
key Return
wait-screen dues 8000
tap pay-all
wait-screen cash-confirm
tap confirm
wait-screen cash-pin
type 9999
key Return
wait-screen cash-done 8000
quit
EOF
KDATA="$tmp/data-off"
kiosk_run off "$surl" "$tmp/mkey" "$tmp/off.txt" --collector-pin 1234
kiosk_wait 40
check "offline (exit $krc)" test "$krc" -eq 0
check "offline: queued with its PIN, the body without" python3 -c "
import json
recs = [json.loads(l) for l in open('$tmp/data-off/journal.jsonl')]
cash = [r for r in recs if r.get('t') == 'cash' and r['payer'] == 'A-22']
sent = {r['key'] for r in recs if r.get('t') in ('sent', 'rejected')}
assert len(cash) == 1 and cash[0]['key'] not in sent
assert cash[0]['pin'] == '9999' and 'pin' not in json.loads(cash[0]['body'])"
srv_start serve "$port"
cat >"$tmp/back.txt" <<'EOF'
tap collector
wait-screen pin
type 1234
key Return
wait-screen collector
wait 4000
screenshot
tap repin
wait-screen cash-pin
wait 300
screenshot
type 2468
key Return
wait-screen cash-done
wait 3000
screenshot
tap done
wait-screen collector
wait 1000
screenshot
quit
EOF
kiosk_run back "$surl" "$tmp/mkey" "$tmp/back.txt" --collector-pin 1234
kiosk_wait 40
KDATA=
check "back online (exit $krc)" test "$krc" -eq 0
c1=$(ls "$tmp/back"/*-collector.png | sed -n 2p)
c2=$(ls "$tmp/back"/*-collector.png | tail -n 1)
v=$($png frac "$c1" 0 0.55 1 0.80 176 30 30 40)
check "refused PIN: the cash waits, said in red ($v)" gt "$v" 0.1
v=$($png frac "$c2" 0 0.55 1 0.80 176 30 30 40)
check "sent: nothing waits any more ($v)" lt "$v" 0.01
p3=$(shot "$tmp/back" cash-pin)
v=$($png frac "$p3" 0.02 0.45 0.38 0.62 176 30 30 40)
check "asked again: wrong PIN said ($v)" gt "$v" 0.01
check "asked again: kept, then sent with the PIN typed again" python3 -c "
import json
recs = [json.loads(l) for l in open('$tmp/data-off/journal.jsonl')]
key = [r for r in recs if r.get('t') == 'cash' and r['payer'] == 'A-22'][0]['key']
ts = [r['t'] for r in recs if r.get('key') == key]
assert ts == ['cash', 'needs_pin', 'pin', 'sent'], ts
assert [r for r in recs if r.get('t') == 'needs_pin'][0]['status'] == 401"
check "asked again: recorded as hers" test "$(mine)" = "2 $((due21 + due22))"
check "asked again: her total on screen" \
    grep -q "collector total cash=2:$((due21 + due22))" "$tmp/back.log"
check "no PIN in the logs" sh -c \
    "! grep -q '2468\\|9999' '$tmp/off.log' '$tmp/back.log' '$tmp/srv.log'"
finish
