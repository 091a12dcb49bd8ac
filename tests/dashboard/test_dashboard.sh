#!/bin/sh
# test_dashboard.sh [BUILD]: the web dashboard in a real browser (part of
# make check; make dashboard-check alone). Starts chopay-server --demo on a
# free loopback port with a temporary data directory (its board user), adds
# an admin and an auditor dashboard user and a bank statement with
# unmatched credits, then drives Debian's headless Chromium through
# playwright-core (pinned in package-lock.json, installed with `npm ci` in
# a temporary directory):
# sign-in, every page, a statement upload (a wrong one, then the right
# one), review actions, the day close, a refund, a receipt and its print
# view, a standee, fees and invoice generation, CSV exports, the English
# toggle, a forged organisation, the auditor's read-only pages, the
# admin's organisation picker, a provincial officer's page and the
# admin's view across provinces.
# Screenshots of each page and the CSVs go to $BUILD/dash-screens/.
# The market's earlier payments are made through the API with the
# server's clock turned back (libfaketime), so they carry their real dates.
# Last line: "N passed, N failed".
set -u
build=${1:-${CHOPAY_BUILD:?usage: test_dashboard.sh BUILD}}
here=$(cd "$(dirname "$0")" && pwd)
server="$build/bin/chopay-server"
chromium=${CHOPAY_CHROMIUM:-/usr/bin/chromium}

fail() {
    echo "dashboard: $*" >&2
    echo "0 passed, 1 failed"
    exit 1
}

command -v node >/dev/null 2>&1 || fail "node is missing (apt-get install nodejs)"
command -v npm >/dev/null 2>&1 || fail "npm is missing (apt-get install npm)"
# playwright-core 1.61 needs Node.js 18 or later: Debian 12's own nodejs
# will do (the newer releases need 20)
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null)
[ "${node_major:-0}" -ge 18 ] 2>/dev/null ||
    fail "node $(node --version 2>/dev/null) is too old: playwright-core needs 18"
[ -x "$chromium" ] || fail "$chromium is missing (apt-get install chromium)"
[ -x "$server" ] || fail "$server missing: run make first"

work=$(mktemp -d "${TMPDIR:-/tmp}/chopay-dash.XXXXXX") || fail "mktemp"
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

cp "$here/package.json" "$here/package-lock.json" "$here/dashboard.js" \
    "$work/" || fail "cannot copy the test files"
(cd "$work" && npm ci --silent --no-audit --no-fund --prefer-offline \
    >npm.log 2>&1) || { cat "$work/npm.log" >&2; fail "npm ci failed"; }

data="$work/data"
# libfaketime of the server's own architecture (the cross build's server
# is arm64, under qemu-user)
ft=$(sh "$here/../faketime_lib.sh" "$server")
[ -n "$ft" ] || fail "libfaketime is missing (apt-get install faketime)"

# start_server [DAYS]: chopay-server --demo on $data, its clock DAYS days
# behind when given (libfaketime; monotonic time untouched); sets $addr.
start_server() {
    rm -f "$data/server.addr"
    if [ -n "${1:-}" ]; then
        env LD_PRELOAD="$ft" FAKETIME="-${1}d" FAKETIME_DONT_FAKE_MONOTONIC=1 \
            ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" \
            "$server" --demo --data-dir "$data" --listen 127.0.0.1:0 \
            >>"$work/server.log" 2>&1 &
    else
        "$server" --demo --data-dir "$data" --listen 127.0.0.1:0 \
            >>"$work/server.log" 2>&1 &
    fi
    pid=$!
    i=0
    while [ ! -s "$data/server.addr" ]; do
        i=$((i + 1))
        kill -0 "$pid" 2>/dev/null ||
            { cat "$work/server.log" >&2; pid=; fail "server exited"; }
        [ $i -gt 1200 ] && { cat "$work/server.log" >&2; fail "server did not start"; }
        sleep 0.1
    done
    addr=$(cat "$data/server.addr")
}

stop_server() {
    kill "$pid" && wait "$pid"
    pid=
}

# The market's earlier months and days for the province's charts and the
# payers' pages, made through the API as they happened: the demo market
# opens four months ago (the 10th), and on that day, 40 days ago (the
# previous 30 days: a trend), 12 and 5 days ago its server, its clock
# turned back to each day, takes transfers and cash (history.py); none in
# the months and days between (gaps in the lines, not 0 %). Then the
# server runs on today's clock.
days=$(python3 -c 'import datetime, sys
today = datetime.date.fromisoformat(sys.argv[1])
m = today.month - 1 - 4
first = datetime.date(today.year + m // 12, m % 12 + 1, 10)
print((today - first).days, 40, 12, 5)' "$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%d)") ||
    fail "cannot count the earlier days"
set -- 4 2 6 3 3 2 5 1 # transfers and cash of each day, in the order of $days
for back in $days; do
    start_server "$back"
    python3 "$here/history.py" "$data/demo-credentials.json" "$addr" "$server" \
        "$data" "$ft" "$back" "$1" "$2" >>"$work/history.log" 2>&1 ||
        { cat "$work/history.log" "$work/server.log" >&2; fail "payments $back days ago failed"; }
    shift 2
    stop_server
done
history=$(for back in $days; do
    TZ=Asia/Ho_Chi_Minh date -d "-$back days" +%Y-%m-%d; done | tr '\n' ' ')
start_server

# The market board's user that --demo creates, with its password.
password=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["dashboard"]["password"])' \
    "$data/demo-credentials.json") || fail "no dashboard user in the demo"

# An admin dashboard user (every organisation: the organisation picker).
admin_pw="quan-tri-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$admin_pw" | "$server" user add --role admin --name quantri \
    --data-dir "$data" >"$work/useradd.log" 2>&1 ||
    { cat "$work/useradd.log" >&2; fail "cannot add the admin user"; }

# An auditor of the market: reads every page, changes nothing.
audit_pw="kiem-toan-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$audit_pw" | "$server" user add --role auditor --org CHO-TT \
    --name kiemtoan --data-dir "$data" >"$work/useradd.log" 2>&1 ||
    { cat "$work/useradd.log" >&2; fail "cannot add the auditor user"; }

# A provincial officer of Đà Nẵng (both demo organisations), named the
# way someone types it without diacritics; a market in another province
# that the officer must not see.
prov_pw="so-tai-chinh-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
python3 -c 'import json, sys, urllib.request
c = json.load(open(sys.argv[1]))
def call(method, path, body):
    q = urllib.request.Request("http://" + sys.argv[2] + path, method=method,
                               data=json.dumps(body).encode(),
                               headers={"Authorization": "Bearer " + c["admin_token"],
                                        "Content-Type": "application/json"})
    urllib.request.urlopen(q).read()
call("POST", "/v1/orgs", {"code": "CHO-HUE", "kind": "market", "name": "Chợ Đông Ba",
                          "bank_bin": "970436", "account": "5023456789",
                          "account_name": "BQL CHO DONG BA", "prefix": "DB"})
call("PUT", "/v1/orgs/CHO-HUE/province", {"province": "Thừa Thiên Huế"})' \
    "$data/demo-credentials.json" "$addr" >"$work/hue.log" 2>&1 ||
    { cat "$work/hue.log" >&2; fail "cannot add the market of Huế"; }
printf '%s\n' "$prov_pw" | "$server" user add --role province --province "Da Nang" \
    --name tinh.dn --data-dir "$data" >"$work/useradd.log" 2>&1 ||
    { cat "$work/useradd.log" >&2; fail "cannot add the province user"; }

# The sender of the first credit is stall A-1's vendor, named as banks
# write it (ASCII capitals): the review queue suggests A-1 by name. Read
# from the server, not assumed.
sender=$(python3 -c 'import json, sys, unicodedata, urllib.request
c = json.load(open(sys.argv[1]))
q = urllib.request.Request("http://" + sys.argv[2] + "/v1/orgs/CHO-TT/payers",
                           headers={"Authorization": "Bearer " + c["admin_token"]})
p = [x for x in json.load(urllib.request.urlopen(q))["payers"] if x["code"] == "A-1"]
n = p[0]["name"].split(" (")[0].replace("Đ", "D").replace("đ", "d")
n = "".join(ch for ch in unicodedata.normalize("NFD", n)
            if not unicodedata.combining(ch))
print(n.upper())' "$data/demo-credentials.json" "$addr") ||
    fail "cannot read stall A-1"

# Two credits without a payment code (Vietnam's today): the review queue.
today=$(TZ=Asia/Ho_Chi_Minh date +%d/%m/%Y)
iso=$(TZ=Asia/Ho_Chi_Minh date +%Y-%m-%d)
printf '%s\r\n' \
    '"SAO KÊ TÀI KHOẢN","1023456789",,,' \
    'STT,Ngày giao dịch,Số bút toán,Số tiền ghi có,Nội dung,Tên người chuyển' \
    "1,$today 00:05:00,FT26DASH0001,\"1,500,000\",Nop tien thue sap,$sender" \
    "2,$today 00:10:00,FT26DASH0002,\"200,000\",chuyen tien,TRAN VAN BINH" \
    >"$work/stmt.csv"
"$server" import statement "$work/stmt.csv" --format csv --org CHO-TT \
    --data-dir "$data" >"$work/import.log" 2>&1 ||
    { cat "$work/import.log" >&2; fail "statement import failed"; }

# The statements the accountant uploads in the browser, dated yesterday
# (today's figures stay those of the statement above): one with a typing
# error on its fourth line, then the corrected one with running balances
# (an over-payment for stall D-1 and a bank fee).
yday=$(TZ=Asia/Ho_Chi_Minh date -d yesterday +%d/%m/%Y)
yiso=$(TZ=Asia/Ho_Chi_Minh date -d yesterday +%Y-%m-%d)
up_head='STT,Ngày giao dịch,Số bút toán,Số tiền ghi có,Số tiền ghi nợ,Nội dung,Tên người chuyển,Số dư'
printf '%s\r\n' '"SAO KÊ TÀI KHOẢN","1023456789",,,' "$up_head" \
    "1,$yday 08:05:00,FT26UPLD0001,\"2,000,000\",,Nop tien sap D1,LE VAN DUNG,\"12,000,000\"" \
    "2,$yday 16:00:00,FT26UPLD0002,,\"11.OOO\",Phi quan ly tai khoan,,\"11,989,000\"" \
    >"$work/upload-bad.csv"
printf '%s\r\n' '"SAO KÊ TÀI KHOẢN","1023456789",,,' "$up_head" \
    "1,$yday 08:05:00,FT26UPLD0001,\"2,000,000\",,Nop tien sap D1,LE VAN DUNG,\"12,000,000\"" \
    "2,$yday 16:00:00,FT26UPLD0002,,\"11,000\",Phi quan ly tai khoan,,\"11,989,000\"" \
    >"$work/upload-good.csv"

mkdir -p "$build/dash-screens" || fail "cannot create $build/dash-screens"
shots=$(cd "$build/dash-screens" && pwd)
rm -f "$shots"/*.png "$shots"/*.csv
(cd "$work" && CHOPAY_URL="http://$addr" CHOPAY_SHOTS="$shots" \
    CHOPAY_CHROMIUM="$chromium" CHOPAY_PASSWORD="$password" \
    CHOPAY_ADMIN_PASSWORD="$admin_pw" CHOPAY_AUDITOR_PASSWORD="$audit_pw" CHOPAY_DATE="$iso" CHOPAY_SENDER="$sender" \
    CHOPAY_PROVINCE_PASSWORD="$prov_pw" \
    CHOPAY_UPLOAD_BAD="$work/upload-bad.csv" CHOPAY_UPLOAD_GOOD="$work/upload-good.csv" \
    CHOPAY_YDAY="$yiso" CHOPAY_HISTORY="$history" \
    HOME="$work" \
    node dashboard.js)
rc=$?
if [ $rc -ne 0 ]; then
    echo "--- server log" >&2
    tail -20 "$work/server.log" >&2
fi
exit $rc
