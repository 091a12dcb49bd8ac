#!/bin/sh
# deps.sh install|ensure|check-build: the Debian 12 packages chopay needs to
# build, test, fuzz and run its demo.
#   install      apt-get install whatever is missing (safe to run twice)
#   ensure       install only when something is missing (used by check/demo)
#   check-build  exit 1 when a build library is missing; installs nothing
set -eu

# Libraries found with pkg-config: "pkg-config-name:debian-package".
BUILD_LIBS="openssl:libssl-dev jansson:libjansson-dev inih:libinih-dev
libqrencode:libqrencode-dev libmicrohttpd:libmicrohttpd-dev
sqlite3:libsqlite3-dev libpq:libpq-dev libcurl:libcurl4-openssl-dev
libxml-2.0:libxml2-dev sdl2:libsdl2-dev SDL2_ttf:libsdl2-ttf-dev
SDL2_image:libsdl2-image-dev libpng:libpng-dev cairo:libcairo2-dev
freetype2:libfreetype-dev"

# Commands the tests use: "command:debian-package".
TOOLS="cc:gcc make:make pkg-config:pkg-config clang:clang zbarimg:zbar-tools
openssl:openssl curl:curl sqlite3:sqlite3 python3:python3
clang-format:clang-format node:nodejs npm:npm pdfinfo:poppler-utils
nginx:nginx-light chromium:chromium Xvfb:xvfb faketime:faketime
valgrind:valgrind wrk:wrk strace:strace pkill:procps"

# Packages without a command or .pc file to probe (postgresql: the
# server make check-pg starts, its binaries are off PATH).
EXTRA_PKGS="libclang-rt-14-dev fonts-dejavu-core ca-certificates postgresql"

missing_pkgs() {
    for pair in $BUILD_LIBS; do
        pkg-config --exists "${pair%%:*}" 2>/dev/null || echo "${pair#*:}"
    done
    for pair in $TOOLS; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || echo "${pair#*:}"
    done
    for p in $EXTRA_PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
            grep -q "install ok installed" || echo "$p"
    done
}

do_install() {
    pkgs=$(missing_pkgs | sort -u | tr '\n' ' ')
    if [ -z "$pkgs" ]; then
        echo "deps: everything is installed"
        return 0
    fi
    echo "deps: installing $pkgs"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -q
    # shellcheck disable=SC2086
    $sudo apt-get install -y -q --no-install-recommends $pkgs
}

case "${1:-}" in
install) do_install ;;
ensure)
    if [ -n "$(missing_pkgs)" ]; then do_install; fi ;;
check-build)
    for pair in $BUILD_LIBS; do
        pkg-config --exists "${pair%%:*}" 2>/dev/null || {
            echo "deps: missing ${pair#*:}" >&2; exit 1; }
    done ;;
*) echo "usage: deps.sh install|ensure|check-build" >&2; exit 2 ;;
esac
