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
	sh -c "test -s '$rc/fds' && ! grep -E -- '-> .*(/\.coursepack-|\(deleted\)|\.zip|\.html|\.epub)' '$rc/fds'"
# The browser's helpers end with it: it runs in a process group of its
# own, which is ended.
alive=""
for p in $(cat "$rc/helpers"); do
	n=0; while kill -0 "$p" 2>/dev/null && [ $n -lt 30 ]; do sleep 0.1; n=$((n + 1)); done
	kill -0 "$p" 2>/dev/null && alive="$alive $p"
done
check_that "races: the browser's helper processes are ended with it (left:${alive:- none})" test -z "$alive"
for p in $alive; do kill "$p" 2>/dev/null; done
# Nothing is renamed into place before it is on disk, and the folder is
# synced after the rename: bundles, editions, sums and the catalogue
# (libzip's archive and our atomic files), and an unpacked folder.  A
# power cut must not leave an empty file under the final name.
if strace -f -qq -e trace=fsync true >/dev/null 2>&1; then
	mkdir -p "$rc/sync"
	# LeakSanitizer cannot run under ptrace (leaks are not this test's).
	(cd "$rc/sync" && ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 && export ASAN_OPTIONS && strace -f -y -qq -e trace=fsync,rename,renameat,renameat2 -o build.log \
		"$BIN" build -j2 -o out "$top/examples/xiayang/township.xml" >/dev/null 2>&1 &&
	strace -f -y -qq -e trace=fsync,rename,renameat,renameat2 -o unpack.log \
		"$BIN" unpack out/xiayang/xiayang-jili.zip jili >/dev/null 2>&1); st=$?
	cat >"$rc/sync/check.py" <<'PY'
import os, re, sys
# Every rename to a final name (not a .hidden temporary one) follows an
# fsync of what is renamed (of a file in it too, for a folder) and is
# followed by an fsync of the folder it lands in.
os.chdir(sys.argv[1])
bad, seen = [], 0
for log in sys.argv[2:]:
    events = []
    for line in open(log):
        m = re.search(r'fsync\(\d+<([^>]*)>', line)
        if m:
            events.append(('fsync', m.group(1)))
            continue
        m = re.search(r'rename(?:at2?)?\((?:AT_FDCWD, )?"([^"]*)", (?:AT_FDCWD, )?"([^"]*)"', line)
        if m:
            events.append(('rename', os.path.abspath(m.group(1)), os.path.abspath(m.group(2))))
    for i, e in enumerate(events):
        if e[0] != 'rename' or os.path.basename(e[2]).startswith('.'):
            continue
        seen += 1
        before = [x[1] for x in events[:i] if x[0] == 'fsync']
        after = [x[1] for x in events[i + 1:] if x[0] == 'fsync']
        if e[1] not in before:
            bad.append('%s: renamed to %s unsynced' % (log, e[2]))
        elif os.path.isdir(e[2]) and not any(p.startswith(e[1] + '/') for p in before):
            bad.append('%s: folder renamed to %s with its files unsynced' % (log, e[2]))
        if os.path.dirname(e[2]) not in after:
            bad.append('%s: folder of %s not synced after the rename' % (log, e[2]))
print('\n'.join(bad[:10]) or '%d renames checked' % seen)
sys.exit(1 if bad or seen < 30 else 0)
PY
	check_that "races: build and unpack sync each file before renaming it into place, and its folder after (exit $st)" \
		sh -c "test $st -eq 0 && python3 '$rc/sync/check.py' '$rc/sync' build.log unpack.log"
else
	skipped "races: strace cannot trace here (ptrace refused): fsync before rename not checked"
fi
# A course file swapped for a link between the build's reading it and a
# bundle's copying it: the stand-in browser of the first village plants a
# link to a file outside the course with the very same bytes (so size and
# CRC agree).  The second village's bundle, written from the same store,
# refuses it instead of following the link.
sw=$rc/swap && cp -r tests/golden/ok-library "$sw"
seq 1 20000 >"$sw/lib/grow/media/guide.pdf"
cp "$sw/lib/grow/media/guide.pdf" "$sw/outside.pdf"
sed -i 's|<asset src="media/tree.svg"/>|<asset src="media/tree.svg"/>\n    <asset src="media/guide.pdf"/>|' "$sw/lib/grow/course.xml"
sed 's/id="a"/id="b"/; s/甲村/乙村/' "$sw/town/villages/a.xml" >"$sw/town/villages/b.xml"
sed -i 's|<village src="villages/a.xml"/>|<village src="villages/a.xml"/>\n  <village src="villages/b.xml"/>|' "$sw/town/township.xml"
mkdir -p "$sw/bin" && cat >"$sw/bin/chromium" <<'FAKE'
#!/bin/sh
for a; do case $a in --print-to-pdf=*) out=${a#--print-to-pdf=} ;; esac; done
if [ ! -L "$SWAP/lib/grow/media/guide.pdf" ]; then
	rm "$SWAP/lib/grow/media/guide.pdf" && ln -s "$SWAP/outside.pdf" "$SWAP/lib/grow/media/guide.pdf"
fi
printf '%%PDF-1.4\n%%%%EOF\n' >"$out"
FAKE
chmod +x "$sw/bin/chromium"
(cd "$sw" && SWAP=$sw PATH="$sw/bin:$PATH" timeout 120 "$BIN" build --pdf --allow-short -j1 -o out town/township.xml \
	>/dev/null 2>"$rc/swap.err"); st=$?
check_that "races: a course file swapped for a link during the build is refused, not followed (exit $st)" \
	sh -c "test $st -ne 0 && test -L '$sw/lib/grow/media/guide.pdf' && test -e '$sw/out/town/town-a.zip' &&
	test ! -e '$sw/out/town/town-b.zip' && grep -q \"guide.pdf' changed while the build read it\" '$rc/swap.err'"
# diag() calls are checked against their catalogue formats at compile
# time (builder/base/diag.h, diagfmt.h): a wrong argument is a build error.
printf '#include <stddef.h>\n#include "diag.h"\nvoid f(void);\nvoid f(void) { diag(S_WRITE, NULL, "%s", 3); }\n' >"$rc/badfmt.c"
printf '#include <stddef.h>\n#include "diag.h"\nvoid f(void);\nvoid f(void) { diag(S_WRITE, NULL, "%s", "why"); }\n' >"$rc/goodfmt.c"
check_that "races: a diag() call with arguments its format does not take does not compile" \
	sh -c "${CC:-cc} -std=c11 -Wformat -Werror -I builder/base -I '$B' -fsyntax-only '$rc/goodfmt.c' &&
	! ${CC:-cc} -std=c11 -Wformat -Werror -I builder/base -I '$B' -fsyntax-only '$rc/badfmt.c'"
