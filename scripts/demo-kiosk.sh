#!/bin/sh
# demo-kiosk.sh BUILD DATA_DIR SERVER_URL: the kiosk part of `make demo`,
# against the demo server already running at SERVER_URL with its data in
# DATA_DIR. With a display ($DISPLAY or $WAYLAND_DISPLAY), the market's
# kiosk opens in a window (collector PIN 1234) until it is closed;
# without one, it runs headless through a scripted payment (the bank
# transfer simulated through the server's own ingestion) and keeps a
# screenshot of every screen.
set -eu
build=$1
data=$2
url=$3
kiosk="$build/bin/chopay-kiosk"
key="$data/market-kiosk.key"

# The market kiosk's key, from the demo's credentials.
python3 -c 'import json, sys
print(json.load(open(sys.argv[1]))["kiosks"]["CHO-TT"])' \
    "$data/demo-credentials.json" >"$key"
chmod 600 "$key"

if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    echo "demo: opening the market kiosk (collector PIN 1234);" \
         "close its window to go on"
    "$kiosk" --server "$url" --key-file "$key" --data-dir "$data/kiosk" \
        --collector-pin 1234 || true
    exit 0
fi

shots="$data/screens"
echo "demo: no display; running the kiosk headless through a scripted" \
     "payment"
CHOPAY_BUILD="$build" sh kiosk/demo-headless.sh "$url" "$key" "$shots" \
    "$data" ||
    echo "demo: the headless kiosk run failed; screens so far in $shots/" >&2
