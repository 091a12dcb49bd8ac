#!/bin/sh
# test_cli.sh: drives the real `chopay` binary ($CHOPAY_BUILD/bin/chopay):
# a VietQR payload through a real PNG and Debian's zbarimg back to the same
# fields, the exit statuses and messages of every subcommand, and usage
# errors. Ends with "N passed, N failed".
set -u
build=${CHOPAY_BUILD:-build}
chopay="$build/bin/chopay"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
# expect STATUS OUTPUT-EXPECTED -- CMD...: run, compare status and stdout.
expect() {
    want_rc=$1 want_out=$2
    shift 3
    out=$("$@" 2>"$tmp/err")
    rc=$?
    if [ "$rc" -ne "$want_rc" ]; then
        bad "$* -> exit $rc, want $want_rc ($(cat "$tmp/err"))"
    elif [ "$want_out" != "*" ] && [ "$out" != "$want_out" ]; then
        bad "$* -> '$out', want '$want_out'"
    else
        ok
    fi
}
# expect_err STATUS PATTERN -- CMD...: status and a stderr message.
expect_err() {
    want_rc=$1 pat=$2
    shift 3
    "$@" >/dev/null 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne "$want_rc" ]; then
        bad "$* -> exit $rc, want $want_rc"
    elif ! grep -q -- "$pat" "$tmp/err"; then
        bad "$* -> stderr '$(cat "$tmp/err")' lacks '$pat'"
    else
        ok
    fi
}

[ -x "$chopay" ] || { echo "no $chopay"; echo "0 passed, 1 failed"; exit 1; }
command -v zbarimg >/dev/null ||
    { echo "zbarimg missing (zbar-tools)"; echo "0 passed, 1 failed"; exit 1; }

# --- round trips through a real QR image --------------------------------
# Each case: encode arguments | the decode JSON we expect back.
i=0
while IFS='|' read -r args want; do
    [ -n "$args" ] || continue
    i=$((i + 1))
    # shellcheck disable=SC2086
    eval "set -- $args"
    payload=$("$chopay" qr encode "$@" --png "$tmp/q$i.png" --scale 6)
    rc=$?
    [ "$rc" -eq 0 ] || { bad "encode $args: exit $rc"; continue; }
    scanned=$(zbarimg --raw -q "$tmp/q$i.png")
    [ "$scanned" = "$payload" ] && ok || bad "zbar read '$scanned' for '$payload'"
    got=$("$chopay" qr decode "$scanned" | sed 's/,"crc":"[0-9A-F]\{4\}"//')
    [ "$got" = "$want" ] && ok || bad "decode: '$got' want '$want'"
done <<'CASES'
--bin 970436 --account 0011001932418 --amount 10.000 --content CP7K2QF9XC|{"ok":true,"errors":[],"bin":"970436","bank":"Vietcombank","account":"0011001932418","service":"QRIBFTTA","dynamic":true,"amount":10000,"content":"CP7K2QF9XC"}
--bank MB --account 0123456789|{"ok":true,"errors":[],"bin":"970422","bank":"MB Bank","account":"0123456789","service":"QRIBFTTA","dynamic":false,"amount":null,"content":null}
--bin 970418 --account 9704180000000018 --card --amount 1500000 --static|{"ok":true,"errors":[],"bin":"970418","bank":"BIDV","account":"9704180000000018","service":"QRIBFTTC","dynamic":false,"amount":1500000,"content":null}
--bin 970415 --account 113366668888 --amount '2.500.000 ₫' --content 'Học phí Đào 5A'|{"ok":true,"errors":[],"bin":"970415","bank":"VietinBank","account":"113366668888","service":"QRIBFTTA","dynamic":true,"amount":2500000,"content":"HOC PHI DAO 5A"}
CASES

# --- qr decode: invalid payloads, stdin, exit statuses --------------------
good=$("$chopay" qr encode --bin 970436 --account 0011001932418 --amount 10000)
broken=$(printf '%s' "$good" | sed 's/.$/0/')
[ "$broken" != "$good" ] || broken=$(printf '%s' "$good" | sed 's/.$/1/')
expect 0 "*" -- "$chopay" qr decode "$good"
expect 1 "*" -- "$chopay" qr decode "$broken"
"$chopay" qr decode "$broken" | grep -q '"crc_mismatch"' && ok ||
    bad "a wrong CRC is not reported as crc_mismatch"
expect 1 "*" -- "$chopay" qr decode "$good" "garbage"
# 38 without its service code 38/02 (CRC right): not a valid VietQR
noservice=00020101021138420010A000000727012400069704360110001234567853037045802VN63043CA0
expect 1 "*" -- "$chopay" qr decode "$noservice"
"$chopay" qr decode "$noservice" | grep -q '"ok":false.*"service"' && ok ||
    bad "a payload without 38/02 is not reported as service"
out=$(printf '%s\n%s\n' "$good" "$good" | "$chopay" qr decode)
[ "$(printf '%s\n' "$out" | grep -c '"ok":true')" -eq 2 ] && ok ||
    bad "stdin decode: '$out'"
expect_err 1 "non_ascii\|ASCII" -- "$chopay" qr encode --bin 970436 \
    --account "0011$(printf '\303\251')" 
expect_err 1 "bin" -- "$chopay" qr encode --bin 97043 --account 1
expect_err 2 "exactly one of --bin or --bank" -- "$chopay" qr encode \
    --account 1
expect_err 2 "unknown bank" -- "$chopay" qr encode --bank NOSUCHBANK \
    --account 1
expect_err 2 "--amount" -- "$chopay" qr encode --bin 970436 --account 1 \
    --amount 12,5
expect_err 2 "unknown option '--nope'" -- "$chopay" qr encode --nope
expect_err 2 "needs a value" -- "$chopay" qr encode --bin

# --- ref ----------------------------------------------------------------
code=$("$chopay" ref new)
expect 0 "$code: valid" -- "$chopay" ref check "$code"
[ "$("$chopay" ref new --prefix HP --count 5 | grep -c '^HP')" -eq 5 ] &&
    ok || bad "ref new --prefix HP --count 5"
# Change the last symbol: the check must fail.
last=$(printf '%s' "$code" | tail -c 1)
repl=2
[ "$last" = 2 ] && repl=3
corrupt="$(printf '%s' "$code" | sed 's/.$//')$repl"
expect 1 "*" -- "$chopay" ref check "$corrupt"
expect 0 "$code" -- "$chopay" ref find "MBVCB.3278907687.$(printf '%s' "$code" | tr 'A-Z' 'a-z').CT tu 0123456789 NGUYEN VAN A toi 0011001932418"
expect 1 "" -- "$chopay" ref find "chuyen tien mua iphone"
out=$(printf 'IBFT %s THANH TOAN\nchuyen tien\n' "$code" | "$chopay" ref find)
[ "$out" = "$(printf '%s\n' "$code")" ] && ok || bad "ref find stdin: '$out'"
expect 1 "*" -- "$chopay" ref find "IBFT $corrupt"
expect_err 2 "prefix" -- "$chopay" ref new --prefix C1
# every "chopay ref find" example of the README finds a code (the one on
# its "# -> CODE" line when there is one)
readme="$(dirname "$0")/../../README.md"
n=0
grep -n '^chopay ref find ' "$readme" >"$tmp/examples"
while IFS= read -r hit; do
    num=${hit%%:*} line=${hit#*:}
    want=$(sed -n "$((num + 1))s/^# -> //p" "$readme")
    got=$(eval "\"\$chopay\" ${line#chopay }")
    rc=$?
    n=$((n + 1))
    if [ "$rc" -ne 0 ] || [ -z "$got" ]; then
        bad "README: $line -> exit $rc, '$got'"
    elif [ -n "$want" ] && [ "$got" != "$want" ]; then
        bad "README: $line -> '$got', want '$want'"
    else
        ok
    fi
done <"$tmp/examples"
[ "$n" -gt 0 ] && ok || bad "README: no 'chopay ref find' example"

# --- money, text, bank ----------------------------------------------------
expect 0 "15.000 ₫" -- "$chopay" money format 15000
expect 0 "-1.500.000 ₫" -- "$chopay" money format -1500000
expect 0 "15000" -- "$chopay" money parse "15.000 ₫"
expect 0 "15000" -- "$chopay" money parse "15,000 VND"
expect 0 "15000" -- "$chopay" money parse "15.000đ"
expect 1 "" -- "$chopay" money parse "15.5"
expect 2 "" -- "$chopay" money format abc
expect 0 "một trăm hai mươi lăm nghìn đồng" -- "$chopay" money words 125000
expect 0 "một triệu không trăm năm mươi nghìn đồng" -- \
    "$chopay" money words "1.050.000 ₫"
expect 0 "không đồng" -- "$chopay" money words 0
expect 1 "" -- "$chopay" money words "12,5"
expect 0 "NGUYEN THI DAO" -- "$chopay" text fold "Nguyễn Thị Đào"
expect 1 "" -- "$chopay" text fold "$(printf 'bad \377 utf8')"
expect 0 "*" -- "$chopay" bank show 970436
"$chopay" bank show vcb | grep -q '^970436' && ok || bad "bank show vcb"
[ "$("$chopay" bank list | wc -l)" -ge 60 ] && ok || bad "bank list short"
"$chopay" bank list --json | head -1 | grep -q '"bin"' && ok ||
    bad "bank list --json"
expect_err 1 "no bank" -- "$chopay" bank show 123456
expect 0 "*" -- "$chopay" --help
expect_err 2 "unknown command" -- "$chopay" frobnicate

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
