#!/bin/sh
# deb.sh OUTDIR [ARCH]: build chopay's Debian packages with
# dpkg-buildpackage in a copy of the source tree (OUTDIR/src, with
# packaging/debian as debian/), leave the .debs, .buildinfo and .changes in
# OUTDIR, and run lintian on them (fails on errors). With ARCH (arm64), the
# packages are cross-built for ARCH (dpkg-buildpackage -a ARCH, with
# Debian's cross compiler and the ARCH -dev packages; the tests of the
# ARCH programs are `make cross-check`'s, under qemu). Installs the
# packaging tools and the Build-Depends with apt-get when they are
# missing, as `make deps` does.
set -eu

out=${1:?usage: deb.sh OUTDIR [ARCH]}
arch=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
src="$out/src"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

apt_install() {
    echo "deb: installing $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends "$@"
}

# 1. The tools.
need=""
for pair in dpkg-buildpackage:dpkg-dev dh:debhelper fakeroot:fakeroot \
    lintian:lintian cc:build-essential; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || need="$need ${pair#*:}"
done
aflag=""
if [ -n "$arch" ] && [ "$arch" != "$(dpkg --print-architecture)" ]; then
    aflag="-a$arch"
    triplet=$(dpkg-architecture -a"$arch" -qDEB_HOST_GNU_TYPE 2>/dev/null)
    command -v "$triplet-gcc" >/dev/null 2>&1 ||
        need="$need gcc-$triplet binutils-$triplet"
    if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        as_root dpkg --add-architecture "$arch"
    fi
    # A cross build cannot run what it builds.
    case " ${DEB_BUILD_OPTIONS:-} " in
    *" nocheck "*) ;;
    *) DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-} nocheck" ;;
    esac
fi
# shellcheck disable=SC2086
[ -z "$need" ] || apt_install $need

# 2. A clean copy of the tree: what git tracks plus new files it does not
#    ignore (so build/, var/ and editor litter stay out).
rm -rf "$src"
mkdir -p "$src"
cd "$top"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git ls-files -z --cached --others --exclude-standard |
        xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
        xargs -0 cp --parents -P -t "$src"
else
    tar -C "$top" --exclude=./build --exclude=./var -cf - . |
        tar -C "$src" -xf -
fi
rm -rf "$src/debian"
cp -R "$top/packaging/debian" "$src/debian"

# 3. Build-Depends.
cd "$src"
# shellcheck disable=SC2086
if ! dpkg-checkbuilddeps $aflag >/dev/null 2>&1; then
    # shellcheck disable=SC2086
    missing=$(dpkg-checkbuilddeps $aflag 2>&1 |
        sed -n 's/.*Unmet build dependencies: //p' |
        sed -E 's/\([^)]*\)//g; s/<[^>]*>//g; s/\|[^ ]*//g')
    if [ -n "$aflag" ]; then
        # The libraries for the target, the tools for this machine.
        missing=$(for p in $missing; do
            case "$p" in
            *:*) echo "$p" ;;
            lib*-dev) echo "$p:$arch" ;;
            *) echo "$p" ;;
            esac
        done)
    fi
    # shellcheck disable=SC2086
    apt_install $missing
fi

# 4. Build.
rm -f "$out"/chopay*_*.deb "$out"/chopay_*.changes "$out"/chopay_*.buildinfo
jobs=$(nproc 2>/dev/null || echo 1)
opts="${DEB_BUILD_OPTIONS:-} parallel=$jobs"
t0=$(date +%s)
# shellcheck disable=SC2086
DEB_BUILD_OPTIONS=$opts dpkg-buildpackage $aflag -us -uc -b \
    >"$out/build.log" 2>&1 || {
    tail -n 40 "$out/build.log"
    echo "deb: dpkg-buildpackage failed (full log: $out/build.log)" >&2
    exit 1
}
echo "deb: built in $(($(date +%s) - t0))s (DEB_BUILD_OPTIONS='$opts')"

# 5. lintian: errors fail the build; warnings are listed.
changes=$(ls "$out"/chopay_*.changes)
lintian --fail-on error --tag-display-limit 0 "$changes" >"$out/lintian.log" 2>&1 ||
    lintian_rc=$?
sed 's/^/lintian: /' "$out/lintian.log"
for sev in E W I; do
    printf 'lintian %s: %s\n' "$sev" "$(grep -c "^$sev: " "$out/lintian.log" || true)"
done
if [ "${lintian_rc:-0}" -ne 0 ]; then
    echo "deb: lintian found errors" >&2
    exit 1
fi
ls -l "$out"/*.deb
