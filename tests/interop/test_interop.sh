#!/bin/sh
# test_interop.sh [BUILD [COUNT]]: interop check against an independent decoder.
# Encodes COUNT (default 200) randomized payloads with chopay's encoder
# (tests/interop/gen_payloads.c), decodes them with the npm library
# vietnam-qr-pay (pinned in package-lock.json, installed with `npm ci` in a
# temporary directory) and checks that every field agrees. Fails loudly
# when node or npm is missing. Last line: "N passed, N failed".
set -u
build=${1:-${CHOPAY_BUILD:?usage: test_interop.sh BUILD [COUNT]}}
count=${2:-200}
here=$(cd "$(dirname "$0")" && pwd)

fail() {
    echo "interop: $*" >&2
    echo "0 passed, 1 failed"
    exit 1
}

command -v node >/dev/null 2>&1 || fail "node is missing (apt-get install nodejs)"
command -v npm >/dev/null 2>&1 || fail "npm is missing (apt-get install npm)"

gen="$build/tests/gen_payloads"
if [ ! -x "$gen" ]; then
    # Not built by make: build it from the common library.
    [ -f "$build/libchopay-common.a" ] ||
        fail "$build/libchopay-common.a missing: run make first"
    mkdir -p "$build/tests"
    ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -Icommon/include \
        -o "$gen" "$here/gen_payloads.c" "$build/libchopay-common.a" ||
        fail "cannot build gen_payloads"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/chopay-interop.XXXXXX") || fail "mktemp"
trap 'rm -rf "$work"' EXIT INT TERM
cp "$here/package.json" "$here/package-lock.json" "$here/decode.js" \
    "$here/compare.js" "$work/" || fail "cannot copy the interop files"
(cd "$work" && npm ci --silent --no-audit --no-fund --prefer-offline \
    >npm.log 2>&1) || { cat "$work/npm.log" >&2; fail "npm ci failed"; }

"$gen" "$count" >"$work/gen.tsv" || fail "gen_payloads failed"
cut -f1 "$work/gen.tsv" | (cd "$work" && node decode.js) >"$work/dec.jsonl" ||
    fail "decode.js failed"
node "$work/compare.js" "$work/gen.tsv" "$work/dec.jsonl"
