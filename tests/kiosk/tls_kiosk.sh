# tls_kiosk.sh: the real chopay-kiosk through nginx with a private CA and
# client certificates required for kiosk routes. Sourced by
# tests/packaging/test_tls.sh once that nginx runs ("required" variant),
# using its variables ($build, $tmp, $t the certificates, $tls_port,
# $srv_addr, $key the market kiosk's key) and its ok/bad. Needs
# tests/kiosk/pngcheck.py and zbarimg.
#  * --ca-file + --client-cert/--client-key: a scripted payment reaches
#    the paid screen (the bank transfer simulated through the server);
#  * a CA that did not sign the server: the error screen (TLS), no crash;
#  * no client certificate: nginx answers 403, the error screen;
#  * the same settings from the INI file; bad settings exit 2.

kbin="$build/bin/chopay-kiosk"
kt="$tmp/kiosk-tls"
mkdir -p "$kt"
printf '%s\n' "$key" >"$kt/key"
chmod 600 "$kt/key" "$t/kiosk1.key"
kurl="https://127.0.0.1:$tls_port"
kpng="python3 $(dirname "$0")/../kiosk/pngcheck.py"

# krun NAME SCRIPT [ARGS...]: the kiosk headless; waits; $krc, $kt/NAME.log
krun() {
    kn=$1 ks=$2
    shift 2
    "$kbin" --headless --no-sound --size 800x480 --server "$kurl" \
        --key-file "$kt/key" --data-dir "$kt/data-$kn" --script "$ks" \
        --screenshot-dir "$kt/$kn" --long-poll 5 "$@" >"$kt/$kn.log" 2>&1 &
    kp=$!
    j=0
    while kill -0 "$kp" 2>/dev/null && [ $j -lt 600 ]; do
        if [ -n "${kpay:-}" ] && [ -z "${kpaid:-}" ] &&
            grep -q 'intent id=' "$kt/$kn.log"; then
            kpaid=1
            kl=$(grep 'intent id=' "$kt/$kn.log" | head -n 1)
            sleep 0.5
            "$build/bin/chopay-server" simulate transfer --data-dir "$tmp/srv" \
                --org CHO-TT --code "$(echo "$kl" | sed 's/.*code=\([^ ]*\).*/\1/')" \
                --amount "$(echo "$kl" | sed 's/.*amount=\([0-9]*\).*/\1/')" \
                --server "http://$srv_addr" >>"$kt/sim.log" 2>&1
        fi
        sleep 0.1
        j=$((j + 1))
    done
    kill "$kp" 2>/dev/null
    wait "$kp"
    krc=$?
}
kshot() { ls "$kt/$1"/*-"$2".png 2>/dev/null | tail -n 1; }

cat >"$kt/pay.txt" <<'EOF'
wait-screen welcome
type A-12
key Return
wait-screen dues 10000
tap pay-all
wait-screen qr 10000
wait-screen paid 30000
wait 500
quit
EOF
cat >"$kt/fail.txt" <<'EOF'
wait-screen welcome
type A-12
key Return
wait-screen error 15000
wait 300
quit
EOF

kpay=1 kpaid=
krun good "$kt/pay.txt" --ca-file "$t/ca.crt" --client-cert "$t/kiosk1.crt" \
    --client-key "$t/kiosk1.key"
kpay=
if [ "$krc" -eq 0 ] && [ -n "$(kshot good paid)" ]; then
    ok "kiosk: private CA + client certificate: paid through nginx"
else
    bad "kiosk through nginx with CA and certificate" \
        "exit $krc $(tail -n 3 "$kt/good.log")"
fi
q=$(zbarimg --raw -q "$(kshot good qr)" 2>/dev/null | head -n 1)
printf '%s' "$q" | "$build/bin/chopay" qr decode >/dev/null 2>&1 &&
    ok "kiosk: the QR it got over TLS decodes" || bad "kiosk QR over TLS"

printf '[kiosk]\nca_file = %s\nclient_cert = %s\nclient_key = %s\n' \
    "$t/ca.crt" "$t/kiosk1.crt" "$t/kiosk1.key" >"$kt/kiosk.ini"
sed -e '/pay-all/,$d' "$kt/pay.txt" >"$kt/dues.txt"
echo quit >>"$kt/dues.txt"
krun ini "$kt/dues.txt" --config "$kt/kiosk.ini"
[ "$krc" -eq 0 ] && ok "kiosk: ca_file, client_cert, client_key in the INI" ||
    bad "kiosk TLS settings from the INI" "exit $krc $(tail -n 2 "$kt/ini.log")"

requests() { wc -l <"$tmp/access.log" 2>/dev/null || echo 0; }
n0=$(requests)
krun wrongca "$kt/fail.txt" --ca-file "$t/other-ca.crt" \
    --client-cert "$t/kiosk1.crt" --client-key "$t/kiosk1.key"
v=$($kpng frac "$(kshot wrongca error)" 0 0 1 0.1 176 30 30 4 2>/dev/null)
if [ "$krc" -eq 0 ] && grep -q 'tls_failed' "$kt/wrongca.log" &&
    python3 -c "import sys; sys.exit(0 if float('${v:-0}') > 0.8 else 1)"; then
    ok "kiosk: a CA that did not sign the server: error screen (TLS)"
else
    bad "kiosk with the wrong CA" "exit $krc red=$v $(tail -n 2 "$kt/wrongca.log")"
fi
[ "$(requests)" -eq "$n0" ] &&
    ok "kiosk: no request reached nginx from behind the wrong CA" ||
    bad "kiosk with the wrong CA" "$(($(requests) - n0)) requests logged"

krun nocert "$kt/fail.txt" --ca-file "$t/ca.crt"
if [ "$krc" -eq 0 ] && grep -q 'HTTP 403\|403' "$kt/nocert.log" &&
    [ -n "$(kshot nocert error)" ]; then
    ok "kiosk: no client certificate: nginx 403, error screen"
else
    bad "kiosk without a client certificate" \
        "exit $krc $(tail -n 2 "$kt/nocert.log")"
fi

krun sysca "$kt/fail.txt" --client-cert "$t/kiosk1.crt" \
    --client-key "$t/kiosk1.key"
[ "$krc" -eq 0 ] && grep -q 'tls_failed' "$kt/sysca.log" &&
    ok "kiosk: the system CAs alone do not trust the private CA" ||
    bad "kiosk with the system CAs" "exit $krc"

"$kbin" --key-file "$kt/key" --client-cert "$t/kiosk1.crt" \
    >/dev/null 2>&1
r1=$?
"$kbin" --key-file "$kt/key" --ca-file "$kt/no-such.crt" >/dev/null 2>&1
r2=$?
[ $r1 -eq 2 ] && [ $r2 -eq 2 ] &&
    ok "kiosk: a certificate without its key, a missing CA file: exit 2" ||
    bad "kiosk TLS usage errors" "exit $r1 and $r2"
