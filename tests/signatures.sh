# Signatures: sourced by tests/run.sh after the bundle tests ($bd/a holds
# the Xiayang build).  Interoperability is checked against Debian's
# minisign both ways.

sg=$tmp/sign
mkdir -p "$sg"
"$BIN" keygen -o "$sg/town" -c "霞阳镇党委组织办" >"$tmp/out" 2>&1; st=$?
check_that "keygen: writes a key pair (exit $st)" test $st -eq 0 -a -f "$sg/town.key" -a -f "$sg/town.pub"
check_that "keygen: the secret key is private (0600)" test "$(stat -c %a "$sg/town.key")" = 600
"$BIN" keygen -o "$sg/town" >/dev/null 2>"$tmp/err"; st=$?
check_that "keygen: never overwrites a key (exit $st)" sh -c "test $st -eq 3 && grep -q 'File exists' '$tmp/err'"
"$BIN" keygen -o "$sg/other" -c "别人" >/dev/null 2>&1

env -u SOURCE_DATE_EPOCH "$BIN" build --sign "$sg/town.key" -o "$sg/out" examples/xiayang/township.xml >/dev/null 2>&1; st=$?
o=$sg/out/xiayang
check_that "sign: build --sign succeeds (exit $st)" test $st -eq 0
check_that "sign: a signature beside every bundle, edition and SHA256SUMS" test "$(ls "$o"/*.minisig | wc -l)" -eq 34
env -u SOURCE_DATE_EPOCH "$BIN" build --sign "$sg/town.key" -o "$sg/out2" examples/xiayang/township.xml >/dev/null 2>&1
check_that "sign: signatures are reproducible" diff -r "$o" "$sg/out2/xiayang"
check_that "sign: signing changes no bundle byte" cmp "$o/xiayang-jili.zip" "$bd/a/xiayang/xiayang-jili.zip"
# An unsigned build into the same folder leaves no old signature behind.
env -u SOURCE_DATE_EPOCH "$BIN" build -o "$sg/out2" examples/xiayang/township.xml >/dev/null 2>&1
check_that "sign: an unsigned rebuild removes the old signatures" test -z "$(ls "$sg/out2/xiayang" | grep minisig)"
"$BIN" verify --pubkey "$sg/town.pub" "$o/xiayang-jili.zip" >"$tmp/vout" 2>&1; st=$?
check_that "sign: verify --pubkey accepts it (exit $st)" test $st -eq 0
check_that "sign: ... and says who signed" grep -q "OK, signed by '霞阳镇党委组织办' (key [0-9A-F]\{16\})" "$tmp/vout"

if command -v minisign >/dev/null 2>&1; then
	check_that "minisign: minisign -V accepts our bundle signature" minisign -Vq -p "$sg/town.pub" -m "$o/xiayang-jili.zip"
	check_that "minisign: ... our EPUB and phone signatures" sh -c "minisign -Vq -p '$sg/town.pub' -m '$o/xiayang-jili.epub' && minisign -Vq -p '$sg/town.pub' -m '$o/xiayang-jili-phone.html'"
	check_that "minisign: ... and SHA256SUMS's" minisign -Vq -p "$sg/town.pub" -m "$o/SHA256SUMS"
	minisign -G -W -p "$sg/mini.pub" -s "$sg/mini.key" >/dev/null 2>&1
	"$BIN" build --sign "$sg/mini.key" -o "$sg/mout" examples/xiayang/villages/jili.xml >/dev/null 2>&1; st=$?
	check_that "minisign: a key from minisign -G -W signs our build (exit $st)" test $st -eq 0
	check_that "minisign: ... which minisign -V accepts" minisign -Vq -p "$sg/mini.pub" -m "$sg/mout/xiayang/xiayang-jili.zip"
	check_that "minisign: ... and coursepack verify too" "$BIN" verify --pubkey "$sg/mini.pub" "$sg/mout/xiayang/xiayang-jili.zip"
	cp "$o/xiayang-jili.zip" "$sg/m.zip"
	minisign -S -s "$sg/mini.key" -m "$sg/m.zip" -t "signed by minisign" >/dev/null 2>&1
	check_that "minisign: a signature minisign made verifies in coursepack" "$BIN" verify --pubkey "$sg/mini.pub" "$sg/m.zip"
else
	skipped "minisign: not installed (Debian package minisign)"
fi

# Failures, each naming the file.
sigfail() { # description, expected message, bundle
	"$BIN" verify --pubkey "$sg/town.pub" "$3" >"$tmp/v.out" 2>"$tmp/v.err"; vst=$?
	if [ $vst -eq 1 ] && grep -q ': BAD' "$tmp/v.out" && grep -qF -- "$2" "$tmp/v.err"; then ok; else
		ko "sign: $1 (exit $vst)"; head -3 "$tmp/v.err" | sed 's/^/  | /'; fi
}
cp "$o/xiayang-jili.zip" "$sg/u.zip"
sigfail "an unsigned bundle" "no signature: '$sg/u.zip.minisig' does not exist" "$sg/u.zip"
cp "$o/xiayang-jili.zip" "$sg/w.zip"
"$BIN" build --sign "$sg/other.key" -o "$sg/oth" examples/xiayang/villages/jili.xml >/dev/null 2>&1
cp "$sg/oth/xiayang/xiayang-jili.zip.minisig" "$sg/w.zip.minisig"
sigfail "a bundle re-signed by another key" "was made by key" "$sg/w.zip"
# Altered after signing, with its manifest made to match: only the
# signature can tell.
rm -rf "$sg/x" && unzip -q "$o/xiayang-jili.zip" -d "$sg/x"
pg=lessons/zongzi-leaf/planting.html
old=$(sha256sum "$sg/x/$pg" | cut -d' ' -f1)
sed -i '0,/箬竹/s//笋竹/' "$sg/x/$pg"
new=$(sha256sum "$sg/x/$pg" | cut -d' ' -f1)
sed -i "s/$old/$new/" "$sg/x/manifest.xml"
(cd "$sg/x" && zip -X -q "$sg/a.zip" $(unzip -Z1 "$o/xiayang-jili.zip"))
cp "$o/xiayang-jili.zip.minisig" "$sg/a.zip.minisig"
check_that "sign: the altered bundle is still whole by its own manifest" "$BIN" verify "$sg/a.zip"
sigfail "a bundle altered after signing" "the signature does not match: the file was changed after it was signed" "$sg/a.zip"
sed 's/file:xiayang-jili.zip/file:xiayang-madao.zip/' "$o/xiayang-jili.zip.minisig" >"$sg/u.zip.minisig"
sigfail "a signature whose trusted comment was edited" "the trusted comment was changed after signing" "$sg/u.zip"
printf 'untrusted comment: x\nnot base64\n' >"$sg/bad.key"
"$BIN" build --sign "$sg/bad.key" -o "$sg/bad" examples/xiayang/villages/jili.xml >/dev/null 2>"$tmp/err"; st=$?
check_that "sign: a damaged secret key is refused before building (exit $st)" sh -c "test $st -eq 1 && grep -q 'bad.key: error: not a minisign secret key' '$tmp/err' && test ! -e '$sg/bad'"
