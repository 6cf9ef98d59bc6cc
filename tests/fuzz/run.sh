#!/bin/sh
# Runs each libFuzzer target for SECONDS on a working copy of its seeds.
# Usage: tests/fuzz/run.sh BUILDDIR SECONDS
set -u
B=$1
secs=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
work=build/fuzz/corpus
mkdir -p "$work/xml" "$work/markdown" "$work/bundle" "$work/image"
cp tests/fuzz/seeds/xml/* "$work/xml/"
cp tests/fuzz/seeds/markdown/* "$work/markdown/"
# Image seeds: the test photos (JPEG, GIF, WebP with metadata).
cp tests/images/orient1.jpg tests/images/p3.jpg tests/images/meta.gif tests/images/meta.webp tests/images/lossless.webp "$work/image/"
mkdir -p "$work/minisign" "$work/zipdir" "$work/roster"
cp tests/fuzz/seeds/minisign/* "$work/minisign/"
cp tests/fuzz/seeds/zipdir/* "$work/zipdir/"
mkdir -p "$work/receipt" && cp tests/fuzz/seeds/receipt/* "$work/receipt/"
cp tests/fuzz/seeds/roster/* "$work/roster/"
# Update patch seeds: an old bundle and a patch for it (fuzz_delta.c).
mkdir -p "$work/delta" && cp tests/fuzz/seeds/delta/* "$work/delta/"
# Bundle seeds: the small test fixture built into a real bundle.
if [ ! -s "$work/bundle/fixture.zip" ]; then
	tmp=$(mktemp -d)
	cp -r tests/golden/ok-library "$tmp/f"
	(cd "$tmp/f" && SOURCE_DATE_EPOCH=1677000000 "$top/$B/coursepack" build --allow-short -o out town/township.xml >/dev/null 2>&1)
	cp "$tmp/f/out/town/town-a.zip" "$work/bundle/fixture.zip"
	rm -rf "$tmp"
fi
fail=0
for t in xml markdown bundle image minisign zipdir receipt roster delta; do
	echo "fuzz_$t: ${secs}s"
	# -close_fd_mask=2: the targets' diagnostics are noise here.
	build/fuzz/fuzz_$t -max_total_time="$secs" -close_fd_mask=2 -artifact_prefix=build/fuzz/crash-$t- \
		-print_final_stats=1 "$work/$t" 2>build/fuzz/fuzz_$t.log || fail=1
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec)|^Done|ERROR' build/fuzz/fuzz_$t.log | sed 's/^/  /'
done
[ $fail -eq 0 ] && echo "fuzzing: no crash" || { echo "fuzzing: crashes in build/fuzz/crash-*"; exit 1; }
