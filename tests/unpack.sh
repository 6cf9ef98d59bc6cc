# unpack: sourced by tests/run.sh after the signature tests.  Hostile
# bundles are made by tests/hostile_zips.py from a good one; each is
# tried with unpack, verify and info.

u=$tmp/unpack
mkdir -p "$u/ok"
"$BIN" unpack --pubkey "$sg/town.pub" "$o/xiayang-jili.zip" "$u/ok/site" >"$tmp/uout" 2>&1; st=$?
check_that "unpack: a good signed bundle unpacks (exit $st)" test $st -eq 0
check_that "unpack: every entry is there" test "$(cd "$u/ok/site" && find . -type f | sed 's|^\./||' | sort)" = "$(unzip -Z1 "$o/xiayang-jili.zip" | sort)"
check_that "unpack: ... and says who signed" grep -q "signed by '霞阳镇党委组织办'" "$tmp/uout"
check_that "unpack: no temporary folder is left" test -z "$(ls -A "$u/ok" | grep -v '^site$')"
"$BIN" unpack "$o/xiayang-jili.zip" "$u/ok/site" >/dev/null 2>"$tmp/err"; st=$?
check_that "unpack: refuses to write into an existing folder (exit $st)" sh -c "test $st -eq 1 && grep -q 'already exists' '$tmp/err'"
cp "$o/xiayang-jili.zip" "$u/unsigned.zip"
"$BIN" unpack --pubkey "$sg/town.pub" "$u/unsigned.zip" "$u/ok/unsigned" >/dev/null 2>"$tmp/err"; st=$?
check_that "unpack: an unsigned bundle is refused with --pubkey (exit $st)" sh -c "test $st -eq 1 && test ! -e '$u/ok/unsigned'"

python3 "$top/tests/hostile_zips.py" "$o/xiayang-jili.zip" "$u/cases" >/dev/null 2>&1
check_that "unpack: the hostile-archive generator ran" test -s "$u/cases/cases.txt"
limit=""
case $B in *san*) ;; *) limit="ulimit -v 2000000;" ;; esac
while IFS="$(printf '\t')" read -r case message; do
	box=$u/box-$case
	mkdir -p "$box"
	start=$(date +%s)
	sh -c "$limit exec \"\$@\"" sh "$BIN" unpack "$u/cases/$case.zip" "$box/site" >/dev/null 2>"$tmp/err"; st=$?
	took=$(( $(date +%s) - start ))
	# The defect is in the last entry: refused before the first byte is
	# written, so neither DIR nor a temporary folder beside it is left.
	if [ $st -eq 1 ] && grep -qF -- "$message" "$tmp/err" && [ -z "$(ls -A "$box")" ] &&
	   [ ! -e "$tmp/evil.txt" ] && [ ! -e /tmp/evil.txt ] && [ $took -lt 20 ]; then ok; else
		ko "unpack: hostile '$case' (exit $st, ${took}s, left: $(ls -A "$box" | tr '\n' ' '))"
		head -3 "$tmp/err" | sed 's/^/  | /'
	fi
	# verify refuses it for the same reason; info reads it without crashing.
	sh -c "$limit exec \"\$@\"" sh "$BIN" verify "$u/cases/$case.zip" >/dev/null 2>"$tmp/err"; st=$?
	if [ $st -eq 1 ] && grep -qF -- "$message" "$tmp/err"; then ok; else
		ko "verify: hostile '$case' (exit $st)"
		head -3 "$tmp/err" | sed 's/^/  | /'
	fi
	sh -c "$limit exec \"\$@\"" sh "$BIN" info "$u/cases/$case.zip" >/dev/null 2>"$tmp/err"; st=$?
	if [ $st -le 1 ] && ! grep -q 'Sanitizer\|runtime error' "$tmp/err"; then ok; else
		ko "info: hostile '$case' (exit $st)"
		head -3 "$tmp/err" | sed 's/^/  | /'
	fi
done <"$u/cases/cases.txt"
check_that "unpack: $(wc -l <"$u/cases/cases.txt") hostile cases tried" test "$(wc -l <"$u/cases/cases.txt")" -ge 50
# Bundles odd only in harmless ways still verify and unpack: a regular
# mode from a VMS host, no mode at all, a folder entry, 'ß' beside 'ss'.
while read -r case; do
	rm -rf "$u/good-site"
	if "$BIN" verify "$u/cases/$case.zip" >/dev/null 2>"$tmp/err" &&
	   "$BIN" unpack "$u/cases/$case.zip" "$u/good-site" >/dev/null 2>>"$tmp/err"; then ok; else
		ko "unpack: harmless '$case' was refused"
		head -3 "$tmp/err" | sed 's/^/  | /'
	fi
done <"$u/cases/good.txt"
check_that "unpack: the harmless cases were tried" test "$(wc -l <"$u/cases/good.txt")" -ge 5

# Modes follow the umask, as unzip's do (they were 0700 and 0644).
(umask 027 && "$BIN" unpack "$o/xiayang-jili.zip" "$u/masked" >/dev/null 2>&1)
check_that "unpack: the folder's mode follows the umask (027: 750, got $(stat -c %a "$u/masked"))" test "$(stat -c %a "$u/masked")" = 750
check_that "unpack: ... so do its subfolders' and files' (750, 640)" test "$(stat -c %a "$u/masked/lessons")" = 750 -a "$(stat -c %a "$u/masked/index.html")" = 640
(umask 022 && "$BIN" unpack "$o/xiayang-jili.zip" "$u/open" >/dev/null 2>&1)
check_that "unpack: umask 022 gives 755 and 644" test "$(stat -c %a "$u/open")" = 755 -a "$(stat -c %a "$u/open/index.html")" = 644

# --replace: a site updated in one step, or not at all.
"$BIN" unpack "$o/xiayang-jili.zip" "$u/ok/upd" >/dev/null 2>&1
echo stale >"$u/ok/upd/stale.txt"
"$BIN" unpack --replace --pubkey "$sg/town.pub" "$o/xiayang-dayuan.zip" "$u/ok/upd" >"$tmp/uout" 2>"$tmp/err"; st=$?
check_that "unpack --replace: replaces an unpacked bundle (exit $st)" test $st -eq 0
check_that "unpack --replace: ... with exactly the new bundle's files" test "$(cd "$u/ok/upd" && find . -type f | sed 's|^\./||' | sort)" = "$(unzip -Z1 "$o/xiayang-dayuan.zip" | sort)"
check_that "unpack --replace: ... says so" grep -q "replaced the copy in" "$tmp/uout"
check_that "unpack --replace: ... and leaves nothing beside it" test -z "$(ls -A "$u/ok" | grep -v '^site$\|^upd$')"
cp -r "$u/ok/upd" "$u/upd-before"
"$BIN" unpack --replace "$u/cases/crc.zip" "$u/ok/upd" >/dev/null 2>"$tmp/err"; st=$?
check_that "unpack --replace: a bad bundle leaves the old copy untouched (exit $st)" sh -c "test $st -eq 1 && diff -r '$u/upd-before' '$u/ok/upd' >/dev/null"
check_that "unpack --replace: ... and no temporary folder" test -z "$(ls -A "$u/ok" | grep -v '^site$\|^upd$')"
mkdir -p "$u/home/notes" && echo mine >"$u/home/notes/a.txt"
"$BIN" unpack --replace "$o/xiayang-jili.zip" "$u/home/notes" >/dev/null 2>"$tmp/err"; st=$?
check_that "unpack --replace: refuses a folder that is not an unpacked bundle (exit $st)" sh -c "test $st -eq 1 && grep -q 'holds no manifest.xml' '$tmp/err' && test -f '$u/home/notes/a.txt'"
echo x >"$u/home/file"
"$BIN" unpack --replace "$o/xiayang-jili.zip" "$u/home/file" >/dev/null 2>"$tmp/err"; st=$?
check_that "unpack --replace: refuses a file (exit $st)" sh -c "test $st -eq 1 && grep -q 'is not a folder' '$tmp/err'"
"$BIN" unpack --replace "$o/xiayang-jili.zip" "$u/ok/fresh" >/dev/null 2>&1; st=$?
check_that "unpack --replace: a folder not there yet is simply made (exit $st)" test $st -eq 0 -a -f "$u/ok/fresh/manifest.xml"

# --replace where folders cannot be exchanged in one step (FAT32, exFAT):
# tests/fakefs.c, preloaded, refuses renameat2's RENAME_EXCHANGE as vfat
# does, and fails or kills (SIGKILL, a power cut) at the Nth rename(), so
# the fallback (DIR aside, the new copy in) runs here on any file system
# and the program carries no test hook.  ASan must be told it is not the
# first library loaded.
fk=$u/fat
mkdir -p "$fk"
if cc -shared -fPIC -o "$fk/fakefs.so" "$top/tests/fakefs.c" -ldl 2>"$tmp/err"; then
	fat() { env LD_PRELOAD="$fk/fakefs.so" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" FAKEFS_LOG="$fk/log" "$@"; }
	# The files of a folder, as 'path sha256' lines: a whole copy is
	# exactly one bundle's files with their bytes.
	files_of() { (cd "$1" 2>/dev/null && find . -type f -exec sha256sum {} + | sed 's|  \./| |' | sort); }
	old_files=$(mkdir -p "$fk/ref" && "$BIN" unpack "$o/xiayang-jili.zip" "$fk/ref/old" >/dev/null 2>&1 && files_of "$fk/ref/old")
	new_files=$("$BIN" unpack "$o/xiayang-dayuan.zip" "$fk/ref/new" >/dev/null 2>&1 && files_of "$fk/ref/new")
	fresh_site() { rm -rf "$fk/s" "$fk/log"; mkdir -p "$fk/s" && cp -r "$fk/ref/old" "$fk/s/site"; }
	beside() { ls -A "$fk/s" | grep -v '^site$' | tr '\n' ' '; }

	fresh_site
	fat "$BIN" unpack --replace "$o/xiayang-dayuan.zip" "$fk/s/site" >"$tmp/uout" 2>"$tmp/err"; st=$?
	check_that "unpack --replace on FAT: the exchange is refused and the fallback used (exit $st)" sh -c "test $st -eq 0 && grep -q '^renameat2-refused' '$fk/log' && test \$(grep -c '^rename ' '$fk/log') -eq 2"
	check_that "unpack --replace on FAT: ... the site is the new bundle, whole" test "$(files_of "$fk/s/site")" = "$new_files"
	check_that "unpack --replace on FAT: ... and nothing is left beside it (left: $(beside))" test -z "$(beside)"

	# The new copy cannot be renamed in: the old copy is renamed back.
	fresh_site
	FAKEFS_FAIL=2 fat "$BIN" unpack --replace "$o/xiayang-dayuan.zip" "$fk/s/site" >/dev/null 2>"$tmp/err"; st=$?
	check_that "unpack --replace on FAT: second rename fails: exit 3 (got $st), the old site back, whole" sh -c "test $st -eq 3 && grep -q 'Input/output error' '$tmp/err'"
	check_that "unpack --replace on FAT: ... the old site whole, nothing beside (left: $(beside))" sh -c "test \"\$1\" = \"\$2\" && test -z \"\$3\"" sh "$(files_of "$fk/s/site")" "$old_files" "$(beside)"

	# Killed at each moment of the swap: before the old copy goes aside,
	# between the two renames, after the new copy is in.  Whatever the
	# moment, a whole copy is on the disk (the old or the new one, at DIR
	# or aside), and the next --replace ends with the whole new site.
	for when in KILL_BEFORE=1 KILL_AFTER=1 KILL_BEFORE=2 KILL_AFTER=2; do
		fresh_site
		env "FAKEFS_$when" sh -c 'LD_PRELOAD="$1" ASAN_OPTIONS=verify_asan_link_order=0 FAKEFS_LOG="$2" exec "$3" unpack --replace "$4" "$5"' sh \
		    "$fk/fakefs.so" "$fk/log" "$BIN" "$o/xiayang-dayuan.zip" "$fk/s/site" >/dev/null 2>&1; st=$?
		at_dir=$(files_of "$fk/s/site")
		aside=""
		for a in "$fk"/s/.site.old-*; do [ -d "$a" ] && aside=$(files_of "$a"); done
		whole=no
		for copy in "$at_dir" "$aside"; do
			[ -n "$copy" ] && { [ "$copy" = "$old_files" ] || [ "$copy" = "$new_files" ]; } && whole=yes
		done
		check_that "unpack --replace on FAT: killed ($when, exit $st): a whole copy is left (site: $(test -d "$fk/s/site" && echo there || echo absent))" test $st -eq 137 -a $whole = yes
		"$BIN" unpack --replace "$o/xiayang-dayuan.zip" "$fk/s/site" >/dev/null 2>"$tmp/err"; st=$?
		check_that "unpack --replace on FAT: killed ($when): the next --replace ends with the whole new site (exit $st)" test $st -eq 0 -a "$(files_of "$fk/s/site")" = "$new_files"
		if [ -n "$aside" ] && [ -z "$at_dir" ]; then
			check_that "unpack --replace on FAT: killed ($when): ... after putting the old copy back, and says so" grep -q "missing after an interrupted --replace: the previous copy '.*/.site.old-......' is put back first" "$tmp/err"
		fi
	done
else
	skipped "unpack --replace on FAT: no C compiler for the preloaded shim"
fi

# Key and signature files too large or not files are bad input (1), not
# a system error (3).
head -c 5000 /dev/zero | tr '\0' a >"$u/big.pub"
"$BIN" verify --pubkey "$u/big.pub" "$o/xiayang-jili.zip" >/dev/null 2>"$tmp/err"; st=$?
check_that "verify: an oversized public key file exits 1 (got $st)" sh -c "test $st -eq 1 && grep -q 'big.pub: error: not a minisign key or signature: it is larger than 4096 bytes' '$tmp/err'"
"$BIN" unpack --pubkey "$u/big.pub" "$o/xiayang-jili.zip" "$u/ok/bigkey" >/dev/null 2>"$tmp/err"; st=$?
check_that "unpack: an oversized public key file exits 1 (got $st)" test $st -eq 1 -a ! -e "$u/ok/bigkey"
"$BIN" verify --pubkey "$u" "$o/xiayang-jili.zip" >/dev/null 2>"$tmp/err"; st=$?
check_that "verify: a folder given as the key exits 1 (got $st)" sh -c "test $st -eq 1 && grep -q 'it is a folder' '$tmp/err'"
cp "$o/xiayang-jili.zip" "$u/bigsig.zip" && cp "$u/big.pub" "$u/bigsig.zip.minisig"
"$BIN" verify --pubkey "$sg/town.pub" "$u/bigsig.zip" >/dev/null 2>"$tmp/err"; st=$?
check_that "verify: an oversized signature file exits 1 (got $st)" sh -c "test $st -eq 1 && grep -q 'bigsig.zip.minisig: error: not a minisign key or signature' '$tmp/err'"
kb=$tmp/bigkey && cp -r tests/golden/ok-library "$kb" && cp "$u/big.pub" "$kb/big.key"
(cd "$kb" && "$BIN" build --allow-short --sign big.key -o out town/township.xml >/dev/null 2>"$tmp/err"); st=$?
check_that "build: an oversized secret key file exits 1 (got $st)" sh -c "test $st -eq 1 && grep -q 'big.key: error: not a minisign key or signature' '$tmp/err'"

# One way into a bundle: a file swapped for another between coursepack's
# opens of it.  tests/shim/swap_open.c, preloaded (never part of the
# program), renames another file over the bundle just before its N-th
# open and logs every open.  Before, unpack opened the path three times
# (layout check, libzip, signature): with the signed bundle swapped in at
# the third open, it extracted the other, unsigned one and said "signed
# by".  Now the one open is checked first and nothing else is read.
sw=$tmp/swap && mkdir -p "$sw"
if cc -shared -fPIC -o "$sw/swap.so" "$top/tests/shim/swap_open.c" -ldl 2>"$tmp/err"; then
	swap_run() { # N, then the command; the bundle is $sw/b.zip
		cp "$o/xiayang-dayuan.zip" "$sw/b.zip" && cp "$o/xiayang-jili.zip.minisig" "$sw/b.zip.minisig" &&
		cp "$o/xiayang-jili.zip" "$sw/good.zip" && rm -f "$sw/log" && _n=$1 && shift &&
		SWAP_PATH=$sw/b.zip SWAP_WITH=$sw/good.zip SWAP_AT=$_n SWAP_LOG=$sw/log \
		ASAN_OPTIONS=${ASAN_OPTIONS:-}:verify_asan_link_order=0 LD_PRELOAD=$sw/swap.so "$@"
	}
	swap_run 3 "$BIN" unpack --pubkey "$sg/town.pub" "$sw/b.zip" "$sw/site" >"$sw/out" 2>"$sw/err"; st=$?
	check_that "unpack: a bundle swapped between opens is refused, nothing written (exit $st)" \
		sh -c "test $st -eq 1 && test ! -e '$sw/site' && grep -q 'the signature does not match' '$sw/err'"
	check_that "unpack: ... the bundle's path is opened once ($(cat "$sw/log" 2>/dev/null | wc -l) opens)" \
		test "$(wc -l <"$sw/log")" -eq 1
	swap_run 3 "$BIN" verify --pubkey "$sg/town.pub" "$sw/b.zip" >"$sw/out" 2>"$sw/err"; st=$?
	check_that "verify: a bundle swapped between opens is BAD, never 'signed by' (exit $st)" \
		sh -c "test $st -eq 1 && ! grep -q 'signed by' '$sw/out' && test \$(wc -l <'$sw/log') -eq 1"
	swap_run 2 "$BIN" info "$sw/b.zip" >"$sw/out" 2>"$sw/err"; st=$?
	check_that "info: reads one open file too ($(cat "$sw/log" 2>/dev/null | wc -l) opens, exit $st)" \
		sh -c "test $st -eq 0 && grep -q '大源村 (dayuan)' '$sw/out' && test \$(wc -l <'$sw/log') -eq 1"
else
	ko "unpack: the swap shim does not compile"; sed 's/^/  | /' "$tmp/err"
fi
