#!/bin/sh
# The pipeline a township would otherwise script, for comparison with
# coursepack build: one standalone HTML page per lesson with pandoc, into a
# folder per village, the courses' media copied beside the pages, then one
# zip -r -9 per village.
#
#   bench/pandoc-pipeline.sh GENDIR OUTDIR [JOBS]
#
# GENDIR is a folder written by bench/gen.py (its lessons.tsv lists each
# village's lessons in plan order).  OUTDIR must not exist.  JOBS villages
# are done at a time (default 1: the plain serial script).
set -eu

gen=$1 out=$2 jobs=${3:-1}
lib=$gen/courses

if [ "${PIPELINE_VILLAGE:-}" ]; then
	# One village: its pages, its media, its zip.
	v=$PIPELINE_VILLAGE
	mkdir "$out/$v"
	awk -F '\t' -v v="$v" '$1 == v { print $2 "\t" $3 }' "$gen/lessons.tsv" |
	while IFS='	' read -r course src; do
		if [ ! -d "$out/$v/$course" ]; then
			mkdir "$out/$v/$course"
			if [ -d "$lib/$course/media" ]; then
				cp -r "$lib/$course/media" "$out/$v/$course/media"
			fi
		fi
		pandoc -f gfm -t html5 -s --metadata pagetitle="$course/${src%.md}" \
		    -o "$out/$v/$course/${src%.md}.html" "$lib/$course/$src"
	done
	(cd "$out" && zip -q -r -9 "$v.zip" "$v")
	exit 0
fi

mkdir "$out"
cut -f1 "$gen/lessons.tsv" | uniq |
    xargs -P "$jobs" -I '{}' env PIPELINE_VILLAGE='{}' sh "$0" "$gen" "$out"
