# Reviews bound to content (issue 17): sourced by tests/run.sh.  Uses ok,
# ko, check_that, $BIN, $tmp, $top from run.sh.  Works on a copy of the
# shipped library and the Xiayang example, whose every lesson has a review
# (the political courses' signed with examples/review-demo.key).  The
# canonical text and hashes are unit-tested in tests/unit/test_review.c.

rv=$tmp/review
rm -rf "$rv" && mkdir -p "$rv" && cp -r courses examples "$rv/"
pub=$rv/examples/review-demo.pub
cd "$rv" || exit 1

# --- the shipped records --------------------------------------------------------
"$BIN" check --require-review courses examples >out 2>err; st=$?
check_that "review: the shipped library is reviewed as it stands (exit $st)" sh -c "test $st -eq 0 && test ! -s err &&
	grep -qx 'reviews: 40 lessons reviewed, all as they stand; 16 signed' out"
check_that "review: every reviews.xml validates against schemas/reviews.xsd" \
	sh -c "xmllint --noout --nonet --schema '$top/schemas/reviews.xsd' courses/*/reviews.xml 2>&1 | grep -vc ' validates\$' | grep -qx 0"
"$BIN" check -v courses/congress20 >out 2>&1
check_that "review: check -v lists reviewer, date and key per lesson" \
	grep -q '^  rejuvenation *reviewed by 县委组织部培训科 周某 on 2022-10-10, signed with key [0-9A-F]\{16\}$' out
"$BIN" check -v courses/mushroom >out 2>&1
check_that "review: ... and says when a review is unsigned" grep -q '^  basics *reviewed by 县委组织部培训科 林某 on 2022-11-03, unsigned$' out

# --- a one-character change, a media change ----------------------------------
printf '。' >>courses/integrity/03-frugality.md
"$BIN" check courses >out 2>err; st=$?
check_that "review: a one-character change makes the lesson unreviewed: a warning at its entry (exit $st)" sh -c "test $st -eq 0 &&
	grep -q \"^coursepack: courses/integrity/course.xml:[0-9]*:[0-9]*: warning: lesson 'frugality' changed since its review by '县委组织部培训科 周某' on 2022-10-20: review it again with 'coursepack review courses/integrity/03-frugality.md'\$\" err"
"$BIN" check --require-review courses >out 2>err; st=$?
check_that "review: ... an error under --require-review (exit $st)" sh -c "test $st -eq 1 &&
	grep -q \"error: lesson 'frugality' changed since its review\" err && test \$(grep -c ': error: ' err) -eq 1"
printf 'x' >>courses/integrity/media/four-two.svg
"$BIN" check courses/integrity >out 2>err
check_that "review: a media change makes its lesson unreviewed" grep -q "warning: lesson 'small-power' changed since its review" err

# --- build --require-review refuses, reviewing again clears ------------------
"$BIN" build --require-review -o dist examples/xiayang/villages/jili.xml >out 2>err; st=$?
check_that "review: build --require-review refuses, naming the lessons and their previous reviewer (exit $st)" sh -c "test $st -eq 1 &&
	grep -q \"error: lesson 'frugality' changed since its review by '县委组织部培训科 周某' on 2022-10-20\" err &&
	grep -q \"error: lesson 'small-power' changed since its review by\" err &&
	grep -q 'build: 2 lessons are not reviewed as they stand; nothing was built' err && test ! -e dist"
sed 's|<recipe |<recipe require-review="true" |' examples/xiayang/recipe.xml >r && mv r examples/xiayang/recipe.xml
"$BIN" build -o dist examples/xiayang/villages/jili.xml >out 2>err; st=$?
check_that "review: a recipe's require-review=\"true\" refuses it too (exit $st)" sh -c "test $st -eq 1 &&
	grep -q '(the recipe has require-review); nothing was built' err && test ! -e dist"
"$BIN" review --by '县委组织部培训科 林某' --date 2022-11-20 courses/integrity/03-frugality.md courses/integrity/02-small-power.md >out 2>err; st=$?
check_that "review: reviewing the two lessons again (exit $st)" sh -c "test $st -eq 0 && test \$(grep -c '^reviewed integrity/' out) -eq 2"
"$BIN" check --require-review courses >out 2>err; st=$?
check_that "review: ... clears them (exit $st)" sh -c "test $st -eq 0 && test ! -s err"
check_that "review: ... and keeps the earlier records (append-only)" test "$(grep -c '<review ' courses/integrity/reviews.xml)" -eq 5

# --- the bundle carries the reviews -------------------------------------------
"$BIN" build -o dist examples/xiayang/villages/jili.xml >out 2>err; st=$?
check_that "review: the recipe's requirement met, the village builds (exit $st)" test $st -eq 0
unzip -p dist/xiayang/xiayang-jili.zip manifest.xml >manifest.xml
check_that "review: the manifest validates against package.xsd" xmllint --noout --nonet --schema "$top/schemas/package.xsd" manifest.xml
check_that "review: the manifest carries each lesson's review, hash and key" sh -c "
	grep -q 'id=\"integrity/frugality\" [^>]* review=\"reviewed\" content=\"[0-9a-f]\\{64\\}\" reviewer=\"县委组织部培训科 林某\" reviewed=\"2022-11-20\">' manifest.xml &&
	grep -q 'id=\"congress20/rejuvenation\" [^>]* reviewer=\"县委组织部培训科 周某\" reviewed=\"2022-10-10\" review-key=\"[0-9A-F]\\{16\\}\">' manifest.xml"
"$BIN" info dist/xiayang/xiayang-jili.zip >out 2>&1
check_that "review: info prints the summary line" grep -q '^  reviews    23 lessons, all reviewed, latest 2022-11-20; [0-9]* signed by key [0-9A-F]\{16\}$' out
"$BIN" verify dist/xiayang/xiayang-jili.zip >out 2>&1
check_that "review: verify prints it too" grep -q '^  reviews: 23 lessons, all reviewed, latest 2022-11-20;' out
unzip -p dist/xiayang/xiayang-jili.zip lessons/congress20/rejuvenation.html >page.html
check_that "review: the lesson page ends with 审核 and 日期" grep -q '<p class="meta review">审核：县委组织部培训科 周某&#160;&#160;日期：2022-10-10</p>' page.html
unzip -p dist/xiayang/xiayang-jili.zip print.html >print.html
check_that "review: the booklet too" grep -q '审核：县委组织部培训科 周某&#160;&#160;日期：2022-10-10' print.html

# --- signatures ------------------------------------------------------------------
"$BIN" check --trust "$pub" courses/congress20 >out 2>err; st=$?
check_that "review: signed reviews verify against --trust (exit $st)" sh -c "test $st -eq 0 && test ! -s err"
"$BIN" check --trust "$pub" courses/mushroom >out 2>err
check_that "review: under --trust an unsigned review does not count, saying why" \
	grep -q "warning: lesson 'basics': its review by '县委组织部培训科 林某' on 2022-11-03 does not count: it is not signed" err
"$BIN" keygen -o other -c '别人' >/dev/null 2>&1
"$BIN" check --require-review --trust other.pub courses/congress20 >out 2>err; st=$?
check_that "review: --trust with another key rejects the signed reviews (exit $st)" sh -c "test $st -eq 1 &&
	grep -q \"error: lesson 'rejuvenation': its review by '县委组织部培训科 周某' on 2022-10-10 does not count: it is signed by a key not given to --trust\" err"
cp courses/congress20/reviews.xml saved.xml
sed -i '0,/by="县委组织部培训科 周某"/s//by="县委组织部培训科 王某"/' courses/congress20/reviews.xml
"$BIN" check courses/congress20 >out 2>err; st=$?
check_that "review: an edited reviewer in a signed record is refused at its line (exit $st)" sh -c "test $st -eq 1 &&
	grep -q \"^coursepack: courses/congress20/reviews.xml:3:3: error: review of lesson 'rejuvenation' by '县委组织部培训科 王某' does not verify\" err"
"$BIN" check --trust "$pub" courses/congress20 >out 2>err; st=$?
check_that "review: ... said once under --trust too, and the review does not count (exit $st)" sh -c "test $st -eq 1 &&
	test \$(grep -c 'error: review of lesson' err) -eq 1 && grep -q \"'rejuvenation': its review .* does not count: its signature does not verify\" err"
cp saved.xml courses/congress20/reviews.xml
sed -i '0,/sha256="[0-9a-f]/s//sha256="f/' courses/congress20/reviews.xml
"$BIN" check courses/congress20 >out 2>err; st=$?
check_that "review: an edited hash in a signed record is refused (exit $st)" sh -c "test $st -eq 1 &&
	grep -q 'courses/congress20/reviews.xml:3:3: error: review of lesson .rejuvenation. by .* does not verify' err"
"$BIN" build -o dist2 examples/xiayang/villages/jili.xml >out 2>err; st=$?
check_that "review: ... and stops a build (exit $st)" sh -c "test $st -eq 1 && test ! -e dist2"
cp saved.xml courses/congress20/reviews.xml
"$BIN" review --by '县委组织部培训科 周某' --sign other.key courses/congress20/01-rejuvenation.md >out 2>err; st=$?
check_that "review: --sign signs the new record (exit $st)" sh -c "test $st -eq 0 && grep -q '(signed, key [0-9A-F]*)\$' out"
"$BIN" check --trust other.pub courses/congress20 >out 2>err
check_that "review: ... which --trust with that key accepts, and the others' not" sh -c "
	! grep -q \"'rejuvenation'\" err && grep -q \"'ecology': its review .* does not count: it is signed by a key not given to --trust\" err"
"$BIN" review --sign other.key courses/rule-of-law >out 2>err; st=$?
check_that "review: without --by, the key's comment names the reviewer (exit $st)" sh -c "test $st -eq 0 && grep -q '^reviewed rule-of-law/civil-code by 别人 on ' out"
"$BIN" review courses/rule-of-law >out 2>err; st=$?
check_that "review: no --by and no key is a usage error (exit $st)" sh -c "test $st -eq 2 && grep -q 'say who reviewed with --by NAME' err"
"$BIN" review --by x --date 2022-02-30 courses/rule-of-law >out 2>err; st=$?
check_that "review: --date must be a real date (exit $st)" test $st -eq 2
"$BIN" review --by x courses/rule-of-law/nothing.md >out 2>err; st=$?
check_that "review: a .md that is no lesson of the course is refused (exit $st)" sh -c "test $st -eq 1 &&
	grep -q \"'nothing.md' is not a lesson of this course\" err"

# Reviewers at once: each waits for the one before, no record is lost.
n0=$(grep -c '<review ' courses/mushroom/reviews.xml)
for i in 1 2 3 4 5 6; do "$BIN" review --by "r$i" courses/mushroom >/dev/null 2>&1 & done; wait
check_that "review: six reviews at once of a 3-lesson course add 18 records" test "$(grep -c '<review ' courses/mushroom/reviews.xml)" -eq $((n0 + 18))

# --- hostile reviews.xml -------------------------------------------------------
h=courses/practice-day/reviews.xml
cp "$h" saved.xml
sed -i '0,/date="2022-11-08"/s//date="2022-02-30"/' "$h"
"$BIN" check courses/practice-day >out 2>err; st=$?
check_that "review: a date that does not exist is an error at its line (exit $st)" sh -c "test $st -eq 1 &&
	grep -q \"^coursepack: $h:3:[0-9]*: error: review date '2022-02-30' is not a real date\" err"
cp saved.xml "$h"
sed -i '0,/sha256="[0-9a-f]*"/s//sha256="XYZ"/' "$h"
"$BIN" check courses/practice-day >out 2>err; st=$?
check_that "review: bad hex is a schema error naming file and line (exit $st)" sh -c "test $st -eq 1 && grep -q \"^coursepack: $h:[0-9]*:[0-9]*: error: .*XYZ\" err"
{ echo '<reviews course="practice-day" version="1">'
  i=0; while [ $i -lt 6000 ]; do echo "  <review lesson=\"red-heritage\" by=\"x\" date=\"2022-11-08\"><file path=\"a.md\" sha256=\"$(printf '%064d' 0)\"/></review>"; i=$((i + 1)); done
  echo '</reviews>'; } >"$h"
"$BIN" check courses/practice-day >out 2>err; st=$?
check_that "review: more than 5000 records are refused at the first one too many (exit $st)" sh -c "test $st -eq 1 && grep -q \"^coursepack: $h:5002:3: error: <review> is not expected here\" err"
head -n 5001 "$h" >full.xml && echo '</reviews>' >>full.xml && cp "$h" over.xml
cp full.xml "$h"
"$BIN" review --by x courses/practice-day/06-red-heritage.md >out 2>err; st=$?
check_that "review: a file of 5000 reviews takes no more (exit $st)" sh -c "test $st -eq 1 && grep -q \"^coursepack: $h: error: file would hold more than 5000 reviews\" err && cmp -s full.xml '$h'"
cat over.xml over.xml >"$h"
"$BIN" check courses/practice-day >out 2>err; st=$?
check_that "review: a reviews.xml over 1 MiB is refused naming the file (exit $st)" sh -c "test $st -eq 1 && grep -q \"^coursepack: $h: error: file is larger than\" err"
"$BIN" review --by x courses/practice-day >out 2>err; st=$?
check_that "review: ... and is not appended to (exit $st)" sh -c "test $st -eq 1 && test \$(grep -c '<review ' '$h') -eq 12000"
cp saved.xml "$h"
sed -i 's/course="practice-day"/course="integrity"/' "$h"
"$BIN" check courses/practice-day >out 2>err; st=$?
check_that "review: another course's reviews.xml is refused (exit $st)" sh -c "test $st -eq 1 &&
	grep -q \"$h:2:[0-9]*: error: reviews of course 'integrity' in the folder of course 'practice-day'\" err"
cd "$top" || exit 1
