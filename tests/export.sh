# export: sourced by tests/run.sh (BIN, top, tmp, check_that, ok, ko,
# skipped), or run alone:  sh tests/export.sh [build/plain|build/san]
# Zhuping is built, signed, into a folder of its own and exported: the
# kits, their README, the delivery list; a destination too small, FAT32's
# file size limit (a sparse file), names Windows refuses, a kill
# mid-copy and the resumed run, a stick that returns other bytes than
# were written (tests/exportfs.c, preloaded), and real FAT32 images.
if [ -z "${BIN:-}" ]; then
	top=$(cd "$(dirname "$0")/.." && pwd)
	B=${1:-build/plain}
	BIN=$top/$B/coursepack
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/coursepack-export.XXXXXX")
	pass=0 fail=0 skip=0 export_alone=1
	ok() { pass=$((pass + 1)); }
	ko() { fail=$((fail + 1)); echo "FAIL: $*"; }
	skipped() { skip=$((skip + 1)); echo "SKIP: $*"; }
	check_that() {
		_what=$1; shift
		if "$@" >"$tmp/out" 2>&1; then ok; else ko "$_what"; sed 's/^/  | /' "$tmp/out" | head -20; fi
	}
	unset LANGUAGE COURSEPACK_LOCALEDIR
	export LC_ALL=C.UTF-8
fi

x=$tmp/export
mkdir -p "$x"
"$BIN" keygen -o "$x/k" >/dev/null 2>&1
"$BIN" build -o "$x/b" --sign "$x/k.key" "$top/examples/zhuping/township.xml" >/dev/null 2>"$x/err"
xb=$x/b/zhuping
check_that "export: Zhuping builds, signed" test -s "$xb/SHA256SUMS" -a -s "$xb/zhuping-laowu.zip.minisig"
villages=$("$BIN" plan --csv=summary "$top/examples/zhuping/township.xml" | tr -d '\r' | sed 1d | cut -d, -f2)

"$BIN" export --key "$x/k.pub" "$xb" "$x/d1" >"$x/out1" 2>"$x/err"; st=$?
check_that "export: exits 0 (got $st)" test $st -eq 0
check_that "export: one folder per village, <township>-<village>, and the delivery list" \
    test "$(ls "$x/d1" | tr '\n' ' ')" = "delivery.csv delivery.html $(for v in $villages; do printf 'zhuping-%s ' "$v"; done)"
check_that "export: says every file was read back" grep -q "38 files copied, 0 kept, every one read back and matching" "$x/out1"
check_that "export: a kit holds the bundle, its editions, the signatures, the key, README.txt and index.html" \
    test "$(ls "$x/d1/zhuping-laowu" | tr '\n' ' ')" = "README.txt index.html k.pub zhuping-laowu-phone.html zhuping-laowu-phone.html.minisig zhuping-laowu.epub zhuping-laowu.epub.minisig zhuping-laowu.zip zhuping-laowu.zip.minisig "
r=$x/d1/zhuping-laowu/README.txt
check_that "export: README.txt starts with a BOM" test "$(head -c 3 "$r" | od -An -tx1 | tr -d ' ')" = efbbbf
check_that "export: README.txt has CRLF line ends only" test "$(grep -c "$(printf '\r')\$" "$r")" -eq "$(wc -l <"$r")" -a "$(wc -l <"$r")" -gt 20
check_that "export: README.txt says how to check the bundle with certutil, with its hash" \
    grep -q "certutil -hashfile \"E:.zhuping-laowu.zhuping-laowu.zip\" SHA256.*$(printf '\r')\$" "$r"
check_that "export: ... and the hash is the bundle's" grep -q "$(grep ' zhuping-laowu.zip$' "$xb/SHA256SUMS" | cut -c1-64)" "$r"
check_that "export: ... and with coursepack verify" grep -q "coursepack verify --pubkey k.pub zhuping-laowu.zip" "$r"
check_that "export: index.html is Chinese and links the files" \
    sh -c "grep -q 'lang=\"zh-CN\"' '$x/d1/zhuping-laowu/index.html' && grep -q 'href=\"zhuping-laowu.zip\"' '$x/d1/zhuping-laowu/index.html'"
# Every file SHA256SUMS lists is in its village's kit with that hash.
bad=0 n=0
while read -r sha name; do
	case $name in *.zip|*.epub|*-phone.html) ;; *) continue ;; esac
	kit=${name%.zip}; kit=${kit%.epub}; kit=${kit%-phone.html}
	n=$((n + 1))
	[ "$(sha256sum <"$x/d1/$kit/$name" | cut -c1-64)" = "$sha" ] || { bad=$((bad + 1)); echo "  | $name"; }
	cmp -s "$xb/$name.minisig" "$x/d1/$kit/$name.minisig" || { bad=$((bad + 1)); echo "  | $name.minisig"; }
done <"$xb/SHA256SUMS"
check_that "export: all $n files of SHA256SUMS are in their kits with their hash and signature ($bad bad)" test $bad -eq 0 -a $n -eq 12
check_that "export: coursepack verify --pubkey passes on a kit" "$BIN" verify --pubkey "$x/d1/zhuping-laowu/k.pub" "$x/d1/zhuping-laowu"

# The delivery list.
c=$x/d1/delivery.csv
check_that "export: delivery.csv starts with a BOM and has CRLF line ends" \
    test "$(head -c 3 "$c" | od -An -tx1 | tr -d ' ')" = efbbbf -a "$(grep -c "$(printf '\r')\$" "$c")" -eq "$(wc -l <"$c")"
"$BIN" plan --csv=summary "$top/examples/zhuping/township.xml" | tr -d '\r' | sed 1d | cut -d, -f2,8 | sort >"$x/plan.hb"
tr -d '\r' <"$c" | awk -F, '$5 == "village" { print $2 "," $11 }' | sort >"$x/csv.hb"
check_that "export: home booklets per village = plan's homebound members, every village" \
    sh -c "test -s '$x/plan.hb' && diff '$x/plan.hb' '$x/csv.hb'"
sum=$(tr -d '\r' <"$c" | awk -F, '$5 == "file" { s += $8 } END { print s }')
check_that "export: the bytes column sums to the kits' size ($sum)" test "$sum" -eq "$(cat "$x"/d1/*/* | wc -c)"
check_that "export: delivery.html is an A4 page per village with fingerprints and a 签收 box" \
    sh -c "grep -q '@page{size:A4' '$x/d1/delivery.html' && test \$(grep -c '<section>' '$x/d1/delivery.html') -eq 4 &&
        grep -q '签收' '$x/d1/delivery.html' && grep -q \"$(grep ' zhuping-laowu.zip$' "$xb/SHA256SUMS" | cut -c1-16 | sed 's/\(....\)/\1 /g;s/ $//')\" '$x/d1/delivery.html'"
check_that "export: no member names in the delivery list" sh -c "! grep -q 'name=\\|姓名' '$x/d1/delivery.html'"

# Reproducible; a second run keeps everything.
"$BIN" export --key "$x/k.pub" "$xb" "$x/d2" >/dev/null 2>&1
check_that "export: two exports are byte-identical" diff -r "$x/d1" "$x/d2"
"$BIN" export --key "$x/k.pub" "$xb" "$x/d1" >"$x/out" 2>&1; st=$?
check_that "export: a second run keeps every file (exit $st)" \
    sh -c "test $st -eq 0 && grep -q '0 files copied, 38 kept' '$x/out' && test \$(grep -c ': kept' '$x/out') -eq 38"
"$BIN" export --village laowu "$xb" "$x/d3" >/dev/null 2>&1
check_that "export: --village takes one village" test "$(ls "$x/d3" | tr '\n' ' ')" = "delivery.csv delivery.html zhuping-laowu "
"$BIN" export --village nowhere "$xb" "$x/d4" >/dev/null 2>"$x/err"; st=$?
check_that "export: an unknown village is refused (exit $st)" \
    sh -c "test $st -eq 1 && grep -q \"no bundle of village 'nowhere'\" '$x/err' && test ! -e '$x/d4'"
"$BIN" export "$xb" >/dev/null 2>&1; st=$?
check_that "export: DEST missing is a usage error (exit $st)" test $st -eq 2

# A damaged bundle is not copied.
cp -r "$xb" "$x/dmg"
printf 'x' | dd of="$x/dmg/zhuping-laowu.epub" bs=1 seek=1000 conv=notrunc 2>/dev/null
"$BIN" export "$x/dmg" "$x/d5" >/dev/null 2>"$x/err"; st=$?
check_that "export: a file not matching SHA256SUMS is refused before anything is written (exit $st)" \
    sh -c "test $st -eq 1 && grep -q \"'zhuping-laowu.epub' does not match its SHA-256 in SHA256SUMS\" '$x/err' && test ! -e '$x/d5'"
cp "$xb/zhuping-xinzhu.zip.minisig" "$x/dmg/zhuping-laowu.zip.minisig"
"$BIN" export --key "$x/k.pub" --village laowu "$x/dmg" "$x/d5" >/dev/null 2>"$x/err"; st=$?
check_that "export: with --key, a bad signature is refused (exit $st)" sh -c "test $st -eq 1 && test ! -e '$x/d5'"

# Names Windows refuses: the key is copied under its own name.
for case in "Zhuping-Laowu.ZIP:differ only in case" "aux.pub:is a device name on Windows" \
    "key?.pub:which Windows does not allow" "key.pub.:ends in a dot or a space"; do
	name=${case%%:*} msg=${case#*:}
	cp "$x/k.pub" "$x/$name"
	"$BIN" export --key "$x/$name" --village laowu "$xb" "$x/d6" >/dev/null 2>"$x/err"; st=$?
	check_that "export: key named '$name' refused: $msg (exit $st)" \
	    sh -c "test $st -eq 1 && grep -qF '$msg' '$x/err' && test ! -e '$x/d6'"
done

long=$(printf '%0240d' 0 | tr 0 k).pub
cp "$x/k.pub" "$x/$long"
"$BIN" export --key "$x/$long" --village laowu "$xb" "$x/d6" >/dev/null 2>"$x/err"; st=$?
check_that "export: a 244-character name is refused (exit $st)" \
    sh -c "test $st -eq 1 && grep -q 'is 244 UTF-16 characters long, over the 236 export allows' '$x/err' && test ! -e '$x/d6'"
deep=$x/$(printf '%0200d' 0 | tr 0 d)
mkdir -p "$deep"
"$BIN" export --village laowu "$xb" "$deep/kits" >/dev/null 2>"$x/err"; st=$?
check_that "export: a path over Windows' 260 characters is refused (exit $st)" \
    sh -c "test $st -eq 1 && grep -q 'characters long on Windows, over its limit of 259' '$x/err' && test ! -e '$deep/kits'"
mkdir -p "$x/empty"
"$BIN" export "$x/empty" "$x/d6" >/dev/null 2>"$x/err"; st=$?
check_that "export: a folder without SHA256SUMS is refused (exit $st)" \
    sh -c "test $st -eq 1 && grep -q 'holds no SHA256SUMS' '$x/err' && test ! -e '$x/d6'"

# The shim: a small or FAT destination, kills, a failing stick.
if cc -shared -fPIC -o "$x/exportfs.so" "$top/tests/exportfs.c" -ldl 2>"$x/err"; then
	shim() { env LD_PRELOAD="$x/exportfs.so" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" "$@"; }
	shim EXPORTFS_AVAIL=100000 "$BIN" export "$xb" "$x/small" >/dev/null 2>"$x/err"; st=$?
	check_that "export: a destination too small is refused before the first byte, naming what is missing (exit $st)" \
	    sh -c "test $st -eq 3 && grep -q 'not enough free space: the export needs 1.[0-9] MiB, 96.0 KiB is free; 1.[0-9] MiB is missing' '$x/err' && test ! -e '$x/small'"
	mkdir "$x/small2"
	shim EXPORTFS_AVAIL=100000 "$BIN" export "$xb" "$x/small2" >/dev/null 2>&1; st=$?
	check_that "export: ... also into an existing folder, left empty (exit $st)" sh -c "test $st -eq 3 && test -z \"\$(ls -A '$x/small2')\""
	# A file over 4 GiB - 1 (sparse): refused for FAT32, detected or
	# given, before any file is hashed or written.
	cp -r "$xb" "$x/big"
	truncate -s 4294967296 "$x/big/zhuping-laowu.epub"
	start=$(date +%s)
	shim EXPORTFS_TYPE=vfat "$BIN" export "$x/big" "$x/fat" >/dev/null 2>"$x/err"; st=$?
	took=$(( $(date +%s) - start ))
	check_that "export: a 4 GiB file is refused on FAT32 before anything is written (exit $st, ${took}s)" \
	    sh -c "test $st -eq 1 && grep -q \"'zhuping-laowu.epub' is 4.0 GiB, over the 4 GiB less one byte a file can have on FAT32\" '$x/err' && test ! -e '$x/fat' && test $took -lt 10"
	shim EXPORTFS_TYPE=fuse "$BIN" export "$x/big" "$x/fat" >/dev/null 2>"$x/err"; st=$?
	check_that "export: ... on a FUSE mount too (it may be FAT; exit $st)" sh -c "test $st -eq 1 && test ! -e '$x/fat'"
	"$BIN" export --fs fat32 "$x/big" "$x/fat" >/dev/null 2>"$x/err"; st=$?
	check_that "export: ... and with --fs fat32 (exit $st)" sh -c "test $st -eq 1 && grep -q 'on FAT32' '$x/err' && test ! -e '$x/fat'"
	rm -f "$x/big/zhuping-laowu.epub"
	# Killed mid-copy (half of a write, then SIGKILL; or before a
	# rename): no file under its final name differs from its source, and
	# the next run completes, keeping what is right.
	for kill in EXPORTFS_KILL_WRITE=2 EXPORTFS_KILL_WRITE=7 EXPORTFS_KILL_RENAME=5; do
		rm -rf "$x/k1"
		shim "$kill" "$BIN" export --key "$x/k.pub" "$xb" "$x/k1" >/dev/null 2>&1; st=$?
		bad=0
		for f in "$x"/k1/*/*; do
			[ -f "$f" ] || continue
			cmp -s "$f" "$x/d1/${f#"$x/k1/"}" || { bad=$((bad + 1)); echo "  | half file: $f"; }
		done
		left=$(find "$x/k1" -name '.coursepack-*' | wc -l)
		check_that "export: killed ($kill, exit $st): no half file under a final name, a temporary left ($left)" \
		    test $st -eq 137 -a $bad -eq 0 -a "$left" -ge 1
		"$BIN" export --key "$x/k.pub" "$xb" "$x/k1" >"$x/out" 2>&1; st=$?
		check_that "export: ... the next run completes (exit $st), keeps what was done, leaves no temporary" \
		    sh -c "test $st -eq 0 && grep -q ': kept' '$x/out' && diff -r '$x/d1' '$x/k1' && test -z \"\$(find '$x/k1' -name '.coursepack-*')\""
	done
	# A partial or wrong file under a final name (copied by hand, say) is replaced.
	head -c 1000 "$x/d1/zhuping-laowu/zhuping-laowu.zip" >"$x/k1/zhuping-laowu/zhuping-laowu.zip"
	"$BIN" export --key "$x/k.pub" "$xb" "$x/k1" >"$x/out" 2>&1; st=$?
	check_that "export: a partial file is replaced (exit $st)" \
	    sh -c "test $st -eq 0 && grep -q 'zhuping-laowu/zhuping-laowu.zip: replaced, read back and matching' '$x/out' && diff -r '$x/d1' '$x/k1'"
	# The stick returns other bytes than were written: read-back catches it.
	shim EXPORTFS_CORRUPT=1 "$BIN" export --key "$x/k.pub" "$xb" "$x/rb" >"$x/out" 2>"$x/err"; st=$?
	check_that "export: read-back catches a corrupted copy and removes it (exit $st)" \
	    sh -c "test $st -eq 1 && grep -q 'zhuping-chaping.zip: error: read back from the destination, the file does not match' '$x/err' && test ! -e '$x/rb/zhuping-chaping/zhuping-chaping.zip' && ! grep -q 'exported' '$x/out'"
	"$BIN" export --key "$x/k.pub" "$xb" "$x/rb" >/dev/null 2>&1; st=$?
	check_that "export: ... and the next run puts it right (exit $st)" sh -c "test $st -eq 0 && diff -r '$x/d1' '$x/rb'"
else
	skipped "export: tests/exportfs.c does not build: $(head -1 "$x/err")"
fi

# Real FAT32.  mtools, with no mount: the exported kit copied in keeps its
# names and sizes, and reads back the same.
if command -v mkfs.vfat >/dev/null 2>&1 || [ -x /usr/sbin/mkfs.vfat ] || [ -x /sbin/mkfs.vfat ]; then
	mkfs=$(command -v mkfs.vfat || ls /usr/sbin/mkfs.vfat /sbin/mkfs.vfat 2>/dev/null | head -1)
	"$mkfs" -F 32 -C "$x/m.img" 65536 >/dev/null 2>&1
	if command -v mcopy >/dev/null 2>&1; then
		MTOOLS_SKIP_CHECK=1 mcopy -s -i "$x/m.img" "$x/d1/zhuping-laowu" ::/ 2>"$x/err"
		MTOOLS_SKIP_CHECK=1 mdir -b -i "$x/m.img" ::/zhuping-laowu 2>/dev/null | sed 's|.*/||' | sort >"$x/mdir"
		check_that "export: FAT32 (mtools) keeps every name of a kit" diff "$x/mdir" "$(ls "$x/d1/zhuping-laowu" | sort >"$x/names"; echo "$x/names")"
		mkdir -p "$x/mback"
		MTOOLS_SKIP_CHECK=1 mcopy -s -i "$x/m.img" ::/zhuping-laowu "$x/mback/" 2>/dev/null
		check_that "export: FAT32 (mtools): read back, every file has its size and bytes" diff -r "$x/d1/zhuping-laowu" "$x/mback/zhuping-laowu"
	else
		skipped "export: mtools is not installed (builder/deps.sh test)"
	fi
	# fusefat: export onto the mounted image itself, then read it back
	# with mtools after unmounting.
	mkdir -p "$x/mnt"
	"$mkfs" -F 32 -C "$x/f.img" 65536 >/dev/null 2>&1
	if ! command -v fusefat >/dev/null 2>&1; then
		skipped "export: onto a mounted FAT32 image: fusefat is not installed"
	elif [ ! -w /dev/fuse ]; then
		skipped "export: onto a mounted FAT32 image: /dev/fuse is not usable here (a container without it?)"
	elif ! fusefat -o rw+ "$x/f.img" "$x/mnt" >/dev/null 2>"$x/err"; then
		skipped "export: onto a mounted FAT32 image: fusefat cannot mount: $(head -1 "$x/err")"
	else
		"$BIN" export --key "$x/k.pub" "$xb" "$x/mnt/kits" >"$x/out" 2>"$x/err"; st=$?
		"$BIN" export --key "$x/k.pub" "$xb" "$x/mnt/kits" >"$x/out2" 2>&1; st2=$?
		fusermount -u "$x/mnt" 2>/dev/null || umount "$x/mnt" 2>/dev/null
		check_that "export: onto FAT32 mounted with fusefat: every file read back (exit $st), taken for FAT32" \
		    sh -c "test $st -eq 0 && grep -q \"to '$x/mnt/kits' (FAT32): 38 files copied, 0 kept, every one read back\" '$x/out'"
		check_that "export: ... a second run keeps all 38 (exit $st2)" grep -q "0 files copied, 38 kept" "$x/out2"
		mkdir -p "$x/fback"
		MTOOLS_SKIP_CHECK=1 mcopy -s -i "$x/f.img" ::/kits "$x/fback/" 2>/dev/null
		check_that "export: ... and mtools reads the same kits from the image" diff -r "$x/d1" "$x/fback/kits"
	fi
else
	skipped "export: mkfs.vfat is not installed (dosfstools; builder/deps.sh test)"
fi

# --since: a lesson changed after the villages got their bundles.  Each
# village whose old bundle is in the old build gets a patch that apply
# turns into the new bundle byte for byte; the bundle's signature, still
# delivered, holds for it; the kit says which bundle the patch is for.
sl=$x/since
mkdir -p "$sl/a"
cp -r "$top/courses" "$top/examples" "$sl/"
sed -i '0,/。/s/。/！/' "$sl/courses/congress20/03-ecology.md"
"$BIN" build -o "$sl/b" --sign "$x/k.key" "$sl/examples/zhuping/township.xml" >/dev/null 2>&1
mv "$xb/zhuping-xinzhu.zip" "$sl/xinzhu.zip"
"$BIN" export --since "$xb" "$sl/b/zhuping" "$sl/d" >"$sl/out" 2>"$sl/err"; st=$?
mv "$sl/xinzhu.zip" "$xb/zhuping-xinzhu.zip"
check_that "export --since: exits 0 (got $st)" test $st -eq 0
bad=0 n=0
for v in $villages; do
	[ "$v" = xinzhu ] && continue
	n=$((n + 1))
	k=$sl/d/zhuping-$v
	{ test -s "$k/zhuping-$v.patch" && test ! -e "$k/zhuping-$v.zip" &&
	    "$BIN" apply "$xb/zhuping-$v.zip" "$k/zhuping-$v.patch" -o "$sl/a/zhuping-$v.zip" >/dev/null &&
	    cmp -s "$sl/a/zhuping-$v.zip" "$sl/b/zhuping/zhuping-$v.zip" &&
	    cp "$k/zhuping-$v.zip.minisig" "$sl/a/" &&
	    "$BIN" verify --pubkey "$x/k.pub" "$sl/a/zhuping-$v.zip" >/dev/null 2>&1 &&
	    grep -q "coursepack apply zhuping-$v.zip zhuping-$v.patch -o zhuping-$v.zip" "$k/README.txt" &&
	    grep -q "$(sha256sum <"$xb/zhuping-$v.zip" | cut -c1-64)" "$k/README.txt" &&
	    grep -q "$(sha256sum <"$sl/b/zhuping/zhuping-$v.zip" | cut -c1-64)" "$k/README.txt" &&
	    test "$(wc -c <"$k/zhuping-$v.patch")" -lt $(($(wc -c <"$sl/b/zhuping/zhuping-$v.zip") / 20)); } ||
	    { bad=$((bad + 1)); echo "  | $v"; }
done
check_that "export --since: $n villages get a patch under 5% of the bundle, no bundle; apply gives the new bundle byte for byte, its signature verifies, README names both hashes ($bad bad)" \
    test $bad -eq 0 -a $n -eq 3
check_that "export --since: a village without an old bundle gets the whole bundle" \
    cmp "$sl/d/zhuping-xinzhu/zhuping-xinzhu.zip" "$sl/b/zhuping/zhuping-xinzhu.zip"
check_that "export --since: the delivery list says which villages get a patch" \
    test "$(grep -c '本村送的是<strong>更新补丁' "$sl/d/delivery.html")" -eq 3 -a "$(grep -c ',更新补丁,' "$sl/d/delivery.csv")" -eq 3
"$BIN" export --since "$x/nowhere" "$sl/b/zhuping" "$sl/d2" >"$sl/out" 2>&1; st=$?
check_that "export --since: a folder that is not there is a usage error, nothing written (exit $st)" \
    sh -c "test $st -eq 2 && test ! -e '$sl/d2' && grep -q 'is not a folder' '$sl/out'"

if [ -n "${export_alone:-}" ]; then
	rm -rf "$tmp"
	echo "$pass passed, $fail failed${skip:+, $skip skipped}"
	[ "$fail" -eq 0 ]
fi
