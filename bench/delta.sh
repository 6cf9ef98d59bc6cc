#!/bin/sh
# Update patch sizes (make bench-delta; issue 16): the Xiayang example is
# built, then built again in copies after (a) one lesson's text, (b) one
# SVG and (c) one village's needs changed.  For every village and change,
# the patch of `coursepack delta` against `zstd -19 --patch-from=OLD NEW`
# and `xdelta3 -9 -e -s OLD NEW`, with the CPU time (user + system, GNU
# time) our delta and apply take: wall time on a shared machine says more
# about the neighbours.
# Prints a Markdown table: per change, the total over the eleven villages
# and the largest patch as a share of its bundle.
#   bench/delta.sh [BUILD-DIR]   (default: build/plain)
set -eu
B=${1:-build/plain}
BIN=$(pwd)/$B/coursepack
top=$(pwd)
d=$(mktemp -d "${TMPDIR:-/tmp}/delta-bench.XXXXXX")
trap 'rm -rf "$d"' EXIT
export SOURCE_DATE_EPOCH=1677000000 LC_ALL=C.UTF-8
tree() { # name [edit command...]
	t=$d/$1; shift
	mkdir -p "$t/examples" && cp -r "$top/courses" "$t/" && cp -r "$top/examples/xiayang" "$t/examples/"
	[ $# -eq 0 ] || (cd "$t" && "$@")
	"$BIN" build -o "$t/out" "$t/examples/xiayang/township.xml" >/dev/null 2>&1
}
tree old
tree a sed -i '0,/誓词不长/s//誓词虽然不长/' courses/party-spirit/01-duties.md
tree b sed -i 's/#2e7d32/#1b5e20/' courses/congress20/media/green-cycle.svg
tree c sed -i 's|<need>ecommerce</need>|<need>mushroom</need>|' examples/xiayang/villages/jili.xml
cpu() { # the command's user + system seconds, added to $d/cpu
	/usr/bin/time -f '%U %S' -a -o "$d/cpu" "$@" >/dev/null
}
echo "## Update patches: coursepack delta against zstd --patch-from and xdelta3 (Xiayang, 11 villages)"
echo
echo "| change | bundles (sum) | coursepack delta | zstd -19 --patch-from | xdelta3 -9 | largest share: ours / zstd / xdelta3 | delta + apply CPU (11 villages) |"
echo "|---|---|---|---|---|---|---|"
for k in a b c; do
	nb=0 ours=0 zs=0 xd=0 mo=0 mz=0 mx=0
	: >"$d/cpu"
	for old in "$d"/old/out/xiayang/xiayang-*.zip; do
		v=$(basename "$old")
		new=$d/$k/out/xiayang/$v
		cpu "$BIN" delta "$old" "$new" -o "$d/p"
		cpu "$BIN" apply "$old" "$d/p" -o "$d/r.zip"
		cmp "$d/r.zip" "$new"
		zstd -q -f -19 --single-thread --patch-from="$old" "$new" -o "$d/z" 2>/dev/null
		xdelta3 -9 -f -e -s "$old" "$new" "$d/x"
		n=$(stat -c %s "$new") p=$(stat -c %s "$d/p") z=$(stat -c %s "$d/z") x=$(stat -c %s "$d/x")
		nb=$((nb + n)) ours=$((ours + p)) zs=$((zs + z)) xd=$((xd + x))
		[ $((p * 1000 / n)) -gt $mo ] && mo=$((p * 1000 / n))
		[ $((z * 1000 / n)) -gt $mz ] && mz=$((z * 1000 / n))
		[ $((x * 1000 / n)) -gt $mx ] && mx=$((x * 1000 / n))
	done
	case $k in
	a) what="(a) one lesson's text" ;;
	b) what="(b) one SVG" ;;
	c) what="(c) one village's needs" ;;
	esac
	pc() { echo "$1" | awk '{printf "%.1f%%", $1 / 10}'; }
	printf '| %s | %s B | %s B | %s B | %s B | %s / %s / %s | %s s |\n' "$what" "$nb" "$ours" "$zs" "$xd" \
	    "$(pc $mo)" "$(pc $mz)" "$(pc $mx)" "$(awk '{t += $1 + $2} END {printf "%.2f", t}' "$d/cpu")"
done
