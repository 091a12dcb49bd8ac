#!/bin/sh
# test_kiosk_display.sh: the kiosk's picture, touch and sound as a person
# meets them, against tests/kiosk/fake_server.py:
#  * --rotate 0/90/180/270 headless: the screenshot is the screen (800x480)
#    with the header on the edge the rotation puts it, turned not mirrored;
#    taps by screen position, found in the screenshot the way a person
#    finds a button, hit the intended buttons; the turned QR decodes;
#  * window mode under Xvfb (SDL_VIDEODRIVER=x11): a scripted payment with
#    screenshots, --fullscreen (the screen's size) and a turned window;
#  * sound through SDL's "disk" audio driver: the paid screen plays the
#    paid WAV's samples exactly; --no-sound plays nothing; no usable audio
#    device leaves the kiosk working.
# Needs Xvfb (Debian's xvfb) for the window part. Ends "N passed, N failed".
set -u
build=${CHOPAY_BUILD:-build}
tmp=$(mktemp -d)
. tests/kiosk/lib.sh

if [ ! -x "$kiosk" ]; then
    bad "no $kiosk: build first"
    finish
fi
echo k_test >"$tmp/key"
chmod 600 "$tmp/key"
fake_start

dark="17 17 17 8"   # ui_fg: the header bar
green="20 122 50 12" # ui_green: the online dot, the paid screen
blue="11 79 156 8"   # ui_primary: the main button of a screen

# ---- rotation, headless ----------------------------------------------------
# find.txt takes the screenshots the taps are aimed from: the welcome
# screen (a zone's button) and the code screen with a code typed
# (Continue).
cat >"$tmp/find.txt" <<'EOF'
wait-screen welcome
wait 1500
screenshot
type A-12
wait 200
screenshot
quit
EOF
# header box and the corner of it holding the online dot, per rotation
# (fractions of the 800x480 screenshot): the picture's top edge and its
# top-right corner, wherever the rotation sends them.
edge_0="0 0 1 0.1" dot_0="0.75 0 1 0.12" nodot_0="0 0 0.25 0.12"
edge_90="0.94 0 1 1" dot_90="0.92 0.55 1 1" nodot_90="0.92 0 1 0.45"
edge_180="0 0.9 1 1" dot_180="0 0.88 0.25 1" nodot_180="0.75 0.88 1 1"
edge_270="0 0 0.06 1" dot_270="0 0 0.08 0.45" nodot_270="0 0.55 0.08 1"
for r in 0 90 180 270; do
    kiosk_run "find$r" "$furl" "$tmp/key" "$tmp/find.txt" --rotate "$r"
    kiosk_wait 30
    check "rotate $r: first run" test "$krc" -eq 0
    wel=$(shot "$tmp/find$r" welcome)
    code=$(ls "$tmp/find$r"/*-code.png 2>/dev/null | tail -n 1)
    check "rotate $r: screenshot is the screen, 800x480" \
        test "$($png size "$wel")" = "800 480"
    eval "edge=\$edge_$r dot=\$dot_$r nodot=\$nodot_$r"
    # shellcheck disable=SC2086
    v=$($png frac "$wel" $edge $dark)
    check "rotate $r: header on the turned top edge ($v)" gt "$v" 0.7
    # shellcheck disable=SC2086
    v=$($png frac "$wel" $dot $green)
    # shellcheck disable=SC2086
    w=$($png frac "$wel" $nodot $green)
    check "rotate $r: online dot at the turned top-right ($v, $w)" \
        sh -c "python3 -c 'import sys; sys.exit(0 if $v > 0.002 and $w == 0 else 1)'"
    # where a finger would aim: the middle of the screen's blue button
    # shellcheck disable=SC2086
    set -- $($png blob "$wel" $blue 2>/dev/null) 0 0
    sx=$1 sy=$2
    # shellcheck disable=SC2086
    set -- $($png blob "$code" $blue 2>/dev/null) 0 0
    ox=$1 oy=$2
    cat >"$tmp/tap$r.txt" <<EOF
wait-screen welcome
wait 1500
tap $sx $sy
wait-screen pick 3000
key Escape
wait-screen welcome
type A-12
tap $ox $oy
wait-screen dues 5000
tap pay-all
wait-screen qr 5000
wait 300
quit
EOF
    kiosk_run "rot$r" "$furl" "$tmp/key" "$tmp/tap$r.txt" --rotate "$r"
    kiosk_wait 30
    check "rotate $r: taps at ($sx,$sy) and ($ox,$oy) hit a zone and Continue" \
        test "$krc" -eq 0
    q=$(shot "$tmp/rot$r" qr)
    p=$(qr_of "$q")
    check "rotate $r: the turned QR decodes to the intent's payload" \
        sh -c "[ -n '$p' ] && echo '$p' | '$chopay' qr decode | \
grep -q '\"amount\":1510000'"
done
# The same position taps without the rotation land elsewhere: at 180 the
# Continue button of the upright picture is where the keypad is.
kiosk_run rotmiss "$furl" "$tmp/key" "$tmp/tap180.txt" --rotate 0
KIOSK_MAY_FAIL=1
kiosk_wait 30
KIOSK_MAY_FAIL=
check "rotate 0 with the taps aimed at 180: no dues (exit $krc)" \
    sh -c "[ $krc -ne 0 ] && ! ls '$tmp/rotmiss' | grep -q dues"
# INI key and bad values
printf '[kiosk]\nrotate = 90\n' >"$tmp/rot.ini"
kiosk_run rotini "$furl" "$tmp/key" "$tmp/find.txt" --config "$tmp/rot.ini"
kiosk_wait 30
v=$($png frac "$(shot "$tmp/rotini" welcome)" $edge_90 $dark)
check "rotate = 90 in the INI file ($v)" gt "$v" 0.7
for bad_r in 45 -90 360 x; do
    "$kiosk" --rotate "$bad_r" --key-file "$tmp/key" >/dev/null 2>&1
    check "--rotate $bad_r refused (exit 2)" test $? -eq 2
done

# ---- window mode under Xvfb ------------------------------------------------
cat >"$tmp/pay.txt" <<'EOF'
wait-screen welcome
type A-12
key Return
wait-screen dues 5000
tap pay-all
wait-screen qr 5000
wait-screen paid 30000
wait 1500
quit
EOF
# pay NAME [ARGS...]: the scripted payment, settled by the fake server.
pay() {
    pn=$1
    shift
    before=$(fstate | jget - "len(j['intents'])")
    kiosk_run "$pn" "$furl" "$tmp/key" "$tmp/pay.txt" "$@"
    if wait_for 20 n_intents $((before + 1)); then
        sleep 0.5
        settle $((before + 1)) paid 1510000
    fi
    kiosk_wait 40
}
if command -v Xvfb >/dev/null 2>&1; then
    Xvfb -displayfd 3 -screen 0 1024x600x24 -nolisten tcp \
        3>"$tmp/xdisplay" 2>"$tmp/xvfb.log" &
    xpid=$!
    pids="$pids $xpid"
    if wait_for 10 test -s "$tmp/xdisplay"; then
        export DISPLAY=":$(cat "$tmp/xdisplay")"
        KIOSK_MODE=
        export SDL_VIDEODRIVER=x11
        # libdbus and Mesa's GL driver (unloaded at exit) leave memory
        # behind that LeakSanitizer reports; the kiosk's own code is
        # leak-checked by every headless run.
        asan_was=${ASAN_OPTIONS-}
        [ -n "${CHOPAY_SAN:-}" ] &&
            export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"
        pay win
        check "window: payment through x11 (exit $krc)" test "$krc" -eq 0
        check "window: SDL used x11" grep -q 'video driver x11' "$tmp/win.log"
        check "window: every screen shot" sh -c "ls '$tmp/win' | tr '\n' ' ' | \
grep -q '001-welcome.png 002-code.png 003-dues.png 004-qr.png 005-paid.png'"
        check "window: screenshots at the window's size" \
            test "$($png size "$(shot "$tmp/win" qr)")" = "800 480"
        p=$(qr_of "$(shot "$tmp/win" qr)")
        want=$(fstate | jget - "j['intents'][-1]['payload']")
        check "window: QR on screen = intent payload" test "$p" = "$want"
        v=$($png frac "$(shot "$tmp/win" paid)" 0 0 1 1 $green)
        check "window: paid screen green ($v)" gt "$v" 0.6
        pay full --fullscreen
        check "fullscreen: payment (exit $krc)" test "$krc" -eq 0
        check "fullscreen: the screen's size, 1024x600" \
            test "$($png size "$(shot "$tmp/full" qr)")" = "1024 600"
        v=$($png frac "$(shot "$tmp/full" welcome)" 0 0 1 0.1 $dark)
        check "fullscreen: header across the top ($v)" gt "$v" 0.7
        v=$($png frac "$(shot "$tmp/full" paid)" 0 0 1 1 $green)
        check "fullscreen: paid screen fills the screen ($v)" gt "$v" 0.6
        p=$(qr_of "$(shot "$tmp/full" qr)")
        check "fullscreen: QR decodes" sh -c "[ -n '$p' ] && echo '$p' | \
'$chopay' qr decode"
        pay winrot --fullscreen --rotate 90
        check "fullscreen turned 90: payment (exit $krc)" test "$krc" -eq 0
        v=$($png frac "$(shot "$tmp/winrot" welcome)" $edge_90 $dark)
        check "fullscreen turned 90: header on the right edge ($v)" \
            gt "$v" 0.7
        p=$(qr_of "$(shot "$tmp/winrot" qr)")
        check "fullscreen turned 90: QR decodes" sh -c "[ -n '$p' ] && \
echo '$p' | '$chopay' qr decode"
        unset SDL_VIDEODRIVER DISPLAY KIOSK_MODE
        [ -n "${CHOPAY_SAN:-}" ] && export ASAN_OPTIONS="$asan_was"
    else
        bad "Xvfb did not start: $(tail -n 3 "$tmp/xvfb.log")"
    fi
    kill "$xpid" 2>/dev/null
    wait "$xpid" 2>/dev/null
else
    bad "Xvfb is not installed (apt-get install xvfb; scripts/deps.sh)"
fi

# ---- sound -----------------------------------------------------------------
# SDL's disk driver writes what it would play to a file, in the device's
# format: the WAV's (16-bit mono 22050 Hz), so its samples appear as is.
wav=assets/kiosk-paid.wav
export SDL_AUDIODRIVER=disk
export SDL_DISKAUDIOFILE="$tmp/audio.raw"
KIOSK_SOUND=--assets-dir=assets
pay snd
check "sound: payment with sound on (exit $krc)" test "$krc" -eq 0
check "sound: the disk driver wrote audio" test -s "$tmp/audio.raw"
r=$(python3 - "$wav" "$tmp/audio.raw" <<'EOF'
import struct, sys, wave
w = wave.open(sys.argv[1])
pcm = w.readframes(w.getnframes())
raw = open(sys.argv[2], "rb").read()
at = raw.find(pcm)
loud = [i for i in range(0, len(raw) - 1, 2)
        if abs(struct.unpack_from("<h", raw, i)[0]) > 64]
span = (loud[-1] - loud[0]) // 2 + 1 if loud else 0
peak = max((abs(struct.unpack_from("<h", raw, i)[0])
            for i in range(0, len(raw) - 1, 2)), default=0)
print(at, len(pcm) // 2, span, peak, w.getframerate(), w.getnchannels())
EOF
)
set -- $r
check "sound: the paid WAV's samples are in the output, whole (at $1)" \
    test "$1" -ge 0
check "sound: one chime, as long as the WAV ($3 of $2 samples)" \
    sh -c "[ $3 -le $2 ] && [ $3 -ge $(($2 * 9 / 10)) ]"
check "sound: not silent (peak $4)" test "$4" -gt 10000
rm -f "$tmp/audio.raw"
unset KIOSK_SOUND
pay nosnd
check "--no-sound: payment (exit $krc)" test "$krc" -eq 0
check "--no-sound: no audio at all" test ! -s "$tmp/audio.raw"
unset SDL_DISKAUDIOFILE
for drv in alsa no-such-driver; do
    export SDL_AUDIODRIVER=$drv
    KIOSK_SOUND=--assets-dir=assets
    pay "dev-$drv"
    unset KIOSK_SOUND
    check "no audio device ($drv): payment still ends on paid (exit $krc)" \
        sh -c "[ $krc -eq 0 ] && ls '$tmp/dev-$drv' | grep -q paid"
    check "no audio device ($drv): says it is silent" \
        grep -q 'silent' "$tmp/dev-$drv.log"
done
unset SDL_AUDIODRIVER

# ---- valgrind: a turned session, every kind of screen drawn ------------------
cat >"$tmp/vg.txt" <<'EOF'
wait-screen welcome
tap English
type A-12
key Return
wait-screen dues 20000
tap select-none
tap inv-1
tap pay-selected
wait-screen qr 20000
tap paid
wait-screen waiting 20000
tap cancel
wait-screen welcome 20000
tap collector
wait-screen pin 20000
type 1234
key Return
wait-screen collector 20000
wait 1000
quit
EOF
if [ -n "${CHOPAY_SAN:-}" ]; then
    echo "note: valgrind skipped under sanitizers" >&2
elif command -v valgrind >/dev/null 2>&1; then
    KIOSK_WRAP="valgrind -q --error-exitcode=99 --leak-check=full \
--errors-for-leak-kinds=definite --show-leak-kinds=definite"
    kiosk_run vg "$furl" "$tmp/key" "$tmp/vg.txt" --rotate 90 \
        --collector-pin 1234
    KIOSK_WRAP=
    kiosk_wait 120
    check "valgrind: a turned session, no errors, no leaks (exit $krc)" \
        test "$krc" -eq 0
    check "valgrind: every screen of it drawn" sh -c "ls '$tmp/vg' | \
tr '\n' ' ' | grep -q 'welcome.*code.*dues.*qr.*waiting.*welcome.*pin.*collector'"
else
    echo "note: valgrind not installed; its check skipped" >&2
fi
fake_stop
finish
