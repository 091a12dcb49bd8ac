#!/bin/sh
# test_loa_server.sh: chopay-loa against the real chopay-server --demo.
# The board links a feed for stall A-1 (it has its own account), the
# speaker long-polls with the stall key (SDL's disk audio driver writes
# what it plays to a file), and a SePay notification of 125.000 đồng,
# signed outside the code under test (tests/server/sign_webhook.py), is
# posted to the stall's path: the speaker plays the beep, "đã nhận" and
# "một trăm hai mươi lăm nghìn đồng", sample for sample (disk_audio.py);
# the time from the webhook's 200 to the sound is printed; the same
# notification again is not said again; the board's `chopay-server check`
# stays clean. Ends with "N passed, N failed".
set -u
build=${CHOPAY_BUILD:-build}
loa="$build/bin/chopay-loa"
server="$build/bin/chopay-server"
here=$(cd "$(dirname "$0")" && pwd)
clips=$(cd "$here/../../assets/loa" && pwd)
sign="$here/../server/sign_webhook.py"
tmp=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "test_loa_server: files in $tmp"
spid=""
lpid=""
trap '[ -n "$lpid" ] && kill "$lpid" 2>/dev/null
[ -n "$spid" ] && kill "$spid" 2>/dev/null
wait 2>/dev/null
[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { # check NAME COMMAND...
    name=$1
    shift
    if "$@" >/dev/null 2>&1; then ok; else bad "$name"; fi
}
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ]
    exit $?
}
# wait_for SECONDS COMMAND...: until the command succeeds, every 10 ms.
wait_for() {
    n=$(($1 * 100))
    shift
    while ! "$@" >/dev/null 2>&1; do
        n=$((n - 1))
        [ $n -le 0 ] && return 1
        sleep 0.01
    done
}
# jget FILE EXPR: a Python expression on the JSON `j` of FILE.
jget() { python3 -c "import json; j = json.load(open('$1')); print($2)"; }
now_ns() { date +%s%N; }
said() { grep -c "^chopay-loa: say $1: " "$tmp/loa.log"; }

# ---- the server on the demo data, a board token --------------------------
mkdir -p "$tmp/srv"
"$server" --demo --listen 127.0.0.1:0 --data-dir "$tmp/srv" \
    >"$tmp/srv.out" 2>"$tmp/srv.log" &
spid=$!
wait_for 20 test -s "$tmp/srv/server.addr" || {
    bad "server start: $(tail -n 5 "$tmp/srv.log")"
    finish
}
url="http://$(cat "$tmp/srv/server.addr")"
board=$("$server" token add --role board --org CHO-TT \
    --data-dir "$tmp/srv" 2>/dev/null | tail -n 1)
check "board token" test -n "$board"
"$server" check --data-dir "$tmp/srv" >"$tmp/check0" 2>&1
check "check clean before" test $? -eq 0

# ---- the board links the feed of A-1 (its own account) -------------------
curl -s -H "Authorization: Bearer $board" \
    "$url/v1/orgs/CHO-TT/payers?limit=1000" >"$tmp/payers.json"
account=$(jget "$tmp/payers.json" \
    "[p['bank_account'] for p in j['payers'] if p['code'] == 'A-1'][0]")
check "A-1 has its own account" test -n "$account"
hmac_key=whk_loa_e2e_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
code=$(curl -s -o "$tmp/link.json" -w '%{http_code}' -X POST \
    -H "Authorization: Bearer $board" -H 'Content-Type: application/json' \
    --data "{\"provider\":\"sepay\",\"consent_by\":\"Chủ sạp A-1\",\
\"hmac_key\":\"$hmac_key\"}" "$url/v1/orgs/CHO-TT/payers/A-1/feed")
check "board links the feed: 201" test "$code" = 201
path=$(jget "$tmp/link.json" "j['path']" 2>/dev/null)
jget "$tmp/link.json" "j['stall_key']" >"$tmp/key" 2>/dev/null
check "stall path" test -n "$path"
check "stall key" test -s "$tmp/key"

# ---- the speaker ---------------------------------------------------------
cat >"$tmp/loa.conf" <<EOC
[server]
url = $url
key_file = $tmp/key
wait = 25
[speaker]
volume = 100
late_after_min = 5
clips_dir = $clips
[state]
file = $tmp/last-id
EOC
SDL_AUDIODRIVER=disk SDL_DISKAUDIODELAY=5 SDL_DISKAUDIOFILE="$tmp/said.raw" \
    "$loa" --config "$tmp/loa.conf" 2>"$tmp/loa.log" &
lpid=$!
wait_for 10 grep -q "polling $url after id 0" "$tmp/loa.log"
check "speaker polls the server" test $? -eq 0
sleep 1 # its long poll is waiting

# hook AMOUNT REF: write a SePay notification of AMOUNT to stall A-1's
# account with bank reference REF to $tmp/hook-REF.json, signed with the
# feed's secret; the curl arguments to post it in $tmp/hook-REF.args.
hook() {
    when=$(TZ=Asia/Ho_Chi_Minh date '+%Y-%m-%d %H:%M:%S')
    printf '{"id":%s,"gateway":"MBBank","transactionDate":"%s",%s' \
        "$(($1 + 7))" "$when" "\"accountNumber\":\"$account\"," \
        >"$tmp/hook-$2.json"
    printf '"code":null,"content":"NGUYEN VAN KHACH chuyen tien",%s' \
        '"transferType":"in",' >>"$tmp/hook-$2.json"
    printf '"transferAmount":%s,"accumulated":0,"subAccount":null,%s}' \
        "$1" "\"referenceCode\":\"$2\",\"description\":\"BankAPINotify $2\"" \
        >>"$tmp/hook-$2.json"
    ts=$(date +%s)
    sig=$(python3 "$sign" sepay "$hmac_key" "$ts" "$tmp/hook-$2.json")
    printf '%s\n' "X-SePay-Timestamp: $ts" "X-SePay-Signature: sha256=$sig" \
        >"$tmp/hook-$2.headers"
}
# post REF: post the notification REF; prints the status, the answer in
# $tmp/answer.json.
post() {
    curl -s -o "$tmp/answer.json" -w '%{http_code}' -X POST \
        -H 'Content-Type: application/json' -H @"$tmp/hook-$1.headers" \
        --data-binary @"$tmp/hook-$1.json" "$url$path"
}

# ---- a payment of 125.000 đồng -------------------------------------------
hook 125000 FT26341125000
code=$(post FT26341125000)
t0=$(now_ns)
check "webhook answered 200" test "$code" = 200
check "webhook counted once" test "$(jget "$tmp/answer.json" "j['counted']")" = 1
wait_for 10 test -e "$tmp/said.raw"
t1=$(now_ns)
wait_for 15 grep -q "^chopay-loa: say 125000: " "$tmp/loa.log"
t2=$(now_ns)
ms=$(((t1 - t0) / 1000000))
echo "# sound started $ms ms after the webhook's 200" \
    "(said in full after $(((t2 - t0) / 1000000)) ms)"
check "announced within 10 s" test "$ms" -lt 10000
check "said 125000 once" test "$(said 125000)" -eq 1
check "said as một trăm hai mươi lăm nghìn đồng" grep -qx \
    "chopay-loa: say 125000: beep gap da-nhan mot tram hai muoi lam nghin dong" \
    "$tmp/loa.log"
if python3 "$here/disk_audio.py" "$tmp/said.raw" "$clips" beep gap da-nhan \
    mot tram hai muoi lam nghin dong >"$tmp/cmp" 2>&1; then ok; else
    bad "125000 played: $(cat "$tmp/cmp")"
fi

# ---- the same notification again: counted and said once ------------------
code=$(post FT26341125000)
check "again: 200" test "$code" = 200
check "again: a duplicate" \
    test "$(jget "$tmp/answer.json" "(j['counted'], j['duplicates'])")" = "(0, 1)"
# a later payment: once it is said, anything before it has been too
hook 50000 FT26341050000
code=$(post FT26341050000)
check "next payment: 200" test "$code" = 200
wait_for 15 grep -q "^chopay-loa: say 50000: " "$tmp/loa.log"
check "next payment said" test "$(said 50000)" -eq 1
check "125000 not said twice" test "$(said 125000)" -eq 1
check "nothing else said" test "$(grep -c '^chopay-loa: say ' "$tmp/loa.log")" -eq 2
if python3 "$here/disk_audio.py" "$tmp/said.raw" "$clips" beep gap da-nhan \
    nam muoi nghin dong >"$tmp/cmp" 2>&1; then ok; else
    bad "50000 played: $(cat "$tmp/cmp")"
fi

# ---- the speaker stops; the board's books are clean ----------------------
kill -TERM "$lpid"
wait "$lpid"
check "speaker stops with status 0" test $? -eq 0
lpid=""
check "state file holds an id" grep -qx '[0-9][0-9]*' "$tmp/last-id"
curl -s -H "Authorization: Bearer $board" \
    "$url/v1/orgs/CHO-TT/payers/A-1/feed" >"$tmp/feed.json"
check "board sees the day's total only" test \
    "$(jget "$tmp/feed.json" "[(d['payments'], d['amount']) for d in j['days']]")" \
    = "[(2, 175000)]"
"$server" check --data-dir "$tmp/srv" >"$tmp/check1" 2>&1
check "check clean after" test $? -eq 0
check "ledger ok" grep -q "^ledger ok: " "$tmp/check1"
finish
