#!/bin/sh
# The test suite: tests/run.sh BUILDDIR [--regen]
# Runs the unit tests, the golden command-line cases, the checks of the
# shipped library and example, the hostile-input bounds and the man page,
# then prints one line: "N passed, N failed[, N skipped]".
set -u
B=$1
REGEN=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
BIN=$top/$B/coursepack
export LC_ALL=C.UTF-8 TZ=UTC SOURCE_DATE_EPOCH=1677000000
pass=0 fail=0 skip=0
tmp=$(mktemp -d "${TMPDIR:-/tmp}/coursepack-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

ok() { pass=$((pass + 1)); }
ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
skipped() { skip=$((skip + 1)); echo "SKIP: $*"; }
check_that() { # description, then a command that must succeed
	_what=$1; shift
	if "$@" >"$tmp/out" 2>&1; then ok; else ko "$_what"; sed 's/^/  | /' "$tmp/out" | head -20; fi
}

# --- unit tests -------------------------------------------------------------
cd "$top"
if "$top/$B/unit" >"$tmp/unit" 2>&1; then :; fi
p=$(grep -c '^ok ' "$tmp/unit"); f=$(grep -c '^not ok ' "$tmp/unit")
pass=$((pass + p)); fail=$((fail + f))
grep '^not ok \|^#   ' "$tmp/unit" | sed 's/^/FAIL: unit: /'
if ! tail -n 1 "$tmp/unit" | grep -q '^# done'; then ko "unit: did not finish"; tail -5 "$tmp/unit"; fi

# --- golden command-line cases ----------------------------------------------
# Each tests/golden/CASE holds its fixture files, 'args', and the expected
# stdout, stderr and exit status.
for c in "$top"/tests/golden/*/; do
	c=${c%/}; name=${c##*/}
	[ -f "$c/args" ] || continue
	(cd "$c" && eval "set -- $(cat args)" && "$BIN" "$@" >"$tmp/stdout" 2>"$tmp/stderr"; echo $? >"$tmp/status")
	if [ "$REGEN" = --regen ]; then
		cp "$tmp/stdout" "$c/expected.stdout"; cp "$tmp/stderr" "$c/expected.stderr"
		cp "$tmp/status" "$c/expected.status"; continue
	fi
	bad=""
	for s in stdout stderr status; do
		if [ ! -f "$c/expected.$s" ]; then bad="$bad missing expected.$s"
		elif ! diff -u "$c/expected.$s" "$tmp/$s" >"$tmp/diff.$s"; then bad="$bad $s"; fi
	done
	if [ -z "$bad" ]; then ok; else
		ko "golden/$name:$bad"
		cat "$tmp"/diff.* 2>/dev/null | head -30 | sed 's/^/  | /'
	fi
	rm -f "$tmp"/diff.*
done
[ "$REGEN" = --regen ] && { echo "golden files rewritten; review with git diff"; exit 0; }

# --- the shipped library and example ------------------------------------------
check_that "shipped: coursepack check --werror courses examples" "$BIN" check --werror courses examples

# Every XML file in the tree: xmllint and coursepack agree on schema validity.
# Files with a DOCTYPE, a non-UTF-8 encoding declaration or a NUL byte
# (libxml2 stops reading there) are left out: coursepack refuses them
# before any schema is consulted, by design.
agree=0 disagree=""
for f in $(find courses examples tests/golden -type f -name '*.xml' | sort); do
	grep -q '<!DOCTYPE' "$f" && continue
	tr -d '\000' <"$f" | cmp -s - "$f" || continue
	head -n 1 "$f" | grep -aq 'encoding="\(UTF\|utf\)-8"' || ! head -n 1 "$f" | grep -aq 'encoding=' || continue
	root=$(sed -n 's/^[[:space:]]*<\([a-z][a-z-]*\)[[:space:]>/].*/\1/p' "$f" | grep -v '^xml$' | head -n 1)
	[ -f "schemas/$root.xsd" ] || continue
	if xmllint --noout --nonet --schema "schemas/$root.xsd" "$f" >/dev/null 2>&1; then x=valid; else x=invalid; fi
	# coursepack's verdict: any XML-layer message about this very file.
	"$BIN" check "$f" >/dev/null 2>"$tmp/err"
	if grep -aq "^coursepack: $f:[0-9:]* error: \(<\|duplicate lesson id\|duplicate category\|duplicate recipe category\|Element\|not well-formed\|not valid UTF-8\|file contains a NUL\|unsupported\|unknown root\|root element\)" "$tmp/err"; then
		c=invalid; else c=valid; fi
	if [ "$x" = "$c" ]; then agree=$((agree + 1)); else disagree="$disagree $f(xmllint $x, coursepack $c)"; fi
done
if [ -z "$disagree" ] && [ "$agree" -gt 40 ]; then ok; else ko "xmllint and coursepack disagree on:$disagree (agreed on $agree)"; fi

# The library's size and shape, as the foundation issue asks.
ncourses=$(ls courses/*/course.xml | wc -l)
nlessons=$(cat courses/*/course.xml | grep -c '<lesson ')
ncats=$(sed -n 's/.*<course [^>]*category="\([a-z-]*\)".*/\1/p' courses/*/course.xml | sort -u | wc -l)
nvillages=$(ls examples/xiayang/villages/*.xml | wc -l)
check_that "library: >= 12 courses (have $ncourses)" test "$ncourses" -ge 12
check_that "library: >= 36 lessons (have $nlessons)" test "$nlessons" -ge 36
check_that "library: all 6 categories used (have $ncats)" test "$ncats" -eq 6
check_that "example: 11 village profiles (have $nvillages)" test "$nvillages" -eq 11
"$top/$B/cjkcount" courses/*/*.md | awk '$1 < 600 || $1 > 2000 { print; bad = 1 } END { exit bad }' >"$tmp/len"
if [ -s "$tmp/len" ]; then ko "library: lessons outside 600-2,000 Chinese characters:"; cat "$tmp/len"; else ok; fi
for m in home online; do
	for cat in theory policy party-spirit integrity skills practice; do
		if grep -l "category=\"$cat\"" courses/*/course.xml | xargs grep -q "modes=\"[^\"]*$m"; then ok
		else ko "library: no $cat lesson is marked $m"; fi
	done
done
tables=$(cat courses/*/*.md | grep -c '^|[ :]*---')
check_that "library: lessons have tables (have $tables)" test "$tables" -ge 5
# Every image in a lesson has alt text (check enforces it; this guards the rule).
if grep -n '!\[\]' courses/*/*.md; then ko "library: an image without alt text"; else ok; fi

# --- hostile input ----------------------------------------------------------
h=$tmp/hostile
mkdir -p "$h/lib/big"
cp tests/golden/ok-library/lib/categories.xml "$h/lib/"
printf '<?xml version="1.0"?>\n<course id="big" category="skills" lang="zh-CN" version="1">\n<title>t</title>\n<lesson id="a" src="a.md" hours="1" modes="field"/>\n</course>\n' >"$h/lib/big/course.xml"
# CVE-2023-22486's shape, just under the size limit: must finish quickly.
{ printf '# t\n\n'; i=0; while [ $i -lt 10900 ]; do printf '![[]()'; i=$((i + 1)); done; printf '\n'; } >"$h/lib/big/a.md"
start=$(date +%s)
if "$BIN" check "$h/lib" >/dev/null 2>&1; then ok; else ko "hostile: a pathological lesson under the limit was refused"; fi
end=$(date +%s)
check_that "hostile: pathological lesson at the size limit checked in under 10 s (took $((end - start)) s)" test $((end - start)) -lt 10
head -c 65537 /dev/zero | tr '\0' 'a' | sed '1s/^/# t\n/' >"$h/lib/big/a.md"
"$BIN" check "$h/lib" >/dev/null 2>"$tmp/err"; st=$?
check_that "hostile: lesson over 64 KiB refused before parsing" grep -q "a.md: error: lesson is larger than the 64 KiB limit" "$tmp/err"
check_that "hostile: oversize lesson exits 1 (got $st)" test $st -eq 1
{ printf '<?xml version="1.0"?>\n<course id="big" category="skills" lang="zh-CN" version="1">\n<title>'; head -c 1048576 /dev/zero | tr '\0' 'x'; printf '</title></course>\n'; } >"$h/lib/big/course.xml"
"$BIN" check "$h/lib/big/course.xml" >/dev/null 2>"$tmp/err"; st=$?
check_that "hostile: XML over 1 MiB refused" grep -q "error: file is larger than the 1024 KiB limit" "$tmp/err"
# Deep nesting: bounded by libxml2's depth limit and our schema, no crash.
{ printf '<course>'; i=0; while [ $i -lt 3000 ]; do printf '<a>'; i=$((i + 1)); done; printf '\n'; } >"$h/deep.xml"
"$BIN" check "$h/deep.xml" >/dev/null 2>"$tmp/err"; st=$?
check_that "hostile: 3,000-deep XML fails cleanly with 1 (got $st)" test $st -eq 1
# A FIFO where a manifest should be: refused, not waited on.
mkdir -p "$h/fifo/lib/c" && cp tests/golden/ok-library/lib/categories.xml "$h/fifo/lib/"
mkfifo "$h/fifo/lib/c/course.xml"
timeout 10 "$BIN" check "$h/fifo/lib" >/dev/null 2>"$tmp/err"; st=$?
check_that "hostile: a FIFO named course.xml is refused without blocking (exit $st)" test $st -eq 1
check_that "hostile: the FIFO is named as not a regular file" grep -q "c/course.xml: error: '.*c/course.xml' is not a regular file" "$tmp/err"
# Billion laughs without a DOCTYPE cannot exist; with one it is refused.
printf '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>\n<course>&lol2;</course>\n' >"$h/lol.xml"
"$BIN" check "$h/lol.xml" >/dev/null 2>"$tmp/err"
check_that "hostile: entity expansion refused at the DOCTYPE" grep -q "lol.xml:2:1: error: document type declarations are not allowed" "$tmp/err"

# --- command line and man page ---------------------------------------------
check_that "cli: --version" sh -c "'$BIN' --version | grep -q '^coursepack [0-9]'"
check_that "cli: --help lists check" sh -c "'$BIN' --help | grep -q '^  check '"
"$BIN" >/dev/null 2>"$tmp/err"; st=$?
check_that "cli: no arguments is a usage error (2, got $st)" test $st -eq 2
check_that "cli: stdout write errors are reported" sh -c "! '$BIN' check courses >/dev/full 2>/dev/null"
check_that "man: mandoc -Tlint is clean" mandoc -Tlint -W warning builder/coursepack.1
# Every message of the catalogue is explained in the man page: its longest
# fixed run of words appears there.
sed -n 's/^[[:space:]]*X([A-Z_]*, DL_[A-Z]*, "\(.*\)") \\$/\1/p' builder/diag.h >"$tmp/formats"
nfmt=0 undocumented=""
while IFS= read -r fmt; do
	nfmt=$((nfmt + 1))
	piece=$(printf '%s\n' "$fmt" | sed 's/%l*[sdu]/\n/g' | awk '{ if (length($0) > length(best)) best = $0 } END { print best }')
	grep -qF -- "$piece" builder/coursepack.1 || undocumented="$undocumented [$fmt]"
done <"$tmp/formats"
if [ -z "$undocumented" ] && [ "$nfmt" -gt 50 ]; then ok; else ko "man: messages not in DIAGNOSTICS ($nfmt read):$undocumented"; fi
# The man page's synopsis names the same commands and arguments as --help.
"$BIN" --help | sed -n 's/^  \([a-z]*\) \{1,\}\(.*[^ ]\) \{2,\}.*/\1 \2/p' | sort >"$tmp/help"
mandoc -Tascii builder/coursepack.1 | sed 's/.\x08//g' | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' |
	sed -n 's/^ *coursepack \([a-z]*\) \(.*\)/\1 \2/p' | sed 's/  */ /g; s/ *$//' | sort >"$tmp/man"
check_that "man: synopsis matches --help" diff -u "$tmp/help" "$tmp/man"

# --- install ----------------------------------------------------------------
dest=$tmp/destdir
if make -s install DESTDIR="$dest" PREFIX=/usr B="$B" >"$tmp/out" 2>&1 &&
   [ -x "$dest/usr/bin/coursepack" ] && [ -f "$dest/usr/share/man/man1/coursepack.1" ] &&
   [ "$(ls "$dest/usr/share/coursepack/schemas" | wc -l)" -eq 6 ]; then ok; else ko "install: files missing under DESTDIR"; cat "$tmp/out"; fi
# The installed binary needs no data files: run it from elsewhere.
check_that "install: installed binary checks the library on its own" sh -c "cd '$tmp' && '$dest/usr/bin/coursepack' check '$top/courses' >/dev/null"
make -s uninstall DESTDIR="$dest" PREFIX=/usr B="$B" >/dev/null 2>&1
check_that "uninstall: nothing left" test -z "$(find "$dest" -type f)"

if [ "$skip" -gt 0 ]; then
	echo "$pass passed, $fail failed, $skip skipped"
else
	echo "$pass passed, $fail failed"
fi
[ "$fail" -eq 0 ]
