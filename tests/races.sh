# Races and resources (issue 13, item 2): sourced by tests/run.sh.
# A stand-in browser, found on PATH as 'chromium' by build --pdf, records
# what the real one would see: its open descriptors, and whether the
# output folder is locked while the build runs; it leaves a helper
# process behind, as Chromium's zygote and renderers can.
rc=$tmp/races && mkdir -p "$rc/bin" "$rc/out/xiayang"
cat >"$rc/bin/chromium" <<'FAKE'
#!/bin/sh
for a; do case $a in --print-to-pdf=*) out=${a#--print-to-pdf=} ;; esac; done
ls -l /proc/$$/fd >>"$RACES/fds"
sleep 300 &
echo $! >>"$RACES/helpers"
if [ -n "${RACES_LOCK:-}" ]; then
	# Once the test's exclusive holder is gone, the build must hold the
	# folder: an exclusive lock cannot be had.
	n=0; while [ ! -e "$RACES/released" ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
	flock -n -x "$RACES_LOCK" true; echo $? >>"$RACES/lock"
fi
printf '%%PDF-1.4\n%%%%EOF\n' >"$out"
FAKE
chmod +x "$rc/bin/chromium"
races_build() { # output folder, then more arguments
	_o=$1; shift
	RACES=$rc PATH="$rc/bin:$PATH" timeout 120 "$BIN" build --pdf -j2 -o "$_o" "$@" examples/xiayang/township.xml >/dev/null 2>"$rc/err"
}
# The folder held exclusively (another build's cleanup, a wrapper
# script's flock -x) when the build starts: the build waits, then works
# under its shared lock; it never works unlocked.
(flock -x "$rc/out/xiayang" sleep 2; touch "$rc/released") &
holder=$!
n=0; until ! flock -n -s "$rc/out/xiayang" true 2>/dev/null || [ $n -ge 50 ]; do sleep 0.1; n=$((n + 1)); done
start=$(date +%s)
RACES_LOCK=$rc/out/xiayang races_build "$rc/out"; st=$?
took=$(( $(date +%s) - start ))
wait $holder
check_that "races: a build started while the folder is locked exclusively waits (exit $st, ${took} s)" \
	sh -c "test $st -eq 0 && test $took -ge 1 && test -s '$rc/lock'"
check_that "races: ... and then holds the folder: no exclusive lock while its browser runs ($(tr '\n' ' ' <"$rc/lock"))" \
	sh -c "! grep -qv '^1\$' '$rc/lock'"
# The browser inherits no temporary, scratch or staging file of any
# worker: only its standard streams and the script the shell reads.
check_that "races: the browser inherits no file of the build" \
	sh -c "test -s '$rc/fds' && ! grep -E -- '-> .*(coursepack|deleted|\.zip|\.html|\.epub|XXXXXX)' '$rc/fds'"
# The browser's helpers end with it: it runs in a process group of its
# own, which is ended.
alive=""
for p in $(cat "$rc/helpers"); do
	n=0; while kill -0 "$p" 2>/dev/null && [ $n -lt 30 ]; do sleep 0.1; n=$((n + 1)); done
	kill -0 "$p" 2>/dev/null && alive="$alive $p"
done
check_that "races: the browser's helper processes are ended with it (left:${alive:- none})" test -z "$alive"
for p in $alive; do kill "$p" 2>/dev/null; done
