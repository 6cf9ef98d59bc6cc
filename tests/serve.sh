# serve: sourced by tests/run.sh.  coursepack serve on 127.0.0.1 (and
# 127.0.0.2 for the password) with a free port, talked to with curl and
# python: the township and village pages against plan and ledger report,
# CSRF, the Host check, hostile paths, oversized bodies and headers, a
# slow client, the password, a source edited on disk and a source with an
# error.  Every server runs under timeout(1), so that none outlives the
# suite whatever happens; each is stopped by its own pid.  Only loopback
# addresses are used.

sv=$tmp/serve
rm -rf "$sv"
mkdir -p "$sv/a"
cp -R "$top/examples/xiayang" "$sv/a/xiayang"
ln -s "$top/courses" "$sv/courses"
tw=$sv/a/xiayang/township.xml
"$BIN" ledger import --ledger "$sv/l.sqlite" "$tw" "$top/examples/xiayang/rosters/jili.csv" \
	"$top/examples/xiayang/returns/class-jili.csv" >/dev/null 2>&1

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# serve_start NAME ARGS...: starts a server in the background, waits for
# its URL line; sets $spid and $url (empty when it did not come up).
serve_start() {
	_n=$1; shift
	timeout -s TERM 300 "$BIN" serve "$@" >"$sv/$_n.out" 2>"$sv/$_n.err" &
	spid=$!
	url=
	for _i in $(seq 1 100); do
		url=$(grep -o 'http://[^ ]*/' "$sv/$_n.out" 2>/dev/null | head -1)
		[ -n "$url" ] && break
		kill -0 "$spid" 2>/dev/null || break
		sleep 0.1
	done
}
serve_stop() { kill -TERM "$1" 2>/dev/null; wait "$1" 2>/dev/null; }
code() { curl -s -o "$sv/body" -w '%{http_code}' "$@"; }

port=$(free_port)
serve_start main --listen "127.0.0.1:$port" --ledger "$sv/l.sqlite" -o "$sv/out" "$sv/a/xiayang"
check_that "serve: starts on 127.0.0.1:$port and prints the URL" test "$url" = "http://127.0.0.1:$port/"

# The township page: the village table, with plan's numbers.
st=$(code "$url")
csv=$("$BIN" plan --csv=summary "$tw" 2>/dev/null | grep '^xiayang,jili,')
pkg=$(echo "$csv" | cut -d, -f5) res=$(echo "$csv" | cut -d, -f10) home=$(echo "$csv" | cut -d, -f11)
row=$(grep 'data-village="jili"' "$sv/body")
check_that "serve: / is 200 with the village table and plan --csv's hours for jili (status $st, $pkg/$res/$home)" \
	sh -c "test $st = 200 && grep -q '<table id=\"villages\">' '$sv/body' && grep -q '<html lang=\"zh-CN\">' '$sv/body' &&
	echo '$row' | grep -q 'package\">$pkg<' && echo '$row' | grep -q 'reach-resident\">$res<' &&
	echo '$row' | grep -q 'reach-homebound\">$home<' && echo '$row' | grep -q 'href=\"/village/jili\"'"
curl -s -D "$sv/headers" -o /dev/null "$url"
check_that "serve: pages carry CSP, nosniff, no-referrer and no-store" sh -c "
	grep -qi \"^Content-Security-Policy: default-src 'self'\" '$sv/headers' &&
	grep -qi '^X-Content-Type-Options: nosniff' '$sv/headers' && grep -qi '^Referrer-Policy: no-referrer' '$sv/headers' &&
	grep -qi '^Cache-Control: no-store' '$sv/headers'"

# The village page: the plan, and the members with the ledger's hours.
st=$(code "${url}village/jili")
want=$("$BIN" ledger report --csv --ledger "$sv/l.sqlite" "$tw" 2>/dev/null | grep '^xiayang,jili,吉利村,001,' | cut -d, -f8)
check_that "serve: /village/jili is 200 with the plan and member 001's $want h from the ledger (status $st)" \
	sh -c "test $st = 200 && grep -q '<table id=\"plan\">' '$sv/body' && grep -q '<table id=\"members\">' '$sv/body' &&
	grep '<tr data-member=\"001\">' '$sv/body' | grep -q 'class=\"hours\">$want<' &&
	test \$(grep -c '<tr data-member=' '$sv/body') -eq 112"
cp "$sv/body" "$sv/village.html"

# Its sheets, made by the sheets engine into the output folder: the same
# bytes as `coursepack sheets`.
"$BIN" sheets -o "$sv/sheets" "$sv/a/xiayang/villages/jili.xml" >/dev/null 2>&1
st=$(code "${url}sheets/jili/signin.html"); cp "$sv/body" "$sv/signin.html"
st2=$(code -D "$sv/headers" "${url}sheets/jili/attendance.csv")
check_that "serve: /sheets/jili/ serves the village's sheets, as 'sheets' makes them ($st $st2)" \
	sh -c "test $st = 200 && test $st2 = 200 && grep -q '/sheets/jili/signin.html' '$sv/village.html' &&
	cmp -s '$sv/signin.html' '$sv/sheets/xiayang/xiayang-jili-signin.html' &&
	cmp -s '$sv/body' '$sv/sheets/xiayang/xiayang-jili-attendance.csv' &&
	grep -qi 'Content-Disposition: attachment; filename=\"xiayang-jili-attendance.csv\"' '$sv/headers' &&
	cmp -s '$sv/out/sheets/xiayang/xiayang-jili-home.html' '$sv/sheets/xiayang/xiayang-jili-home.html'"
# A file that resolves outside the output folder is never sent.
mv "$sv/out/sheets" "$sv/elsewhere"; ln -s "$sv/elsewhere" "$sv/out/sheets"
st=$(code "${url}sheets/jili/signin.html")
check_that "serve: a file resolving outside the output folder is not sent ($st)" \
	sh -c "test $st = 404 && ! grep -q '签到表' '$sv/body'"
rm "$sv/out/sheets"
st=$(code "${url}sheets/jili/other.html")
check_that "serve: an unknown sheet is 404 ($st)" test "$st" = 404

st=$(code "${url}village/nosuch")
check_that "serve: an unknown village is 404 (status $st)" test "$st" = 404
st=$(code "${url}nosuch")
check_that "serve: an unknown page is 404 (status $st)" test "$st" = 404

# CSRF: a POST without this run's token, or with another, is refused.
ls -R "$sv/out" >"$sv/before"
st1=$(code -X POST --data 'x=1' "${url}build")
st2=$(code -X POST --data 'csrf=0123456789abcdef0123456789abcdef' "${url}build")
st3=$(code -X POST -F 'csrf=nope' -F 'f=@/etc/hostname' "${url}attendance/jili")
ls -R "$sv/out" >"$sv/after"
check_that "serve: POST without or with a wrong csrf is 403 and changes nothing ($st1 $st2 $st3)" \
	sh -c "test $st1 = 403 && test $st2 = 403 && test $st3 = 403 && cmp -s '$sv/before' '$sv/after' && grep -q '请求被拒绝' '$sv/body'"

# DNS rebinding: another site's name in Host is refused.
st=$(code -H "Host: evil.example:$port" "$url")
st2=$(code -H "Host: 127.0.0.1:1" "$url")
check_that "serve: a foreign Host header is refused ($st $st2)" sh -c "test $st = 421 && test $st2 = 421"
st=$(code -H "Host: localhost:$port" "$url")
check_that "serve: Host localhost:PORT is accepted ($st)" test "$st" = 200

# Hostile paths never reach a handler, nor a file.
for p in '/../../../etc/passwd' '/village/../../etc/passwd' '/%2e%2e/%2e%2e/etc/passwd' '/village/%2e%2e%2fetc' \
	'/village/..%2Fetc' '/download/%2fetc%2fpasswd' '/village/jili%00' '/village\..\etc' '/village/%5c..' \
	'//etc/passwd' '/village//jili' '/village/./jili' '/%zz'; do
	st=$(code --path-as-is "$url${p#/}")
	check_that "serve: path '$p' is 400 or 404 with no file content ($st)" \
		sh -c "case $st in 400|404) ! grep -q 'root:' '$sv/body';; *) false;; esac"
done

# Limits: a body over 16 MiB, headers over the connection's memory.
head -c $((17 * 1024 * 1024)) /dev/zero | tr '\0' 'a' >"$sv/big"
st=$(code -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data-binary @"$sv/big" "${url}build")
check_that "serve: a 17 MiB body is 413 ($st)" test "$st" = 413
st=$(code -X POST -H 'Content-Type: application/x-www-form-urlencoded' -H 'Transfer-Encoding: chunked' \
	--data-binary @"$sv/big" "${url}build")
check_that "serve: a 17 MiB chunked body is 413 ($st)" test "$st" = 413
big=$(head -c 100000 /dev/zero | tr '\0' 'x')
st=$(code -H "X-Big: $big" "$url")
check_that "serve: a 100 KB header is refused ($st)" sh -c "test '$st' != 200"
st=$(code "$url")
check_that "serve: still serving after the limits ($st)" test "$st" = 200

# A slow client (headers sent a little at a time, then nothing): others
# are answered at once (a page that does not load the township, so
# that only the server is timed), and the slow one is closed after the
# timeout.
python3 - "$port" >"$sv/slow" 2>&1 <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
for part in (b"GET / HTTP/1.1\r\n", b"Host: 127.0.0.1:", sys.argv[1].encode(), b"\r\nX-A: b"):
    s.sendall(part)
    time.sleep(0.5)
t = time.time()
s.settimeout(30)
try:
    data = s.recv(100)
except OSError:
    data = b""
print("closed after %.1f s, %d bytes" % (time.time() - t, len(data)))
EOF
slowpid=$!
sleep 1
t0=$(date +%s%N)
st=$(code --max-time 1 "${url}nosuch")
t1=$(date +%s%N)
check_that "serve: answers others within 1 s while a slow client holds a connection ($st, $(( (t1 - t0) / 1000000 )) ms)" \
	sh -c "test $st = 404 && test $(( (t1 - t0) / 1000000 )) -lt 1000"
wait "$slowpid"
secs=$(sed -n 's/closed after \([0-9]*\)\..*/\1/p' "$sv/slow")
check_that "serve: the slow client is closed after the 10 s timeout ($(cat "$sv/slow"))" \
	sh -c "test -n '$secs' && test '$secs' -ge 8 && test '$secs' -le 15"

# The last build's bundles on the township page; verify's checks on
# demand, a damaged bundle shown with its problems.
"$BIN" build -o "$sv/out" "$sv/a/xiayang/villages/jili.xml" >/dev/null 2>&1
st=$(code "$url")
st2=$(code "$url?verify=1")
check_that "serve: the built bundle is listed, 未验证 until asked, then 通过 ($st $st2)" \
	sh -c "test $st = 200 && test $st2 = 200 && grep -q '<td>xiayang-jili.zip</td>' '$sv/body' &&
	grep -q 'class=\"ok verify\">通过' '$sv/body' && curl -s '$url' | grep -q '<td>未验证</td>'"
python3 -c 'import sys; p = sys.argv[1]; b = bytearray(open(p, "rb").read()); b[len(b) // 3] ^= 0xff; open(p, "wb").write(b)' \
	"$sv/out/xiayang/xiayang-jili.zip"
st=$(code "$url?verify=1")
check_that "serve: a damaged bundle shows its problems ($st)" \
	sh -c "test $st = 200 && grep -q 'class=\"short verify\">有 [0-9]* 个问题' '$sv/body' && grep -q 'xiayang-jili.zip' '$sv/body'"

# A source edited on disk shows on the next request; a source with an
# error shows the error with file and line, not a crash.
sed -i 's|<name>吉利村</name>|<name>吉利新村</name>|' "$sv/a/xiayang/villages/jili.xml"
st=$(code "$url")
check_that "serve: an edit on disk shows on the next request ($st)" sh -c "test $st = 200 && grep -q '吉利新村' '$sv/body'"
cp "$sv/a/xiayang/villages/jili.xml" "$sv/jili.xml"
sed -i 's|<members resident="68"|<members resident="many"|' "$sv/a/xiayang/villages/jili.xml"
st=$(code "$url")
check_that "serve: a source with an error shows it with file and line, status 200 ($st)" \
	sh -c "test $st = 200 && grep -q 'class=\"diag\"' '$sv/body' && grep -q 'villages/jili.xml:5' '$sv/body' &&
	! grep -q '<table id=\"villages\">' '$sv/body'"
st=$(code "${url}village/xitai")
check_that "serve: the village page shows the error too ($st)" sh -c "test $st = 200 && grep -q 'villages/jili.xml:5' '$sv/body'"
# Every page, with the township in error: its messages, never a crash
# (the register once planned a village with no library and died).
for page in attendance/ attendance/jili build; do
	st=$(code "${url}$page")
	check_that "serve: /$page with a source in error answers with it ($st)" \
		sh -c "test $st = 200 -o $st = 404 && grep -q 'villages/jili.xml:5' '$sv/body'"
done
cp "$sv/jili.xml" "$sv/a/xiayang/villages/jili.xml"
# The library gone (moved away while the server runs): every page says so.
mv "$sv/courses" "$sv/courses.away"
for page in "" village/jili attendance/jili build library; do
	st=$(code "${url}$page")
	check_that "serve: /$page without its library answers, not a crash ($st)" \
		sh -c "test $st = 200 -o $st = 404 && kill -0 $spid"
done
mv "$sv/courses.away" "$sv/courses"
st=$(code "$url")
check_that "serve: fixed on disk, the page is whole again ($st)" sh -c "test $st = 200 && grep -q '<table id=\"villages\">' '$sv/body'"

# One heading per page: the chrome's (a page once repeated it).
for page in "" village/jili library attendance/ attendance/jili build; do
	st=$(code "${url}$page")
	check_that "serve: /$page has one <h1> ($st)" sh -c "test $st = 200 && test \$(grep -o '<h1>' '$sv/body' | wc -l) -eq 1"
done

"$BIN" serve --listen "127.0.0.1:$port" "$sv/a/xiayang" >"$sv/out4" 2>"$sv/err4" </dev/null; st=$?
check_that "serve: a port in use with --listen is a clear error, exit 3 ($st)" \
	sh -c "test $st -eq 3 && grep -q 'cannot listen on 127.0.0.1:$port' '$sv/err4'"

kill -TERM "$spid"; wait "$spid"; st=$?
check_that "serve: SIGTERM stops it cleanly (exit $st)" sh -c "test $st -eq 0 && grep -q 'stopped' '$sv/main.out'"

# Another address than this computer's own needs a password.
port2=$(free_port)
"$BIN" serve --listen "127.0.0.2:$port2" "$sv/a/xiayang" >"$sv/out2" 2>"$sv/err2" </dev/null; st=$?
check_that "serve: 127.0.0.2 without --password-file refuses to start (exit $st)" \
	sh -c "test $st -eq 2 && grep -q 'password-file' '$sv/err2' && ! grep -q http '$sv/out2'"
printf 's3cret-words\n' >"$sv/pw"
serve_start pw --listen "127.0.0.2:$port2" --password-file "$sv/pw" -o "$sv/out" "$sv/a/xiayang"
if [ -n "$url" ]; then
	st1=$(code "$url")
	st2=$(code -u staff:wrong "$url")
	st3=$(code -u staff:s3cret-words "$url")
	st4=$(code -u other:s3cret-words "${url}village/jili")
	check_that "serve: with a password, 401 without or wrong, 200 with it ($st1 $st2 $st3 $st4)" \
		sh -c "test $st1 = 401 && test $st2 = 401 && test $st3 = 200 && test $st4 = 200"
	serve_stop "$spid"
else
	ko "serve: 127.0.0.2 with --password-file did not start: $(cat "$sv/pw.err")"
	serve_stop "$spid"
fi
: >"$sv/empty"
"$BIN" serve --listen "127.0.0.2:$port2" --password-file "$sv/empty" "$sv/a/xiayang" >/dev/null 2>"$sv/err3" </dev/null; st=$?
check_that "serve: an empty password file refuses to start (exit $st)" sh -c "test $st -eq 2 && grep -q 'is empty' '$sv/err3'"
"$BIN" serve --listen "nonsense" "$sv/a/xiayang" >/dev/null 2>"$sv/err3" </dev/null; st=$?
check_that "serve: a bad --listen is a usage error (exit $st)" sh -c "test $st -eq 2 && grep -q 'ADDRESS:PORT' '$sv/err3'"
rm -f "$sv/big"

# The build page runs the build in a child process (coursepack build
# --progress-fd, then verify) and follows it through /build/status: the
# POST answers at once and the server answers everyone while a township of
# 71 villages builds.  Its own server, township copy and output folder.
bsv=$sv/bld
mkdir -p "$bsv/b" "$bsv/f"
cp -R "$top/examples/xiayang" "$bsv/b/xiayang"
ln -s "$top/courses" "$bsv/courses"
for i in $(seq 1 60); do
	sed "s/id=\"jili\"/id=\"v$i\"/; s|<name>吉利村</name>|<name>吉利$i村</name>|" \
		"$bsv/b/xiayang/villages/jili.xml" >"$bsv/b/xiayang/villages/v$i.xml"
done
sed -i "s|</township>|$(for i in $(seq 1 60); do printf '  <village src="villages/v%s.xml"/>\\n' "$i"; done)</township>|" \
	"$bsv/b/xiayang/township.xml"
token() { curl -s "${1}build" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p' | head -1; }
bstatus() { curl -s "${url}build/status"; }
# wait_built: polls /build/status until it is no longer running (4 min at most).
wait_built() {
	for _i in $(seq 1 480); do
		bstatus >"$sv/status.json"
		grep -q '"state":"running"' "$sv/status.json" || return 0
		sleep 0.5
	done
	return 1
}
bport=$(free_port)
serve_start build --listen "127.0.0.1:$bport" -o "$bsv/out" "$bsv/b/xiayang"
tok=$(token "$url")
st=$(code -X POST --data 'village=' "${url}build")
check_that "serve build: POST /build without the csrf token is still 403 ($st)" \
	sh -c "test $st = 403 && test ! -e '$bsv/out/xiayang'"
t0=$(date +%s%N)
st=$(code -D "$sv/headers" -X POST --data "csrf=$tok&village=" "${url}build")
t1=$(date +%s%N)
bstatus >"$sv/status1.json"
ms=$(( (t1 - t0) / 1000000 ))
# The POST loads and checks the township (71 villages) before it starts
# the build: about 0.25 s, 0.7 s under ASan, whose limit is 3 s.
limit=1000
case $BIN in */san/*) limit=3000 ;; esac
check_that "serve build: POST /build answers at once, 303 to /build, the build running ($st, $ms ms < $limit)" \
	sh -c "test $st = 303 && test $ms -lt $limit && grep -qi '^Location: /build' '$sv/headers' &&
	grep -q '\"state\":\"running\"' '$sv/status1.json'"
t0=$(date +%s%N)
st=$(code "$url")
t1=$(date +%s%N)
cp "$sv/body" "$sv/township.html"
st2=$(code --max-time 1 "${url}nosuch")
bstatus >"$sv/status2.json"
check_that "serve build: GET / answers while the build runs ($st in $(( (t1 - t0) / 1000000 )) ms, then $st2)" \
	sh -c "test $st = 200 && grep -q '<table id=\"villages\">' '$sv/township.html' && test $st2 = 404 &&
	grep -q '\"state\":\"running\"' '$sv/status2.json'"
st=$(code -X POST --data "csrf=$tok&village=jili" "${url}build")
check_that "serve build: a second POST while one runs is refused, with a link to it ($st)" \
	sh -c "test $st = 409 && grep -q 'id=\"build-busy\"' '$sv/body' && grep -q 'href=\"/build\"' '$sv/body'"
st=$(code "${url}build")
check_that "serve build: /build while running shows the bar, the refresh link and no form ($st)" \
	sh -c "test $st = 200 && grep -q 'data-state=\"running\"' '$sv/body' && grep -q '<progress id=\"build-progress\"' '$sv/body' &&
	grep -q 'id=\"build-refresh\" class=\"button\" href=\"/build\"' '$sv/body' && ! grep -q 'id=\"build-form\"' '$sv/body'"
wait_built
check_that "serve build: /build/status ends ok, 71 of 71 villages, exit 0, verified ($(head -c 200 "$sv/status.json"))" \
	sh -c "grep -q '\"state\":\"ok\"' '$sv/status.json' && grep -q '\"done\":71,\"total\":71' '$sv/status.json' &&
	grep -q '\"exit\":0,\"verify_exit\":0' '$sv/status.json'"
st=$(code "${url}build")
check_that "serve build: the page shows the result, exit status 0 and the bundles to download ($st)" \
	sh -c "test $st = 200 && grep -q 'id=\"build-ok\"' '$sv/body' && grep -q '退出状态 0' '$sv/body' &&
	grep -q 'href=\"/download/xiayang-v60.zip\"' '$sv/body' && grep -q 'id=\"build-form\"' '$sv/body'"
pstat=$(stat -c %a "$bsv/out/.serve-build")
st=$(code "${url}download/.serve-build")
check_that "serve build: its log is in a private folder (mode $pstat) that is not downloaded ($st)" \
	sh -c "test $pstat = 700 && test -s '$bsv/out/.serve-build/build.log' && test $st = 404"

# Another coursepack build holding the folder: refused, and said so.
flock -s "$bsv/out/xiayang" sleep 3 &
lockpid=$!
sleep 0.3
st=$(code -X POST --data "csrf=$tok&village=jili" "${url}build")
check_that "serve build: refused while another build holds the output folder ($st)" \
	sh -c "test $st = 409 && grep -q 'id=\"build-locked\"' '$sv/body' && grep -q 'coursepack build' '$sv/body'"
wait "$lockpid"

# Stopped while it builds: the server takes its build with it.
st=$(code -X POST --data "csrf=$tok&village=" "${url}build")
server=$(pgrep -P "$spid" | head -1)
child=$(pgrep -P "$server" | head -1)
kill -TERM "$spid"; wait "$spid" 2>/dev/null
sleep 0.2
check_that "serve build: after the server is stopped mid-build no child is left ($st, server $server, build $child)" \
	sh -c "test $st = 303 && test -n '$child' && ! kill -0 '$child' 2>/dev/null && ! pgrep -g '$child' >/dev/null"

# A build that fails (a recipe no village of the copy can meet, which
# loads and checks clean): failed, with the file:line message and exit 1.
cp -R "$top/examples/xiayang" "$bsv/f/xiayang"
sed -i 's|<min-hours>16</min-hours>|<min-hours>25</min-hours>|' "$bsv/f/xiayang/recipe.xml"
serve_start fail --listen "127.0.0.1:$bport" -o "$bsv/fout" "$bsv/f/xiayang"
tok=$(token "$url")
st=$(code -X POST --data "csrf=$tok&village=jili" "${url}build")
wait_built
check_that "serve build: a failing build ends failed with its file:line message and exit 1 ($st, $(head -c 300 "$sv/status.json"))" \
	sh -c "test $st = 303 && grep -q '\"state\":\"failed\"' '$sv/status.json' && grep -q '\"exit\":1' '$sv/status.json' &&
	grep -q 'villages/jili.xml:2:1: error: village' '$sv/status.json'"
st=$(code "${url}build")
check_that "serve build: ... and the page says so, with the message ($st)" \
	sh -c "test $st = 200 && grep -q 'id=\"build-failed\"' '$sv/body' && grep -q '退出状态 1' '$sv/body' &&
	grep -q '<li>[^<]*villages/jili.xml:2:1: error: village' '$sv/body'"
serve_stop "$spid"
