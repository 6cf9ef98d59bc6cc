#!/bin/sh
# The workspace under load (make bench-serve; issue 15): coursepack serve
# on a scratch copy of the Xiayang example, CLIENTS keep-alive clients for
# SECONDS seconds (tests/load.c) on the township page and one lesson
# preview, round robin.  It samples the server's VmRSS every second
# (/proc/PID/status) and prints requests/s, latency percentiles, errors,
# the first, peak and last RSS, then the Markdown table for BENCHMARKS.md.
#   bench/serve.sh [BUILD-DIR]   (default: build/plain; CLIENTS=50 SECONDS=20;
#   COURSEPACK=another binary to serve)
# Everything stays on 127.0.0.1.
set -eu
B=${1:-build/plain}
top=$(pwd)
BIN=${COURSEPACK:-$top/$B/coursepack}
LOAD=$top/$B/load
CLIENTS=${CLIENTS:-50} SECONDS_=${SECONDS:-20}
LESSON=${LESSON:-congress20/rejuvenation}
. "$top/tests/browser/serve_start.sh"
if ! serve_exists "$BIN"; then
	echo "bench/serve.sh: '$BIN' has no serve command: nothing to measure" >&2
	exit 2
fi
[ -x "$LOAD" ] || { echo "bench/serve.sh: build the load client first: make $B/load" >&2; exit 2; }
d=$(mktemp -d "${TMPDIR:-/tmp}/serve-bench.XXXXXX")
srv=
trap 'serve_stop; rm -rf "$d"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$d/ws/examples"
cp -r examples/xiayang "$d/ws/examples/" && cp -r courses "$d/ws/"
if ! serve_start "$d/server" "$BIN" --ledger "$d/ledger.sqlite" -o "$d/out" "$d/ws/examples/xiayang/township.xml"; then
	echo "bench/serve.sh: coursepack serve did not start:" >&2
	cat "$d/server.err" >&2
	exit 1
fi
urls="${url} ${url}lesson/$LESSON"
"$LOAD" -c 2 -t 1 $urls >/dev/null 2>&1 || true	# warm-up: the baseline is after it
first=$(serve_rss "$srv")
"$LOAD" -c "$CLIENTS" -t "$SECONDS_" $urls >"$d/load" 2>"$d/load.err" &
lp=$!
: >"$d/rss"
while kill -0 "$lp" 2>/dev/null; do
	serve_rss "$srv" >>"$d/rss"
	sleep 1
done
wait "$lp" || { cat "$d/load.err" >&2; exit 1; }
last=$(serve_rss "$srv")
[ -n "$last" ] || { echo "bench/serve.sh: the server died under load:" >&2; tail -20 "$d/server.err" >&2; exit 1; }
echo "$last" >>"$d/rss"
peak=$(sort -n "$d/rss" | tail -1)
. "$d/load"
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
growth=$(awk -v a="$first" -v b="$last" 'BEGIN { printf "%+.1f%%", (b - a) * 100 / a }')
echo "coursepack serve, Xiayang example: $CLIENTS keep-alive clients for $SECONDS_ s on / and /lesson/$LESSON"
echo "  requests $requests ($rps/s); latency p50 $p50_ms ms, p90 $p90_ms ms, p99 $p99_ms ms, max $max_ms ms"
echo "  errors $errors (non-200 $non200, resets $resets, failed connects $connect, timeouts $timeouts)"
echo "  server RSS: first $(mib "$first") MiB, peak $(mib "$peak") MiB, last $(mib "$last") MiB ($growth; samples: $(wc -l <"$d/rss"))"
echo
echo "## Workspace: $CLIENTS clients for $SECONDS_ s (coursepack serve on Xiayang)"
echo
echo "| URLs | clients | requests/s | p50 | p90 | p99 | max | errors | RSS first | RSS peak | RSS last |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
echo "| \`/\` and \`/lesson/$LESSON\` | $CLIENTS | $rps | $p50_ms ms | $p90_ms ms | $p99_ms ms | $max_ms ms | $errors | $(mib "$first") MiB | $(mib "$peak") MiB | $(mib "$last") MiB |"
