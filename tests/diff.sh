# diff: sourced by tests/run.sh after the unpack tests.  The Zhuping
# example is built twice: as shipped, and after one sentence of a lesson,
# one media file and one village's plan (a course included) changed.
# coursepack diff must name exactly those changes, for the villages they
# touch, and refuse what is not a good bundle.

d=$tmp/diff
rm -rf "$d"
mkdir -p "$d/src/examples" "$d/src2/examples"
cp -R "$top/courses" "$d/src/"
cp -R "$top/examples/zhuping" "$d/src/examples/"
cp -R "$d/src/courses" "$d/src2/"
cp -R "$d/src/examples/zhuping" "$d/src2/examples/"
sed -i 's/这一课就讲一件事：/这一课只讲一件事：/' "$d/src2/courses/congress20/03-ecology.md"
sed -i 's|</svg>|<!-- 改 --></svg>|' "$d/src2/courses/congress20/media/two-steps.svg"
sed -i 's|<include course="spring-farming"/>|&\n  <include course="mushroom"/>|' "$d/src2/examples/zhuping/villages/zhuwan.xml"
"$BIN" build -o "$d/a" "$d/src/examples/zhuping/township.xml" >/dev/null 2>"$tmp/err"; st=$?
"$BIN" build -o "$d/b" "$d/src2/examples/zhuping/township.xml" >/dev/null 2>>"$tmp/err"; st2=$?
"$BIN" build -o "$d/c" "$d/src/examples/zhuping/township.xml" >/dev/null 2>>"$tmp/err"; st3=$?
check_that "diff: the three builds ran (exit $st $st2 $st3)" sh -c "test $st$st2$st3 = 000 || { cat '$tmp/err'; false; }"
da=$d/a/zhuping db=$d/b/zhuping	# not A and B: run.sh keeps the build folder in $B

# One village's bundles: the changed lesson, its sentence, the media.
"$BIN" diff "$da/zhuping-chaping.zip" "$db/zhuping-chaping.zip" >"$d/chaping.out" 2>"$tmp/err"; st=$?
check_that "diff: changed bundles exit 1 (exit $st)" sh -c "test $st -eq 1 && test ! -s '$tmp/err'"
check_that "diff: names the changed lesson, by title and id, and no other" sh -c \
	"grep -q '^  ~ lesson 绿水青山就是金山银山 (congress20/ecology)\$' '$d/chaping.out' &&
	test \$(grep -c 'lesson' '$d/chaping.out') -eq 1"
check_that "diff: the changed sentence as - and + lines" sh -c \
	"grep -q '^      - 这一课就讲一件事：在咱们这样的山区县' '$d/chaping.out' &&
	grep -q '^      + 这一课只讲一件事：在咱们这样的山区县' '$d/chaping.out' &&
	test \$(grep -c '^      [-+] ' '$d/chaping.out') -eq 2"
check_that "diff: the words members read, not HTML" sh -c "! grep -q '<' '$d/chaping.out'"
check_that "diff: ... with a line of context around it" grep -q '^        绿水青山就是金山银山$' "$d/chaping.out"
check_that "diff: the media change, by path and size" \
	grep -q '^  ~ media assets/congress20/media/two-steps.svg, [0-9]* -> [0-9]* bytes$' "$d/chaping.out"
check_that "diff: no plan change where there is none" sh -c "! grep -q 'hours\\|+ lesson' '$d/chaping.out'"
check_that "diff: the other files on one line" grep -q '^  other files changed: .*search.js' "$d/chaping.out"

# The village whose plan changed: its lessons added, its hours.
"$BIN" diff "$da/zhuping-zhuwan.zip" "$db/zhuping-zhuwan.zip" >"$d/zhuwan.out" 2>"$tmp/err"; st=$?
check_that "diff: the plan change (exit $st)" sh -c "test $st -eq 1 &&
	grep -q '^  + lesson 菌菇产业与香菇栽培入门 (mushroom/basics): skills, 1 h\$' '$d/zhuwan.out' &&
	test \$(grep -c '^  + lesson .*(mushroom/' '$d/zhuwan.out') -eq 3"
check_that "diff: total, category and group hours" sh -c "
	grep -q '^  hours: 23 -> 26.5 h\$' '$d/zhuwan.out' && grep -q '^    skills: 3.5 -> 7 h\$' '$d/zhuwan.out' &&
	grep -q '^    resident: 22 -> 25.5 h\$' '$d/zhuwan.out'"
check_that "diff: the course's media added" grep -q '^  + media assets/mushroom/media/spawn-flow.svg, [0-9]* bytes$' "$d/zhuwan.out"
check_that "diff: lessons after the new ones are not 'changed' for their new number" \
	test "$(grep -c '^  ~ lesson' "$d/zhuwan.out")" -eq 1

# Whole builds: every village that differs, and only those.
"$BIN" diff "$d/a" "$d/b" >"$d/all.out" 2>"$tmp/err"; st=$?
check_that "diff: two builds (exit $st)" sh -c "test $st -eq 1 && grep -q '^4 of 4 villages differ\$' '$d/all.out' &&
	test \$(grep -c '^zhuping/zhuping-[a-z]*.zip: ' '$d/all.out') -eq 4"
check_that "diff: hours change for the affected village only" sh -c \
	"test \$(grep -c '^  hours:' '$d/all.out') -eq 1 && grep -A1 '^zhuping/zhuping-zhuwan.zip: 朱湾村 (zhuwan)\$' '$d/all.out' | grep -q '^  hours:'"
"$BIN" diff "$d/a" "$d/b" >"$d/all2.out" 2>&1
check_that "diff: the output is the same every time" cmp "$d/all.out" "$d/all2.out"
mkdir -p "$d/one/zhuping" "$d/less/zhuping"
cp "$da"/*.zip "$d/one/zhuping/"
cp "$db/zhuping-zhuwan.zip" "$d/one/zhuping/"
"$BIN" diff "$d/a" "$d/one" >"$d/one.out" 2>"$tmp/err"; st=$?
check_that "diff: folder against folder lists only the village that differs (exit $st)" sh -c "test $st -eq 1 &&
	grep -q '^1 of 4 villages differ\$' '$d/one.out' && test \$(grep -c '^zhuping/' '$d/one.out') -eq 1 &&
	grep -q '^zhuping/zhuping-zhuwan.zip: ' '$d/one.out'"
cp "$da/zhuping-chaping.zip" "$da/zhuping-laowu.zip" "$d/less/zhuping/"
"$BIN" diff "$d/less" "$d/one" >"$d/less.out" 2>"$tmp/err"; st=$?
check_that "diff: villages only in one build are added or removed (exit $st)" sh -c "test $st -eq 1 &&
	grep -q '^zhuping/zhuping-xinzhu.zip: 新竹村 (xinzhu): village added\$' '$d/less.out' &&
	grep -q '^zhuping/zhuping-zhuwan.zip: 朱湾村 (zhuwan): village added\$' '$d/less.out' &&
	grep -q '^2 of 4 villages differ\$' '$d/less.out'"
"$BIN" diff "$d/one" "$d/less" >"$d/less.out" 2>"$tmp/err"; st=$?
check_that "diff: ... and the other way round (exit $st)" grep -q '^zhuping/zhuping-xinzhu.zip: 新竹村 (xinzhu): village removed$' "$d/less.out"
"$BIN" diff --stat "$d/a" "$d/b" >"$d/stat.out" 2>"$tmp/err"; st=$?
check_that "diff: --stat, one line per village (exit $st)" sh -c "test $st -eq 1 && test \$(wc -l <'$d/stat.out') -eq 5 &&
	grep -q '^zhuping/zhuping-zhuwan.zip: 朱湾村 (zhuwan): lessons +3 -0 ~1, media +1 -0 ~1, 23 -> 26.5 h\$' '$d/stat.out'"

# Identical: exit 0 and a line saying so.
"$BIN" diff "$d/a" "$d/c" >"$d/same.out" 2>"$tmp/err"; st=$?
check_that "diff: two builds of the same sources are identical (exit $st)" sh -c \
	"test $st -eq 0 && test \"\$(cat '$d/same.out')\" = 'the builds are identical: 4 villages'"
"$BIN" diff "$da/zhuping-laowu.zip" "$d/c/zhuping/zhuping-laowu.zip" >"$d/same.out" 2>"$tmp/err"; st=$?
check_that "diff: identical bundles (exit $st)" sh -c "test $st -eq 0 && test \"\$(cat '$d/same.out')\" = 'the bundles are identical'"
LANGUAGE=zh_CN "$BIN" diff "$da/zhuping-zhuwan.zip" "$db/zhuping-zhuwan.zip" >"$d/zh.out" 2>&1
check_that "diff: labels in Chinese under LANGUAGE=zh_CN, titles as they are" sh -c \
	"grep -q '^  学时：23 -> 26.5 学时\$' '$d/zh.out' && grep -q '^  + 课 菌菇产业与香菇栽培入门 (mushroom/basics)' '$d/zh.out'"

# Too many changes: a lesson rewritten is named, its text not shown.
mkdir -p "$d/src3/examples"
cp -R "$d/src/courses" "$d/src3/"
cp -R "$d/src/examples/zhuping" "$d/src3/examples/"
i=0
while [ $i -lt 250 ]; do
	printf '\n第%d段新加的话。\n' $i
	i=$((i + 1))
done >>"$d/src3/courses/congress20/04-grassroots.md"
"$BIN" build -o "$d/e" "$d/src3/examples/zhuping/township.xml" >/dev/null 2>"$tmp/err"
"$BIN" diff "$da/zhuping-laowu.zip" "$d/e/zhuping/zhuping-laowu.zip" >"$d/many.out" 2>&1; st=$?
check_that "diff: past the bound, 'too many changes to show' (exit $st)" sh -c "test $st -eq 1 &&
	grep -q '^  ~ lesson 全过程人民民主与村民自治 (congress20/grassroots)\$' '$d/many.out' &&
	grep -q '^      too many changes to show\$' '$d/many.out' && ! grep -q '第1段' '$d/many.out'"

# What is not a good bundle is refused with the reader's message.
printf 'not a zip\n' >"$d/note.zip"
"$BIN" diff "$da/zhuping-laowu.zip" "$d/note.zip" >"$d/bad.out" 2>"$tmp/err"; st=$?
check_that "diff: a file that is no zip is refused (exit $st)" sh -c "test $st -eq 3 && test ! -s '$d/bad.out' &&
	grep -q '^coursepack: $d/note.zip: error: not a readable zip archive' '$tmp/err'"
cp "$da/zhuping-laowu.zip" "$d/changed.zip"
printf 'x' | dd of="$d/changed.zip" bs=1 seek=2000 conv=notrunc 2>/dev/null
"$BIN" diff "$d/changed.zip" "$da/zhuping-laowu.zip" >"$d/bad.out" 2>"$tmp/err"; st=$?
check_that "diff: a damaged bundle is refused (exit $st)" sh -c "test $st -eq 3 && test ! -s '$d/bad.out' && test -s '$tmp/err'"
mkdir -p "$d/empty"
"$BIN" diff "$d/empty" "$d/a" >"$d/bad.out" 2>"$tmp/err"; st=$?
check_that "diff: a folder without bundles is refused (exit $st)" sh -c "test $st -eq 3 &&
	grep -q 'empty: error: folder holds no bundles' '$tmp/err'"
"$BIN" diff "$d/a" "$da/zhuping-laowu.zip" >/dev/null 2>"$tmp/err"; st=$?
check_that "diff: a folder and a bundle is wrong usage (exit $st)" test $st -eq 2
"$BIN" diff "$d/a" >/dev/null 2>"$tmp/err"; st=$?
check_that "diff: one operand is wrong usage (exit $st)" sh -c "test $st -eq 2 && grep -q '^usage: coursepack diff' '$tmp/err'"
cases=$tmp/unpack/cases
[ -s "$cases/cases.txt" ] || { cases=$d/cases; python3 "$top/tests/hostile_zips.py" "$da/zhuping-laowu.zip" "$cases" >/dev/null 2>&1; }
n=0
while IFS="$(printf '\t')" read -r case message; do
	"$BIN" diff "$da/zhuping-laowu.zip" "$cases/$case.zip" >"$d/bad.out" 2>"$tmp/err"; st=$?
	if [ $st -eq 3 ] && [ ! -s "$d/bad.out" ] && grep -qF -- "$message" "$tmp/err" &&
	   ! grep -q 'Sanitizer\|runtime error' "$tmp/err"; then n=$((n + 1)); else
		ko "diff: hostile '$case' (exit $st)"
		head -3 "$tmp/err" | sed 's/^/  | /'
	fi
done <"$cases/cases.txt"
check_that "diff: $n hostile archives refused with the reader's message" test "$n" -ge 50
