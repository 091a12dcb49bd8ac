#!/bin/sh
# cross.sh BUILD ARCH: cross-build chopay for ARCH (arm64) with Debian's
# cross compiler and the ARCH -dev packages (multiarch) into BUILD/ARCH,
# then run the whole test suite (unit, feeds, server integration, CLI,
# kiosk headless sessions against the real server) under qemu-user. No
# binfmt_misc needed: every ARCH program gets a small wrapper that runs it
# through qemu, and the tests are pointed at the wrappers.
# Installs what is missing with apt-get, as `make deps` does.
set -eu

build=${1:?usage: cross.sh BUILD ARCH}
arch=${2:-arm64}
case "$arch" in
arm64)
    triplet=aarch64-linux-gnu
    qemu=qemu-aarch64-static
    machine=AArch64
    ;;
*)
    echo "cross.sh: ARCH=$arch is not supported (arm64 is)" >&2
    exit 2
    ;;
esac
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
out="$build/$arch"
t_start=$(date +%s)

# --- 1. packages -----------------------------------------------------------
# The -dev packages of packaging/debian/control's Build-Depends, for ARCH
# (one list to keep up to date when a library is added).
LIBS=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' packaging/debian/control |
    grep -o 'lib[a-z0-9.+-]*-dev' | sort -u)
TOOLS="gcc-$triplet binutils-$triplet qemu-user-static"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}
# A -dev package that is not "Multi-Arch: same" cannot be installed for
# two architectures: installing it for ARCH would REMOVE the native one and
# break the native build (libpq-dev in Debian 12). Those are skipped; the
# cross build fails loudly if it ever links one.
multiarch_same() {
    apt-cache show "$1" 2>/dev/null | grep -q '^Multi-Arch: same'
}
missing=""
for p in $TOOLS; do installed "$p" || missing="$missing $p"; done
for p in $LIBS; do
    if ! multiarch_same "$p"; then
        echo "cross: skipping $p:$arch (not Multi-Arch: same; would" \
            "replace $p for the build machine)"
        continue
    fi
    installed "$p:$arch" || missing="$missing $p:$arch"
done
if [ -n "$missing" ]; then
    t0=$(date +%s)
    if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        as_root dpkg --add-architecture "$arch"
    fi
    echo "cross: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -q
    # Multi-Arch: same libraries must have the same version for both
    # architectures; apt upgrades the native ones alongside if needed.
    # shellcheck disable=SC2086
    as_root apt-get install -y -q --no-install-recommends $missing
    echo "cross: packages installed in $(($(date +%s) - t0))s"
fi

# --- 2. build ---------------------------------------------------------------
t0=$(date +%s)
jobs=$(nproc 2>/dev/null || echo 1)
make --no-print-directory -j"$jobs" BUILD="$out" CC="$triplet-gcc" \
    AR="$triplet-ar" PKG_CONFIG="$triplet-pkg-config" all-tests
echo "cross: built $out in $(($(date +%s) - t0))s"

# Every program must really be for ARCH.
tests=$(make --no-print-directory -s BUILD="$out" print-tests)
for f in "$out"/bin/chopay "$out"/bin/chopay-server "$out"/bin/chopay-kiosk; do
    m=$("$triplet-readelf" -h "$f" | sed -n 's/^ *Machine: *//p')
    case "$m" in
    *"$machine"*) ;;
    *)
        echo "cross: $f is for '$m', not $machine" >&2
        exit 1
        ;;
    esac
done
echo "cross: chopay, chopay-server and chopay-kiosk are $machine ELF files"

# --- 3. wrappers --------------------------------------------------------------
# $out/qemu mirrors $out: each ARCH executable becomes a script that runs
# it under qemu (the ARCH libraries are found in the multiarch paths, the
# loader under /usr/$triplet). Programs started by the tests (the server
# by its integration tests, the kiosk and the tool by the shell tests) are
# started through these wrappers too.
wrap="$out/qemu"
rm -rf "$wrap"
find "$out" -path "$wrap" -prune -o -type f -perm -u+x -print |
    while read -r f; do
        head -c 4 "$f" | grep -q 'ELF' || continue
        rel=${f#"$out"/}
        mkdir -p "$wrap/$(dirname "$rel")"
        abs=$(cd "$(dirname "$f")" && pwd)/$(basename "$f")
        # Test programs get a time limit: a hang under emulation must end.
        case "$rel" in
        tests/*) lim="timeout -s KILL 180 " ;;
        *) lim="" ;;
        esac
        printf '#!/bin/sh\nexec %s%s -L /usr/%s "%s" "$@"\n' \
            "$lim" "$qemu" "$triplet" "$abs" >"$wrap/$rel"
        chmod 755 "$wrap/$rel"
    done
echo "cross: $(find "$wrap" -type f | wc -l) programs wrapped for $qemu"
"$wrap/bin/chopay" money format 1500000

# --- 4. can qemu run threads here? --------------------------------------------
# Debian 12's qemu-user 7.2 hangs on some hosts as soon as a guest program
# starts a second thread (seen with a 6.18 kernel: a 10-line pthread
# program never returns). The server and the kiosk are threaded, so then
# only the single-process, single-threaded tests can run.
probe="$out/qemu-thread-probe"
cat >"$probe.c" <<'EOF'
#include <pthread.h>
#include <stdio.h>
static void *run(void *a) { return a; }
int main(void)
{
    pthread_t t;
    void *r = NULL;
    if (pthread_create(&t, NULL, run, &t) != 0 || pthread_join(t, &r) != 0)
        return 1;
    puts(r == &t ? "threads ok" : "threads wrong");
    return r == &t ? 0 : 1;
}
EOF
"$triplet-gcc" -O2 -pthread -o "$probe" "$probe.c"
if timeout -s KILL 20 "$qemu" -L "/usr/$triplet" "$probe" >/dev/null 2>&1; then
    threads=1
else
    threads=0
    echo "cross: WARNING: $($qemu --version | head -n 1) cannot run a" \
        "threaded program on this host (kernel $(uname -r)): running only" \
        "the single-threaded tests; the server and the kiosk are not" \
        "exercised under emulation" >&2
fi

# --- 5. tests -----------------------------------------------------------------
# qemu-user cannot fork() a guest process reliably (the child spins before
# its exec; popen and system, which use vfork, are fine). The server's
# integration tests fork the server, so they run as native drivers that
# start the $arch server through its wrapper (CHOPAY_SERVER): the program
# under test is still the $arch chopay-server, over HTTP.
list=""
natives=""
if [ "$threads" = 0 ]; then
    # Only the C test programs that start no server: skip the shell tests
    # (they run the server or the kiosk) and the server's drivers.
    for t in $tests; do
        case "$t" in
        *.sh) continue ;;
        "$out"/tests/server/*)
            grep -q 'st_start\|st_run' "tests/server/${t##*/}.c" 2>/dev/null &&
                continue ;;
        esac
        list="$list $wrap/${t#"$out"/}"
    done
    tests=""
fi
for t in $tests; do
    case "$t" in
    "$out"/tests/server/*)
        name=${t##*/}
        if grep -q 'st_start\|st_run' "tests/server/$name.c" 2>/dev/null; then
            natives="$natives $build/tests/server/$name"
            list="$list $build/tests/server/$name"
            continue
        fi
        list="$list $wrap/${t#"$out"/}"
        ;;
    "$out"/*) list="$list $wrap/${t#"$out"/}" ;;
    *) list="$list $t" ;;
    esac
done
if [ -n "$natives" ]; then
    # shellcheck disable=SC2086
    make --no-print-directory -s -j"$jobs" BUILD="$build" $natives
    echo "cross: native drivers for the $arch server:$natives"
fi
t0=$(date +%s)
# Emulation is several times slower: tests that scale their waits for
# sanitizer builds get the same allowance.
rc=0
# shellcheck disable=SC2086
CHOPAY_SERVER="$wrap/bin/chopay-server" CHOPAY_SAN=qemu \
    sh tests/run.sh "$wrap" $list || rc=$?
echo "cross: tests under $qemu in $(($(date +%s) - t0))s;" \
    "cross-check total $(($(date +%s) - t_start))s"
[ "$threads" = 1 ] || { echo "cross: incomplete: threaded programs" \
    "could not run under $qemu" >&2; rc=1; }
exit $rc
