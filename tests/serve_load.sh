# serve_load: sourced by tests/run.sh.  A short load on the workspace
# (coursepack serve): 10 keep-alive clients for 3 s (tests/load.c) on the
# township page and a lesson preview of a scratch copy of the Xiayang
# example: no error of any kind (non-200, reset, failed connect, timeout),
# and the server's memory (VmRSS) grows by less than 20% from after a
# warm-up to the end.  bench/serve.sh is the long version (make bench-serve).

. "$top/tests/browser/serve_start.sh"
sl=$tmp/serve_load
if ! serve_exists "$BIN"; then
	skipped "serve_load: '$BIN' has no serve command (coursepack serve is not built in)"
elif [ ! -x "$top/$B/load" ]; then
	ko "serve_load: $B/load is not built (make $B/load; make test builds it)"
else
	rm -rf "$sl" && mkdir -p "$sl/ws/examples"
	cp -r "$top/examples/xiayang" "$sl/ws/examples/" && cp -r "$top/courses" "$sl/ws/"
	trap 'st_=$?; serve_stop; (exit $st_); on_exit' EXIT
	if serve_start "$sl/server" "$BIN" --ledger "$sl/ledger.sqlite" -o "$sl/out" "$sl/ws/examples/xiayang/township.xml"; then
		urls="${url} ${url}lesson/congress20/rejuvenation"
		# The first requests load what stays loaded: the baseline is after them.
		"$top/$B/load" -c 2 -t 1 $urls >"$sl/warm" 2>&1
		rss0=$(serve_rss "$srv")
		"$top/$B/load" -c 10 -t 3 $urls >"$sl/load" 2>"$sl/load.err" &
		lp=$!
		peak=${rss0:-0}
		while kill -0 "$lp" 2>/dev/null; do
			r=$(serve_rss "$srv"); [ -n "$r" ] && [ "$r" -gt "$peak" ] && peak=$r
			sleep 0.5
		done
		wait "$lp"; lst=$?
		rss1=$(serve_rss "$srv")
		sed -n 's/^\(requests\|rps\|p99_ms\|errors\|non200\|resets\|connect\|timeouts\)=/\1=/p' "$sl/load" | tr '\n' ' ' >"$sl/summary"
		summary_=$(cat "$sl/summary")
		check_that "serve_load: 10 clients for 3 s, every request answered 200 ($summary_)" \
			sh -c "test $lst -eq 0 && grep -qx 'errors=0' '$sl/load' && ! grep -qx 'requests=0' '$sl/load' && grep -q '^requests=' '$sl/load'"
		# AddressSanitizer holds freed memory in its quarantine (256 MiB):
		# under it, RSS grows whatever the server does, as for the build's
		# peaks in run.sh.
		case $B in
		*san*) skipped "serve_load: memory growth is not measured under the sanitizers, whose quarantine keeps freed memory (VmRSS ${rss0:-?} -> ${rss1:-?} KiB)" ;;
		*) check_that "serve_load: the server's memory grows by less than 20% (VmRSS ${rss0:-?} -> ${rss1:-?} KiB, peak $peak)" \
			sh -c "test -n '${rss0:-}' && test -n '${rss1:-}' && test \$(( ${rss1:-0} * 100 )) -lt \$(( ${rss0:-0} * 120 ))" ;;
		esac
		check_that "serve_load: the server is still running after the load" kill -0 "$srv"
		serve_stop
	else
		ko "serve_load: coursepack serve did not print its URL"
		sed 's/^/  | /' "$sl/server.err" | head -10
	fi
	trap on_exit EXIT
fi
