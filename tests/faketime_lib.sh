#!/bin/sh
# faketime_lib.sh PROGRAM: the path of libfaketime for PROGRAM's own
# architecture (its ELF e_machine), or nothing when that one is not
# installed. PROGRAM may be a wrapper script ending in `"ELF" "$@"`, as the
# cross build's qemu-user wrappers are: the program it names counts.
elf=$1
head -c 4 "$elf" | grep -q ELF ||
    elf=$(sed -n 's/.* "\([^"]*\)" "\$@"$/\1/p' "$1")
case $(od -An -j18 -N2 -tu2 "$elf" 2>/dev/null | tr -d ' ') in
183) dir=aarch64-linux-gnu ;;
62) dir=x86_64-linux-gnu ;;
*) exit 0 ;;
esac
f=/usr/lib/$dir/faketime/libfaketime.so.1
[ -f "$f" ] && echo "$f"
exit 0
