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
check_that "sign: ... and names the village, township and season first, then who signed and when" grep -q "OK 吉利村 (jili) 霞阳镇 2022—2023年度冬春训, signed by '霞阳镇党委组织办' (key [0-9A-F]\{16\}) on 2022-11-01\$" "$tmp/vout"

# verify by kind: a whole signed folder, given as a folder or as DIR/*.
"$BIN" verify --pubkey "$sg/town.pub" "$o" >"$tmp/vdir" 2>"$tmp/vdir.err"; st=$?
check_that "verify: a signed build's folder is all OK (exit $st)" sh -c "test $st -eq 0 && ! grep -q BAD '$tmp/vdir' && test ! -s '$tmp/vdir.err'"
# (Each bundle's line is followed by its reviews' summary: issue 17.)
check_that "verify: ... one line per file, no line for a signature" test "$(grep -vc '^  reviews: ' "$tmp/vdir")" -eq 36
check_that "verify: ... and a review summary under each bundle" test "$(grep -c '^  reviews: 2[0-9] lessons, all reviewed, latest 2022-11-08; ' "$tmp/vdir")" -eq 11
check_that "verify: ... and a summary" grep -qx "11 bundles, 11 phone editions, 11 EPUBs, 1 SHA256SUMS, 1 catalogue: all OK" "$tmp/vdir"
check_that "verify: ... SHA256SUMS checked against every file beside it" grep -q "SHA256SUMS: OK 33 files listed, all beside it and matching, signed by" "$tmp/vdir"
check_that "verify: ... the phone edition and EPUB by their signatures" sh -c "grep -q 'xiayang-jili-phone.html: OK phone edition, signed by' '$tmp/vdir' && grep -q 'xiayang-jili.epub: OK EPUB, signed by' '$tmp/vdir'"
"$BIN" verify --pubkey "$sg/town.pub" "$o"/* >"$tmp/vstar" 2>&1; st=$?
check_that "verify: DIR/* is the same, never FILE.minisig.minisig (exit $st)" sh -c "test $st -eq 0 && ! grep -q 'minisig' '$tmp/vstar' && tail -n 1 '$tmp/vstar' | grep -qx '11 bundles, 11 phone editions, 11 EPUBs, 1 SHA256SUMS, 1 catalogue: all OK'"
"$BIN" verify "$o" >"$tmp/vnokey" 2>&1; st=$?
check_that "verify: without --pubkey, editions are checked against SHA256SUMS (exit $st)" sh -c "test $st -eq 0 && grep -q 'xiayang-jili-phone.html: OK phone edition, matches SHA256SUMS' '$tmp/vnokey'"
# A phone edition altered after signing: its signature, and SHA256SUMS, say so.
cp -r "$o" "$sg/alt" && sed -i '0,/吉利村/s//吉利屯/' "$sg/alt/xiayang-jili-phone.html"
"$BIN" verify --pubkey "$sg/town.pub" "$sg/alt" >"$tmp/valt" 2>"$tmp/valt.err"; st=$?
check_that "verify: an altered phone edition is BAD, and so is SHA256SUMS (exit $st)" sh -c "test $st -eq 1 && grep -q 'xiayang-jili-phone.html: BAD' '$tmp/valt' && grep -q 'SHA256SUMS: BAD' '$tmp/valt' && grep -q 'SHA256SUMS:[0-9]*: error: .xiayang-jili-phone.html. does not match its SHA-256 in SHA256SUMS' '$tmp/valt.err' && tail -n 1 '$tmp/valt' | grep -q ': 2 BAD\$'"
# An EPUB must be a zip with its mimetype first.
cp "$o/xiayang-jili.zip" "$sg/not.epub" && cp "$o/xiayang-jili.zip.minisig" "$sg/not.epub.minisig"
"$BIN" verify --pubkey "$sg/town.pub" "$sg/not.epub" >"$tmp/vep" 2>&1; st=$?
check_that "verify: a bundle renamed .epub is not an EPUB (exit $st)" sh -c "test $st -eq 1 && grep -q 'not an EPUB: the first entry is not an uncompressed .mimetype.' '$tmp/vep'"
# A bundle and its signature copied to another village's name: still
# signed, but the names tell, and the village comes first in the line.
cp "$o/xiayang-jili.zip" "$sg/xiayang-madao.zip" && cp "$o/xiayang-jili.zip.minisig" "$sg/xiayang-madao.zip.minisig"
"$BIN" verify --pubkey "$sg/town.pub" "$sg/xiayang-madao.zip" >"$tmp/vren" 2>"$tmp/vren.err"; st=$?
check_that "verify: a renamed bundle still verifies (exit $st), its line naming 吉利村" sh -c "test $st -eq 0 && grep -q 'xiayang-madao.zip: OK 吉利村 (jili) 霞阳镇' '$tmp/vren'"
check_that "verify: ... with a warning that it was signed as another name" grep -q "warning: file is named 'xiayang-madao.zip' but was signed as 'xiayang-jili.zip'" "$tmp/vren.err"
check_that "verify: ... and one that the manifest's village differs" grep -q "warning: bundle is named 'xiayang-madao.zip' but holds the package of 吉利村 (jili), 'xiayang-jili.zip'" "$tmp/vren.err"

# Entry and signature times follow the recipe's season, not a fixed date.
rm -rf "$sg/season" && mkdir -p "$sg/season/examples" && cp -r courses "$sg/season/" && cp -r examples/xiayang "$sg/season/examples/"
sed -i 's|<season>2022—2023年度冬春训</season>|<season>2024—2025年度冬春训</season>|' "$sg/season/examples/xiayang/recipe.xml"
(cd "$sg/season" && env -u SOURCE_DATE_EPOCH "$BIN" build --sign "$sg/town.key" -o out examples/xiayang/township.xml >/dev/null 2>&1)
sz=$sg/season/out/xiayang/xiayang-jili.zip
check_that "season: entries of a 2024—2025 bundle are dated 2024-11-01" sh -c "unzip -Z -T '$sz' | grep -q ' 20241101\.000000 manifest.xml' && ! unzip -Z -T '$sz' | grep -v ' 20241101\.000000 ' | grep -q ' [0-9]\{8\}\.[0-9]\{6\} '"
check_that "season: ... and so are its signatures" grep -q "^trusted comment: timestamp:1730419200	file:xiayang-jili.zip" "$sz.minisig"
check_that "season: the manifest carries the season" sh -c "unzip -p '$sz' manifest.xml | grep -q '<season>2024—2025年度冬春训</season>'"
"$BIN" verify --pubkey "$sg/town.pub" "$sz" >"$tmp/vs" 2>&1
check_that "season: verify names it" grep -q "OK 吉利村 (jili) 霞阳镇 2024—2025年度冬春训, signed by .* on 2024-11-01" "$tmp/vs"
sed -i 's|<season>2024—2025年度冬春训</season>|<season>冬春训</season>|' "$sg/season/examples/xiayang/recipe.xml"
(cd "$sg/season" && env -u SOURCE_DATE_EPOCH "$BIN" build -o out2 examples/xiayang/villages/jili.xml >/dev/null 2>&1)
check_that "season: a season naming no year gives 2023-01-01" sh -c "unzip -Z -T '$sg/season/out2/xiayang/xiayang-jili.zip' | grep -q ' 20230101\.000000 manifest.xml'"

# Rebuilding one village into the township's folder keeps SHA256SUMS and
# the catalogue true for the whole folder.
pb=$sg/season
(cd "$pb" && env -u SOURCE_DATE_EPOCH "$BIN" build --sign "$sg/town.key" -o part examples/xiayang/township.xml >/dev/null 2>&1)
oldh=$(grep ' xiayang-jili.zip$' "$pb/part/xiayang/SHA256SUMS" | cut -d' ' -f1)
echo "补充：采收后及时晾晒。" >>"$pb/courses/zongzi-leaf/03-harvest.md"
(cd "$pb" && env -u SOURCE_DATE_EPOCH "$BIN" build --sign "$sg/town.key" -o part examples/xiayang/villages/jili.xml >"$tmp/pout" 2>&1); st=$?
newh=$(sha256sum "$pb/part/xiayang/xiayang-jili.zip" | cut -d' ' -f1)
check_that "partial: rebuilding one village with a changed lesson succeeds (exit $st) with a new bundle" sh -c "test $st -eq 0 && test '$oldh' != '$newh'"
check_that "partial: ... sha256sum -c still passes" sh -c "cd '$pb/part/xiayang' && sha256sum -c --quiet SHA256SUMS"
check_that "partial: ... SHA256SUMS lists all 33 files, the new hash among them" sh -c "test \$(wc -l <'$pb/part/xiayang/SHA256SUMS') -eq 33 && grep -qx '$newh  xiayang-jili.zip' '$pb/part/xiayang/SHA256SUMS'"
check_that "partial: ... the catalogue lists all 11 villages and the new hash" sh -c "test \$(grep -o 'href=\"xiayang-[a-z]*\.zip\"' '$pb/part/xiayang/index.html' | sort -u | wc -l) -eq 11 && grep -q '$newh' '$pb/part/xiayang/index.html' && ! grep -q '$oldh' '$pb/part/xiayang/index.html'"
check_that "partial: ... and says so" grep -q "^SHA256SUMS and index.html updated for every bundle in part/xiayang" "$tmp/pout"
"$BIN" verify --pubkey "$sg/town.pub" "$pb/part/xiayang" >"$tmp/pv" 2>&1; st=$?
check_that "partial: ... the folder verifies, signatures included (exit $st)" sh -c "test $st -eq 0 && tail -n 1 '$tmp/pv' | grep -q ': all OK\$'"
# A village not in the folder is named on the catalogue as not built.
rm "$pb/part/xiayang/xiayang-madao.zip"
(cd "$pb" && env -u SOURCE_DATE_EPOCH "$BIN" build -o part examples/xiayang/villages/jili.xml >/dev/null 2>&1)
check_that "partial: a village whose bundle is gone leaves SHA256SUMS, named as not built" sh -c "cd '$pb/part/xiayang' && sha256sum -c --quiet SHA256SUMS && ! grep -q madao SHA256SUMS && grep -q '未生成.*马道村' index.html"
check_that "partial: ... an unsigned rebuild drops the old signature of SHA256SUMS" test ! -e "$pb/part/xiayang/SHA256SUMS.minisig"

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

# Signing and checking hash in slices (minisign's prehashed signatures,
# a streamed BLAKE2b), and verify hashes entries in slices: with the
# 120 MB video of the build tests ($vb), build --sign and verify --pubkey
# stay within the unsigned build's bound.  Before: 156 MiB and 162 MiB.
peak() { # the command's peak resident memory in MiB, or "failed"
	python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024 if r.returncode == 0 else "failed")' "$@"
}
sign_rss=$(cd "$vb" && peak "$BIN" build --allow-short --sign "$sg/town.key" -o signed town/township.xml)
vrfy_rss=$(peak "$BIN" verify --pubkey "$sg/town.pub" "$vb/signed/town/town-a.zip")
check_that "sign: a bundle with a 120 MB video is signed and verifies ($sign_rss, $vrfy_rss)" \
	sh -c "test '$sign_rss' != failed && test '$vrfy_rss' != failed"
case $B in
*san*) skipped "sign: the peaks with a 120 MB video are not measured under the sanitizers (build --sign ${sign_rss} MiB, verify --pubkey ${vrfy_rss} MiB)" ;;
*)
	check_that "sign: build --sign with a 120 MB video within 48 MiB (peak ${sign_rss} MiB)" test "$sign_rss" -le 48
	check_that "sign: verify --pubkey of it within 48 MiB (peak ${vrfy_rss} MiB)" test "$vrfy_rss" -le 48
	;;
esac
# A legacy signature (minisign -l) covers the file itself, which cannot
# be checked in slices: refused, with what to do.
if command -v minisign >/dev/null 2>&1 && [ -f "$sg/mini.key" ]; then
	cp "$o/xiayang-jili.zip" "$sg/legacy.zip"
	minisign -S -l -s "$sg/mini.key" -m "$sg/legacy.zip" >/dev/null 2>&1
	"$BIN" verify --pubkey "$sg/mini.pub" "$sg/legacy.zip" >/dev/null 2>"$sg/legacy.err"; st=$?
	check_that "sign: a legacy minisign signature is refused, saying why (exit $st)" \
		sh -c "test $st -eq 1 && grep -q 'legacy signature (minisign -l), which is not supported: sign the file again without -l' '$sg/legacy.err'"
fi
