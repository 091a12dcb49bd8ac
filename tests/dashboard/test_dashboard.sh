#!/bin/sh
# test_dashboard.sh [BUILD]: the web dashboard in a real browser (make
# dashboard-check). Starts chopay-server --demo on a free loopback port
# with a temporary data directory, adds a board user and a bank statement
# with unmatched credits, then drives Debian's headless Chromium through
# playwright-core (pinned in package-lock.json, installed with `npm ci` in
# a temporary directory): sign-in, every page, a review action, a CSV
# export, the English toggle and sign-out. Screenshots of each page go to
# $CHOPAY_BUILD/dash-screens/. Last line: "N passed, N failed".
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
"$server" --demo --data-dir "$data" --listen 127.0.0.1:0 \
    >"$work/server.log" 2>&1 &
pid=$!
i=0
while [ ! -s "$data/server.addr" ]; do
    i=$((i + 1))
    [ $i -gt 100 ] && { cat "$work/server.log" >&2; fail "server did not start"; }
    sleep 0.1
done
addr=$(cat "$data/server.addr")

# The market board's user that --demo creates, with its password.
password=$(python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["dashboard"]["password"])' \
    "$data/demo-credentials.json") || fail "no dashboard user in the demo"

# Two credits without a payment code (Vietnam's today): the review queue.
today=$(TZ=Asia/Ho_Chi_Minh date +%d/%m/%Y)
printf '%s\r\n' \
    '"SAO KÊ TÀI KHOẢN","1023456789",,,' \
    'STT,Ngày giao dịch,Số bút toán,Số tiền ghi có,Nội dung,Tên người chuyển' \
    "1,$today 08:15:00,FT26DASH0001,\"1,500,000\",Nop tien thue sap,HO THANH NGAN" \
    "2,$today 09:40:00,FT26DASH0002,\"200,000\",chuyen tien,TRAN VAN BINH" \
    >"$work/stmt.csv"
"$server" import statement "$work/stmt.csv" --format csv --org CHO-TT \
    --data-dir "$data" >"$work/import.log" 2>&1 ||
    { cat "$work/import.log" >&2; fail "statement import failed"; }

mkdir -p "$build/dash-screens" || fail "cannot create $build/dash-screens"
shots=$(cd "$build/dash-screens" && pwd)
rm -f "$shots"/*.png "$shots"/*.csv
(cd "$work" && CHOPAY_URL="http://$addr" CHOPAY_SHOTS="$shots" \
    CHOPAY_CHROMIUM="$chromium" CHOPAY_PASSWORD="$password" node dashboard.js)
rc=$?
if [ $rc -ne 0 ]; then
    echo "--- server log" >&2
    tail -20 "$work/server.log" >&2
fi
exit $rc
