# import: sourced by tests/run.sh.  What `ledger import` reads besides a
# plain sheet: rosters (CSV and .xlsx), sheets saved by Chinese Excel
# (GB18030) or as .xlsx, names matched to the roster, and chat exports
# with phone receipts, good and bad, with and without --strict.

im=$tmp/import
rm -rf "$im"
mkdir -p "$im"
tw=$top/examples/xiayang/township.xml
db=$im/l.sqlite
rosters=$(ls "$top"/examples/xiayang/rosters/*.csv "$top"/examples/xiayang/rosters/*.xlsx)
mk() { python3 "$top/tests/receipt_make.py" "$@"; }
build=xiayang-madao/xiayang-2022-2023

# Rosters: each recognised and counted; the ledger's members are the
# rosters' members, as `check -v` counts them.
"$BIN" ledger import --ledger "$db" "$tw" $rosters >"$im/out" 2>"$im/err"; st=$?
"$BIN" check -v "$top/examples/xiayang" 2>/dev/null | sed -n 's/.*roster .*: \([0-9]*\) members.*/\1/p' >"$im/counts"
want=$(awk '{s += $1} END {print s + 0}' "$im/counts")
check_that "import: the eleven rosters import, each said to be a roster (exit $st)" \
	sh -c "test $st -eq 0 && test \$(grep -c ': roster, [0-9]* members' '$im/out') -eq 11 && test ! -s '$im/err'"
check_that "import: the ledger has the rosters' $want members, with their groups" \
	sh -c "test \$(sqlite3 '$db' 'SELECT COUNT(*) FROM members WHERE roster_import IS NOT NULL AND grp IS NOT NULL') -eq $want && test $want -gt 1000"

# A sheet saved by Chinese Excel as plain CSV (GB18030): names become the
# roster's members (001 is 黄松银's 编号 in madao's roster).
printf '村,姓名,方式,congress20/rejuvenation,congress20/ecology\r\nmadao,黄松银,线上,✓,2026/12/6\r\nmadao,彭荷,居家,✓,\r\n' |
	iconv -f UTF-8 -t GB18030 >"$im/gbk.csv"
"$BIN" ledger import --ledger "$db" "$tw" "$im/gbk.csv" >"$im/out" 2>"$im/err"; st=$?
check_that "import: a GB18030 sheet imports, its names matched to roster ids (exit $st)" \
	sh -c "test $st -eq 0 && grep -q 'attendance sheet, 3 new records' '$im/out' &&
	test \$(sqlite3 '$db' \"SELECT COUNT(*) FROM records WHERE village = 'madao' AND member = '001'\") -eq 2"

# A sheet as .xlsx (inline strings, as some tools write them).
python3 - "$im/sheet.xlsx" <<'PY'
import sys, zipfile
rows = [["村", "姓名", "编号", "congress20/grassroots"], ["madao", "张山红", "003", "2026-12-07"]]
def cell(r, c, v):
    return '<c r="%s%d" t="inlineStr"><is><t>%s</t></is></c>' % ("ABCD"[c], r, v)
data = "".join('<row r="%d">%s</row>' % (i + 1, "".join(cell(i + 1, j, v) for j, v in enumerate(row)))
               for i, row in enumerate(rows))
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("xl/workbook.xml", '<workbook %s %s><sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>' % (ns, rel))
    z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="x" Target="worksheets/sheet1.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", '<worksheet %s><sheetData>%s</sheetData></worksheet>' % (ns, data))
PY
"$BIN" ledger import --ledger "$db" "$tw" "$im/sheet.xlsx" >"$im/out" 2>"$im/err"; st=$?
check_that "import: an .xlsx sheet imports (exit $st)" \
	sh -c "test $st -eq 0 && grep -q 'sheet.xlsx: attendance sheet, 1 new records' '$im/out' &&
	test \$(sqlite3 '$db' \"SELECT COUNT(*) FROM records WHERE member = '003' AND lesson = 'congress20/grassroots'\") -eq 1"

# Names not on the roster, and a 编号 whose name differs: errors, nothing in.
printf '村,姓名,编号,congress20/rejuvenation\nmadao,王小明,,✓\nmadao,张山红,009,✓\nmadao,黄松银,,✓\n' >"$im/strangers.csv"
"$BIN" ledger export --ledger "$db" "$tw" >"$im/before"
"$BIN" ledger import --ledger "$db" "$tw" "$im/strangers.csv" >"$im/out" 2>"$im/err"; st=$?
"$BIN" ledger export --ledger "$db" "$tw" >"$im/after"
check_that "import: a sheet naming someone not on the roster imports nothing (exit $st)" \
	sh -c "test $st -eq 1 && cmp -s '$im/before' '$im/after' &&
	grep -q \"strangers.csv:2: error: '王小明' is not on the roster of village 'madao'\" '$im/err' &&
	grep -q \"strangers.csv:3: error: member '009' of village 'madao' is '.*' in the ledger but '张山红' here\" '$im/err' &&
	test \$(grep -c error: '$im/err') -eq 2"

# Namesakes: a roster with two 张三 needs the 编号 on the sheet.
mkdir -p "$im/r"
printf '编号,姓名,类别\n1,张三,在村\n2,张三,居家\n3,李四,流动\n' >"$im/r/jili.csv"
printf '村,姓名,编号,congress20/rejuvenation\njili,张三,,✓\n' >"$im/twins.csv"
printf '村,姓名,编号,congress20/rejuvenation\njili,张三,2,✓\n' >"$im/twin2.csv"
"$BIN" ledger import --ledger "$im/t.sqlite" "$tw" "$im/r/jili.csv" "$im/twins.csv" >"$im/out" 2>"$im/err"; st=$?
check_that "import: a name two members share is refused without a 编号 (exit $st)" \
	sh -c "test $st -eq 1 && grep -q \"twins.csv:2: error: '张三' is the name of more than one member of village 'jili' (2)\" '$im/err' && test ! -e '$im/t.sqlite'"
"$BIN" ledger import --ledger "$im/t.sqlite" "$tw" "$im/r/jili.csv" "$im/twin2.csv" >"$im/out" 2>"$im/err"; st=$?
check_that "import: ... and taken with one (exit $st)" \
	sh -c "test $st -eq 0 && test \$(sqlite3 '$im/t.sqlite' \"SELECT member FROM records\") = 2"
printf '编号,姓名,类别\n1,甲,在村\n' >"$im/r/nowhere.csv"
"$BIN" ledger import --ledger "$im/t.sqlite" "$tw" "$im/r/nowhere.csv" >"$im/out" 2>"$im/err"; st=$?
check_that "import: a roster of no village the township has is refused (exit $st)" \
	sh -c "test $st -eq 1 && grep -q 'nowhere.csv: error: cannot tell which village this roster is for' '$im/err'"

# A chat export: messages around receipts, good and bad.
{
	printf '2026-12-05 20:01 黄松银\n今天学完了，发个回执\n'
	mk $build 霞阳镇 马道村 黄松银 1-3 2026-12-01 2026-12-05
	printf '2026-12-05 20:10 书记\n收到，辛苦了\n2026-12-05 20:11 张山红\n'
	mk $build 霞阳镇 马道村 张山红 1 2026-12-02 2026-12-02 | sed '/^校验码/{s/0$/1/;t;s/.$/0/}'
	printf '2026-12-05 20:12 王小明\n'
	mk $build 霞阳镇 马道村 王小明 1 2026-12-03 2026-12-03
	printf '2026-12-05 20:13 陈某\n'
	mk xiayang-madao/xiayang-2021-2022 霞阳镇 马道村 黄松银 1 2026-12-03 2026-12-03
	printf '2026-12-05 20:14 黄松银\n'
	mk $build 霞阳镇 吉利村 黄松银 2 2026-12-03 2026-12-03
	printf '2026-12-05 20:15 书记\n大家抓紧\n'
} >"$im/chat.txt"
line_of() { grep -n "$1" "$im/chat.txt" | sed -n "${2:-1}p" | cut -d: -f1; }
"$BIN" ledger export --ledger "$db" "$tw" >"$im/before"
"$BIN" ledger import --strict --ledger "$db" "$tw" "$im/chat.txt" >"$im/out" 2>"$im/err"; st=$?
"$BIN" ledger export --ledger "$db" "$tw" >"$im/after"
check_that "import: --strict makes a receipt left out an error, and nothing is imported (exit $st)" \
	sh -c "test $st -eq 1 && cmp -s '$im/before' '$im/after' && grep -q '4 receipts left out, which --strict makes an error' '$im/err'"
"$BIN" ledger import --ledger "$db" "$tw" "$im/chat.txt" >"$im/out" 2>"$im/err"; st=$?
check_that "import: a chat export imports its good receipt, one online claim per lesson (exit $st)" \
	sh -c "test $st -eq 0 && grep -q 'chat export with receipts, 2 new records, 1 already in the ledger; receipts left out (see the warnings): 4' '$im/out' &&
	test \$(sqlite3 '$db' \"SELECT COUNT(DISTINCT lesson) FROM records WHERE member = '001' AND channel = 'online'\") -eq 3"
check_that "import: ... and warns, with its line, of a code typed wrong, a name on no roster, last season's file, another village" \
	sh -c "grep -q \"chat.txt:$(line_of 【学习回执】 2): warning: receipt with check code '.*' (name '张山红') fits no phone edition\" '$im/err' &&
	grep -q \"chat.txt:$(line_of 【学习回执】 3): warning: '王小明' is no member of village 'madao'\" '$im/err' &&
	grep -q \"chat.txt:$(line_of 【学习回执】 4): warning: receipt with check code\" '$im/err' &&
	grep -q \"chat.txt:$(line_of 【学习回执】 5): warning: receipt says village '吉利村' but comes from the phone edition of '马道村'\" '$im/err' &&
	test \$(grep -c warning: '$im/err') -eq 4"
{ printf '2026-12-06 09:00 黄松银\n再发一次\n'; mk $build 霞阳镇 马道村 黄松银 1-3 2026-12-01 2026-12-05; } >"$im/chat2.txt"
"$BIN" ledger import --ledger "$db" "$tw" "$im/chat.txt" "$im/chat2.txt" >"$im/out" 2>"$im/err"; st=$?
check_that "import: the same chat again, and the receipt sent again, change nothing (exit $st)" \
	sh -c "test $st -eq 0 && grep -q 'chat.txt: chat export with receipts, already imported' '$im/out' &&
	grep -q 'chat2.txt: chat export with receipts, 0 new records, 3 already in the ledger' '$im/out'"
