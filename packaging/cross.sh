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
    if [ "$p" = libpq-dev ]; then
        # libpq's headers are the same for every architecture (its one
        # type, PG_INT64_TYPE, is `long int` on all 64-bit Debian ports):
        # the native libpq-dev's headers and ARCH's libpq5 (Multi-Arch:
        # same) are enough; step 2 points pkg-config at them.
        installed "libpq5:$arch" || missing="$missing libpq5:$arch"
        continue
    fi
    if ! multiarch_same "$p"; then
        echo "cross: skipping $p:$arch (not Multi-Arch: same; would" \
            "replace $p for the build machine)"
        continue
    fi
    installed "$p:$arch" || missing="$missing $p:$arch"
done
# The dashboard test turns the server's clock back with libfaketime: the
# server is ARCH's, so the library must be too.
installed "libfaketime:$arch" || missing="$missing libfaketime:$arch"
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
# libpq for ARCH without its -dev package (see step 1): a pkg-config
# file naming the native headers and ARCH's shared library.
mkdir -p "$out/pkgconfig"
printf '%s\n' 'Name: libpq' 'Description: libpq5 for the cross build' \
    'Version: 15' 'Cflags: -I/usr/include/postgresql' \
    'Libs: -l:libpq.so.5' >"$out/pkgconfig/libpq.pc"
PKG_CONFIG_PATH="$out/pkgconfig" \
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
# it under qemu. Programs started by the tests (the server by its
# integration tests, the kiosk and the tool by the shell tests) are started
# through these wrappers too.
#
# No `-L /usr/$triplet`: that prefix holds the cross toolchain's own copy
# of the dynamic loader (libc6-ARCH-cross), while the libraries come from
# the multiarch libc6:ARCH, a different glibc build. A loader and a libc
# from two builds disagree on their private structures: single-threaded
# programs happen to work, and the first pthread_create or fork spins
# forever. Without -L, the program's interpreter (/lib/ld-linux-*.so.1)
# and its libc are both libc6:ARCH's.
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
        tests/*) lim="timeout -s KILL 600 " ;;
        *) lim="" ;;
        esac
        printf '#!/bin/sh\nexec %s%s "%s" "$@"\n' \
            "$lim" "$qemu" "$abs" >"$wrap/$rel"
        chmod 755 "$wrap/$rel"
    done
echo "cross: $(find "$wrap" -type f | wc -l) programs wrapped for $qemu"
"$wrap/bin/chopay" money format 1500000

# --- 4. tests -----------------------------------------------------------------
# Every test, the server's integration tests (which fork the ARCH server)
# and the kiosk's headless sessions included, runs as ARCH code.
list=""
for t in $tests; do
    case "$t" in
    "$out"/*) list="$list $wrap/${t#"$out"/}" ;;
    *) list="$list $t" ;;
    esac
done
t0=$(date +%s)
# Emulation is several times slower: tests that scale their waits for
# sanitizer builds get the same allowance.
rc=0
# shellcheck disable=SC2086
CHOPAY_SERVER="$wrap/bin/chopay-server" CHOPAY_SAN=qemu \
    sh tests/run.sh "$wrap" $list || rc=$?
echo "cross: tests under $qemu in $(($(date +%s) - t0))s;" \
    "cross-check total $(($(date +%s) - t_start))s"
exit $rc
