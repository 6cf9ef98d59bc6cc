# unpack: sourced by tests/run.sh after the signature tests.  Hostile
# bundles are made by tests/hostile_zips.py from a good one.

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
	if [ $st -eq 1 ] && grep -qF -- "$message" "$tmp/err" && [ -z "$(ls -A "$box")" ] &&
	   [ ! -e "$tmp/evil.txt" ] && [ ! -e /tmp/evil.txt ] && [ $took -lt 20 ]; then ok; else
		ko "unpack: hostile '$case' (exit $st, ${took}s, left: $(ls -A "$box" | tr '\n' ' '))"
		head -3 "$tmp/err" | sed 's/^/  | /'
	fi
done <"$u/cases/cases.txt"
check_that "unpack: $(wc -l <"$u/cases/cases.txt") hostile cases tried" test "$(wc -l <"$u/cases/cases.txt")" -ge 13
