#!/bin/sh
# demo-headless.sh SERVER_URL KEY_FILE OUT_DIR [SERVER_DATA_DIR]: the kiosk
# without a display, through a scripted payment (kiosk/demo-pay.txt: a
# stall that owes something pays all) against a running chopay-server, writing a PNG of every
# screen to OUT_DIR. While the QR shows, the bank transfer is simulated:
# by $CHOPAY_DEMO_PAY if set (a shell command; $INTENT, $CODE, $AMOUNT are
# exported), else with SERVER_DATA_DIR by `chopay-server simulate transfer`
# (a signed SePay notification through the server's own ingestion), else
# the intent is cancelled and the run ends on the expired screen.
# Reads $CHOPAY_BUILD (default build).
set -u
build=${CHOPAY_BUILD:-build}
url=${1:?usage: demo-headless.sh SERVER_URL KEY_FILE OUT_DIR}
key=${2:?key file}
out=${3:?output folder}
sdata=${4:-}
here=$(dirname "$0")
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
mkdir -p "$out"
rm -f "$out"/*.png
# A stall that still owes something ($CHOPAY_DEMO_STALL, else the first
# of A-12, A-1..D-30 with open invoices), typed on the keypad.
stall=${CHOPAY_DEMO_STALL:-}
if [ -z "$stall" ]; then
    for z in A B C D; do
        for n in 12 $(seq 1 30); do
            due=$(curl -s -H "Authorization: Bearer $(cat "$key")" \
                "$url/v1/payers/$z-$n/dues" | python3 -c \
                "import json,sys; print(json.load(sys.stdin).get('total_due', 0))" \
                2>/dev/null)
            if [ "${due:-0}" -gt 0 ] 2>/dev/null; then
                stall=$z-$n
                break 2
            fi
        done
    done
fi
[ -n "$stall" ] || { echo "demo: no stall owes anything" >&2; exit 1; }
taps=$(echo "$stall" | sed 's/./tap key-&\\n/g')
sed "s/^@TAPS@\$/$taps/" "$here/demo-pay.txt" >"$data/pay.txt"
echo "demo: stall $stall pays what it owes"
"$build/bin/chopay-kiosk" --headless --no-sound --size 1024x600 \
    --server "$url" --key-file "$key" --data-dir "$data" \
    --script "$data/pay.txt" --screenshot-dir "$out" \
    2>"$data/kiosk.log" &
kpid=$!
i=0
while ! grep -q 'intent id=' "$data/kiosk.log" 2>/dev/null; do
    i=$((i + 1))
    if [ "$i" -gt 300 ] || ! kill -0 "$kpid" 2>/dev/null; then
        echo "demo: the kiosk did not get a payment QR:" >&2
        cat "$data/kiosk.log" >&2
        kill "$kpid" 2>/dev/null
        exit 1
    fi
    sleep 0.1
done
line=$(grep 'intent id=' "$data/kiosk.log" | head -n 1)
INTENT=$(echo "$line" | sed 's/.*id=\([^ ]*\).*/\1/')
CODE=$(echo "$line" | sed 's/.*code=\([^ ]*\).*/\1/')
AMOUNT=$(echo "$line" | sed 's/.*amount=\([0-9]*\).*/\1/')
export INTENT CODE AMOUNT
sleep 1
qr=$(ls "$out"/*-qr.png 2>/dev/null | head -n 1)
if [ -n "$qr" ] && command -v zbarimg >/dev/null; then
    echo "demo: the QR on screen decodes to:"
    zbarimg --raw -q "$qr" 2>/dev/null | "$build/bin/chopay" qr decode
    echo
fi
if [ -n "${CHOPAY_DEMO_PAY:-}" ]; then
    echo "demo: simulating the bank transfer of $AMOUNT đ with code $CODE"
    sh -c "$CHOPAY_DEMO_PAY"
elif [ -n "$sdata" ]; then
    echo "demo: the bank notifies the server: $AMOUNT đ with code $CODE"
    "$build/bin/chopay-server" simulate transfer --data-dir "$sdata" \
        --org CHO-TT --code "$CODE" --amount "$AMOUNT" --server "$url"
else
    echo "demo: no bank simulation (CHOPAY_DEMO_PAY): cancelling intent $INTENT"
    curl -s -o /dev/null -X POST -H "Authorization: Bearer $(cat "$key")" \
        -H "Idempotency-Key: demo-cancel-$INTENT" \
        "$url/v1/intents/$INTENT/cancel"
fi
wait "$kpid"
rc=$?
echo "demo: screenshots in $out:"
ls "$out"
exit "$rc"
