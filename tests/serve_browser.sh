# serve_browser: sourced by tests/run.sh.  The workspace (coursepack serve)
# in Debian's Chromium: tests/browser/serve.test.js clicks through the
# township, a village, a lesson's live preview, the attendance grid, a
# pasted chat export, a sheet upload and a build, on a scratch copy of
# the Xiayang example and the course library; each of its "ok"/"not ok"
# lines is a result here.  Screenshots (1366x768 and 390x844) are left in
# BUILDDIR/screenshots/serve-*.png.  puppeteer-core comes from build/node
# (make test installs it, pinned by tests/browser/package-lock.json).

. "$top/tests/browser/serve_start.sh"
sb=$tmp/serve_browser
puppeteer=$top/build/node/node_modules/puppeteer-core/package.json
if ! serve_exists "$BIN"; then
	skipped "serve_browser: '$BIN' has no serve command (coursepack serve is not built in)"
elif [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null 2>&1; then
	skipped "serve_browser: /usr/bin/chromium or node is missing (Debian packages chromium, nodejs)"
elif [ ! -f "$puppeteer" ]; then
	skipped "serve_browser: puppeteer-core is not installed in build/node (make test installs it: make build/node/node_modules/puppeteer-core/package.json)"
else
	rm -rf "$sb" && mkdir -p "$sb/ws/examples"
	cp -r "$top/examples/xiayang" "$sb/ws/examples/" && cp -r "$top/courses" "$sb/ws/"
	tw=$sb/ws/examples/xiayang/township.xml
	"$BIN" plan --csv "$tw" >"$sb/plan.csv" 2>/dev/null
	# The rosters are in the ledger already, as after a staffer's first
	# import: receipts and sheets name members the ledger knows.
	"$BIN" ledger import --ledger "$sb/ledger.sqlite" "$tw" "$sb/ws/examples/xiayang/rosters/"*.csv \
		"$sb/ws/examples/xiayang/rosters/"*.xlsx >"$sb/import.out" 2>&1
	check_that "serve_browser: the rosters import into the scratch ledger" sh -c "test -s '$sb/ledger.sqlite'"
	# The server is stopped on every way out of the suite, then run.sh's own handler runs.
	trap 'st_=$?; serve_stop; (exit $st_); on_exit' EXIT
	if serve_start "$sb/server" "$BIN" --ledger "$sb/ledger.sqlite" -o "$sb/out" "$tw"; then
		ok
		NODE_PATH=$top/build/node/node_modules timeout 400 node "$top/tests/browser/serve.test.js" \
			"$url" "$sb/ws" "$BIN" "$sb/plan.csv" "$top/$B" >"$sb/node.out" 2>"$sb/node.err"
		st=$?
		nko=0 nok=0
		while IFS= read -r line; do
			case $line in
			"ok "*) ok; nok=$((nok + 1)) ;;
			"not ok "*) ko "serve_browser: ${line#not ok }"; nko=$((nko + 1)) ;;
			esac
		done <"$sb/node.out"
		# The harness itself: it ran to the end and its status is its failures.
		if [ "$nok" -gt 0 ] && [ "$st" -eq "$nko" ]; then ok; else
			ko "serve_browser: the node harness exited $st after $nok ok and $nko not ok"
			tail -5 "$sb/node.err" | sed 's/^/  | /'
		fi
		check_that "serve_browser: the server is still running after the browser test" kill -0 "$srv"
		serve_stop
		check_that "serve_browser: the server wrote no sanitizer or crash report" \
			sh -c "! grep -q 'Sanitizer\|runtime error\|Segmentation' '$sb/server.err'"
	else
		ko "serve_browser: coursepack serve did not print its URL"
		sed 's/^/  | /' "$sb/server.err" | head -10
	fi
	trap on_exit EXIT
fi
