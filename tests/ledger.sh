# ledger: sourced by tests/run.sh.  The class-hour ledger (builder/ledger):
# imports as one transaction, the same file or record twice, voids, the
# ledger's checks, and the failure cases that must leave the ledger as it
# was: bad rows, a file that is not SQLite, a newer ledger, a read-only
# ledger, a full disk (ulimit -f) and kill -9 in the middle of an import.

lg=$tmp/ledger
rm -rf "$lg"
mkdir -p "$lg/a"
cp -R "$top/examples/xiayang" "$lg/a/xiayang"
ln -s "$top/courses" "$lg/courses"
tw=$lg/a/xiayang/township.xml
db=$lg/a/xiayang/ledger.sqlite
# A filled sheet as a spreadsheet saves it: BOM, CRLF, a tick and dates.
printf '\357\273\277村,姓名,编号,类别,方式,congress20/rejuvenation,congress20/rural-revitalization\r\njili,张三,,在村,课堂,2026-12-06,✓\r\njili,李四,,居家,居家,,2026/12/7\r\n' >"$lg/s1.csv"
# The same lesson for 张三 again, from home: a second channel.
printf '村,姓名,方式,congress20/rejuvenation\njili,张三,home,2026-12-09\n' >"$lg/s2.csv"

"$BIN" ledger import "$tw" "$lg/s1.csv" >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: a sheet imports into ledger.sqlite beside township.xml (exit $st)" \
	sh -c "test $st -eq 0 && test -s '$db' && grep -q 'attendance sheet, 3 new records, 0 already in the ledger' '$lg/out' && test ! -s '$lg/err'"
"$BIN" ledger export "$tw" >"$lg/export1" 2>"$lg/err"; st=$?
check_that "ledger: export is CSV with a BOM, one line per record (exit $st)" \
	sh -c "test $st -eq 0 && head -c 3 '$lg/export1' | od -An -tx1 | grep -q 'ef bb bf' && test \$(wc -l <'$lg/export1') -eq 4"
"$BIN" ledger import "$tw" "$lg/s1.csv" >"$lg/out" 2>&1; st=$?
"$BIN" ledger export "$tw" >"$lg/export2"
check_that "ledger: the same file again changes nothing (exit $st)" \
	sh -c "test $st -eq 0 && grep -q 'already imported on 2023-02-21T17:20:00Z: nothing changed' '$lg/out' && cmp -s '$lg/export1' '$lg/export2'"
cp "$lg/s1.csv" "$lg/s1-copy.csv"; printf 'jili,王五,,在村,课堂,,\r\n' >>"$lg/s1-copy.csv"
"$BIN" ledger import "$tw" "$lg/s1-copy.csv" >"$lg/out" 2>&1; st=$?
check_that "ledger: the same records in another file change nothing (exit $st)" \
	sh -c "test $st -eq 0 && grep -q '0 new records, 3 already in the ledger' '$lg/out'"

# Bad rows: every one named, nothing imported, exit 1.
printf '村,姓名,congress20/rejuvenation,practice-day/tree-planting\njili,王五,2026-13-01,\nfoo,赵六,✓,\njili,,x,\nxitai,钱七,,✓\njili,孙八,maybe,\n' >"$lg/bad.csv"
"$BIN" ledger export "$tw" >"$lg/before"
"$BIN" ledger import "$tw" "$lg/s2.csv" "$lg/bad.csv" >"$lg/out" 2>"$lg/err"; st=$?
"$BIN" ledger export "$tw" >"$lg/after"
check_that "ledger: a sheet with bad rows names each and imports nothing, not even the good file before it (exit $st)" \
	sh -c "test $st -eq 1 && cmp -s '$lg/before' '$lg/after' &&
	grep -q 'bad.csv:2: error: .2026-13-01. under .congress20/rejuvenation. is neither a date' '$lg/err' &&
	grep -q 'bad.csv:3: error: no village .foo.' '$lg/err' &&
	grep -q 'bad.csv:4: error: row has no name' '$lg/err' &&
	grep -q 'bad.csv:5: error: lesson .practice-day/tree-planting. is not in the plan of village .xitai.' '$lg/err' &&
	grep -q 'bad.csv:6: error: .maybe. under' '$lg/err' &&
	grep -q 'nothing imported' '$lg/err'"
printf 'name,village\n张三,jili\n' >"$lg/roster-like.csv"
"$BIN" ledger import "$tw" "$lg/roster-like.csv" >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: a file of no known kind is refused (exit $st)" \
	sh -c "test $st -eq 1 && grep -q 'roster-like.csv: error: not a file the ledger can import' '$lg/err'"

# Voids: a correction is a new record; log and export show both.
id=$(sed -n 's/^\([0-9a-f]\{64\}\),attendance,jili,张三,张三,congress20\/rejuvenation,.*/\1/p' "$lg/export1")
"$BIN" ledger void "$tw" "$(echo "$id" | cut -c1-10)" --reason tested-out >"$lg/out" 2>"$lg/err"; st=$?
"$BIN" ledger log "$tw" >"$lg/log" 2>&1
"$BIN" ledger export "$tw" >"$lg/export3"
check_that "ledger: void adds a record that reverses the old one (exit $st)" \
	sh -c "test $st -eq 0 && grep -q \"voided $(echo "$id" | cut -c1-10) for 'tested-out'\" '$lg/out' &&
	grep -q 'void of $(echo "$id" | cut -c1-12): tested-out' '$lg/log' && grep -q '^$id,attendance,.*,[0-9a-f]\{64\},s1.csv,' '$lg/export3' &&
	test \$(wc -l <'$lg/export3') -eq 5"
"$BIN" ledger void "$tw" "$(echo "$id" | cut -c1-10)" --reason mistake >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: a record is voided once (exit $st)" sh -c "test $st -eq 1 && grep -q 'already voided, for .tested-out.' '$lg/err'"
"$BIN" ledger void "$tw" 0000000000 --reason mistake >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: void of no record (exit $st)" sh -c "test $st -eq 1 && grep -q 'no record .0000000000. in the ledger' '$lg/err'"
"$BIN" ledger void "$tw" "$id" --reason because >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: void with an unknown reason is a usage error (exit $st)" sh -c "test $st -eq 2 && grep -q 'not .because.' '$lg/err'"
"$BIN" ledger check "$tw" >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: check finds it sound (exit $st)" sh -c "test $st -eq 0 && grep -q 'ledger is sound' '$lg/out'"

# A record edited in place: check says so, and the same record imported
# again is a conflict that changes nothing.
cp "$db" "$lg/edited.sqlite"
sqlite3 "$lg/edited.sqlite" "UPDATE events SET date = 20261208 WHERE kind = 1" 2>"$lg/err"
"$BIN" ledger check --ledger "$lg/edited.sqlite" "$tw" >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: check finds a record edited in place (exit $st)" \
	sh -c "test $st -eq 1 && grep -q 'does not hash to its identity: it was edited in place' '$lg/err'"
printf '村,姓名,方式,congress20/rural-revitalization\njili,李四,居家,2026-12-07\n' >"$lg/s3.csv"
"$BIN" ledger export --ledger "$lg/edited.sqlite" "$tw" >"$lg/before"
"$BIN" ledger import --ledger "$lg/edited.sqlite" "$tw" "$lg/s3.csv" >"$lg/out" 2>"$lg/err"; st=$?
"$BIN" ledger export --ledger "$lg/edited.sqlite" "$tw" >"$lg/after"
check_that "ledger: a record whose identity holds other content is a conflict, never overwritten (exit $st)" \
	sh -c "test $st -eq 1 && grep -q 's3.csv:2: error: record [0-9a-f]* is already in the ledger with other content' '$lg/err' && cmp -s '$lg/before' '$lg/after'"

# Not a ledger, a newer ledger, a read-only ledger: refused, untouched.
printf 'name,phone\n' >"$lg/notdb.sqlite"
cp "$lg/notdb.sqlite" "$lg/notdb.orig"
"$BIN" ledger import --ledger "$lg/notdb.sqlite" "$tw" "$lg/s2.csv" >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: a file that is not SQLite is refused and left as it was (exit $st)" \
	sh -c "test $st -eq 1 && grep -q 'notdb.sqlite: error: not a ledger' '$lg/err' && cmp -s '$lg/notdb.sqlite' '$lg/notdb.orig' && test ! -e '$lg/notdb.sqlite-wal'"
cp "$db" "$lg/newer.sqlite"
sqlite3 "$lg/newer.sqlite" "PRAGMA user_version = 99"
cp "$lg/newer.sqlite" "$lg/newer.orig"
"$BIN" ledger import --ledger "$lg/newer.sqlite" "$tw" "$lg/s2.csv" >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: a ledger of a newer version is refused and left as it was (exit $st)" \
	sh -c "test $st -eq 1 && grep -q 'ledger is of version 99, newer than the version 4' '$lg/err' && cmp -s '$lg/newer.sqlite' '$lg/newer.orig'"
cp "$db" "$lg/ro.sqlite"; chmod 444 "$lg/ro.sqlite"; cp "$lg/ro.sqlite" "$lg/ro.orig"
"$BIN" ledger import --ledger "$lg/ro.sqlite" "$tw" "$lg/s2.csv" >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: a read-only ledger is refused for an import and left as it was (exit $st)" \
	sh -c "test $st -eq 1 && grep -q 'ledger is read-only: nothing was changed' '$lg/err' && cmp -s '$lg/ro.sqlite' '$lg/ro.orig'"
"$BIN" ledger export --ledger "$lg/ro.sqlite" "$tw" >"$lg/ro.export" 2>"$lg/err"; st=$?
check_that "ledger: ... but still read (exit $st)" sh -c "test $st -eq 0 && test \$(wc -l <'$lg/ro.export') -eq 5"
"$BIN" ledger log --ledger "$lg/none.sqlite" "$tw" >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: log of a missing ledger says how to make one, and makes none (exit $st)" \
	sh -c "test $st -eq 1 && grep -q 'no ledger here yet' '$lg/err' && test ! -e '$lg/none.sqlite'"

# The upgrade from version 3 (version 4 keeps identities as bytes, members
# and lessons by key): a ledger the previous coursepack wrote, as sqlite3
# dumps it (s1.csv, s2.csv, a void), is upgraded in one transaction when
# first opened, and says everything as the same imports into a new ledger
# do; an upgrade that fails leaves it as it was.
up=$lg/up
rm -rf "$up"; mkdir -p "$up"
cat >"$up/v3.sql" <<'EOF'
PRAGMA journal_mode = WAL;
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  file TEXT NOT NULL,
  sha256 TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  imported TEXT NOT NULL
);
INSERT INTO imports VALUES(1,'s1.csv','3a55d476e6b57eff49f16d74cdd093a659d8da21c5f084ea57c7effa6b04ada1','attendance sheet','2023-02-21T17:20:00Z');
INSERT INTO imports VALUES(2,'s2.csv','7fda1074639e75b6839c28bfa9465f147a6583a21a46b103674f02d0c6c3ced4','attendance sheet','2023-02-21T17:20:00Z');
INSERT INTO imports VALUES(3,'-','69a732eee30ec9a6e0e175d4d37efacf007ec719f027f80943d599e843cb5028','void','2023-02-21T17:20:00Z');
CREATE TABLE members (
  village TEXT NOT NULL,
  member TEXT NOT NULL,
  name TEXT NOT NULL,
  grp TEXT CHECK (grp IS NULL OR grp IN ('resident', 'homebound', 'mobile')),
  import_id INTEGER NOT NULL REFERENCES imports(id), roster_import INTEGER REFERENCES imports(id),
  PRIMARY KEY (village, member)
);
INSERT INTO members VALUES('jili','张三','张三','resident',1,NULL);
INSERT INTO members VALUES('jili','李四','李四','homebound',1,NULL);
CREATE TABLE IF NOT EXISTS "records" (
  identity TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind = 'attendance' OR kind = 'claim' OR kind = 'void'),
  village TEXT,
  member TEXT,
  lesson TEXT,
  channel TEXT CHECK (channel IS NULL OR channel = 'class' OR channel = 'home' OR channel = 'online'),
  date TEXT,
  reverses TEXT,
  reason TEXT,
  import_id INTEGER NOT NULL REFERENCES imports(id),
  line INTEGER NOT NULL,
  FOREIGN KEY (village, member) REFERENCES members(village, member)
);
INSERT INTO records VALUES('d3dbf78124f72cfc5618531520abb62c1ed3937817d850b44eb9ed3b2ba07045','attendance','jili','张三','congress20/rejuvenation','class','2026-12-06',NULL,NULL,1,2);
INSERT INTO records VALUES('b47bd45455e130976dc28b77251e8866b01061bd17867b1086d41cd9a6ccaf01','attendance','jili','张三','congress20/rural-revitalization','class',NULL,NULL,NULL,1,2);
INSERT INTO records VALUES('55c1e642b53edd5fa6f0de382bd0f64c4b5d7ea13ae19378f1fb94c4be555dd2','claim','jili','李四','congress20/rural-revitalization','home','2026-12-07',NULL,NULL,1,3);
INSERT INTO records VALUES('23a2788b35df9a607626ffd81a39f3210b4c1b7601264c45ffb800b37dd77abd','claim','jili','张三','congress20/rejuvenation','home','2026-12-09',NULL,NULL,2,2);
INSERT INTO records VALUES('69a732eee30ec9a6e0e175d4d37efacf007ec719f027f80943d599e843cb5028','void',NULL,NULL,NULL,NULL,NULL,'d3dbf78124f72cfc5618531520abb62c1ed3937817d850b44eb9ed3b2ba07045','tested-out',3,0);
CREATE INDEX members_name ON members(village, name);
CREATE INDEX records_member ON records(village, member);
CREATE INDEX records_reverses ON records(reverses) WHERE reverses IS NOT NULL;
CREATE INDEX records_import ON records(import_id, line);
CREATE VIEW live AS SELECT * FROM records r WHERE r.kind <> 'void' AND NOT EXISTS
  (SELECT 1 FROM records v WHERE v.kind = 'void' AND v.reverses = r.identity);
COMMIT;
PRAGMA user_version = 3;
EOF
sqlite3 "$up/v3.sqlite" <"$up/v3.sql" >/dev/null
sqlite3 "$up/v3.sqlite" "CREATE TABLE lessons (x)"
sqlite3 "$up/v3.sqlite" .dump >"$up/before"
"$BIN" ledger check --ledger "$up/v3.sqlite" "$tw" >"$lg/out" 2>"$lg/err"; st=$?
sqlite3 "$up/v3.sqlite" .dump >"$up/after"
check_that "ledger: an upgrade that fails says so and leaves the ledger as it was (exit $st)" \
	sh -c "test $st -eq 3 && grep -q 'table lessons already exists; nothing was changed' '$lg/err' &&
	cmp -s '$up/before' '$up/after' && test \$(sqlite3 '$up/v3.sqlite' 'PRAGMA user_version') -eq 3"
rm -f "$up/v3.sqlite" "$up/v3.sqlite-wal" "$up/v3.sqlite-shm"
sqlite3 "$up/v3.sqlite" <"$up/v3.sql" >/dev/null
n3=$(sqlite3 "$up/v3.sqlite" 'SELECT COUNT(*) FROM records')
"$BIN" ledger check --ledger "$up/v3.sqlite" "$tw" >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: a version-3 ledger is upgraded to version 4 and checks sound (exit $st)" \
	sh -c "test $st -eq 0 && grep -q 'ledger is sound' '$lg/out' && test ! -s '$lg/err' &&
	test \$(sqlite3 '$up/v3.sqlite' 'PRAGMA user_version') -eq 4 && test $n3 -eq 5 &&
	test \$(sqlite3 '$up/v3.sqlite' 'SELECT COUNT(*) FROM events WHERE length(identity) = 32') -eq 5 &&
	test \$(sqlite3 '$up/v3.sqlite' 'SELECT COUNT(*) FROM records') -eq 5"
"$BIN" ledger import --ledger "$up/v4.sqlite" "$tw" "$lg/s1.csv" >/dev/null 2>&1
"$BIN" ledger import --ledger "$up/v4.sqlite" "$tw" "$lg/s2.csv" >/dev/null 2>&1
"$BIN" ledger void --ledger "$up/v4.sqlite" "$tw" d3dbf78124 --reason tested-out >/dev/null 2>&1
bad=""
for what in "log" "export" "report -a" "report --csv"; do
	# shellcheck disable=SC2086
	"$BIN" ledger $what --ledger "$up/v3.sqlite" "$tw" >"$up/3.out" 2>&1 || bad="$bad $what(exit)"
	# shellcheck disable=SC2086
	"$BIN" ledger $what --ledger "$up/v4.sqlite" "$tw" >"$up/4.out" 2>&1
	cmp -s "$up/3.out" "$up/4.out" || bad="$bad $what"
done
"$BIN" ledger log --ledger "$up/v3.sqlite" "$tw" >"$up/log" 2>&1
check_that "ledger: ... and its log, export and reports are those of the same imports into a new ledger:${bad:- ok}" \
	sh -c "test -z '$bad' && grep -q 'void of d3dbf78124f7: tested-out' '$up/log'"

# A big sheet: 1500 members, every lesson of jili's plan ticked.
lessons=$("$BIN" plan --csv "$lg/a/xiayang/villages/jili.xml" | awk -F, '$4 == "lesson" { printf ",%s", $6 }')
awk -v head="$lessons" 'BEGIN { n = split(head, l, ","); print "村,姓名,编号" head
	for (i = 1; i <= 1500; i++) { printf "jili,成员%d,%d", i, i; for (j = 2; j <= n; j++) printf ",2026-12-%02d", 1 + (i + j) % 28; print "" } }' >"$lg/big.csv"

# A full disk: the file-size limit stops SQLite mid-import.
cp "$db" "$lg/full.sqlite"
"$BIN" ledger export --ledger "$lg/full.sqlite" "$tw" >"$lg/before"
sh -c "ulimit -f 200; exec \"\$@\"" sh "$BIN" ledger import --ledger "$lg/full.sqlite" "$tw" "$lg/big.csv" >"$lg/out" 2>"$lg/err"; st=$?
"$BIN" ledger export --ledger "$lg/full.sqlite" "$tw" >"$lg/after"
check_that "ledger: a full disk mid-import says so and leaves the ledger as it was (exit $st)" \
	sh -c "test $st -eq 3 && grep -q 'cannot write to the ledger: .*nothing was changed' '$lg/err' && cmp -s '$lg/before' '$lg/after'"
"$BIN" ledger check --ledger "$lg/full.sqlite" "$tw" >"$lg/out" 2>&1; st=$?
check_that "ledger: ... and sound (exit $st)" test $st -eq 0

# kill -9 at random points of an import: the ledger holds all of it or
# none of it, and stays sound.
cp "$db" "$lg/whole.sqlite"
"$BIN" ledger import --ledger "$lg/whole.sqlite" "$tw" "$lg/big.csv" >/dev/null 2>&1
"$BIN" ledger export --ledger "$lg/whole.sqlite" "$tw" >"$lg/whole"
"$BIN" ledger export "$tw" >"$lg/before"
cp "$db" "$lg/kill.sqlite"
bad=""
for i in 1 2 3 4 5 6 7 8; do
	"$BIN" ledger import --ledger "$lg/kill.sqlite" "$tw" "$lg/big.csv" >/dev/null 2>&1 &
	pid=$!
	sleep "$((i % 2)).$(awk -v s="$i" 'BEGIN { srand(s * 7919); printf "%03d", int(rand() * 999) }')"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	"$BIN" ledger export --ledger "$lg/kill.sqlite" "$tw" >"$lg/after" 2>"$lg/err" || bad="$bad export-$i"
	"$BIN" ledger check --ledger "$lg/kill.sqlite" "$tw" >/dev/null 2>&1 || bad="$bad check-$i"
	if cmp -s "$lg/after" "$lg/whole"; then
		cp "$db" "$lg/kill.sqlite"; rm -f "$lg/kill.sqlite-wal" "$lg/kill.sqlite-shm"
	elif ! cmp -s "$lg/after" "$lg/before"; then
		bad="$bad partial-$i"
	fi
done
check_that "ledger: kill -9 mid-import leaves all or nothing, and a sound ledger:${bad:- ok}" test -z "$bad"

# The ledger on a file system SQLite cannot lock is refused unless
# forced: /dev/shm is tmpfs, accepted; the refusal is in the unit tests.

# A first import that fails leaves no ledger behind.
"$BIN" ledger import --ledger "$lg/first.sqlite" "$tw" "$lg/bad.csv" >"$lg/out" 2>"$lg/err"; st=$?
check_that "ledger: a failed first import leaves no ledger (exit $st)" \
	sh -c "test $st -eq 1 && test ! -e '$lg/first.sqlite' && test ! -e '$lg/first.sqlite-wal'"
