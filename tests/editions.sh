# The editions beyond the bundle's pages: sourced by tests/run.sh after it
# built the Xiayang example into $bd/a (bundles unpacked for jili in
# $bd/jili).  Uses ok, ko, skipped, check_that from run.sh.

ed=$bd/a/xiayang
# --- print.html -----------------------------------------------------------------
p=$bd/jili/print.html
check_that "print: A4 page, 16 pt body" grep -q '@page { size: A4;' "$p"
check_that "print: 16 pt body type" grep -q 'body.print {[^}]*font-size: 16pt' "$p"
check_that "print: each lesson starts a new page" grep -q '.lesson, .contents, .record { break-before: page' "$p"
check_that "print: a cover with a line for the member's name" grep -q '党员姓名：<span class="blank"></span>' "$p"
check_that "print: a study record sheet with signatures" grep -q '<th class="s">党员签名</th><th class="s">送学人签名</th>' "$p"
nhome=$("$BIN" plan --csv examples/xiayang/villages/jili.xml | grep -c '^xiayang,jili,[^,]*,lesson,.*home')
check_that "print: one section per lesson homebound members can count ($nhome)" test "$(grep -c '<section class="lesson"' "$p")" -eq "$nhome"
check_that "print: the lessons left out are named, outside the hours" grep -q '<div class="outside"><p>本村学习包另有 [0-9]* 课、[0-9.]* 学时.*不计入本版学时' "$p"
check_that "print: signature columns are wide (fixed layout, 19% each)" sh -c "grep -q '.record table { table-layout: fixed; }' '$p' && grep -q '.record .s { width: 19%; }' '$p' && grep -q '<th class=\"s\">党员签名</th><th class=\"s\">送学人签名</th>' '$p'"
check_that "print: long tables split between rows, not before the table" sh -c "grep -q 'body.print table { page-break-inside: auto; break-inside: auto; }' '$p' && grep -q 'body.print tr { break-inside: avoid;' '$p'"
check_that "editions: booklet, phone and EPUB figures equal plan's group totals, every village of every example" \
	python3 tests/edition_totals.py "$BIN" "$tmp/totals"
check_that "print: images kept with their captions" grep -q '<span class="figure"><img src="assets/zongzi-leaf/media/picking.svg"' "$p"
check_that "print: a field-only lesson's images are not in the booklet" sh -c "! grep -q 'zongzi-leaf/media/spacing.svg' '$p'"

# --- phone edition --------------------------------------------------------------
ph=$ed/xiayang-jili-phone.html
check_that "phone: written beside the bundle" test -s "$ph"
check_that "phone: listed in SHA256SUMS" grep -q ' xiayang-jili-phone.html$' "$ed/SHA256SUMS"
check_that "phone: in the catalogue" grep -q 'href="xiayang-jili-phone.html"' "$ed/index.html"
# Self-contained: every src and href is a data: URI or an in-page anchor.
grep -o '\(src\|href\)="[^"]*"' "$ph" | grep -v '="data:\|="#' >"$tmp/external" || true
check_that "phone: nothing but data: URIs and anchors ($(wc -l <"$tmp/external") others)" test ! -s "$tmp/external"
check_that "phone: styles inline, no style sheet link" sh -c "grep -q '<style>' '$ph' && ! grep -q '<link' '$ph'"
check_that "phone: images inline" grep -q 'src="data:image/svg+xml;base64,' "$ph"
check_that "phone: no video or audio" sh -c "! grep -qi '<video\|<audio' '$ph'"
check_that "phone: a contents list at the top" grep -q '<nav class="toc">' "$ph"
check_that "phone: within the 8 MB budget ($(stat -c %s "$ph") bytes)" test "$(stat -c %s "$ph")" -le 8000000
check_that "phone: HTML5 without errors" /usr/bin/python3 "$tmp/html5.py" "$ph" "$p"
(cd "$sb" && "$BIN" build --allow-short --phone-budget 2K -o over town/township.xml >/dev/null 2>"$tmp/err"); st=$?
# Over budget is a problem of the inputs: exit 1, as the man page's EXIT
# STATUS says (3 would mean the program could not do its work).
check_that "phone: over budget fails with exit 1 (got $st)" test $st -eq 1
check_that "phone: ... naming the largest parts" grep -q "phone edition of 'town-a' is [0-9.]* KB, over the 2.0 KB budget, and is not written (the bundle and the other editions are); largest: intro/01-first.md [0-9]* B, grow/01-prune.md [0-9]* B, grow/media/tree.svg [0-9]* B: shrink those or raise --phone-budget" "$tmp/err"
check_that "phone: ... writes no phone edition" test ! -e "$sb/over/town/town-a-phone.html"
check_that "phone: ... but still the bundle and the EPUB, which verify" sh -c "'$BIN' verify '$sb/over/town/town-a.zip' >/dev/null && test -s '$sb/over/town/town-a.epub'"
check_that "phone: ... and SHA256SUMS holds what is there" sh -c "cd '$sb/over/town' && sha256sum -c --quiet SHA256SUMS && ! grep -q phone SHA256SUMS"

# --- search ---------------------------------------------------------------------
check_that "search: index of bigrams in search.js" grep -q '^"粽叶": "' "$bd/jili/search.js"
# The index, decoded, finds the very lessons whose pages hold the words;
# the browser test below expects these counts from the page's own script.
for q in 粽叶 "粽叶 种植" 党员; do
	n=$(/usr/bin/python3 "$top/tests/search_index.py" "$bd/jili" "$q" 2>"$tmp/search.err"); sst=$?
	# Both ways finding nothing would agree too: each query finds lessons.
	check_that "search: '$q' by the index = by the pages ($n lessons, at least 1)" \
		sh -c "test $sst -eq 0 && test '$n' -ge 1 2>/dev/null && ! test -s '$tmp/search.err'"
	sed 's/^/  | /' "$tmp/search.err" | head -4
done
search_hits=$(/usr/bin/python3 "$top/tests/search_index.py" "$bd/jili" "粽叶 种植" 2>/dev/null)
# Ranking: title hits first, then how often the words occur, then the
# package's order.  The first lesson names 黄牛 once, the second five
# times; neither title holds it (the index counted nothing before, so the
# first came first).  Run by the bundle's own search.js under node.
if command -v node >/dev/null 2>&1; then
	sr=$tmp/search-rank && cp -r tests/golden/ok-library "$sr"
	printf '\n养黄牛要注意防寒。\n' >>"$sr/lib/intro/01-first.md"
	printf '\n黄牛的棚舍要通风。黄牛冬天要补料，黄牛怕潮湿。\n\n- 黄牛：每天饮水两次\n- 小黄牛单独喂养\n' >>"$sr/lib/grow/01-prune.md"
	(cd "$sr" && "$BIN" build --allow-short -o out town/township.xml >/dev/null 2>"$tmp/err") &&
	    mkdir -p "$sr/site" && (cd "$sr/site" && unzip -q ../out/town/town-a.zip)
	check_that "search: the index counts a term's occurrences ('\"黄牛\": \"0.1:5\"')" grep -q '^"黄牛": "0\.1:5"' "$sr/site/search.js"
	check_that "search: the rank fixture decodes (python)" /usr/bin/python3 "$top/tests/search_index.py" "$sr/site" 黄牛
	node "$top/tests/search_rank.js" "$sr/site" 黄牛 >"$tmp/rank" 2>&1
	check_that "search: the lesson naming 黄牛 five times comes before the one naming it once ($(tr '\n' ' ' <"$tmp/rank"))" test "$(cat "$tmp/rank")" = "$(printf '修剪\n第一课')"
	node "$top/tests/search_rank.js" "$sr/site" 修剪 >"$tmp/rank" 2>&1
	check_that "search: ... a title hit still comes first ($(tr '\n' ' ' <"$tmp/rank"))" test "$(head -n 1 "$tmp/rank")" = 修剪
	node "$top/tests/search_rank.js" "$bd/jili" 粽叶 >"$tmp/rank" 2>&1
	check_that "search: node runs a real bundle's search.js (粽叶: $(wc -l <"$tmp/rank") lessons, first $(head -n 1 "$tmp/rank"))" sh -c "test \"\$(wc -l <'$tmp/rank')\" -eq '$(/usr/bin/python3 "$top/tests/search_index.py" "$bd/jili" 粽叶 2>/dev/null)' && head -n 1 '$tmp/rank' | grep -q 粽叶"
else
	skipped "search: ranking by counts: node is not installed"
fi

# --- EPUB -----------------------------------------------------------------------
check_that "epub: one per village" test "$(ls "$ed"/*.epub | wc -l)" -eq 11
check_that "epub: mimetype first and stored" sh -c "unzip -Zv '$ed/xiayang-jili.epub' | grep -m1 -A14 'mimetype' | grep -q 'compression method: *none'"
check_that "epub: mimetype is the first entry" test "$(unzip -Z1 "$ed/xiayang-jili.epub" | head -n 1)" = mimetype
check_that "epub: package document in zh-CN" sh -c "unzip -p '$ed/xiayang-jili.epub' EPUB/package.opf | grep -q '<dc:language>zh-CN</dc:language>'"
if [ -f /usr/share/java/epubcheck.jar ] && command -v java >/dev/null 2>&1; then
	ls "$ed"/*.epub | xargs -P 2 -I{} sh -c 'java -jar /usr/share/java/epubcheck.jar -q "{}" >"{}.check" 2>&1; echo $? >>"{}.check"'
	nclean=0
	for e in "$ed"/*.epub; do
		# -q prints nothing but problems; the last line is the exit status.
		if [ "$(cat "$e.check")" = 0 ]; then nclean=$((nclean + 1)); else sed 's/^/  | /' "$e.check" | head -5; fi
		rm -f "$e.check"
	done
	check_that "epub: epubcheck finds no error and no warning in any ($nclean of 11)" test $nclean -eq 11
else
	skipped "epub: epubcheck not installed (Debian package epubcheck)"
fi

# --- PDF --------------------------------------------------------------------------
if command -v chromium >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1; then
	"$BIN" build --pdf -o "$bd/pdf1" examples/xiayang/villages/jili.xml >/dev/null 2>"$tmp/err"; st=$?
	pdf=$bd/pdf1/xiayang/xiayang-jili-print.pdf
	check_that "pdf: build --pdf prints the booklet (exit $st)" test $st -eq 0 -a -s "$pdf"
	pdftotext -layout "$pdf" "$tmp/pdf.txt" 2>/dev/null
	missing=0
	for t in $(unzip -p "$bd/a/$j" manifest.xml | sed -n 's/.*<lesson [^>]*>\(.*\)<\/lesson>/\1/p' | tr -d ' '); do
		tr -d ' \n' <"$tmp/pdf.txt" | grep -qF -- "$t" || { missing=$((missing + 1)); echo "  | not in the PDF: $t"; }
	done
	check_that "pdf: its text holds every lesson title ($missing missing)" test $missing -eq 0
	pages=$(pdfinfo "$pdf" 2>/dev/null | sed -n 's/^Pages: *//p')
	check_that "pdf: at least one page per lesson ($pages pages, $nhome lessons)" test "${pages:-0}" -ge "$nhome"
	"$BIN" build --pdf -o "$bd/pdf2" examples/xiayang/villages/jili.xml >/dev/null 2>&1
	check_that "pdf: reproducible" cmp "$pdf" "$bd/pdf2/xiayang/xiayang-jili-print.pdf"
	(PATH=/nonexistent "$BIN" build --pdf -o "$bd/pdf3" examples/xiayang/villages/jili.xml >/dev/null 2>"$tmp/err"); st=$?
	check_that "pdf: without Chromium, a clear error naming the package (exit $st)" sh -c "test $st -eq 1 && grep -q \"install Debian's 'chromium' package\" '$tmp/err'"
else
	skipped "pdf: chromium or pdftotext not installed"
fi

# --- what an edition leaves out is said, not dropped ----------------------------
at=$tmp/attach && cp -r tests/golden/plan-short "$at"
printf '\n记录用[修剪记录表](media/record.xlsx)，政策见[县农业农村局网站](https://example.org/peach)。\n' >>"$at/lib/grow/01-prune.md"
printf 'not really a spreadsheet\n' >"$at/lib/grow/media/record.xlsx"
(cd "$at" && "$BIN" build --allow-short -o out town/township.xml >/dev/null 2>"$tmp/err"); st=$?
check_that "phone: an attachment left out is named where its link was (exit $st)" \
	grep -q '修剪记录表<span class="omitted">（附件“media/record.xlsx”没有收进手机版，请看村里的学习包）</span>' "$at/out/town/town-a-phone.html"
check_that "phone: ... and its link is gone" sh -c "! grep -q 'record.xlsx\"' '$at/out/town/town-a-phone.html'"
unzip -p "$at/out/town/town-a.zip" print.html >"$tmp/att-print.html" 2>/dev/null
check_that "print: a web link keeps its address, printed after its text" sh -c \
	"grep -q '<a href=\"https://example.org/peach\">县农业农村局网站</a>' '$tmp/att-print.html' && grep -q 'a\[href^=\"https:\"\]::after { content: \"（\" attr(href) \"）\"' '$tmp/att-print.html'"
check_that "bundle: the attachment itself is in the bundle" sh -c "unzip -Z1 '$at/out/town/town-a.zip' | grep -qx assets/grow/media/record.xlsx"

# --- photos from phones: shrunk for phones, upright, no metadata, once ------------
ph=$tmp/photo && cp -r tests/golden/plan-short "$ph"
# A phone photo stored sideways (EXIF orientation 6) carrying GPS tags, the
# phone's serial, a maker note and XMP (tests/images).
cp tests/images/orient6.jpg "$ph/lib/grow/media/photo.jpg"
printf '\n![箬竹田里的一张照片](media/photo.jpg)\n\n再看一次：\n\n![同一张照片](media/photo.jpg)\n' >>"$ph/lib/grow/01-prune.md"
(cd "$ph" && "$BIN" build --allow-short -j1 -o j1 town/township.xml >/dev/null 2>&1 &&
	"$BIN" build --allow-short -j2 -o j2 town/township.xml >/dev/null 2>&1 &&
	"$BIN" build --allow-short -j2 -o j3 town/township.xml >/dev/null 2>&1); st=$?
phone=$ph/j1/town/town-a-phone.html
unzip -p "$ph/j1/town/town-a.zip" assets/grow/media/photo.jpg >"$tmp/photo-bundle.jpg" 2>/dev/null
unzip -p "$ph/j1/town/town-a.epub" EPUB/assets/grow/media/photo.jpg >"$tmp/photo-epub.jpg" 2>/dev/null
python3 - "$phone" "$tmp/photo-phone.jpg" <<'PY'
import base64, re, sys
m = re.search(r'<image id="pic-[0-9a-f]+" width="\d+" height="\d+" href="data:image/jpeg;base64,([^"]+)"', open(sys.argv[1]).read())
open(sys.argv[2], "wb").write(base64.b64decode(m.group(1)) if m else b"")
PY
check_that "photo: the builds succeed (exit $st)" test "$st" -eq 0
for f in photo-bundle photo-epub photo-phone; do
	check_that "photo: $f has no EXIF, XMP, GPS or serial left" sh -c \
		"test -s '$tmp/$f.jpg' && ! grep -aq 'Exif\|SN0123456789XYZ\|Xiayang\|ns.adobe.com/xap\|Huawei' '$tmp/$f.jpg'"
done
check_that "photo: the source did carry them (the test can fail)" grep -aq 'SN0123456789XYZ' tests/images/orient6.jpg
python3 - "$tmp/photo-bundle.jpg" >"$tmp/photo-dims" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
i = max(d.find(b"\xff\xc0"), d.find(b"\xff\xc2"))
h, w = struct.unpack(">HH", d[i + 5:i + 9]) if i >= 0 else (0, 0)
print(f"{w}x{h}")
PY
check_that "photo: turned upright (64x48 stored sideways: $(cat "$tmp/photo-dims"))" grep -qx 48x64 "$tmp/photo-dims"
check_that "photo: in the phone edition once, shown twice" sh -c \
	"test \$(grep -o '<image id=\"pic-' '$phone' | wc -l) -eq 1 && test \$(grep -o '<use href=\"#pic-' '$phone' | wc -l) -eq 2"
check_that "photo: shown with its alt text as the label" grep -q '<svg class="pic" viewBox="0 0 48 64" role="img" aria-label="箬竹田里的一张照片">' "$phone"
check_that "photo: the same bytes with -j1, -j2 and again" sh -c \
	"for f in town-a.zip town-a-phone.html town-a.epub; do cmp '$ph/j1/town/'\$f '$ph/j2/town/'\$f && cmp '$ph/j2/town/'\$f '$ph/j3/town/'\$f || exit 1; done"
# build --photo-side shrinks photos in bundles too; without it they keep their size.
ps=$tmp/photoside && cp -r tests/golden/plan-short "$ps"
python3 - "$ps/lib/grow/media/big.png" <<'PY'
import random, struct, sys, zlib
r = random.Random(7)
w, h = 200, 100
rows = b"".join(b"\x00" + bytes(r.getrandbits(8) for _ in range(w * 3)) for _ in range(h))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
open(sys.argv[1], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
    chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
PY
printf '\n![一张较大的图](media/big.png)\n' >>"$ps/lib/grow/01-prune.md"
(cd "$ps" && "$BIN" build --allow-short -o whole town/township.xml >/dev/null 2>&1 &&
	"$BIN" build --allow-short --photo-side 64 -o small town/township.xml >/dev/null 2>&1); st=$?
for d in whole small; do unzip -p "$ps/$d/town/town-a.zip" assets/grow/media/big.png >"$tmp/big-$d.png" 2>/dev/null; done
dims() { python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(); print("%dx%d" % struct.unpack(">II", d[16:24]) if d[:4] == b"\x89PNG" else "none")' "$1"; }
check_that "photo: --photo-side 64 shrinks a 200x100 image in the bundle to $(dims "$tmp/big-small.png") (exit $st)" test "$(dims "$tmp/big-small.png")" = 64x32
check_that "photo: without it the image keeps its size and bytes" cmp "$tmp/big-whole.png" "$ps/lib/grow/media/big.png"
check_that "photo: --photo-side refuses a size it cannot use" sh -c "! '$BIN' build --photo-side 12 '$ps/town/township.xml' >/dev/null 2>&1"
