#!/bin/sh
# test_receipt_cli.sh: drives `chopay receipt` ($CHOPAY_BUILD/bin/chopay):
# keygen files and modes, sign then verify (exit 0 and the fields as
# JSON), the precise reasons for altered, foreign-key and malformed texts,
# and an independent check of the signature with `openssl pkeyutl`.
# Ends with "N passed, N failed".
set -u
build=${CHOPAY_BUILD:-build}
chopay="$build/bin/chopay"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*" >&2; }
check() { if eval "$1"; then ok; else bad "$1"; fi; }

mkdir "$tmp/org" "$tmp/other"
kid=$("$chopay" receipt keygen --out "$tmp/org")
check '[ $? -eq 0 ]'
check 'echo "$kid" | grep -Eq "^[0-9A-F]{8}$"'
check '[ "$(stat -c %a "$tmp/org/receipt-private.pem")" = 600 ]'
check 'head -1 "$tmp/org/receipt-public.pem" | grep -q "BEGIN PUBLIC KEY"'
# OpenSSL agrees it is an Ed25519 key.
check 'openssl pkey -pubin -in "$tmp/org/receipt-public.pem" -noout -text 2>/dev/null | grep -q ED25519'
"$chopay" receipt keygen --out "$tmp/org" 2>/dev/null
check '[ $? -eq 3 ]' # never over an existing key
"$chopay" receipt keygen --out "$tmp/other" >/dev/null

text=$("$chopay" receipt sign --key "$tmp/org/receipt-private.pem" \
    --org CHOBT --number CHOBT-2026-000007 --payer A-012 \
    --amount "1.250.000 ₫" --method cash --paid-at 2026-11-22T05:15:33Z)
check '[ $? -eq 0 ]'
check 'echo "$text" | grep -q "^CPR1|CHOBT|$kid|CHOBT-2026-000007|A-012|1250000|TM|20261122T051533Z||"'

out=$("$chopay" receipt verify --key "$tmp/org/receipt-public.pem" "$text")
check '[ $? -eq 0 ]'
check '[ "$out" = "{\"valid\":true,\"org\":\"CHOBT\",\"key_id\":\"$kid\",\"number\":\"CHOBT-2026-000007\",\"payer\":\"A-012\",\"amount\":1250000,\"method\":\"cash\",\"paid_at\":\"2026-11-22T05:15:33Z\",\"ref\":\"\"}" ]'

# Standard input, several lines: one altered amount.
alt=$(echo "$text" | sed 's/|1250000|/|1350000|/')
out=$(printf '%s\n%s\n' "$text" "$alt" |
    "$chopay" receipt verify --key "$tmp/org/receipt-public.pem")
check '[ $? -eq 1 ]'
check '[ "$(echo "$out" | sed -n 2p)" = "{\"valid\":false,\"error\":\"bad_signature\",\"message\":\"the signature does not match (altered/forged)\"}" ]'
out=$("$chopay" receipt verify --key "$tmp/other/receipt-public.pem" "$text")
check '[ $? -eq 1 ]'
check 'echo "$out" | grep -q "\"error\":\"wrong_key\""'
out=$("$chopay" receipt verify --key "$tmp/org/receipt-public.pem" "CPR1|x")
check '[ $? -eq 1 ]'
check 'echo "$out" | grep -q "\"error\":\"malformed\""'
out=$("$chopay" receipt verify --key "$tmp/org/receipt-public.pem" "000201")
check 'echo "$out" | grep -q "\"error\":\"unknown_version\""'
# The private key file works as a verification key too; junk does not.
"$chopay" receipt verify --key "$tmp/org/receipt-private.pem" "$text" >/dev/null
check '[ $? -eq 0 ]'
echo junk >"$tmp/junk.pem"
"$chopay" receipt verify --key "$tmp/junk.pem" "$text" >/dev/null 2>&1
check '[ $? -eq 3 ]'
"$chopay" receipt verify "$text" >/dev/null 2>&1
check '[ $? -eq 2 ]'
"$chopay" receipt sign --key "$tmp/org/receipt-private.pem" --org chobt \
    --number N --payer P --amount 1 --method cash \
    --paid-at 2026-11-22T05:15:33Z >/dev/null 2>&1
check '[ $? -eq 2 ]'
"$chopay" receipt sign --key "$tmp/org/receipt-private.pem" --org C \
    --number N --payer P --amount 1 --method card \
    --paid-at 2026-11-22T05:15:33Z >/dev/null 2>&1
check '[ $? -eq 2 ]'
"$chopay" receipt sign --key "$tmp/org/receipt-private.pem" --org C \
    --number N --payer P --amount 1 --method cash \
    --paid-at 2026-02-30T05:15:33Z >/dev/null 2>&1
check '[ $? -eq 2 ]'

# Independent verification: the signed part and the base64url signature
# checked by `openssl pkeyutl` (pure Ed25519 over the raw message).
printf '%s' "${text%|*}" >"$tmp/msg"
sig=${text##*|}
printf '%s==' "$sig" | tr '_-' '/+' | base64 -d >"$tmp/sig" 2>/dev/null
check '[ "$(wc -c <"$tmp/sig")" -eq 64 ]'
check 'openssl pkeyutl -verify -pubin -inkey "$tmp/org/receipt-public.pem" -rawin -in "$tmp/msg" -sigfile "$tmp/sig" >/dev/null 2>&1'
printf 'X' >>"$tmp/msg"
check '! openssl pkeyutl -verify -pubin -inkey "$tmp/org/receipt-public.pem" -rawin -in "$tmp/msg" -sigfile "$tmp/sig" >/dev/null 2>&1'
# And a signature made by openssl verifies with chopay.
printf '%s' "${text%|*}" >"$tmp/msg"
openssl pkeyutl -sign -inkey "$tmp/org/receipt-private.pem" -rawin \
    -in "$tmp/msg" -out "$tmp/sig2" 2>/dev/null
sig2=$(base64 -w0 <"$tmp/sig2" | tr '/+' '_-' | tr -d '=')
check '[ "$sig2" = "$sig" ]' # Ed25519 is deterministic: same signature

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
