# Chinese outside the golden cases: sourced by tests/run.sh.  What a
# golden case cannot show: build's progress line (only on a terminal;
# `script` gives it one) and unpack's line (it writes a folder).

i18=$tmp/i18n
mkdir -p "$i18"
g=$top/tests/golden
(cd "$g/plan-ok" && LANGUAGE=zh_CN script -qec "'$BIN' build -o '$i18/zh' town/township.xml >/dev/null" /dev/null) >"$i18/tty" 2>&1
check_that "zh_CN: build's progress line on a terminal is in Chinese" grep -q "coursepack: 已生成 1 个学习包（共 1 个）" "$i18/tty"
(cd "$g/plan-ok" && script -qec "'$BIN' build -o '$i18/en' town/township.xml >/dev/null" /dev/null) >"$i18/tty" 2>&1
check_that "zh_CN: ... and in English without LANGUAGE" grep -q "coursepack: built 1 of 1 bundles" "$i18/tty"
LANGUAGE=zh_CN "$BIN" unpack --pubkey "$g/verify-signed/town.pub" "$g/verify-signed/town-a.zip" "$i18/site" >"$i18/out" 2>&1
check_that "zh_CN: unpack says who signed in Chinese" \
	grep -q "^.*town-a.zip：已解包到 .*/site（10 个文件），由 '霞阳镇党委组织办' 签名（密钥 C23A4447BF9A90E3）; timestamp:" "$i18/out"
