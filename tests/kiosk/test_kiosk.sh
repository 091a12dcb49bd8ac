#!/bin/sh
# test_kiosk.sh: drives the real chopay-kiosk headless with scripts and
# checks what it drew: screenshots named per screen, the QR decoded by
# zbarimg and validated by `chopay qr decode`, colours and ink in regions.
# Against tests/kiosk/fake_server.py (paid with the receipt's public page
# in the paid screen's QR, or an older server's signed receipt; partial,
# code reservation, offline QR and exactly-once journal replay) and, when
# it is built, the real chopay-server --demo (dues, intent, QR = server
# payload, cancel -> expired, server killed and restarted mid-flow, cash
# online and replayed after an outage exactly once). Ends with "N passed,
# N failed".
set -u
build=${CHOPAY_BUILD:-build}
tmp=$(mktemp -d)
. tests/kiosk/lib.sh

if [ ! -x "$kiosk" ]; then
    echo "no $kiosk" >&2
    echo "0 passed, 1 failed"
    exit 1
fi

# ---- flags and scripts --------------------------------------------------
echo "k_test" >"$tmp/key"
check "--check-strings" sh -c "'$kiosk' --check-strings | grep -q 'strings ok'"
check "--help" "$kiosk" --help
"$kiosk" --bogus >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "unknown option exits 2"
"$kiosk" --lang fr --key-file "$tmp/key" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--lang fr exits 2"
"$kiosk" --server http://example.com --key-file "$tmp/key" 2>"$tmp/err" \
    >/dev/null
[ $? -eq 2 ] && grep -q https "$tmp/err" && ok || bad "plain http refused"
printf 'quit\n' >"$tmp/quit.txt"
for u in 'http://localhost:1@other-host:8080' 'http://127.0.0.1@10.0.0.1' \
    'http://localhost.example.com' 'http://127.0.0.1.example.com' \
    'https://user:pw@example.com' 'http://[::2]:8080'; do
    timeout 20 "$kiosk" --headless --server "$u" --key-file "$tmp/key" \
        --data-dir "$tmp/urldata" --script "$tmp/quit.txt" >/dev/null 2>"$tmp/err"
    [ $? -eq 2 ] && grep -q -- --server "$tmp/err" && ok ||
        bad "server URL refused: $u"
done
"$kiosk" --key-file "$tmp/nokey" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "missing key file exits 2"
printf 'tap\n' >"$tmp/bad1.txt"
"$kiosk" --headless --key-file "$tmp/key" --script "$tmp/bad1.txt" \
    2>"$tmp/err" >/dev/null
[ $? -eq 2 ] && grep -q "line 1" "$tmp/err" && ok || bad "script error line"
printf 'wait 10\nfly away\n' >"$tmp/bad2.txt"
"$kiosk" --headless --key-file "$tmp/key" --script "$tmp/bad2.txt" \
    2>"$tmp/err" >/dev/null
[ $? -eq 2 ] && grep -q "line 2: unknown command" "$tmp/err" && ok ||
    bad "unknown script command"
printf '[kiosk]\nlang = fr\n' >"$tmp/bad.ini"
"$kiosk" --config "$tmp/bad.ini" --key-file "$tmp/key" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "bad INI value exits 2"

# ---- fake server -----------------------------------------------------------
fake_start

# A wrong key: the welcome screen says the kiosk is not authorised (red
# band, red status in the header, no keypad) before anyone types.
echo "k_wrong" >"$tmp/wrongkey"
chmod 600 "$tmp/wrongkey"
printf 'wait-screen welcome\nwait 2500\nscreenshot\nquit\n' >"$tmp/wk.txt"
kiosk_run wk "$furl" "$tmp/wrongkey" "$tmp/wk.txt"
kiosk_wait 30
check "wrong key: kiosk exit 0" test "$krc" -eq 0
w=$(shot "$tmp/wk" welcome)
v=$($png frac "$w" 0.05 0.41 0.95 0.50 176 30 30 24)
check "wrong key: red band on the welcome screen ($v)" gt "$v" 0.6
v=$($png frac "$w" 0.60 0.02 0.98 0.10 176 30 30 24)
check "wrong key: red status in the header ($v)" gt "$v" 0.01
v=$($png frac "$w" 0.60 0.02 0.98 0.10 20 122 50 24)
check "wrong key: no green 'connected' dot ($v)" lt "$v" 0.001
printf 'wait-screen welcome\nwait 2500\ntap key-1\nquit\n' >"$tmp/wk2.txt"
kiosk_run wk2 "$furl" "$tmp/wrongkey" "$tmp/wk2.txt"
KIOSK_MAY_FAIL=1
kiosk_wait 30
unset KIOSK_MAY_FAIL
check "wrong key: no keypad (script stops)" test "$krc" -ne 0

# F1: the whole payment, typed on a "physical keyboard", ends on paid.
cat >"$tmp/f1.txt" <<'EOF'
wait-screen welcome
type a-12
key Return
wait-screen dues 5000
tap pay-all
wait-screen qr 5000
wait-screen paid 30000
quit
EOF
kiosk_run f1 "$furl" "$tmp/key" "$tmp/f1.txt"
wait_for 15 n_intents 1 && settle 1 paid 1510000
kiosk_wait 40
check "f1: kiosk exit 0" test "$krc" -eq 0
w=$(shot "$tmp/f1" welcome)
v=$($png frac "$w" 0.05 0.41 0.95 0.50 176 30 30 24)
check "f1: no red band with the right key ($v)" lt "$v" 0.01
v=$($png frac "$w" 0.60 0.02 0.98 0.10 20 122 50 24)
check "f1: green 'connected' dot ($v)" gt "$v" 0.01
check "f1: screens in order" sh -c "ls '$tmp/f1' | tr '\n' ' ' | grep -q \
'001-welcome.png 002-code.png 003-dues.png 004-qr.png 005-paid.png'"
q=$(shot "$tmp/f1" qr)
payload=$(qr_of "$q")
check "f1: zbarimg reads the QR" test -n "$payload"
check "f1: QR is valid VietQR" sh -c "echo '$payload' | '$chopay' qr decode"
want=$(fstate | jget - "j['intents'][0]['payload']")
check "f1: QR payload = intent payload" test "$payload" = "$want"
check "f1: QR amount" sh -c "echo '$payload' | '$chopay' qr decode | \
grep -q '\"amount\":1510000'"
v=$($png bw "$q" 0.08 0.22 0.34 0.70)
check "f1: QR area is black/white modules ($v)" gt "$v" 0.97
v=$($png frac "$q" 0.08 0.22 0.34 0.70 0 0 0 0)
check "f1: QR area has dark modules ($v)" gt "$v" 0.25
v=$($png ink "$q" 0.42 0.17 0.98 0.76 244 244 239 10)
check "f1: details text drawn beside the QR ($v)" gt "$v" 0.05
p=$(shot "$tmp/f1" paid)
v=$($png frac "$p" 0 0 1 1 20 122 50 6)
check "f1: paid screen mostly green ($v)" gt "$v" 0.6
v=$($png ink "$p" 0.1 0.1 0.9 0.6 20 122 50 6)
check "f1: paid screen has text ($v)" gt "$v" 0.03
pq=$(qr_of "$p")
want=$furl$(fstate | jget - "j['intents'][0]['public_url']")
check "f1: the paid screen's QR is the receipt's page $want ($pq)" \
    test "$pq" = "$want"
w=$($png ink "$(shot "$tmp/f1" welcome)" 0.1 0.15 0.9 0.35 244 244 239 10)
check "f1: welcome greeting drawn ($w)" gt "$w" 0.03
check "f1: paid recorded for totals" \
    grep -q '"t":"paid"' "$tmp/data-f1/journal.jsonl"

# F2: partial: what arrived, what remains, a new QR for the rest; then paid.
cat >"$tmp/f2.txt" <<'EOF'
wait-screen welcome
type A-12
tap ok
wait-screen dues 5000
tap pay-all
wait-screen qr 5000
wait-screen partial 30000
wait 1500
screenshot
wait-screen paid 30000
quit
EOF
kiosk_run f2 "$furl" "$tmp/key" "$tmp/f2.txt"
wait_for 15 n_intents 2 && settle 2 partial 500000
wait_for 15 n_intents 3
sleep 2
settle 3 paid 1010000
kiosk_wait 40
check "f2: kiosk exit 0" test "$krc" -eq 0
check "f2: partial then paid" sh -c "ls '$tmp/f2' | grep -q partial && \
ls '$tmp/f2' | grep -q paid"
amt3=$(fstate | jget - "[i['amount'] for i in j['intents'] if i['id']==3][0]")
check "f2: new intent for the rest ($amt3)" test "$amt3" = 1010000
pp=$(qr_of "$(shot "$tmp/f2" partial)")
check "f2: new QR for the rest" sh -c "echo '$pp' | '$chopay' qr decode | \
grep -q '\"amount\":1010000'"

# F3: expired, English, language toggle found by label.
cat >"$tmp/f3.txt" <<'EOF'
wait-screen welcome
tap English
tap Tiếng Việt
tap English
type A-12
key Return
wait-screen dues 5000
tap Pay all
wait-screen qr 5000
wait-screen expired 30000
tap home
wait-screen welcome
quit
EOF
kiosk_run f3 "$furl" "$tmp/key" "$tmp/f3.txt"
wait_for 15 n_intents 4 && settle 4 expired 0
kiosk_wait 40
check "f3: toggle, English labels, expired" test "$krc" -eq 0
v=$($png ink "$(shot "$tmp/f3" expired)" 0.05 0.2 0.95 0.6 244 244 239 10)
check "f3: expired text drawn ($v)" gt "$v" 0.03

# F8: no leak per screen cycle: welcome -> code -> dues -> back, many
# times in one run; resident memory after the first cycles ("mark") and
# after all of them must stay close (the script is loaded whole up front).
cycles() {
    i=0
    while [ "$i" -lt "$1" ]; do
        printf 'type A-12\nkey Return\nwait-screen dues 5000\n'
        printf 'tap back\nwait-screen code\nkey Escape\n'
        printf 'wait-screen welcome\n'
        i=$((i + 1))
    done
}
few=50 many=1000
[ "$slow" -gt 1 ] && few=20 many=200
{ cycles "$few"; echo mark; cycles "$((many - few))"; echo mark; echo quit; } \
    >"$tmp/cyc.txt"
noshots=1
kiosk_run cyc "$furl" "$tmp/key" "$tmp/cyc.txt" --timing
kiosk_wait 300
noshots=
r1=$(grep '^mark' "$tmp/cyc.log" | head -n 1 | sed 's/.*rss_kb=//')
r2=$(grep '^mark' "$tmp/cyc.log" | tail -n 1 | sed 's/.*rss_kb=//')
echo "note: RSS after $few cycles ${r1:-?} KiB, after $many ${r2:-?} KiB" >&2
check "f8: $many cycles ran" test "$krc" -eq 0
if [ "$slow" -gt 1 ]; then
    # ASan keeps freed memory in quarantine, so RSS says nothing here;
    # LeakSanitizer checks for leaks at exit instead (exit status above).
    echo "note: RSS comparison skipped under sanitizers" >&2
else
    check "f8: RSS $few cycles ${r1:-?} KiB, $many cycles ${r2:-?} KiB" \
        test "$(( ${r2:-999999} - ${r1:-0} ))" -lt 256
fi
n_dues=$(grep -c "screen=dues" "$tmp/cyc.log")
check "f8: every cycle reached dues ($n_dues)" test "$n_dues" -eq "$many"

# F9: settings from an INI file (English, 5 s idle timeout), a tap by
# position, Backspace on a physical keyboard, and the inactivity timeout
# bringing the kiosk back to the start.
printf '[kiosk]\nlang = en\nidle_timeout = 5\ncollector_pin = 4321\n' \
    >"$tmp/f9.ini"
cat >"$tmp/f9.txt" <<'EOF'
wait-screen welcome
type A-129
wait-screen code
key Backspace
tap 160 425
wait-screen dues 5000
tap Back
wait-screen code
wait-screen welcome 12000
tap key-A
wait-screen code
key Escape
tap Collector
wait-screen pin
type 4321
key Return
wait-screen collector
quit
EOF
kiosk_run f9 "$furl" "$tmp/key" "$tmp/f9.txt" --config "$tmp/f9.ini"
kiosk_wait 40
check "f9: INI, tap X Y, Backspace, idle timeout, English" test "$krc" -eq 0
check "f9: dues of A-12 after Backspace" sh -c "ls '$tmp/f9' | grep -q dues"

# F4: an unknown code stays on the code screen, said in large red type in
# place of the keypad ("check the code": nothing near it in the directory);
# "type again" brings the keypad back. A bad key is an error.
cat >"$tmp/f4.txt" <<'EOF'
wait 1500
type Z-99
key Return
wait 800
screenshot
wait-screen code
tap type-again
tap key-1
quit
EOF
kiosk_run f4 "$furl" "$tmp/key" "$tmp/f4.txt"
kiosk_wait 20
check "f4: unknown code stays on code, type again, keypad back" \
    test "$krc" -eq 0
f4=$(shot "$tmp/f4" code)
v=$($png frac "$f4" 0.42 0.15 0.98 0.35 176 30 30 40)
check "f4: 'not found' in large red type over the keypad ($v)" gt "$v" 0.04
v=$($png ink "$f4" 0.42 0.4 0.98 0.6 255 255 255 10)
check "f4: 'check the code' below it ($v)" gt "$v" 0.02
v=$($png frac "$f4" 0.42 0.15 0.98 0.35 255 255 255 10)
check "f4: no keypad keys there, a white panel ($v)" gt "$v" 0.5

# F10: codes as people type them: "a12" is A-12, the directory's only code
# like it, and the server is asked for A-12; A-13 is not found and A-12,
# one key away, is offered to tap.
cat >"$tmp/f10.txt" <<'EOF'
wait 1500
type a12
key Return
wait-screen dues 5000
tap back
wait-screen code
key Backspace
key Backspace
key Backspace
key Backspace
type A-13
key Return
wait 800
screenshot
wait-screen code
tap suggest-0
wait-screen dues 5000
quit
EOF
kiosk_run f10 "$furl" "$tmp/key" "$tmp/f10.txt"
kiosk_wait 20
check "f10: a12 finds A-12; A-13 offers A-12, tapped (exit $krc)" \
    test "$krc" -eq 0
check "f10: the server was asked for A-12, never for A12" sh -c \
    "grep -q 'payers/A-12/dues' '$tmp/fake.log' && \
! grep -q 'payers/A12/' '$tmp/fake.log'"
f10=$(shot "$tmp/f10" code)
v=$($png frac "$f10" 0.42 0.15 0.98 0.35 176 30 30 40)
check "f10: 'not found' in large red type ($v)" gt "$v" 0.04
n=$(ls "$tmp/f10" | grep -c dues)
check "f10: two dues screens ($n)" test "$n" -ge 2

# F12: "B3" fits both B-3 and B.3: not found without asking the server,
# both offered; tapping B.3 looks that one up.
cat >"$tmp/f12.txt" <<'EOF'
wait 1500
type B3
key Return
wait 500
screenshot
wait-screen code
tap suggest-0
wait-screen dues 5000
tap back
wait-screen code
key Backspace
key Backspace
key Backspace
type B3
key Return
wait 500
tap B.3
wait-screen dues 5000
quit
EOF
kiosk_run f12 "$furl" "$tmp/key" "$tmp/f12.txt"
kiosk_wait 20
check "f12: B3 offers B-3 and B.3, each tapped to its dues (exit $krc)" \
    test "$krc" -eq 0
check "f12: the server was asked for B-3 and B.3, never for B3" sh -c \
    "grep -q 'payers/B-3/dues' '$tmp/fake.log' && \
grep -q 'payers/B.3/dues' '$tmp/fake.log' && \
! grep -q 'payers/B3/' '$tmp/fake.log'"
# the second picture of the code screen: the one taken after "B3"
f12=$(ls "$tmp/f12"/*-code.png | sed -n 2p)
v=$($png frac "$f12" 0.42 0.15 0.98 0.35 176 30 30 40)
check "f12: 'not found' in large red type ($v)" gt "$v" 0.04

# F11: cash in collector mode is confirmed before it is recorded: Cancel
# records nothing; a partial amount on the keypad (never more than due),
# confirmed, is recorded once, and its receipt number comes back.
cat >"$tmp/f11.txt" <<'EOF'
wait 1500
tap collector
wait-screen pin
type 1234
key Return
wait-screen collector
tap record-cash
wait-screen code
type A-12
key Return
wait-screen dues 5000
tap pay-all
wait-screen cash-confirm
screenshot
tap cancel
wait-screen dues
tap pay-all
wait-screen cash-confirm
tap other-amount
wait-screen cash-amount
type 2000000
screenshot
tap ok
wait-screen cash-confirm
screenshot
tap confirm
wait-screen cash-done
wait 1500
screenshot
tap done
wait-screen collector
quit
EOF
c0=$(fstate | jget - "len(j['cash'])")
kiosk_run f11 "$furl" "$tmp/key" "$tmp/f11.txt" --collector-pin 1234
kiosk_wait 40
check "f11: confirm, cancel, partial amount, confirm, receipt (exit $krc)" \
    test "$krc" -eq 0
c=$(fstate | jget - "[c['amount'] for c in j['cash'] if c['payer']=='A-12']")
check "f11: one cash record, the 200.000 typed (7th digit refused) ($c)" \
    test "$(fstate | jget - "len(j['cash'])")" = $((c0 + 1))
check "f11: its amount is 200000 ($c)" sh -c "echo '$c' | grep -q '200000\]'"
check "f11: the journal keeps the receipt number" \
    grep -q '"receipt":"CHO-TT-2026-' "$tmp/data-f11/journal.jsonl"
shots=$(ls "$tmp/f11" | tr '\n' ' ')
check "f11: cancel went back to dues before anything was sent ($shots)" \
    sh -c "ls '$tmp/f11' | grep -q -- '-dues.png' && \
[ \$(ls '$tmp/f11' | grep -c -- '-cash-confirm.png') -ge 3 ]"
a=$(ls "$tmp/f11"/*-cash-amount.png | tail -n 1)
v=$($png frac "$a" 0 0.3 0.4 0.7 176 30 30 40)
check "f11: 'not more than due' in red on the keypad screen ($v)" gt "$v" 0.003
cc=$(ls "$tmp/f11"/*-cash-confirm.png | tail -n 1)
v=$($png ink "$cc" 0.1 0.3 0.9 0.6 244 244 239 10)
check "f11: the amount in large type on the confirmation ($v)" gt "$v" 0.08
d=$(ls "$tmp/f11"/*-cash-done.png | tail -n 1)
v=$($png frac "$d" 0.1 0.2 0.9 0.5 20 122 50 24)
check "f11: the recorded amount in large green type ($v)" gt "$v" 0.02

echo "k_wrong" >"$tmp/badkey"
cat >"$tmp/f5.txt" <<'EOF'
type A-12
key Return
wait-screen error 5000
quit
EOF
kiosk_run f5 "$furl" "$tmp/badkey" "$tmp/f5.txt"
kiosk_wait 20
check "f5: bad key -> error screen" test "$krc" -eq 0
v=$($png frac "$(shot "$tmp/f5" error)" 0 0 1 0.1 176 30 30 4)
check "f5: error header red ($v)" gt "$v" 0.8

# F6: offline QR from a reserved code, replayed exactly once.
cat >"$tmp/f6.txt" <<'EOF'
wait 3000
type A-12
key Return
wait-screen dues 15000
tap pay-all
wait-screen qr 15000
wait 1500
screenshot
quit
EOF
kiosk_run f6 "$furl" "$tmp/key" "$tmp/f6.txt"
wait_for 10 test -s "$tmp/data-f6/codes.json" || bad "f6: codes reserved"
fake_stop
kiosk_wait 60
check "f6: offline flow exit 0" test "$krc" -eq 0
v=$($png frac "$(shot "$tmp/f6" dues)" 0 0.1 1 0.22 242 177 27 8)
check "f6: offline banner on dues ($v)" gt "$v" 0.3
oq=$(qr_of "$(shot "$tmp/f6" qr)")
check "f6: offline QR valid" sh -c "echo '$oq' | '$chopay' qr decode"
ocode=$(echo "$oq" | "$chopay" qr decode | jget - "j['content']")
check "f6: offline QR carries a reserved code ($ocode)" sh -c \
    "echo '$ocode' | grep -Eq '^CTOFF[0-9]{5}$'"
check "f6: offline QR amount from cache" sh -c "echo '$oq' | \
'$chopay' qr decode | grep -q '\"amount\":1510000'"
v=$($png frac "$(shot "$tmp/f6" qr)" 0 0.1 1 0.2 242 177 27 8)
check "f6: 'confirmation later' banner ($v)" gt "$v" 0.3
check "f6: never paid offline" sh -c "! ls '$tmp/f6' | grep -q paid"
check "f6: intent journaled" grep -q '"t":"intent"' \
    "$tmp/data-f6/journal.jsonl"
fake_start "$fport"
printf 'wait 2500\nquit\n' >"$tmp/idle.txt"
kiosk_run f6 "$furl" "$tmp/key" "$tmp/idle.txt"
kiosk_wait 20
c=$(fstate | jget - \
    "len([i for i in j['intents'] if i['code']=='$ocode'])")
check "f6: offline intent sent once ($c)" test "$c" = 1
kiosk_run f6 "$furl" "$tmp/key" "$tmp/idle.txt"
kiosk_wait 20
c=$(fstate | jget - \
    "len([i for i in j['intents'] if i['code']=='$ocode'])")
check "f6: not sent again ($c)" test "$c" = 1

# F7: cash recorded offline in collector mode, replayed exactly once.
cat >"$tmp/f7.txt" <<'EOF'
tap collector
wait-screen pin
tap key-1
tap key-2
tap key-3
tap key-4
tap ok
wait-screen collector
tap record-cash
wait-screen code
type A-12
key Return
wait-screen dues 15000
tap pay-all
wait-screen cash-confirm
tap confirm
wait-screen cash-done
tap done
wait-screen collector
wait 1500
screenshot
quit
EOF
fake_stop
cp -r "$tmp/data-f6" "$tmp/data-f7"
kiosk_run f7 "$furl" "$tmp/key" "$tmp/f7.txt" --collector-pin 1234 \
    --collector-name "Chị Lan"
kiosk_wait 40
check "f7: offline cash flow" test "$krc" -eq 0
check "f7: cash journaled" grep -q '"t":"cash"' "$tmp/data-f7/journal.jsonl"
check "f7: journal fsync'd file is complete JSON lines" python3 -c "
import json
for l in open('$tmp/data-f7/journal.jsonl'): json.loads(l)"
fake_start "$fport"
kiosk_run f7 "$furl" "$tmp/key" "$tmp/idle.txt"
kiosk_wait 20
c=$(fstate | jget - "len(j['cash'])")
check "f7: cash replayed ($c)" test "$c" = 1
check "f7: cash body" sh -c "curl -s '$furl/control/state' | \
grep -q '\"collector\": \"Ch'"
kiosk_run f7 "$furl" "$tmp/key" "$tmp/idle.txt"
kiosk_wait 20
c=$(fstate | jget - "len(j['cash'])")
check "f7: exactly once ($c)" test "$c" = 1
fake_stop

# F8: a server from before receipts had a public page (no `public_url`):
# the paid screen's QR is the signed receipt GET /v1/receipts/N gives.
fake_start 0 old
sed '$d' "$tmp/f1.txt" >"$tmp/f8.txt"
printf 'wait 2000\nscreenshot\nquit\n' >>"$tmp/f8.txt"
kiosk_run f8 "$furl" "$tmp/key" "$tmp/f8.txt"
wait_for 15 n_intents 1 && settle 1 paid 1510000
kiosk_wait 40
check "f8: older server: paid (exit $krc)" test "$krc" -eq 0
q=$(qr_of "$(shot "$tmp/f8" paid)")
want=$(curl -s -H "Authorization: Bearer k_test" \
    "$furl/v1/receipts/CHO-TT-2026-000501" | jget - "j['text']")
check "f8: the paid screen's QR is the signed receipt ($q)" \
    test "$q" = "$want"
fake_stop

# ---- the real chopay-server -----------------------------------------------
if [ -x "$server" ]; then
    sdir="$tmp/srv"
    srv_start --demo
    jget "$sdir/demo-credentials.json" "j['kiosks']['CHO-TT']" >"$tmp/skey"
    admin=$(jget "$sdir/demo-credentials.json" "j['admin_token']")
    pending() {
        curl -s -H "Authorization: Bearer $admin" \
            "$surl/v1/orgs/CHO-TT/intents?status=pending" |
            jget - "' '.join(str(i['id']) for i in j['intents'])"
    }
    cancel() {
        curl -s -X POST -H "Authorization: Bearer $(cat "$tmp/skey")" \
            -H "Idempotency-Key: cancel-$1" "$surl/v1/intents/$1/cancel" \
            >/dev/null
    }
    # R1: dues and intent from the real server; QR = server payload;
    # cancelled on the server -> expired on the kiosk.
    cat >"$tmp/r1.txt" <<'EOF'
wait-screen welcome
type A-12
key Return
wait-screen dues 5000
tap pay-all
wait-screen qr 5000
wait-screen expired 30000
quit
EOF
    kiosk_run r1 "$surl" "$tmp/skey" "$tmp/r1.txt"
    wait_for 15 sh -c "[ -n \"\$(ls '$tmp/r1' | grep qr)\" ]"
    id=$(pending)
    rq=$(qr_of "$(shot "$tmp/r1" qr)")
    sp=$(curl -s -H "Authorization: Bearer $(cat "$tmp/skey")" \
        "$surl/v1/intents/$id" | jget - "j['payload']")
    check "r1: QR on screen = server's payload" test "$rq" = "$sp"
    check "r1: independent decoder accepts it" sh -c "echo '$rq' | \
'$chopay' qr decode"
    cancel "$id"
    kiosk_wait 40
    check "r1: server cancel -> expired screen" test "$krc" -eq 0
    check "r1: screens" sh -c "ls '$tmp/r1' | tr '\n' ' ' | grep -q \
'001-welcome.png 002-code.png 003-dues.png 004-qr.png 005-expired.png'"

    # R6: the real money path: a signed bank notification for part of the
    # amount (chopay-server simulate transfer, the server's own ingestion)
    # -> partial with a new QR for the rest; the rest -> paid.
    cat >"$tmp/r6.txt" <<'EOF'
type A-15
key Return
wait-screen dues 5000
tap pay-all
wait-screen qr 5000
wait-screen partial 30000
wait 1500
screenshot
wait-screen paid 30000
wait 300
quit
EOF
    simulate() {
        "$server" simulate transfer --data-dir "$sdir" --org CHO-TT \
            --code "$1" --amount "$2" --server "$surl" >>"$tmp/sim.log" 2>&1
    }
    nth_intent() { grep 'intent id=' "$tmp/r6.log" | sed -n "${1}p"; }
    kiosk_run r6 "$surl" "$tmp/skey" "$tmp/r6.txt"
    if wait_for 15 sh -c "grep -q 'intent id=' '$tmp/r6.log'"; then
        l=$(nth_intent 1)
        c1=$(echo "$l" | sed 's/.*code=\([^ ]*\).*/\1/')
        a1=$(echo "$l" | sed 's/.*amount=\([0-9]*\).*/\1/')
        sleep 1
        simulate "$c1" 100000
        wait_for 20 sh -c "[ \$(grep -c 'intent id=' '$tmp/r6.log') -ge 2 ]"
        l=$(nth_intent 2)
        c2=$(echo "$l" | sed 's/.*code=\([^ ]*\).*/\1/')
        a2=$(echo "$l" | sed 's/.*amount=\([0-9]*\).*/\1/')
        check "r6: new intent for the rest ($a1 - 100000 = $a2)" \
            test "$((a1 - 100000))" = "$a2"
        sleep 2
        simulate "$c2" "$a2"
    else
        bad "r6: no intent"
    fi
    kiosk_wait 60
    check "r6: bank transfer -> partial -> paid" test "$krc" -eq 0
    check "r6: screens" sh -c "ls '$tmp/r6' | tr '\n' ' ' | grep -q \
'004-qr.png 005-partial.png 006-partial.png 007-paid.png'"
    pq=$(qr_of "$(shot "$tmp/r6" partial)")
    check "r6: partial QR is the rest" sh -c "echo '$pq' | '$chopay' qr \
decode | grep -q '\"amount\":${a2:-x}'"
    v=$($png frac "$(shot "$tmp/r6" paid)" 0 0 1 1 20 122 50 6)
    check "r6: paid screen green ($v)" gt "$v" 0.6

    # R7: the QR shows, then a collector records cash for the same
    # invoices: the server cancels the intent (invoices_paid_otherwise) and
    # the kiosk says they are paid, with no new QR offered.
    sed 's/A-12/A-16/' "$tmp/r1.txt" >"$tmp/r7.txt"
    kiosk_run r7 "$surl" "$tmp/skey" "$tmp/r7.txt"
    if wait_for 15 sh -c "grep -q 'intent id=' '$tmp/r7.log'"; then
        a7=$(grep 'intent id=' "$tmp/r7.log" | sed 's/.*amount=\([0-9]*\).*/\1/')
        sleep 1
        curl -s -o /dev/null -X POST \
            -H "Authorization: Bearer $(cat "$tmp/skey")" \
            -H "Idempotency-Key: r7-cash" -d "{\"payer\":\"A-16\",\
\"invoices\":\"all\",\"amount\":$a7,\"collector\":\"test\"}" \
            "$surl/v1/cash"
    fi
    kiosk_wait 40
    check "r7: cash for the same invoices -> expired screen" \
        test "$krc" -eq 0
    v=$($png frac "$(shot "$tmp/r7" expired)" 0 0.12 1 0.14 20 122 50 6)
    check "r7: 'already paid' variant (green stripe $v)" gt "$v" 0.8

    # R2: server killed while the QR shows, restarted: the long poll
    # comes back by itself.
    kiosk_run r2 "$surl" "$tmp/skey" "$tmp/r1.txt"
    wait_for 15 sh -c "[ -n \"\$(ls '$tmp/r2' | grep qr)\" ]"
    id=$(pending)
    port=${saddr##*:}
    kill -9 "$spid"
    wait "$spid" 2>/dev/null
    sleep 2
    srv_start serve "$port"
    cancel "$id"
    kiosk_wait 60
    check "r2: after the restart the kiosk hears the cancel" test "$krc" -eq 0

    # R3: cash online in collector mode.
    sed 's/A-12/A-13/' "$tmp/f7.txt" >"$tmp/r3.txt"
    kiosk_run r3 "$surl" "$tmp/skey" "$tmp/r3.txt" --collector-pin 1234
    kiosk_wait 40
    check "r3: collector cash online" test "$krc" -eq 0
    cashn() {
        curl -s -H "Authorization: Bearer $admin" \
            "$surl/v1/orgs/CHO-TT/payments?method=cash&payer=$1" |
            jget - "len(j['payments'])"
    }
    sleep 1
    check "r3: server has the cash payment" test "$(cashn A-13)" = 1

    # R4: cash while the server is down, replayed exactly once.
    port=${saddr##*:}
    kill "$spid"
    wait "$spid" 2>/dev/null
    sed 's/A-12/A-14/' "$tmp/f7.txt" >"$tmp/r4.txt"
    cp -r "$tmp/data-r3" "$tmp/data-r4"
    kiosk_run r4 "http://127.0.0.1:$port" "$tmp/skey" "$tmp/r4.txt" \
        --collector-pin 1234
    kiosk_wait 40
    check "r4: cash recorded offline" test "$krc" -eq 0
    srv_start serve "$port"
    check "r4: nothing on the server yet" test "$(cashn A-14)" = 0
    kiosk_run r4 "$surl" "$tmp/skey" "$tmp/idle.txt"
    kiosk_wait 20
    check "r4: replayed once" test "$(cashn A-14)" = 1
    kiosk_run r4 "$surl" "$tmp/skey" "$tmp/idle.txt"
    kiosk_wait 20
    check "r4: still once" test "$(cashn A-14)" = 1
    # The same record sent again by hand: the server's idempotency holds.
    python3 - "$tmp/data-r4/journal.jsonl" >"$tmp/replay.sh" <<'EOF'
import json, shlex, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("t") == "cash" and "A-14" in r["body"]:
        print("curl -s -o /dev/null -w '%%{http_code}' -X POST "
              "-H 'Idempotency-Key: %s' -H 'Content-Type: application/json' "
              "-d %s" % (r["key"], shlex.quote(r["body"])))
EOF
    code=$(sh -c "$(cat "$tmp/replay.sh") -H 'Authorization: Bearer \
$(cat "$tmp/skey")' $surl/v1/cash")
    check "r4: manual replay answered ($code)" test "${code%??}" = 2
    check "r4: manual replay changes nothing" test "$(cashn A-14)" = 1

    # R5: offline QR from a code the real server reserved; the server
    # comes back while the QR shows: the journaled intent is bound to the
    # code, the kiosk learns its id and hears the server-side cancel.
    cat >"$tmp/r5.txt" <<'EOF'
wait 2500
type A-12
key Return
wait-screen dues 20000
tap pay-all
wait-screen qr 20000
wait-screen expired 90000
quit
EOF
    kiosk_run r5 "$surl" "$tmp/skey" "$tmp/r5.txt"
    if wait_for 15 test -s "$tmp/data-r5/codes.json"; then
        ok
        port=${saddr##*:}
        kill "$spid"
        wait "$spid" 2>/dev/null
        wait_for 30 sh -c "ls '$tmp/r5' | grep -q qr"
        oq=$(qr_of "$(shot "$tmp/r5" qr)")
        ocode=$(echo "$oq" | "$chopay" qr decode | jget - "j['content']")
        check "r5: offline QR valid, reserved code ($ocode)" sh -c \
            "grep -q '$ocode' '$tmp/data-r5/journal.jsonl'"
        srv_start serve "$port"
        bound() {
            curl -s -H "Authorization: Bearer $admin" \
                "$surl/v1/orgs/CHO-TT/intents?status=pending" |
                jget - "[i['id'] for i in j['intents'] if i['code']=='$ocode']"
        }
        wait_for 30 sh -c "[ \"\$(curl -s -H 'Authorization: Bearer $admin' \
'$surl/v1/orgs/CHO-TT/intents' | grep -c '$ocode')\" -ge 1 ]"
        id=$(bound | tr -d '[] ')
        check "r5: server bound the offline code to an intent ($id)" \
            test -n "$id"
        sleep 2
        [ -n "$id" ] && cancel "$id"
        kiosk_wait 60
        check "r5: kiosk followed the bound intent to expired" \
            test "$krc" -eq 0
        n=$(curl -s -H "Authorization: Bearer $admin" \
            "$surl/v1/orgs/CHO-TT/intents" | grep -o "\"$ocode\"" | wc -l)
        check "r5: exactly one intent with the code ($n)" test "$n" -eq 1
        check "r5: never paid" sh -c "! ls '$tmp/r5' | grep -q paid"
    else
        bad "r5: no codes reserved (POST /v1/kiosk/codes)"
        kiosk_wait 5
    fi
    kill "$spid"
else
    echo "note: $server not built; real-server tests skipped" >&2
fi

finish
