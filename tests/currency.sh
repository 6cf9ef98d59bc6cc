# Currency (issue 17 item 2, and its share of 3 and 4): lessons' sources
# and review-by dates against the recipe's season, check --as-of, and the
# sources carried into bundles.  Sourced by tests/run.sh; uses ok, ko,
# check_that, $BIN, $tmp, $top.  Each message also has a golden case,
# tests/golden/currency-*.

cu=$tmp/currency
rm -rf "$cu" && mkdir -p "$cu"
# Messages of this feature, and no other's: what the shipped example must
# not show.
cu_words="review-by date|before the season '|is out of date on|is not a day of the calendar"

# --- the shipped library and examples ---------------------------------------
"$BIN" check --require-review courses examples >"$cu/shipped.out" 2>"$cu/shipped.err"
check_that "currency: the shipped library and both townships raise no currency message, even with --require-review" \
	sh -c "! grep -E \"$cu_words\" '$cu/shipped.err'"
"$BIN" check -v courses >"$cu/v.out" 2>&1
check_that "currency: check -v lists each policy lesson's review-by date and sources" sh -c "
	grep -q '^    no1-document         review by 2025-04-30, 1 source\$' '$cu/v.out' &&
	grep -q '^    farmland             review by 2025-04-30, 4 sources\$' '$cu/v.out' &&
	grep -q '^    forest-fire          review by 2025-10-31, 1 source\$' '$cu/v.out'"
"$BIN" check -v courses/rural-policy >"$cu/v1.out" 2>&1
check_that "currency: check -v of a course alone lists them under the course" sh -c "
	grep -q '^course rural-policy: 3 lessons\$' '$cu/v1.out' && grep -q '^    subsidies            review by 2025-04-30, 2 sources\$' '$cu/v1.out'"
check_that "currency: every policy lesson of the shipped library has a review-by date and a source" python3 - <<'PY'
import glob, xml.etree.ElementTree as ET
bad = []
for f in sorted(glob.glob("courses/*/course.xml")):
    c = ET.parse(f).getroot()
    if c.get("category") != "policy":
        continue
    for l in c.findall("lesson"):
        if not l.get("review-by") or not l.findall("source"):
            bad.append(c.get("id") + "/" + l.get("id"))
assert not bad, bad
PY

# --- review-by against the season ---------------------------------------------
# A copy of the example whose policy lessons fall due: rural-policy's on
# 2023-02-01 (inside Xiayang's 2022-2023 season, before Zhuping's
# 2024-2025 one starts).
cp -r courses examples "$cu/"
sed -i 's/review-by="2025-04-30"/review-by="2023-02-01"/' "$cu/courses/rural-policy/course.xml"
(cd "$cu" && "$BIN" check courses examples >season.out 2>season.err; echo $? >season.st)
check_that "currency: a review-by date before the season's end warns, naming the season and its end" sh -c "
	test \$(cat '$cu/season.st') -eq 0 &&
	grep -q \"^coursepack: courses/rural-policy/course.xml:[0-9]*:[0-9]*: warning: lesson 'rural-policy/no1-document' is to be reviewed by 2023-02-01, before the season '2022—2023年度冬春训' ends on 2023-04-30: review it before then\\\$\" '$cu/season.err'"
check_that "currency: one passed before the season starts warns without --require-review" \
	grep -q "warning: lesson 'rural-policy/subsidies' was to be reviewed by 2023-02-01, before the season '2024—2025年度冬春训' starts on 2024-11-01" "$cu/season.err"
check_that "currency: each lesson is told once per township's season (3 lessons x 2 townships)" \
	test "$(grep -c 'rural-policy/' "$cu/season.err")" -eq 6
(cd "$cu" && "$BIN" check --require-review courses examples >req.out 2>req.err; echo $? >req.st)
check_that "currency: --require-review makes the passed date an error (exit 1), the mid-season one stays a warning" sh -c "
	test \$(cat '$cu/req.st') -eq 1 &&
	test \$(grep -c \"error: lesson 'rural-policy/.*' was to be reviewed by 2023-02-01, before the season '2024—2025年度冬春训' starts on 2024-11-01: review it and set a new review-by date (--require-review)\" '$cu/req.err') -eq 3 &&
	test \$(grep -c 'warning: .*ends on 2023-04-30' '$cu/req.err') -eq 3"
# The recipe's own start and end replace the derived ones.
sed -i 's|<season>2022—2023年度冬春训</season>|<season start="2022-12-01" end="2023-01-31">2022—2023年度冬春训</season>|' \
	"$cu/examples/xiayang/recipe.xml"
(cd "$cu" && "$BIN" check courses examples/xiayang >own.out 2>own.err; echo $? >own.st)
check_that "currency: <season start end> is used: 2023-02-01 is after this season's end, so no warning" sh -c "
	test \$(cat '$cu/own.st') -eq 0 && ! grep -q 'rural-policy' '$cu/own.err'"
sed -i 's|start="2022-12-01" end="2023-01-31"|start="2023-02-02" end="2023-04-30"|' "$cu/examples/xiayang/recipe.xml"
(cd "$cu" && "$BIN" check courses examples/xiayang >own.out 2>own.err)
check_that "currency: ... and a date before that start has passed" \
	grep -q "lesson 'rural-policy/no1-document' was to be reviewed by 2023-02-01, before the season '2022—2023年度冬春训' starts on 2023-02-02" "$cu/own.err"

# --- check --as-of --------------------------------------------------------------
"$BIN" check --as-of 2023-04-30 courses >"$cu/past.out" 2>"$cu/past.err"; st=$?
check_that "currency: --as-of a past day: nothing of the shipped library was due (exit $st)" sh -c "
	test $st -eq 0 && ! grep -q 'out of date' '$cu/past.err'"
"$BIN" check --as-of 2025-05-01 courses examples >"$cu/next.out" 2>"$cu/next.err"; st=$?
check_that "currency: --as-of an upcoming day lists exactly the lessons due by then, and no season message" sh -c "
	test $st -eq 0 && test \$(grep -c 'is out of date on 2025-05-01' '$cu/next.err') -eq 3 &&
	grep -q \"lesson 'rural-policy/farmland' is out of date on 2025-05-01: it was to be reviewed by 2025-04-30\" '$cu/next.err' &&
	! grep -q 'before the season' '$cu/next.err'"
"$BIN" check --as-of 2025-10-31 courses >"$cu/day.out" 2>"$cu/day.err"
check_that "currency: --as-of counts a lesson due on that very day" \
	test "$(grep -c 'is out of date on 2025-10-31' "$cu/day.err")" -eq 6
"$BIN" check --as-of tomorrow courses >/dev/null 2>"$cu/bad.err"; st=$?
check_that "currency: --as-of takes only a day (exit 2, got $st)" sh -c "test $st -eq 2 && grep -q \"not a day written as YYYY-MM-DD\" '$cu/bad.err'"

# --- bad dates name file and line -----------------------------------------------
cp -r courses/rural-policy "$cu/rp"
sed -i '0,/review-by="2025-04-30"/s//review-by="2025-4-30"/' "$cu/rp/course.xml"
"$BIN" check "$cu/rp" >/dev/null 2>"$cu/fmt.err"; st=$?
check_that "currency: a review-by date not written YYYY-MM-DD is refused with file:line:col (exit $st)" sh -c "
	test $st -eq 1 && grep -q \"^coursepack: $cu/rp/course.xml:[0-9]*:[0-9]*: error: <lesson> attribute 'review-by': '2025-4-30' is not a day written YYYY-MM-DD\" '$cu/fmt.err'"
sed -i 's/review-by="2025-4-30"/review-by="2025-02-29"/' "$cu/rp/course.xml"
"$BIN" check "$cu/rp" >/dev/null 2>"$cu/cal.err"; st=$?
check_that "currency: a day not in the calendar too (exit $st)" sh -c "
	test $st -eq 1 && grep -q \"^coursepack: $cu/rp/course.xml:[0-9]*:[0-9]*: error: review-by '2025-02-29' is not a day of the calendar\" '$cu/cal.err'"

sed -i 's/review-by="2025-02-29"/review-by="2025-02-28"/; 0,/number="中发〔2023〕1号"/s//number="中发〔2023〕1号中发〔2023〕1号中发〔2023〕1号中发〔2023〕1号中发〔2023〕1号中发〔2023〕1号"/' "$cu/rp/course.xml"
"$BIN" check "$cu/rp" >/dev/null 2>"$cu/len.err"; st=$?
check_that "currency: a document number is free text, but at most 50 characters (exit $st)" sh -c "
	test $st -eq 1 && grep -q \"^coursepack: $cu/rp/course.xml:[0-9]*:[0-9]*: error: <source> attribute 'number': longer than 50 characters\" '$cu/len.err'"

# --- provenance in the bundle ----------------------------------------------------
"$BIN" build -o "$cu/dist" examples/xiayang/villages/jili.xml >/dev/null 2>"$cu/build.err"; st=$?
check_that "currency: Jili builds (exit $st)" test $st -eq 0
mkdir -p "$cu/jili" && (cd "$cu/jili" && unzip -q ../dist/xiayang/xiayang-jili.zip)
check_that "currency: the manifest validates against package.xsd" xmllint --noout --schema schemas/package.xsd "$cu/jili/manifest.xml"
check_that "currency: the manifest carries each policy lesson's review-by date and sources" python3 - "$cu/jili/manifest.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
m = ET.parse(sys.argv[1]).getroot()
cur = {l.get("ref"): l for l in m.find("currency")}
assert set(cur) == {"rural-policy/no1-document", "rural-policy/farmland", "rural-policy/subsidies",
                    "rule-of-law/civil-code", "rule-of-law/anti-fraud", "rule-of-law/forest-fire"}, sorted(cur)
no1 = cur["rural-policy/no1-document"]
assert no1.get("review-by") == "2025-04-30"
s = no1.find("source")
assert (s.get("number"), s.get("date")) == ("中发〔2023〕1号", "2023-01-02"), s.attrib
assert len(cur["rural-policy/farmland"].findall("source")) == 4
assert cur["rural-policy/subsidies"].find("source").get("number") is None
PY
check_that "currency: the lesson page shows its sources at the end, with document number and date" sh -c "
	grep -q '<p class=\"meta sources\">依据：《中共中央 国务院关于做好2023年全面推进乡村振兴重点工作的意见》中发〔2023〕1号，2023年1月2日</p>' '$cu/jili/lessons/rural-policy/no1-document.html' &&
	sed -n '/<main/,/<\/main>/p' '$cu/jili/lessons/rural-policy/no1-document.html' | tail -2 | grep -q 'meta sources'"
check_that "currency: a lesson without sources shows none" sh -c "! grep -q '依据：' '$cu/jili/lessons/congress20/rejuvenation.html'"
check_that "currency: the booklet shows them too" \
	test "$(grep -c '<p class="meta sources">依据：' "$cu/jili/print.html")" -eq 6
check_that "currency: the bundle verifies" "$BIN" verify "$cu/dist/xiayang/xiayang-jili.zip"
"$BIN" build -o "$cu/dist2" examples/xiayang/villages/jili.xml >/dev/null 2>&1
check_that "currency: the bundle is reproducible" cmp "$cu/dist/xiayang/xiayang-jili.zip" "$cu/dist2/xiayang/xiayang-jili.zip"
# A library stating nothing gives the manifest it gave before: no <currency>.
sed -i 's/ review-by="[0-9-]*"//; /<source /d' "$cu/courses/rural-policy/course.xml" "$cu/courses/rule-of-law/course.xml"
sed -i 's/ review-by="required"//' "$cu/courses/categories.xml"
git -C "$top" show HEAD:examples/xiayang/recipe.xml >"$cu/examples/xiayang/recipe.xml" 2>/dev/null ||
	cp examples/xiayang/recipe.xml "$cu/examples/xiayang/recipe.xml"
(cd "$cu" && "$BIN" build -o plain examples/xiayang/villages/jili.xml >/dev/null 2>&1 && mkdir -p pj && cd pj && unzip -q ../plain/xiayang/xiayang-jili.zip)
check_that "currency: without sources or review-by dates the manifest has no <currency> and pages no sources" sh -c "
	test -f '$cu/pj/manifest.xml' && ! grep -q '<currency>' '$cu/pj/manifest.xml' && ! grep -rq '依据：' '$cu/pj/lessons'"
