#!/bin/sh
# test_sim.sh: a fixed set of simulator seeds (tests/sim/sim.py) against
# the built chopay-server: each seed drives the server and the reference
# model of the ledger with the same events and passes when every figure
# agrees after every step. One check per seed; ends with
# "N passed, N failed".
#
# CHOPAY_SIM_SEEDS overrides how many seeds run (default 60; 20 under
# AddressSanitizer, 6 under qemu). CHOPAY_SIM_CLASSES overrides the event
# classes.
#
# Every event class runs: intents, offline codes, the four webhook
# providers, transfers naming two intents, cash, refunds, invoice
# generation, review, statements of every format, rows without a
# reference, rows that move no money, look-alike rows, day close,
# account changes and kill -9 with restarts.
set -u
build=${CHOPAY_BUILD:-build}
server=${CHOPAY_SERVER:-$build/bin/chopay-server}
case "${CHOPAY_SAN:-}" in
'') n=60 ;;
qemu) n=6 ;;
*) n=20 ;;
esac
n=${CHOPAY_SIM_SEEDS:-$n}
classes=${CHOPAY_SIM_CLASSES:-intents,offline,webhooks,ambiguous,cash,refunds,invoices,review,statements,norefs,oddrows,lookalikes,close,accounts,crash}
[ -x "$server" ] || { echo "no $server"; echo "0 passed, 1 failed"; exit 1; }
command -v python3 >/dev/null ||
    { echo "python3 missing"; echo "0 passed, 1 failed"; exit 1; }
here=$(dirname "$0")
python3 "$here/sim.py" --server "$server" --seeds "1-$n" --jobs 2 \
    --only "$classes"
