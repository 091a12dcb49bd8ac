#!/bin/sh
# test_kiosk_org.sh: the kiosk against the real chopay-server --demo where
# the organisation's data matters:
#  * a payer with 15 open invoices: pages (▲/▼ buttons, swipe, wheel),
#    invoices chosen across pages, and the intent is exactly those;
#  * offline dues from the directory the server sent (each payer's open
#    invoices), for a stall and a student who paid part already, where a
#    guess from the fee schedule would be wrong;
#  * collector totals: the organisation's day from GET /v1/kiosk/totals
#    online (refreshed after a cash record), this kiosk's journal offline;
#  * the zones or classes offered, the code screen's title in the words of the
#    kiosk's audience: a school's parents, a market's vendors;
#  * a wrong kiosk clock (libfaketime, ten years behind): the countdown and
#    "today" come from the server (Date header, expires_in, totals date).
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
jget "$sdir/demo-credentials.json" "j['kiosks']['THCS-LQD']" >"$tmp/skey"
chmod 600 "$tmp/mkey" "$tmp/skey"
admin=$(jget "$sdir/demo-credentials.json" "j['admin_token']")
mk=$(cat "$tmp/mkey")
sk=$(cat "$tmp/skey")
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
vn_today=$(python3 -c "import datetime,time; \
print(datetime.datetime.utcfromtimestamp(time.time() + 7 * 3600).date())")

# ---- the directory carries categories and open invoices ---------------------
api "$mk" /v1/kiosk/directory >"$tmp/dir.json"
check "directory: payers carry their category" test "$(jget "$tmp/dir.json" \
    "[p['category'] for p in j['payers'] if p['code']=='A-12'][0]")" = A
n=$(jget "$tmp/dir.json" "sum(len(p['invoices']) for p in j['payers'])")
want=$(curl -s -H "Authorization: Bearer $admin" \
    "$surl/v1/orgs/CHO-TT/invoices?status=open&limit=1000" |
    jget - "len(j['invoices'])")
check "directory: every open invoice ($n of $want)" test "$n" = "$want"
check "directory: A-12's invoices = its dues" test \
    "$(jget "$tmp/dir.json" "[[i['id'],i['due']] for p in j['payers'] \
if p['code']=='A-12' for i in p['invoices']]")" = \
    "$(api "$mk" /v1/payers/A-12/dues | jget - "[[i['id'],i['due']] \
for i in j['invoices']]")"
check "directory: the school's too" test "$(api "$sk" /v1/kiosk/directory |
    jget - "len([p for p in j['payers'] if len(p['invoices'])==2])")" = 300

# ---- the welcome and code screens speak to the kiosk's audience ------------
# The school's welcome screen offers its classes ("Chọn lớp": twelve are
# too many to show there) and asks for a student code, the market's its
# zones ("Khu A") and a stall code (tapped by label: the label is the
# check); the header's title is the short one, not "stall or student".
cat >"$tmp/aud.txt" <<'EOF'
wait-screen welcome
wait 2500
tap @GROUP@
wait-screen pick
key Escape
wait-screen welcome
tap key-1
wait-screen code
wait 300
screenshot
quit
EOF
sed 's/@GROUP@/Chọn lớp/' "$tmp/aud.txt" >"$tmp/aud-s.txt"
sed 's/@GROUP@/Khu A/' "$tmp/aud.txt" >"$tmp/aud-m.txt"
kiosk_run auds "$surl" "$tmp/skey" "$tmp/aud-s.txt"
kiosk_wait 30
check "school kiosk: 'Chọn lớp' on the welcome screen (exit $krc)" \
    test "$krc" -eq 0
kiosk_run audm "$surl" "$tmp/mkey" "$tmp/aud-m.txt"
kiosk_wait 30
check "market kiosk: 'Khu A' on the welcome screen (exit $krc)" \
    test "$krc" -eq 0
s=$(shot "$tmp/auds" code)
m=$(shot "$tmp/audm" code)
# white title text on the dark header: "Nhập mã học sinh" reaches past
# "Nhập mã sạp", neither reaches the middle of the screen
v=$($png ink "$s" 0.45 0.01 0.75 0.1 17 17 17 40)
check "school: short code title ($v)" lt "$v" 0.01
v=$($png ink "$m" 0.45 0.01 0.75 0.1 17 17 17 40)
check "market: short code title ($v)" lt "$v" 0.01
vs=$($png ink "$s" 0.3 0.01 0.45 0.1 17 17 17 40)
vm=$($png ink "$m" 0.3 0.01 0.45 0.1 17 17 17 40)
check "school's title is the longer ($vs > $vm)" gt "$vs" "$(python3 -c "print($vm + 0.02)")"

# ---- taps from the welcome screen to the QR ---------------------------------
# A vendor taps the zone, the stall, "pay everything"; a parent "Chọn lớp",
# the class, the child, "pay everything". Each tap the kiosk makes is
# logged; at most 4 from the welcome screen to the QR code.
stall=$(jget "$tmp/dir.json" "[p['code'] for p in j['payers'] \
if p['zone']=='A' and p['invoices']][0]")
api "$sk" /v1/kiosk/directory >"$tmp/sdir.json"
cls=$(jget "$tmp/sdir.json" "j['payers'][0]['class']")
kid=$(jget "$tmp/sdir.json" "[p['code'] for p in j['payers'] \
if p['class']=='$cls' and p['invoices']][0]")
cat >"$tmp/taps-m.txt" <<EOF
wait-screen welcome
wait 2500
tap Khu A
wait-screen pick
tap $stall
wait-screen dues 5000
tap pay-all
wait-screen qr 5000
quit
EOF
cat >"$tmp/taps-s.txt" <<EOF
wait-screen welcome
wait 2500
tap Chọn lớp
wait-screen pick
tap Lớp $cls
tap $kid
wait-screen dues 5000
tap pay-all
wait-screen qr 5000
quit
EOF
kiosk_run tapm "$surl" "$tmp/mkey" "$tmp/taps-m.txt"
kiosk_wait 30
n=$(grep -c 'chopay-kiosk: tap ' "$tmp/tapm.log")
echo "taps: market, welcome to QR by zone and stall ($stall): $n" >&2
check "market: zone, stall, pay: QR after $n taps (exit $krc)" \
    sh -c "[ $krc -eq 0 ] && [ $n -le 4 ]"
kiosk_run taps "$surl" "$tmp/skey" "$tmp/taps-s.txt"
kiosk_wait 30
n=$(grep -c 'chopay-kiosk: tap ' "$tmp/taps.log")
echo "taps: school, welcome to QR by class and student ($kid): $n" >&2
check "school: class, student, pay: QR after $n taps (exit $krc)" \
    sh -c "[ $krc -eq 0 ] && [ $n -le 4 ]"
check "school: the student's pick screen shows names" test -n \
    "$(shot "$tmp/taps" pick)"

# ---- 15 open invoices, in pages -----------------------------------------------
for m in 2024-12 2025-01 2025-02 2025-03 2025-04 2025-05 2025-06 2025-07 \
    2025-08 2025-09 2025-10 2025-11 2025-12; do
    curl -s -o /dev/null -X POST -H "Authorization: Bearer $admin" \
        -d "{\"period\":\"$m\",\"fee\":\"THUE-A\"}" \
        "$surl/v1/orgs/CHO-TT/invoices/generate"
done
api "$mk" /v1/payers/A-5/dues >"$tmp/a5.json"
check "A-5 owes 15 invoices" test "$(jget "$tmp/a5.json" \
    "len(j['invoices'])")" = 15
inv() { jget "$tmp/a5.json" "j['invoices'][$1]['$2']"; }
cat >"$tmp/p1.txt" <<'EOF'
wait-screen welcome
type A-5
key Return
wait-screen dues 5000
tap select-none
tap page-down
tap inv-5
screenshot
tap pay-selected
wait-screen qr 5000
quit
EOF
kiosk_run p1 "$surl" "$tmp/mkey" "$tmp/p1.txt"
kiosk_wait 30
check "pages: page down, pick one on page 2, pay it (exit $krc)" \
    test "$krc" -eq 0
id1=$(intent_of "$tmp/p1.log" id)
check "pages: the intent's amount is that invoice's" \
    test "$(intent_of "$tmp/p1.log" amount)" = "$(inv 5 due)"
check "pages: the intent is for that invoice alone" test \
    "$(api "$mk" "/v1/intents/$id1" | jget - "j['invoices']")" = "[$(inv 5 id)]"
v=$($png frac "$(shot "$tmp/p1" dues)" 0.84 0.12 0.98 0.3 255 255 255 2)
check "pages: ▲ is live on page 2 ($v)" gt "$v" 0.5
# Without turning the page, row 5 is not on the screen to tap.
sed '/page-down/d' "$tmp/p1.txt" >"$tmp/p1b.txt"
kiosk_run p1b "$surl" "$tmp/mkey" "$tmp/p1b.txt"
KIOSK_MAY_FAIL=1
kiosk_wait 30
KIOSK_MAY_FAIL=
check "pages: page 1 shows no row 5 (exit $krc)" sh -c \
    "[ $krc -eq 3 ] && grep -q \"no button 'inv-5'\" '$tmp/p1b.log'"
# Swipes and the wheel: up to page 2, pick row 4, up to page 3, pick 8 and
# 9, wheel back to page 2, drop 4: rows 8 and 9 are paid.
cat >"$tmp/p2.txt" <<'EOF'
wait-screen welcome
type A-5
key Return
wait-screen dues 5000
tap select-none
swipe 300 280 300 80
tap inv-4
swipe 300 280 300 80
tap inv-8
tap inv-9
wheel 1
tap inv-4
wheel -1
tap inv-10
tap inv-10
tap pay-selected
wait-screen qr 5000
quit
EOF
kiosk_run p2 "$surl" "$tmp/mkey" "$tmp/p2.txt"
kiosk_wait 30
check "pages: swipes and wheel (exit $krc)" test "$krc" -eq 0
id2=$(intent_of "$tmp/p2.log" id)
check "pages: choices across pages held" test \
    "$(api "$mk" "/v1/intents/$id2" | jget - "sorted(j['invoices'])")" = \
    "$(python3 -c "print(sorted([$(inv 8 id), $(inv 9 id)]))")"
check "pages: amount of rows 8 and 9" test \
    "$(intent_of "$tmp/p2.log" amount)" = "$(($(inv 8 due) + $(inv 9 due)))"
# Portrait (a screen turned 90): more rows per page, same choosing.
sed -e 's/tap page-down/tap page-down/' "$tmp/p1.txt" |
    sed 's/tap inv-5/tap inv-12/' >"$tmp/p3.txt"
kiosk_run p3 "$surl" "$tmp/mkey" "$tmp/p3.txt" --rotate 90
kiosk_wait 30
check "pages turned 90: row 12 on page 2 (exit $krc)" test "$krc" -eq 0
check "pages turned 90: amount" test \
    "$(intent_of "$tmp/p3.log" amount)" = "$(inv 12 due)"
# The bank pays the first: a transfer in the day's totals, for this kiosk.
"$server" simulate transfer --data-dir "$sdir" --org CHO-TT \
    --code "$(intent_of "$tmp/p1.log" code)" \
    --amount "$(intent_of "$tmp/p1.log" amount)" --server "$surl" \
    >>"$tmp/sim.log" 2>&1
check "transfer for the page-2 invoice simulated" \
    grep -q '"outcome":"exact"' "$tmp/sim.log"

# ---- offline dues from the directory ------------------------------------------
# A stall whose daily fee is paid, a student who paid part of the tuition:
# the fee schedule would charge them the daily fee and the whole tuition.
d20=$(api "$mk" /v1/payers/B-20/dues | jget - "[i['id'] for i in \
j['invoices'] if i['label'].startswith('Phí chợ ngày')][0]")
rent20=$(api "$mk" /v1/payers/B-20/dues | jget - "[i['due'] for i in \
j['invoices'] if i['label'].startswith('Tiền thuê')][0]")
api "$mk" /v1/cash "{\"payer\":\"B-20\",\"invoices\":[$d20],\"amount\":10000,\
\"collector\":\"test\"}" >/dev/null
t5=$(api "$sk" /v1/payers/HS1005/dues | jget - "[i['id'] for i in \
j['invoices'] if i['label'].startswith('Học phí')][0]")
api "$sk" /v1/cash "{\"payer\":\"HS1005\",\"invoices\":[$t5],\"amount\":500000,\
\"collector\":\"test\"}" >/dev/null
due20=$(api "$mk" /v1/payers/B-20/dues | jget - "j['total_due']")
due5=$(api "$sk" /v1/payers/HS1005/dues | jget - "j['total_due']")
check "B-20 owes the rent only ($due20)" test "$due20" = "$rent20"
check "HS1005 owes the rest of the tuition and the insurance ($due5)" \
    test "$due5" = 1680400
# the code is typed once the server is down, however slow the machine
cat >"$tmp/off.txt" <<'EOF'
wait-file @STOPPED@ 120000
type @CODE@
key Return
wait-screen dues 20000
tap pay-all
wait-screen qr 20000
wait 500
quit
EOF
# typed as people do: the directory's B-20 is the only code like it
sed "s/@CODE@/b20/; s|@STOPPED@|$tmp/server-stopped|" "$tmp/off.txt" \
    >"$tmp/off-m.txt"
sed "s/@CODE@/HS1005/; s|@STOPPED@|$tmp/server-stopped|" "$tmp/off.txt" \
    >"$tmp/off-s.txt"
kiosk_run offm "$surl" "$tmp/mkey" "$tmp/off-m.txt"
mpid=$kpid
kiosk_run offs "$surl" "$tmp/skey" "$tmp/off-s.txt"
spid_k=$kpid
if wait_for 15 sh -c "test -s '$tmp/data-offm/directory.json' && \
test -s '$tmp/data-offs/directory.json' && \
test -s '$tmp/data-offm/codes.json' && test -s '$tmp/data-offs/codes.json'"; then
    ok
else
    bad "offline: the kiosks did not fetch the directory and codes"
fi
srv_stop
touch "$tmp/server-stopped"
kpid=$mpid n=offm
kiosk_wait 60
check "offline stall: QR shown (exit $krc)" test "$krc" -eq 0
kpid=$spid_k n=offs
kiosk_wait 60
check "offline student: QR shown (exit $krc)" test "$krc" -eq 0
check "offline stall: dues from the cached directory, b20 as B-20" \
    grep -q 'offline dues payer=B-20 invoices=1' "$tmp/offm.log"
check "offline student: dues from the cached directory" \
    grep -q 'offline dues payer=HS1005 invoices=2' "$tmp/offs.log"
v=$($png frac "$(shot "$tmp/offm" dues)" 0 0.12 1 0.18 242 177 27 8)
check "offline stall: amber banner ($v)" gt "$v" 0.3
for who in "m:$rent20" s:1680400; do
    q=$(qr_of "$(shot "$tmp/off${who%%:*}" qr)")
    check "offline ${who%%:*}: QR for the real dues, ${who#*:}" sh -c \
        "echo '$q' | '$chopay' qr decode | grep -q '\"amount\":${who#*:}'"
done

# ---- a directory over 1 MiB (a school with many invoices) -----------------
srv_start serve "$port"
for y in $(seq 2011 2025); do
    for h in HK1 HK2; do
        curl -s -o /dev/null -X POST -H "Authorization: Bearer $admin" \
            -d "{\"period\":\"$y-$h\",\"fee\":\"HOC-PHI\"}" \
            "$surl/v1/orgs/THCS-LQD/invoices/generate"
    done
done
printf 'wait 3000\nquit\n' >"$tmp/idle.txt"
kiosk_run big "$surl" "$tmp/skey" "$tmp/idle.txt"
kiosk_wait 30
sz=$(wc -c <"$tmp/data-big/directory.json" 2>/dev/null || echo 0)
check "big directory: kept whole ($sz bytes > 1 MiB)" test "$sz" -gt 1048576
check "big directory: HS1005's 32 open invoices in it" test "$(jget \
    "$tmp/data-big/directory.json" "[len(p['invoices']) for p in \
j['payers'] if p['code']=='HS1005'][0]")" = 32
check "big directory: no complaint" sh -c \
    "! grep -q 'directory reply not usable\\|reply_too_large' '$tmp/big.log'"

# ---- collector totals -------------------------------------------------------
api "$mk" /v1/kiosk/totals >"$tmp/tot0.json"
check "totals: today, Vietnam time" \
    test "$(jget "$tmp/tot0.json" "j['date']")" = "$vn_today"
check "totals: the page-2 transfer, made at this kiosk" test \
    "$(jget "$tmp/tot0.json" "[j['transfer']['count'], \
j['kiosk']['transfer']['amount']]")" = "[1, $(inv 5 due)]"
check "totals: ?date= and bad dates" sh -c "[ \"\$(curl -s -H \
'Authorization: Bearer $mk' '$surl/v1/kiosk/totals?date=2001-01-01' | \
python3 -c 'import json,sys; print(json.load(sys.stdin)[\"cash\"])')\" = \
\"{'count': 0, 'amount': 0}\" ] && curl -s -H 'Authorization: Bearer $mk' \
'$surl/v1/kiosk/totals?date=2026-02-30' | grep -q invalid_date"
check "totals: kiosk routes only" test "$(curl -s -o /dev/null -w '%{http_code}' \
    -H "Authorization: Bearer $admin" "$surl/v1/kiosk/totals")" != 200
c0=$(jget "$tmp/tot0.json" "j['cash']['count']")
a0=$(jget "$tmp/tot0.json" "j['cash']['amount']")
due21=$(api "$mk" /v1/payers/A-21/dues | jget - "j['total_due']")
cat >"$tmp/col.txt" <<'EOF'
tap collector
wait-screen pin
type 1234
key Return
wait-screen collector
wait 1500
screenshot
tap record-cash
type A-21
key Return
wait-screen dues 5000
tap pay-all
wait-screen cash-confirm
tap confirm
wait-screen cash-done
tap done
wait-screen collector
wait 3000
screenshot
quit
EOF
kiosk_run col "$surl" "$tmp/mkey" "$tmp/col.txt" --collector-pin 1234
kiosk_wait 40
check "collector online (exit $krc)" test "$krc" -eq 0
l1=$(grep 'totals source=server' "$tmp/col.log" | head -n 1)
l2=$(grep 'totals source=server' "$tmp/col.log" | tail -n 1)
check "collector: the organisation's totals ($l1)" test \
    "${l1#*date=}" = "$vn_today transfer=1:$(inv 5 due) cash=$c0:$a0"
check "collector: refreshed after the cash went ($l2)" test \
    "${l2#*date=}" = "$vn_today transfer=1:$(inv 5 due) \
cash=$((c0 + 1)):$((a0 + due21))"
v=$($png frac "$(ls "$tmp/col"/*-collector.png | head -n 1)" \
    0 0.1 1 0.2 242 177 27 8)
check "collector online: no offline banner ($v)" lt "$v" 0.05
srv_stop
cp -r "$tmp/data-col" "$tmp/data-colo"
sed 's/A-21/A-22/' "$tmp/col.txt" >"$tmp/colo.txt"
KDATA="$tmp/data-colo"
kiosk_run colo "$surl" "$tmp/mkey" "$tmp/colo.txt" --collector-pin 1234
kiosk_wait 40
KDATA=
check "collector offline (exit $krc)" test "$krc" -eq 0
l3=$(grep 'totals source=local' "$tmp/colo.log" | head -n 1)
check "collector offline: this kiosk's journal, today ($l3)" sh -c \
    "echo '$l3' | grep -q 'date=$vn_today transfer=0:0 cash=1:$due21 pending=0'"
v=$($png frac "$(ls "$tmp/colo"/*-collector.png | head -n 1)" \
    0 0.1 1 0.2 242 177 27 8)
check "collector offline: labelled (amber banner $v)" gt "$v" 0.3
check "collector offline: the new cash waits in the journal" python3 -c "
import json
recs = [json.loads(l) for l in open('$tmp/data-colo/journal.jsonl')]
cash = [r for r in recs if r.get('t') == 'cash' and r['payer'] == 'A-22']
sent = {r['key'] for r in recs if r.get('t') in ('sent', 'rejected')}
assert len(cash) == 1 and cash[0]['key'] not in sent"

# ---- a wrong clock -----------------------------------------------------------
# libfaketime of the kiosk's own architecture (the cross build's kiosk is
# arm64, under qemu-user), and of this machine's for `date`
ft=$(sh tests/faketime_lib.sh "$kiosk")
ftdate=$(sh tests/faketime_lib.sh "$(command -v date)")
if [ -z "$ft" ] || [ -z "$ftdate" ]; then
    bad "libfaketime is not installed (apt-get install faketime)"
    finish
fi
# faked: run the kiosk with its wall clock ten years behind (monotonic
# time untouched, as on a Pi that booted without a clock).
faked() {
    KIOSK_WRAP="env LD_PRELOAD=$ft FAKETIME=-3650d \
FAKETIME_DONT_FAKE_MONOTONIC=1 \
ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0"
    kiosk_run "$@"
    KIOSK_WRAP=
}
check "libfaketime turns the clock back" sh -c "[ \"\$(env LD_PRELOAD=$ftdate \
FAKETIME=-3650d date +%Y)\" -lt \"\$(date +%Y)\" ]"
srv_start serve "$port"
cat >"$tmp/clk.txt" <<'EOF'
wait-screen welcome
wait 2000
tap collector
wait-screen pin
type 1234
key Return
wait-screen collector
wait 1500
tap record-cash
type A-23
key Return
wait-screen dues 5000
tap pay-all
wait-screen cash-confirm
tap confirm
wait-screen cash-done
tap done
wait-screen collector
wait 2500
tap exit
wait-screen welcome
type A-24
key Return
wait-screen dues 5000
tap pay-all
wait-screen qr 5000
quit
EOF
faked clk "$surl" "$tmp/mkey" "$tmp/clk.txt" --collector-pin 1234
kiosk_wait 40
check "wrong clock: online flow (exit $krc)" test "$krc" -eq 0
check "wrong clock: totals of the server's day" \
    grep -q "totals source=server date=$vn_today" "$tmp/clk.log"
e=$(intent_of "$tmp/clk.log" expires_in)
check "wrong clock: countdown from the server (${e}s)" near "${e:-0}" 898 3
at=$(grep '"t":"cash"' "$tmp/data-clk/journal.jsonl" | tail -n 1 |
    jget - "j['at']")
check "wrong clock: cash stamped by the server's clock" \
    near "${at:-0}" "$(date +%s)" 120
# ---- paid in two parts: the whole on the paid screen, the receipt's QR -------
stall2=$(jget "$tmp/dir.json" "[p['code'] for p in j['payers'] \
if p['zone']=='B' and p['invoices']][0]")
cat >"$tmp/two.txt" <<EOF
wait-screen welcome
wait 1500
type $stall2
key Return
wait-screen dues 5000
tap pay-all
wait-screen qr 5000
wait-screen partial 30000
wait-screen paid 30000
wait 2000
screenshot
quit
EOF
noshots= kiosk_run two "$surl" "$tmp/mkey" "$tmp/two.txt"
wait_for 15 grep -q 'intent id=' "$tmp/two.log"
a1=$(intent_of "$tmp/two.log" amount)
"$server" simulate transfer --data-dir "$sdir" --org CHO-TT \
    --code "$(intent_of "$tmp/two.log" code)" --amount 100000 \
    --server "$surl" >>"$tmp/sim2.log" 2>&1
wait_for 20 sh -c "[ \$(grep -c 'intent id=' '$tmp/two.log') -ge 2 ]"
"$server" simulate transfer --data-dir "$sdir" --org CHO-TT \
    --code "$(intent_of "$tmp/two.log" code 2)" \
    --amount "$(intent_of "$tmp/two.log" amount 2)" \
    --server "$surl" >>"$tmp/sim2.log" 2>&1
kiosk_wait 60
check "two parts: partial, then paid (exit $krc)" test "$krc" -eq 0
check "two parts: the paid screen shows the whole ($a1)" \
    grep -q "paid amount=$((a1 - 100000)) in_all=$a1 " "$tmp/two.log"
q=$(qr_of "$(shot "$tmp/two" paid)")
rn=$(grep 'paid amount=' "$tmp/two.log" | sed 's/.*receipt=//')
check "two parts: the paid screen's QR is receipt $rn's public page ($q)" \
    test "$q" = "$surl$(api "$mk" "/v1/receipts/$rn" | jget - "j['public_url']")"
check "two parts: a phone opens it without a credential" \
    sh -c "curl -sf '$q' | grep -q 'Biên lai hợp lệ'"
# Offline after having heard the server: still the server's day.
sed -e 's/A-23/A-25/' -e '/tap exit/,$d' "$tmp/clk.txt" >"$tmp/clk2.txt"
echo quit >>"$tmp/clk2.txt"
KDATA="$tmp/data-clk2"
faked clk2 "$surl" "$tmp/mkey" "$tmp/clk2.txt" --collector-pin 1234
wait_for 15 test -s "$tmp/data-clk2/directory.json"
srv_stop
kiosk_wait 40
KDATA=
check "wrong clock, offline: cash recorded (exit $krc)" test "$krc" -eq 0
check "wrong clock, offline: local totals of the server's day" \
    grep -q "totals source=local date=$vn_today transfer=0:0 cash=1:" \
    "$tmp/clk2.log"
at=$(grep '"t":"cash"' "$tmp/data-clk2/journal.jsonl" | tail -n 1 |
    jget - "j['at']")
check "wrong clock, offline: cash stamped by the server's clock" \
    near "${at:-0}" "$(date +%s)" 120
# The fake server gives only an absolute expires_at: the kiosk takes it
# against the reply's Date header (its own clock would say 24 h or 0).
echo k_test >"$tmp/fkey"
chmod 600 "$tmp/fkey"
fake_start 0 abs-expiry
cat >"$tmp/abs.txt" <<'EOF'
type A-12
key Return
wait-screen dues 5000
tap pay-all
wait-screen qr 5000
wait 300
quit
EOF
faked abs "$furl" "$tmp/fkey" "$tmp/abs.txt"
kiosk_wait 30
e=$(intent_of "$tmp/abs.log" expires_in)
check "wrong clock, absolute expiry: countdown from Date (${e}s)" \
    near "${e:-0}" 898 3
fake_stop
finish
