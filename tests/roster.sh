# Rosters (issue 14 item 1): sourced by tests/run.sh after it built the
# Xiayang example, rosters present, into $bd/a.  Uses ok, ko, check_that,
# $BIN, $tmp, $bd from run.sh.  The parsers' cases are in
# tests/unit/test_roster.c and each message in tests/golden/roster-*.

rt=$tmp/roster
rm -rf "$rt" && mkdir -p "$rt/out"

# --- the example's rosters read clean, in every format ------------------------
"$BIN" check -v examples/xiayang >"$rt/check.out" 2>"$rt/check.err"; st=$?
check_that "roster: Xiayang checks clean with its rosters (exit $st)" sh -c "test $st -eq 0 && test ! -s '$rt/check.err' &&
	grep -q ': 0 errors, 0 warnings\$' '$rt/check.out'"
check_that "roster: all eleven rosters read" test "$(grep -c '^    roster examples/xiayang/rosters/' "$rt/check.out")" -eq 11
check_that "roster: -v says how each was read (GB18030, xlsx, UTF-8 with and without BOM)" sh -c "
	grep -q 'rosters/jili.csv: 112 members (GB18030)' '$rt/check.out' &&
	grep -q 'rosters/huangshalong.xlsx: 131 members (xlsx)' '$rt/check.out' &&
	grep -q '(UTF-8 with BOM)' '$rt/check.out' && grep -q '(UTF-8)\$' '$rt/check.out'"
check_that "roster: the generator writes the committed rosters and fixtures unchanged" sh -c "
	cp -r examples/xiayang '$rt/gen' && python3 '$rt/gen/rosters/gen.py' && python3 '$rt/gen/rosters/gen.py' --fixtures '$rt/fx' &&
	diff -r examples/xiayang/rosters '$rt/gen/rosters' && diff -r tests/rosters '$rt/fx'"

# --- member data never reaches a build output ---------------------------------
# Every name and phone number of every roster, minus those that occur in
# the sources anyway (a name can be a common word): none may appear in
# any file the build wrote, bundles and EPUBs unpacked.
python3 - "$rt/members" <<'EOF'
import csv, io, os, re, sys, zipfile
d = "examples/xiayang/rosters"
out = set()
for f in sorted(os.listdir(d)):
    p = os.path.join(d, f)
    if f.endswith(".csv"):
        raw = open(p, "rb").read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("gb18030")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        head = rows[0]
        for col in ("姓名", "name", "手机", "phone"):
            if col in head:
                k = head.index(col)
                out.update(r[k] for r in rows[1:] if len(r) > k and r[k])
    elif f.endswith(".xlsx"):
        z = zipfile.ZipFile(p)
        out.update(re.findall(r"<t>([^<]*)</t>", z.read("xl/sharedStrings.xml").decode()))
        out.update("%d" % float(v) for v in re.findall(r"<v>([0-9.]+E\+10)</v>", z.read("xl/worksheets/sheet1.xml").decode()))
out -= {"编号", "姓名", "类别", "手机", "在村", "居家", "流动"}
open(sys.argv[1], "w").write("".join(s + "\n" for s in sorted(out)))
EOF
grep -rhoF -f "$rt/members" courses examples/*/township.xml examples/*/recipe.xml examples/*/villages builder 2>/dev/null |
	sort -u >"$rt/in-sources"
grep -vxF -f "$rt/in-sources" "$rt/members" >"$rt/private"
for f in "$bd"/a/xiayang/*; do
	case $f in
	*.zip|*.epub) mkdir -p "$rt/out/${f##*/}" && unzip -qo "$f" -d "$rt/out/${f##*/}" ;;
	*) cp "$f" "$rt/out/" ;;
	esac
done
check_that "roster: the privacy check reads $(wc -l <"$rt/private") names and phone numbers, and finds them in a roster" sh -c "
	test \$(wc -l <'$rt/private') -gt 1000 && grep -qF -f '$rt/private' examples/xiayang/rosters/beiqu.csv"
check_that "roster: the build read what it should (bundles, EPUBs, phone editions, catalogue, SHA256SUMS)" sh -c "
	ls '$rt/out' | grep -q '^SHA256SUMS\$' && ls '$rt/out' | grep -q '^index.html\$' &&
	test \$(ls -d '$rt'/out/*.zip | wc -l) -eq 11 && test \$(ls -d '$rt'/out/*.epub | wc -l) -eq 11 &&
	test \$(ls '$rt'/out/*-phone.html | wc -l) -eq 11"
grep -rlF -f "$rt/private" "$rt/out" >"$rt/leaks" 2>/dev/null
check_that "roster: no member's name or phone number in any build output ($(wc -l <"$rt/leaks") files)" test ! -s "$rt/leaks"

# --- limits on the file itself ------------------------------------------------------
cp -r tests/golden/ok-township-only/. "$rt/big/"
mkdir -p "$rt/big/town/rosters"
python3 -c 'import sys; sys.stdout.write("姓名,类别\n" + "某某,在村\n" * 700000)' >"$rt/big/town/rosters/a.csv"
(cd "$rt/big" && "$BIN" check town >/dev/null 2>"$rt/err"); st=$?
check_that "roster: a roster over 8 MiB is refused, exit 1 (got $st)" sh -c "test $st -eq 1 &&
	grep -q '^coursepack: town/rosters/a.csv: error: file is larger than 8' '$rt/err'"
python3 -c 'import sys; sys.stdout.write("姓名,类别\n" + "".join("m%d,在村\n" % i for i in range(20000)))' >"$rt/big/town/rosters/a.csv"
(cd "$rt/big" && "$BIN" check town >/dev/null 2>"$rt/err"); st=$?
check_that "roster: 20000 members and a header are too many rows, exit 1 (got $st)" sh -c "test $st -eq 1 &&
	grep -q '^coursepack: town/rosters/a.csv:20001: error: file has more than 20000 rows' '$rt/err'"
# plan does not read rosters: a broken one changes nothing there.
(cd "$rt/big" && rm -rf town/rosters && "$BIN" plan town/township.xml >"$rt/plan.before" 2>&1; echo $? >>"$rt/plan.before")
mkdir -p "$rt/big/town/rosters" && printf 'not,a roster\n"' >"$rt/big/town/rosters/a.csv"
(cd "$rt/big" && "$BIN" plan town/township.xml >"$rt/plan.after" 2>&1; echo $? >>"$rt/plan.after")
check_that "roster: plan does not read rosters" cmp "$rt/plan.before" "$rt/plan.after"
