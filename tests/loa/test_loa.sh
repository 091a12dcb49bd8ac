#!/bin/sh
# test_loa.sh: chopay-loa headless. SDL's disk audio driver writes what
# would have been played to a file: for a table of amounts, `--say`
# must play exactly the expected clips in order (compared sample by
# sample with the WAVs by disk_audio.py). Then the speaker against a
# fake announcements server (fake_stall.py): retries with growing delays
# while the server fails, says each new payment once, keeps quiet about
# a late one, leaves malformed entries out, never says an id twice
# (within a run and across a restart, through its state file), does not
# count a payment as said while there is no sound, and sends the stall
# key. Ends with "N passed, N failed".
set -u
build=${CHOPAY_BUILD:-build}
loa="$build/bin/chopay-loa"
here=$(cd "$(dirname "$0")" && pwd)
clips=$(cd "$here/../../assets/loa" && pwd)
tmp=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "test_loa: files in $tmp"
srv=""
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { # check NAME COMMAND...
    name=$1
    shift
    if "$@" >/dev/null 2>&1; then ok; else bad "$name"; fi
}

export SDL_AUDIODRIVER=disk SDL_DISKAUDIODELAY=5
printf 'k_stall_test\n' >"$tmp/key"
# conf FILE VOLUME URL: a configuration for this test.
conf() {
    cat >"$1" <<EOC
[server]
url = $3
key_file = $tmp/key
wait = 1
[speaker]
volume = $2
late_after_min = 5
clips_dir = $clips
[state]
file = $tmp/last-id
EOC
}
conf "$tmp/say.conf" 100 http://127.0.0.1:9

# --- what is played for each amount ---------------------------------------
while IFS='|' read -r amount seq; do
    out="$tmp/say-$amount.raw"
    SDL_DISKAUDIOFILE="$out" "$loa" --config "$tmp/say.conf" --say "$amount" \
        2>"$tmp/say.log"
    check "say $amount exits 0" test $? -eq 0
    check "say $amount logs its clips" \
        grep -qx "chopay-loa: say $amount: beep gap da-nhan $seq" "$tmp/say.log"
    # shellcheck disable=SC2086
    if python3 "$here/disk_audio.py" "$out" "$clips" beep gap da-nhan $seq \
        >"$tmp/cmp" 2>&1; then ok; else bad "say $amount: $(cat "$tmp/cmp")"; fi
done <<'EOT'
125000|mot tram hai muoi lam nghin dong
1050000|mot trieu khong tram nam muoi nghin dong
21000|hai muoi mot-sac nghin dong
24000|hai muoi tu nghin dong
15000|muoi-huyen lam nghin dong
10000|muoi-huyen nghin dong
105|mot tram linh nam dong
1005000|mot trieu khong tram linh nam nghin dong
2000000000|hai ty dong
9999000|chin trieu chin tram chin muoi chin nghin dong
EOT

# a wrong amount, volume 0, a bad configuration
"$loa" --config "$tmp/say.conf" --say "12,5" 2>/dev/null
check "say refuses 12,5" test $? -eq 2
conf "$tmp/mute.conf" 0 http://127.0.0.1:9
SDL_DISKAUDIOFILE="$tmp/mute.raw" "$loa" --config "$tmp/mute.conf" \
    --say 5000 2>/dev/null
check "volume 0 is silent" python3 -c "
import sys; d = open('$tmp/mute.raw', 'rb').read()
sys.exit(0 if len(d) > 0 and not any(d) else 1)"
printf '[server]\nurl = http://x\nkey_file = %s/key\nprot = 1\n' "$tmp" \
    >"$tmp/typo.conf"
"$loa" --config "$tmp/typo.conf" 2>"$tmp/typo.log"
check "unknown key refused" test $? -eq 1
check "unknown key named" grep -q "prot" "$tmp/typo.log"
printf '[server]\nurl = http://127.0.0.1\nkey_file = %s/nokey\n' "$tmp" \
    >"$tmp/nokey.conf"
"$loa" --config "$tmp/nokey.conf" 2>/dev/null
check "missing key file refused" test $? -eq 1
printf '[server]\nurl = http://chopay.example.vn\nkey_file = %s/key\n' \
    "$tmp" >"$tmp/plain.conf"
"$loa" --config "$tmp/plain.conf" 2>"$tmp/plain.log"
check "plain http to another machine refused" test $? -eq 1
check "plain http refusal says why" grep -q "https://" "$tmp/plain.log"

# --- against the fake server ----------------------------------------------
# start_fake PLAN: the fake server on a free port; sets $srv and $url.
start_fake() {
    rm -f "$tmp/port" "$tmp/requests"
    : >"$tmp/requests"
    python3 "$here/fake_stall.py" "$1" "$tmp/port" "$tmp/requests" &
    srv=$!
    i=0
    while [ ! -s "$tmp/port" ] && [ $i -lt 100 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    url="http://127.0.0.1:$(cat "$tmp/port")"
}
# run_until N [AUDIOFILE]: run the speaker until the server has had N
# requests.
run_until() {
    SDL_DISKAUDIOFILE="${2:-$tmp/run.raw}" "$loa" --config "$tmp/run.conf" \
        2>"$tmp/run.log" &
    pid=$!
    i=0
    while [ "$(wc -l <"$tmp/requests")" -lt "$1" ] && [ $i -lt 600 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    kill "$srv" 2>/dev/null
    wait "$srv" 2>/dev/null
    srv=""
    return $rc
}
count() { grep -c "$1" "$tmp/run.log"; }

cat >"$tmp/plan1.json" <<'EOP'
[{"status": 503}, {"status": 503},
 {"items": [[1, 15000, 0, "unix"], [2, 21000, 600, "unix"],
            [3, 105000, 5, "rfc"], [4, "bad"]]},
 {"items": [[3, 105000, 5, "rfc"]]},
 {"sleep": 0.3, "items": []}]
EOP
start_fake "$tmp/plan1.json"
conf "$tmp/run.conf" 100 "$url/"
run_until 6
check "stops on SIGTERM with status 0" test $? -eq 0
check "said 15000 once" test "$(count 'say 15000: beep gap da-nhan muoi-huyen lam nghin dong$')" -eq 1
check "said 105000 once" test "$(count 'say 105000: beep gap da-nhan mot tram linh nam nghin dong$')" -eq 1
check "late 21000 not said" test "$(count 'say 21000')" -eq 0
check "late 21000 logged" test "$(count 'late 2 (21000 đồng')" -eq 1
check "said nothing else" test "$(count ': say ')" -eq 2
check "malformed entry left out" test "$(count '1 malformed')" -eq 1
check "two retries" test "$(count 'retry in')" -eq 2
first=$(sed -n 's/.*retry in \([0-9]*\) ms/\1/p' "$tmp/run.log" | sed -n 1p)
second=$(sed -n 's/.*retry in \([0-9]*\) ms/\1/p' "$tmp/run.log" | sed -n 2p)
check "first retry after 1 s" test "${first:-0}" -ge 1000 -a "${first:-0}" -le 1250
check "second retry after 2 s" test "${second:-0}" -ge 2000 -a "${second:-0}" -le 2500
check "asked after 0 until it got an answer" \
    test "$(sed -n 1,3p "$tmp/requests" | grep -c '^after=0 wait=1 ')" -eq 3
check "then after the last id" \
    test "$(sed -n '4,$p' "$tmp/requests" | grep -vc '^after=4 wait=1 ')" -eq 0
check "sends the stall key" \
    test "$(grep -vc 'auth=Bearer k_stall_test$' "$tmp/requests")" -eq 0
check "state file holds the last id" test "$(cat "$tmp/last-id")" = 4
check "no temporary state left" test ! -e "$tmp/last-id.tmp"

# a restart: the server sends old ids again with a new one
cat >"$tmp/plan2.json" <<'EOP'
[{"items": [[3, 105000, 0, "unix"], [4, "bad"], [5, 24000, 0, "unix"]]},
 {"sleep": 0.3, "items": []}]
EOP
start_fake "$tmp/plan2.json"
conf "$tmp/run.conf" 100 "$url"
run_until 3
check "restart exits 0" test $? -eq 0
check "restart resumes after 4" test "$(sed -n 1p "$tmp/requests" | cut -d' ' -f1)" = after=4
check "restart says only 24000" test "$(count ': say ')" -eq 1
check "24000 as hai mươi tư" test "$(count 'say 24000: beep gap da-nhan hai muoi tu nghin dong$')" -eq 1
check "state file now 5" test "$(cat "$tmp/last-id")" = 5
if python3 "$here/disk_audio.py" "$tmp/run.raw" "$clips" beep gap da-nhan \
    hai muoi tu nghin dong >"$tmp/cmp" 2>&1; then ok; else
    bad "restart played: $(cat "$tmp/cmp")"
fi

# no sound (the disk driver cannot open its file): the payment is not
# marked as said, and is said once the sound is back
cat >"$tmp/plan3.json" <<'EOP'
[{"sleep": 0.2, "items": [[6, 50000, 0, "unix"]]}]
EOP
start_fake "$tmp/plan3.json"
conf "$tmp/run.conf" 100 "$url"
run_until 3 "$tmp/no-such-dir/run.raw"
check "no sound: exits 0" test $? -eq 0
check "no sound: not said" test "$(count ': say ')" -eq 0
check "no sound: reported" test "$(count '50000 not said: audio')" -ge 2
check "no sound: retried" test "$(count 'no sound; retry in')" -ge 2
check "no sound: state unchanged" test "$(cat "$tmp/last-id")" = 5
check "no sound: asked again from 5" \
    test "$(grep -vc '^after=5 ' "$tmp/requests")" -eq 0
start_fake "$tmp/plan3.json"
conf "$tmp/run.conf" 100 "$url"
run_until 3
check "sound back: said once" test "$(count 'say 50000: beep gap da-nhan nam muoi nghin dong$')" -eq 1
check "sound back: state 6" test "$(cat "$tmp/last-id")" = 6

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
