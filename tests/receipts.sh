# Receipts from the phone edition (学习回执), in Debian's Chromium at a
# phone's size from file://, then read back by receipt.c: sourced by
# tests/run.sh after editions.sh built Xiayang into $bd/a.  The harness
# page opens the phone edition in a 390x844 frame and works it as a
# member would; what it read comes back URI-encoded in its DOM.

if ! command -v chromium >/dev/null 2>&1; then
	skipped "receipts: chromium not installed (Debian package chromium)"
else
	rc=$tmp/receipts && rm -rf "$rc" && mkdir -p "$rc"
	cp "$bd/a/xiayang/xiayang-jili-phone.html" "$rc/jili.html"
	cp "$bd/a/xiayang/xiayang-madao-phone.html" "$rc/madao.html"
	# No storage at all, as on WebKit or an Android WebView: localStorage throws.
	sed 's|<head>|<head><script>Object.defineProperty(window, "localStorage", { get: function () { throw new DOMException("denied", "SecurityError"); } });</script>|' \
		"$rc/jili.html" >"$rc/jili-nostore.html"
	cat >"$rc/harness.js" <<'JS'
var f = document.getElementById('f'), out = document.getElementById('out'), stage = 0, log = [];
var mode = document.body.getAttribute('data-mode');
function say(k, v) { log.push(k + '=' + encodeURIComponent(v)); }
function type(d, name) {
  var n = d.getElementById('r-name');
  n.value = name;
  n.dispatchEvent(new Event('input'));
}
f.onload = function () {
  setTimeout(function () {
    var d = f.contentDocument, b = d.querySelectorAll('button.done');
    try {
      if (mode === 'store' && stage === 0) {
        say('buttons', b.length + ' hidden=' + b[0].hidden);
        b[0].click(); b[2].click();
        stage = 1;
        f.contentWindow.location.reload();
        return;
      }
      if (mode === 'store') {
        say('kept', d.querySelectorAll('button.done.on').length + ' ' + b[0].className + ' ' + b[2].className);
        say('nostore-note-hidden', d.getElementById('r-nostore').hidden);
        say('box', d.querySelector('#receipt input[data-n="3"]').checked);
        type(d, '  张三 ');
        say('text', d.getElementById('r-text').value);
        say('width', d.documentElement.scrollWidth);
      } else {
        say('nostore-note-hidden', d.getElementById('r-nostore').hidden);
        say('section-hidden', d.getElementById('receipt').hidden);
        d.querySelector('#receipt input[data-n="2"]').click();
        d.querySelector('#receipt input[data-n="4"]').click();
        b[4].click();
        type(d, '李四');
        say('text', d.getElementById('r-text').value);
      }
      d.getElementById('r-copy').click();
    } catch (e) {
      say('error', String(e));
    }
    setTimeout(function () { say('said', d.getElementById('r-said').textContent); out.textContent = 'RESULT ' + log.join(' ') + ' END'; }, 300);
  }, 300);
};
JS
	receipt_run() { # label, mode, page
		printf '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>harness</title></head><body data-mode="%s"><iframe id="f" width="390" height="844" src="%s"></iframe><pre id="out">PENDING</pre><script src="harness.js"></script></body></html>\n' "$2" "$3" >"$rc/harness-$1.html"
		timeout 120 chromium --headless --disable-gpu --disable-quic --no-first-run \
			--disable-background-networking --disable-component-update --disable-sync \
			--disable-default-apps --disable-extensions --proxy-server=127.0.0.1:9 \
			--host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$rc/chrome-$1" \
			--allow-file-access-from-files --enable-logging=stderr --v=0 --virtual-time-budget=10000 \
			$( [ "$(id -u)" = 0 ] && echo --no-sandbox ) \
			--dump-dom "file://$rc/harness-$1.html" >"$rc/dom-$1" 2>"$rc/log-$1"
		grep -o 'RESULT [^<]* END' "$rc/dom-$1" | tr ' ' '\n' >"$rc/result-$1"
		grep 'INFO:CONSOLE' "$rc/log-$1" >"$rc/console-$1" || true
		# The receipt text, decoded.
		python3 -c 'import sys, urllib.parse
for l in open(sys.argv[1], encoding="utf-8"):
    if l.startswith("text="): sys.stdout.write(urllib.parse.unquote(l[5:].strip()) + "\n")' "$rc/result-$1" >"$rc/text-$1"
	}
	val() { grep "^$2=" "$rc/result-$1" | head -1 | cut -d= -f2-; }
	receipt_run jili store jili.html
	receipt_run madao store madao.html
	receipt_run nostore nostore jili-nostore.html
	check_that "receipts: the phone edition runs in Chromium at 390x844, no error" \
		sh -c "test -s '$rc/result-jili' && ! grep -q '^error=' '$rc/result-jili' && test ! -s '$rc/console-jili'"
	[ -s "$rc/console-jili" ] && sed 's/^/  | /' "$rc/console-jili" | head -5
	check_that "receipts: a 学完本课 button per lesson, shown by the script" grep -qx 'buttons=20%20hidden%3Dfalse' "$rc/result-jili"
	check_that "receipts: two lessons ticked survive a reload (localStorage)" grep -qx 'kept=2%20done%20on%20done%20on' "$rc/result-jili"
	check_that "receipts: ... and are ticked in the 学习回执 view, no note about storage" \
		sh -c "grep -qx 'box=true' '$rc/result-jili' && grep -qx 'nostore-note-hidden=true' '$rc/result-jili'"
	check_that "receipts: nothing reaches past a 390 px screen ($(val jili width))" sh -c "test '$(val jili width)' -le 390"
	today=$(date +%F)
	check_that "receipts: the text names township, village, name, lessons, dates and a code" sh -c "
		printf '%s\n' '【学习回执】' '乡镇：霞阳镇' '村：吉利村' '姓名：张三' '已学：1,3（共 2 课）' '日期：$today' >'$rc/want'
		head -6 '$rc/text-jili' | cmp -s - '$rc/want' && sed -n 7p '$rc/text-jili' | grep -qx '校验码：[0-9A-Z]\{4\}-[0-9A-Z]\{4\}'"
	check_that "receipts: the copy button answers ($(val jili said | python3 -c 'import sys, urllib.parse; print(urllib.parse.unquote(sys.stdin.read().strip()))'))" \
		sh -c "test -n '$(val jili said)'"
	check_that "receipts: without storage, a note says to tick by hand, and the view is there" \
		sh -c "grep -qx 'nostore-note-hidden=false' '$rc/result-nostore' && grep -qx 'section-hidden=false' '$rc/result-nostore' && ! grep -q '^error=' '$rc/result-nostore'"
	check_that "receipts: ... lessons ticked by hand and by button are in the receipt" grep -qx '已学：2,4-5（共 3 课）' "$rc/text-nostore"
	# The texts, pasted into a chat among other messages, read back by receipt.c.
	{
		printf '2023-02-10 20:01:13 村支书老王\n大家学完了记得把学习回执发到群里\n\n2023-02-10 20:05:42 张三\n'
		cat "$rc/text-jili"
		printf '2023-02-10 20:06:00 李四\n'
		cat "$rc/text-nostore"
		printf '2023-02-10 20:06:30 王五\n收到\n2023-02-10 20:07:00 张三\n'
		sed 's/^姓名：张三$/姓名：张山/' "$rc/text-jili"
		printf '2023-02-10 20:08:00 马岛村的亲戚\n'
		cat "$rc/text-madao"
	} >"$rc/chat.txt"
	jili_id=xiayang-jili/xiayang-2022-2023
	"$top/$B/receipts" xiayang-jili/xiayang-2021-2022 "$jili_id" <"$rc/chat.txt" >"$rc/found"
	check_that "receipts: four receipts found in the chat, at their lines ($(cut -f1,2 "$rc/found" | tr '\t\n' ': '))" \
		sh -c "test \"\$(cut -f1 '$rc/found' | tr '\n' ' ')\" = '5 13 23 31 '"
	check_that "receipts: the one from storage verifies against Jili's bundle" \
		grep -qx "5	ok	1	张三	1,3	$today	$today" "$rc/found"
	check_that "receipts: the one ticked by hand verifies" grep -qx "13	ok	1	李四	2,4-5	$today	$today" "$rc/found"
	check_that "receipts: one changed character fails the code" grep -q "^23	bad-code	-1	张山	" "$rc/found"
	check_that "receipts: Madao's receipt fails against Jili's bundle" grep -q "^31	bad-code	-1	张三	" "$rc/found"
	check_that "receipts: ... and verifies against Madao's" sh -c \
		"'$top/$B/receipts' xiayang-madao/xiayang-2022-2023 <'$rc/chat.txt' | grep -qx '31	ok	0	张三	1,3	$today	$today'"
	# The same chat into a ledger whose Jili roster lists 张三 and 李四 as
	# mobile members: the two good receipts show up in the report with the
	# hours of the lessons they name, the phone edition's 1 and 3 (张三)
	# and 2, 4 and 5 (李四), as plan counts them for Jili's mobile members.
	mkdir -p "$rc/r"
	printf '编号,姓名,类别
1,张三,流动
2,李四,流动
' >"$rc/r/jili.csv"
	"$BIN" ledger import --ledger "$rc/l.sqlite" "$top/examples/xiayang/township.xml" "$rc/r/jili.csv" "$rc/chat.txt" \
		>"$rc/import.out" 2>"$rc/import.err"; st=$?
	"$BIN" ledger report --csv --ledger "$rc/l.sqlite" "$top/examples/xiayang/villages/jili.xml" >"$rc/report.csv" 2>&1
	"$BIN" plan --csv "$top/examples/xiayang/villages/jili.xml" >"$rc/plan.csv" 2>/dev/null
	check_that "receipts: the browser's receipts import into the ledger, the two bad ones warned of (exit $st)" \
		sh -c "test $st -eq 0 && grep -q 'chat.txt: chat export with receipts, 5 new records, 0 already in the ledger; receipts left out (see the warnings): 2' '$rc/import.out' &&
		test \$(grep -c 'chat.txt:[0-9]*: warning:' '$rc/import.err') -eq 2"
	check_that "receipts: ... and show in the report, online, with plan's hours for the lessons they name" python3 - "$rc/plan.csv" "$rc/report.csv" <<'PY'
import csv, sys
online = [r for r in csv.DictReader(open(sys.argv[1], encoding='utf-8-sig'))
          if r['row'] == 'lesson' and 'online' in r['modes'].split()]
hours = lambda ns: sum(float(online[n - 1]['lesson_hours']) for n in ns)
rows = {r['name']: r for r in csv.DictReader(open(sys.argv[2], encoding='utf-8-sig'))}
for name, ns in (('张三', (1, 3)), ('李四', (2, 4, 5))):
    r = rows[name]
    assert float(r['online_hours']) == hours(ns) == float(r['hours']), (name, r['online_hours'], hours(ns))
    assert r['lessons'] == str(len(ns)) and r['class_hours'] == '0.0', r
PY
fi
