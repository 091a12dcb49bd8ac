#!/bin/sh
# embed.sh NAME FILE: print a C source defining `const unsigned char NAME[]`
# (the bytes of FILE plus a terminating NUL) and `const size_t NAME_len`.
# Used so data files ship inside the binaries; od/awk only (coreutils).
set -eu
name=$1
file=$2
echo "/* generated from $file by scripts/embed.sh; do not edit */"
echo "#include <stddef.h>"
echo "const unsigned char ${name}[] = {"
od -An -v -tx1 "$file" | awk '{ s = "  "; for (i = 1; i <= NF; i++) s = s "0x" $i ","; print s }'
echo "  0x00 };"
echo "const size_t ${name}_len = sizeof ${name} - 1;"
