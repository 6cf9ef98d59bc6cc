#!/bin/sh
# Export speed (make bench-export; issue 16): the Xiayang example, signed,
# exported to a fresh folder under DEST-PARENT (a stick's mount point, or
# TMPDIR) against `cp -r` then `sync` of the same files to the same place.  export does more than cp: it
# checks every file against SHA256SUMS and its signature first, writes
# through a temporary name with fsync and a folder fsync, and reads each
# file back after dropping it from the page cache.  Wall and CPU seconds
# (GNU time), RUNS times each (default 3), best run kept.
#   bench/export.sh [BUILD-DIR] [DEST-PARENT]
set -eu
B=${1:-build/plain}
BIN=$(pwd)/$B/coursepack
d=$(mktemp -d "${TMPDIR:-/tmp}/export-bench.XXXXXX")
o=$(mktemp -d "${2:-${TMPDIR:-/tmp}}/export-bench.XXXXXX")
trap 'rm -rf "$d" "$o"' EXIT
RUNS=${RUNS:-3}
export LC_ALL=C.UTF-8
"$BIN" keygen -o "$d/k" >/dev/null 2>&1
"$BIN" build -o "$d/b" --sign "$d/k.key" examples/xiayang/township.xml >/dev/null 2>&1
src=$d/b/xiayang
bytes=$(du -sb "$src" | cut -f1)
best() { sort -n "$1" | head -1; }
i=0
: >"$d/cp" ; : >"$d/ex"
while [ $i -lt "$RUNS" ]; do
	rm -rf "$o/c" "$o/e"; sync
	/usr/bin/time -f '%e %U %S' -a -o "$d/cp" sh -c "cp -r '$src' '$o/c' && sync"
	sync
	/usr/bin/time -f '%e %U %S' -a -o "$d/ex" "$BIN" export --key "$d/k.pub" "$src" "$o/e" >/dev/null
	i=$((i + 1))
done
echo "Xiayang, 11 villages, $(ls "$src" | wc -l) files, $((bytes / 1024)) KiB; best of $RUNS (wall, user, system seconds):"
echo
echo "| copy | wall s | user s | sys s |"
echo "|---|---|---|---|"
echo "| cp -r + sync | $(best "$d/cp" | tr ' ' '|' | sed 's/|/ | /g') |"
echo "| coursepack export --key (checks, fsyncs, reads back) | $(best "$d/ex" | tr ' ' '|' | sed 's/|/ | /g') |"
