#!/bin/sh
# demo.sh BUILD: run chopay on its embedded default (SQLite in ./var) with
# the demo data: the server in the background, then the kiosk against it
# (in a window when there is a display, otherwise headless through a
# scripted payment whose screenshots are kept). The server keeps running
# in the foreground until Ctrl-C.
set -eu
build=${1:-build}
data=${CHOPAY_DEMO_DIR:-var}
listen=${CHOPAY_DEMO_LISTEN:-127.0.0.1:8080}
server="$build/bin/chopay-server"
kiosk="$build/bin/chopay-kiosk"

mkdir -p "$data"
rm -f "$data/server.addr"
"$server" --demo --data-dir "$data" --listen "$listen" &
spid=$!
trap 'kill $spid 2>/dev/null; wait $spid 2>/dev/null' INT TERM EXIT

# Wait until the server is listening.
i=0
until [ -s "$data/server.addr" ] && \
      curl -fsS "http://$(cat "$data/server.addr")/healthz" >/dev/null 2>&1
do
    i=$((i + 1))
    if [ "$i" -gt 100 ] || ! kill -0 $spid 2>/dev/null; then
        echo "demo: the server did not start (is $listen in use? set" \
             "CHOPAY_DEMO_LISTEN=127.0.0.1:PORT)" >&2
        exit 1
    fi
    sleep 0.1
done
url="http://$(cat "$data/server.addr")"

if [ -x "$kiosk" ] && [ -f scripts/demo-kiosk.sh ]; then
    sh scripts/demo-kiosk.sh "$build" "$data" "$url" || true
fi

echo
echo "demo: chopay-server is running at $url (data in $data/);" \
     "see docs/api.md. Ctrl-C stops it."
wait $spid
