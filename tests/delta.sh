# Update patches (delta, apply): sourced by tests/run.sh.  The Xiayang
# example is built and signed, then built again in copies of it after
# (a) one lesson's text, (b) one SVG and (c) one village profile's needs
# changed; for every village the patch must rebuild the new bundle byte
# for byte, and the result must verify against the key.  Then refusals:
# another village's bundle, a cut-short patch, a flipped byte.

dl=$tmp/delta
mkdir -p "$dl"
"$BIN" keygen -o "$dl/key" -c "delta test" >/dev/null 2>&1
delta_tree() { # name [edit command...]: a copy of the library and the example, edited, built
	_t=$dl/$1; shift
	mkdir -p "$_t/examples" && cp -r "$top/courses" "$_t/" && cp -r "$top/examples/xiayang" "$_t/examples/"
	[ $# -eq 0 ] || (cd "$_t" && "$@")
	"$BIN" build --sign "$dl/key.key" -o "$_t/out" "$_t/examples/xiayang/township.xml" >"$_t.log" 2>&1
}
delta_tree old
delta_tree a sed -i '0,/誓词不长/s//誓词虽然不长/' courses/party-spirit/01-duties.md
delta_tree b sed -i 's/#2e7d32/#1b5e20/' courses/congress20/media/green-cycle.svg
delta_tree c sed -i 's|<need>ecommerce</need>|<need>mushroom</need>|' examples/xiayang/villages/jili.xml
check_that "delta: the three changed examples build" grep -q "^built 11 of 11" "$dl/a.log" "$dl/b.log" "$dl/c.log"
check_that "delta: (c) changes jili's plan" sh -c "! cmp -s '$dl/old/out/xiayang/xiayang-jili.zip' '$dl/c/out/xiayang/xiayang-jili.zip'"

# Every village of one change: delta, apply, cmp, verify; the largest
# patch as a percentage of its bundle (in tenths) goes to $dl/K.max.
delta_round() {
	_k=$1 _bad=0 _max=0
	mkdir -p "$dl/app-$_k"
	for _old in "$dl"/old/out/xiayang/xiayang-*.zip; do
		_v=$(basename "$_old")
		_new=$dl/$_k/out/xiayang/$_v
		_p=$dl/app-$_k/${_v%.zip}.patch
		if ! "$BIN" delta "$_old" "$_new" -o "$_p" >/dev/null 2>"$dl/err" ||
		    ! "$BIN" apply "$_old" "$_p" -o "$dl/app-$_k/$_v" >/dev/null 2>>"$dl/err" ||
		    ! cmp "$dl/app-$_k/$_v" "$_new" >>"$dl/err" 2>&1; then
			echo "$_k $_v: round trip failed"; cat "$dl/err"; _bad=$((_bad + 1)); continue
		fi
		cp "$_new.minisig" "$dl/app-$_k/$_v.minisig"
		if ! "$BIN" verify --pubkey "$dl/key.pub" "$dl/app-$_k/$_v" >"$dl/err" 2>&1; then
			echo "$_k $_v: verify failed"; cat "$dl/err"; _bad=$((_bad + 1))
		fi
		_pc=$(( $(stat -c %s "$_p") * 1000 / $(stat -c %s "$_new") ))
		[ "$_pc" -gt "$_max" ] && _max=$_pc
	done
	echo "$_max" >"$dl/$_k.max"
	return $_bad
}
check_that "delta: (a) a lesson's text: every village's patch rebuilds its bundle byte for byte, and it verifies" delta_round a
check_that "delta: (a) every patch is at most 5% of its bundle (largest: $(cat "$dl/a.max" 2>/dev/null) per mille)" \
    test "$(cat "$dl/a.max")" -le 50
check_that "delta: (b) an SVG: every village round trips and verifies" delta_round b
check_that "delta: (c) a village's needs: every village round trips and verifies" delta_round c
check_that "delta: (b) an SVG: every patch is at most 5% of its bundle (largest: $(cat "$dl/b.max" 2>/dev/null) per mille)" \
    test "$(cat "$dl/b.max")" -le 50
# (c) brings a whole new course into jili: its pages are new text, carried
# whole (compressed); the other villages' bundles do not change.
check_that "delta: (c) a new course stays under 20% of the bundle (largest: $(cat "$dl/c.max" 2>/dev/null) per mille)" \
    test "$(cat "$dl/c.max")" -le 200
# Identical bundles (village beiqu under change c): a tiny patch.
dlo=$dl/old/out/xiayang
check_that "delta: an unchanged bundle gives a patch under 1 KiB ($(stat -c %s "$dl/app-c/xiayang-beiqu.patch") bytes)" \
    test "$(stat -c %s "$dl/app-c/xiayang-beiqu.patch")" -lt 1024
"$BIN" delta "$dlo/xiayang-jili.zip" "$dl/a/out/xiayang/xiayang-jili.zip" -o "$dl/jili.patch" >"$dl/out" 2>&1
check_that "delta: says the patch's size and share of the bundle" \
    grep -q "^$dl/jili.patch: [0-9]* bytes, [0-9.]*% of '$dl/a/out/xiayang/xiayang-jili.zip' ([0-9]* bytes)\$" "$dl/out"

# Refusals: exit 1, a message naming the file, and no output file.
delta_refused() { # description, expected message, old, patch
	rm -f "$dl/r.zip"
	"$BIN" apply "$3" "$4" -o "$dl/r.zip" >/dev/null 2>"$dl/err"; _st=$?
	check_that "apply: $1 (exit $_st)" sh -c "test $_st -eq 1 && grep -q '$2' '$dl/err' && test ! -e '$dl/r.zip' &&
	    test -z \"\$(ls -A '$dl' | grep '^\\.coursepack-')\"" 
}
delta_refused "refuses another village's bundle, naming the expected and found hashes" \
    "coursepack: $dlo/xiayang-madao.zip: error: not the bundle this patch was made for: the patch expects SHA-256 [0-9a-f]\{16\}, this file has [0-9a-f]\{16\}" \
    "$dlo/xiayang-madao.zip" "$dl/jili.patch"
head -c -40 "$dl/jili.patch" >"$dl/cut.patch"
delta_refused "refuses a cut-short patch" "$dl/cut.patch: error: patch is damaged or cut short" "$dlo/xiayang-jili.zip" "$dl/cut.patch"
cp "$dl/jili.patch" "$dl/flip.patch"
printf '\001' | dd of="$dl/flip.patch" bs=1 seek=300 conv=notrunc 2>/dev/null
check_that "apply: the flipped patch differs from the patch" sh -c "! cmp -s '$dl/jili.patch' '$dl/flip.patch'"
delta_refused "refuses a patch with a flipped byte" "$dl/flip.patch: error: patch is damaged or cut short" "$dlo/xiayang-jili.zip" "$dl/flip.patch"
delta_refused "refuses a file that is no patch" "error: not an update patch" "$dlo/xiayang-jili.zip" "$dlo/xiayang-madao.zip"
# Patches altered with their checksum made right again: the new bundle's
# hash (the result is checked before the rename), or a byte among the
# operations.
delta_forge() { # patch, offset, out: one byte changed, the checksum recomputed
	python3 - "$1" "$2" "$3" <<'PY'
import hashlib, sys
p = bytearray(open(sys.argv[1], 'rb').read())
at = int(sys.argv[2]) % (len(p) - 64)
p[at] = ord('0') if p[at] != ord('0') else ord('1')
p[-64:] = hashlib.sha256(p[:-64]).hexdigest().encode()
open(sys.argv[3], 'wb').write(p)
PY
}
delta_forge "$dl/jili.patch" 72 "$dl/newhash.patch"
delta_refused "checks the result against the new bundle's SHA-256 before renaming it" \
    "$dl/newhash.patch: error: result has SHA-256 [0-9a-f]\{16\}, the patch expects [0-9a-f]\{16\}: nothing was written" \
    "$dlo/xiayang-jili.zip" "$dl/newhash.patch"
delta_forge "$dl/jili.patch" -80 "$dl/ops.patch"
delta_refused "refuses an altered operation whose checksum was made right" \
    "$dl/ops.patch: error: \(patch does not fit its old bundle at byte [0-9]*\|result has SHA-256\)" \
    "$dlo/xiayang-jili.zip" "$dl/ops.patch"
# apply syncs the result before renaming it into place.
if command -v strace >/dev/null 2>&1; then
	strace -f -o "$dl/strace" -e trace=fsync,rename,renameat,renameat2 \
	    "$BIN" apply "$dlo/xiayang-jili.zip" "$dl/jili.patch" -o "$dl/synced.zip" >/dev/null 2>&1
	check_that "apply: fsync before the rename into place" \
	    sh -c "grep -n 'fsync\|rename' '$dl/strace' | grep -v resumed | head -2 | tr '\n' ' ' | grep -q '^[0-9]*:[0-9 ]*fsync.*rename.*synced.zip'"
fi
# A refusal leaves a file already under the output name as it was.
echo keep >"$dl/keep.zip"
"$BIN" apply "$dlo/xiayang-madao.zip" "$dl/jili.patch" -o "$dl/keep.zip" >/dev/null 2>&1
check_that "apply: a refused patch leaves the file under -o untouched" grep -qx keep "$dl/keep.zip"
# In place: -o may name the old bundle itself.
cp "$dlo/xiayang-jili.zip" "$dl/inplace.zip"
"$BIN" apply "$dl/inplace.zip" "$dl/jili.patch" -o "$dl/inplace.zip" >/dev/null 2>&1; st=$?
check_that "apply: in place, over the old bundle (exit $st)" cmp "$dl/inplace.zip" "$dl/a/out/xiayang/xiayang-jili.zip"
# Not a zip of ours: carried whole, compressed against the old file.
head -c 300000 /dev/urandom >"$dl/rand.bin"
cat "$dl/rand.bin" "$dlo/xiayang-jili.zip" >"$dl/rand2.bin"
"$BIN" delta "$dl/rand.bin" "$dl/rand2.bin" -o "$dl/rand.patch" >/dev/null 2>&1 &&
    "$BIN" apply "$dl/rand.bin" "$dl/rand.patch" -o "$dl/rand3.bin" >/dev/null 2>&1
check_that "delta: a file that is no zip of ours round trips, the old bytes not carried again ($(stat -c %s "$dl/rand.patch" 2>/dev/null) bytes)" \
    sh -c "cmp '$dl/rand2.bin' '$dl/rand3.bin' && test $(stat -c %s "$dl/rand.patch" 2>/dev/null || echo 999999) -lt 260000"
"$BIN" apply "$dlo/xiayang-jili.zip" "$dl/jili.patch" >/dev/null 2>"$dl/err"; st=$?
check_that "apply: without -o is a usage error (exit $st)" sh -c "test $st -eq 2 && grep -q '^usage: coursepack apply OLD.zip PATCH -o NEW.zip' '$dl/err'"
