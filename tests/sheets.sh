# sheets: sourced by tests/run.sh.  coursepack sheets: the sign-in sheets,
# home record sheets and attendance spreadsheet of each village.  Their
# hours equal plan's for every village of every example; the spreadsheet
# imports into the ledger as it is and once filled in; the output is
# reproducible and stays inside its folder; bad rosters and villages are
# refused with nothing written; --pdf prints both HTML sheets.

sh_=$tmp/sheets
rm -rf "$sh_"
mkdir -p "$sh_/a" "$sh_/cwd"
cp -R "$top/examples/xiayang" "$sh_/a/xiayang"
ln -s "$top/courses" "$sh_/courses"
tw=$sh_/a/xiayang/township.xml

check_that "sheets: every figure on the sheets is plan's for that group, every village of every example" \
	python3 tests/sheet_totals.py "$BIN" "$sh_/totals"

# Default folder sheets/ in the current directory, nothing written
# anywhere else (not beside the township, whose rosters it reads).
touch "$sh_/stamp"; sleep 1
(cd "$sh_/cwd" && "$BIN" sheets "$tw" >"$sh_/out" 2>"$sh_/err"); st=$?
check_that "sheets: 4 files per village into ./sheets/TOWNSHIP, a line per village (exit $st)" \
	sh -c "test $st -eq 0 && test ! -s '$sh_/err' && test \$(ls '$sh_/cwd/sheets/xiayang' | wc -l) -eq 44 &&
	grep -q '^jili: 22 sign-in sheets, 8 home record sheets, 112 members in the attendance spreadsheet$' '$sh_/out' &&
	grep -q \"^44 files written to 'sheets/xiayang'\" '$sh_/out'"
check_that "sheets: nothing written outside the sheets folder" \
	sh -c "test -z \"\$(cd '$sh_' && find cwd a -newer stamp ! -type d | grep -v '^cwd/sheets/xiayang/xiayang-[a-z]*-\(signin.html\|home.html\|attendance.csv\|attendance.xlsx\)$')\""
check_that "sheets: the members' names are on them (positive control)" \
	sh -c "grep -q '<td>谭金</td>' '$sh_/cwd/sheets/xiayang/xiayang-jili-signin.html' &&
	grep -q '党员姓名：段顺菊' '$sh_/cwd/sheets/xiayang/xiayang-jili-home.html' &&
	grep -q '^jili,谭金,001,在村,课堂,' '$sh_/cwd/sheets/xiayang/xiayang-jili-attendance.csv'"
"$BIN" sheets -o "$sh_/again" "$tw" >/dev/null 2>&1
check_that "sheets: reproducible (two runs, the same bytes)" diff -r "$sh_/cwd/sheets" "$sh_/again"

# The spreadsheet goes into the ledger as it is, and filled in.
csv=$sh_/cwd/sheets/xiayang/xiayang-jili-attendance.csv
"$BIN" ledger import --ledger "$sh_/l0.sqlite" "$tw" "$csv" >"$sh_/out" 2>"$sh_/err"; st=$?
check_that "sheets: the blank spreadsheet imports, with no records (exit $st)" \
	sh -c "test $st -eq 0 && grep -q 'attendance sheet, 0 new records' '$sh_/out' && test ! -s '$sh_/err'"
# A date in the first lesson and a tick in the second, for 5 members.
awk -F, 'BEGIN { OFS = "," } NR > 1 && NR <= 6 { $6 = "2026-12-06"; $7 = "✓" } { print }' "$csv" >"$sh_/filled.csv"
"$BIN" ledger import --ledger "$sh_/l.sqlite" "$tw" "$sh_/filled.csv" >"$sh_/out" 2>"$sh_/err"; st=$?
check_that "sheets: the spreadsheet filled in imports: 10 new records (exit $st)" \
	sh -c "test $st -eq 0 && grep -q 'attendance sheet, 10 new records, 0 already in the ledger' '$sh_/out' && test ! -s '$sh_/err'"

# The same spreadsheet as a workbook: the same cells, every one text, the
# lesson columns formatted as text; filled in as Excel would, a date
# typed as text in one cell and a date Excel stored as a serial number
# (2026-12-06 is 46362) in the next, it imports the same records.
xlsx=$sh_/cwd/sheets/xiayang/xiayang-jili-attendance.xlsx
check_that "sheets: the .xlsx holds the CSV's cells, all text, lesson columns formatted as text" python3 - "$xlsx" "$csv" <<'PY'
import csv, re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
ns = {'m': 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'}
import xml.etree.ElementTree as ET
strings = [''.join(t.text or '' for t in si.iter('{%s}t' % ns['m']))
           for si in ET.fromstring(z.read('xl/sharedStrings.xml')).findall('m:si', ns)]
sheet = ET.fromstring(z.read('xl/worksheets/sheet1.xml'))
def col(ref):
    n = 0
    for ch in re.match('[A-Z]+', ref).group(0):
        n = n * 26 + ord(ch) - 64
    return n - 1
rows = []
for row in sheet.iter('{%s}row' % ns['m']):
    cells = {}
    for c in row.findall('m:c', ns):
        assert c.get('t') == 's', ('not text', c.get('r'))
        cells[col(c.get('r'))] = strings[int(c.find('m:v', ns).text)]
    rows.append(cells)
want = list(csv.reader(open(sys.argv[2], encoding='utf-8-sig', newline='')))
assert len(rows) == len(want), (len(rows), len(want))
for got, w in zip(rows, want):
    assert [got.get(i, '') for i in range(len(w))] == w, (got, w)
cols = sheet.find('m:cols', ns).findall('m:col', ns)
styles = ET.fromstring(z.read('xl/styles.xml'))
xfs = styles.find('m:cellXfs', ns).findall('m:xf', ns)
for c in cols:
    if int(c.get('min')) >= 6:
        assert xfs[int(c.get('style'))].get('numFmtId') == '49', c.attrib
PY
python3 - "$xlsx" "$sh_/filled.xlsx" <<'PY'
import re, sys, zipfile
src, dst = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2], 'w')
for item in src.infolist():
    data = src.read(item.filename)
    if item.filename == 'xl/worksheets/sheet1.xml':
        text = data.decode()
        for r in range(2, 7):
            text = re.sub(r'(<row r="%d"[^>]*>.*?)</row>' % r,
                          lambda m: m.group(1) + '<c r="F%d" t="inlineStr"><is><t>2026/12/6</t></is></c>'
                                                 '<c r="G%d"><v>46362</v></c></row>' % (r, r), text, count=1, flags=re.S)
        data = text.encode()
    dst.writestr(item, data)
dst.close()
PY
"$BIN" ledger import --ledger "$sh_/lx.sqlite" "$tw" "$sh_/filled.xlsx" >"$sh_/out" 2>"$sh_/err"; st=$?
check_that "sheets: the workbook filled in as Excel saves it imports: 10 new records, the serial date read as 2026-12-06 (exit $st)" \
	sh -c "test $st -eq 0 && grep -q 'attendance sheet, 10 new records, 0 already in the ledger' '$sh_/out' && test ! -s '$sh_/err' &&
	test \$(sqlite3 '$sh_/lx.sqlite' \"SELECT COUNT(*) FROM records WHERE date = '2026-12-06'\") -eq 10"

# Names that are markup, hold a comma or a quote, or would start a
# formula: escaped in the HTML, quoted in the CSV, which still imports.
printf '901,<b>韩</b>,在村,\r\n902,"陈,一",在村,\r\n903,"王""二",居家,\r\n904,=SUM(A1),在村,\r\n' >>"$sh_/a/xiayang/rosters/xitai.csv"
"$BIN" sheets -o "$sh_/odd" "$sh_/a/xiayang/villages/xitai.xml" >"$sh_/out" 2>"$sh_/err"; st=$?
o=$sh_/odd/xiayang/xiayang-xitai
sed '2,$s/,\r$/,✓\r/' "$o-attendance.csv" >"$sh_/odd.csv"
n=$(($(wc -l <"$o-attendance.csv") - 1))
"$BIN" ledger import --ledger "$sh_/odd.sqlite" "$tw" "$sh_/odd.csv" >"$sh_/out2" 2>>"$sh_/err"; st2=$?
check_that "sheets: odd names escaped in the HTML, quoted in the CSV, which imports ($n rows; exit $st, $st2)" \
	sh -c "test $st -eq 0 && test $st2 -eq 0 && grep -q '<td>&lt;b&gt;韩&lt;/b&gt;</td>' '$o-signin.html' && ! grep -q '<b>韩' '$o-signin.html' &&
	grep -q '党员姓名：王&quot;二' '$o-home.html' &&
	grep -q '^xitai,\"陈,一\",902,在村,' '$o-attendance.csv' && grep -q '^xitai,\"王\"\"二\",903,居家,居家,' '$o-attendance.csv' &&
	grep -q \"^xitai,'=SUM(A1),904,\" '$o-attendance.csv' && grep -q 'attendance sheet, $n new records' '$sh_/out2'"

# A village without a roster: blank rows, as many as its profile counts.
rm "$sh_/a/xiayang/rosters/madao.csv"
"$BIN" sheets -o "$sh_/noroster" "$sh_/a/xiayang/villages/madao.xml" >"$sh_/out" 2>"$sh_/err"; st=$?
res=$(sed -n 's/.*<members resident="\([0-9]*\)".*/\1/p' "$sh_/a/xiayang/villages/madao.xml")
check_that "sheets: no roster: blank rows as the profile counts ($res), no member rows in the spreadsheet (exit $st)" \
	sh -c "test $st -eq 0 && grep -q '^madao: no roster, so the names are left blank' '$sh_/out' &&
	grep -q '应到 $res 人' '$sh_/noroster/xiayang/xiayang-madao-signin.html' &&
	test \$(wc -l <'$sh_/noroster/xiayang/xiayang-madao-attendance.csv') -eq 1 &&
	test \$(ls '$sh_/noroster/xiayang' | wc -l) -eq 4"

# A bad roster: named by file and line; nothing written, not even for the
# good villages.
printf '999,Wang,outside,\r\n' >>"$sh_/a/xiayang/rosters/jili.csv"
"$BIN" sheets -o "$sh_/bad" "$tw" >"$sh_/out" 2>"$sh_/err"; st=$?
check_that "sheets: a bad roster is named by line, and nothing is written (exit $st)" \
	sh -c "test $st -eq 1 && grep -q 'rosters/jili.csv:[0-9]*: error: group .outside. is none of' '$sh_/err' &&
	grep -q 'sheets: fix the problems above first; nothing was written' '$sh_/err' && test ! -e '$sh_/bad'"
cp "$sh_/a/xiayang/villages/jili.xml" "$sh_/a/xiayang/villages/extra.xml"
"$BIN" sheets -o "$sh_/bad" "$sh_/a/xiayang/villages/extra.xml" >"$sh_/out" 2>"$sh_/err"; st=$?
check_that "sheets: a village the township does not list is refused (exit $st)" \
	sh -c "test $st -eq 1 && grep -q 'extra.xml.*is not listed by the township' '$sh_/err' && test ! -e '$sh_/bad'"
"$BIN" sheets --bogus "$tw" >"$sh_/out" 2>"$sh_/err"; st=$?
check_that "sheets: an unknown option is a usage error (exit $st)" \
	sh -c "test $st -eq 2 && grep -q \"sheets: unknown option '--bogus'\" '$sh_/err' && grep -q '^usage: coursepack sheets' '$sh_/err'"

# --pdf: both HTML sheets printed, the same bytes twice; without a
# browser, refused before anything is written.
jili=$top/examples/xiayang/villages/jili.xml
(PATH=/nonexistent "$BIN" sheets --pdf -o "$sh_/nopdf" "$jili" >/dev/null 2>"$sh_/err"); st=$?
check_that "sheets: --pdf without Chromium: a clear error, nothing written (exit $st)" \
	sh -c "test $st -eq 1 && grep -q \"install Debian's 'chromium' package\" '$sh_/err' && test ! -e '$sh_/nopdf'"
if command -v chromium >/dev/null 2>&1 && command -v pdfinfo >/dev/null 2>&1; then
	"$BIN" sheets --pdf -o "$sh_/pdf1" "$jili" >"$sh_/out" 2>"$sh_/err"; st=$?
	p=$sh_/pdf1/xiayang/xiayang-jili
	pages=$(pdfinfo "$p-signin.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
	hpages=$(pdfinfo "$p-home.pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
	check_that "sheets: --pdf prints both sheets, A4, a page or more per session and member ($pages, $hpages pages; exit $st)" \
		sh -c "test $st -eq 0 && grep -q '^6 files written' '$sh_/out' && test '${pages:-0}' -ge 22 && test '${hpages:-0}' -ge 8 &&
		pdfinfo '$p-home.pdf' | grep -q 'Page size:.*(A4)'"
	"$BIN" sheets --pdf -o "$sh_/pdf2" "$jili" >/dev/null 2>&1
	check_that "sheets: --pdf is reproducible" sh -c "cmp '$p-signin.pdf' '$sh_/pdf2/xiayang/xiayang-jili-signin.pdf' &&
		cmp '$p-home.pdf' '$sh_/pdf2/xiayang/xiayang-jili-home.pdf'"
	check_that "sheets: --pdf leaves no temporary folder behind" sh -c "test \$(ls -A '$sh_/pdf1/xiayang' | wc -l) -eq 6"
else
	skipped "sheets: --pdf: chromium or pdfinfo not installed"
fi
