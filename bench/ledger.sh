#!/bin/sh
# The ledger benchmark (make bench-ledger; issue 14): a county of VILLAGES
# villages x MEMBERS members x LESSONS lessons, each member credited with
# every lesson by the channel of their group (about 750,000 credits with
# the defaults).  Times the import of every roster and sheet into a fresh
# ledger, then the full report: wall clock, CPU (user + system) and peak
# memory (GNU time), and the ledger's size per record.
#   bench/ledger.sh [BUILD-DIR]   (default: build/plain)
set -eu
B=${1:-build/plain}
BIN=$(pwd)/$B/coursepack
VILLAGES=${VILLAGES:-200} MEMBERS=${MEMBERS:-150} LESSONS=${LESSONS:-25}
d=$(mktemp -d "${TMPDIR:-/tmp}/ledger-bench.XXXXXX")
trap 'rm -rf "$d"' EXIT
python3 bench/gen.py --preset wide "$d" --villages "$VILLAGES" --lessons "$LESSONS" --media-mb 0 >/dev/null
tw=$d/county/township.xml
"$BIN" plan --csv "$tw" >"$d/plan.csv" 2>/dev/null || true
python3 bench/ledger_gen.py "$d/county" "$d/plan.csv" "$MEMBERS"
credits=$(cat "$d"/county/returns/*.csv | awk -F, 'NR > 1 && $1 != "村" {n += NF - 4} END {print n}')
measure() { # label, then the command
	label=$1; shift
	/usr/bin/time -f '%e %U %S %M' -o "$d/time" "$@" >"$d/out" 2>"$d/err" || { cat "$d/err" >&2; exit 1; }
	read -r secs user sys kib <"$d/time"
	printf '| %s | %s s | %s s | %s MiB |\n' "$label" "$secs" "$(echo "$user $sys" | awk '{printf "%.2f", $1 + $2}')" \
		"$((kib / 1024))"
}
echo "## Ledger: $VILLAGES villages x $MEMBERS members x $LESSONS lessons, $credits credits"
echo
echo "| step | time | CPU (user + system) | peak memory |"
echo "|---|---|---|---|"
measure "import $VILLAGES rosters and $VILLAGES sheets" "$BIN" ledger import --ledger "$d/l.sqlite" "$tw" \
	"$d"/county/rosters/*.csv "$d"/county/returns/*.csv
if "$BIN" ledger report --help >/dev/null 2>&1; then
	measure "report, text" "$BIN" ledger report --ledger "$d/l.sqlite" "$tw"
	measure "report, CSV" "$BIN" ledger report --csv --ledger "$d/l.sqlite" "$tw"
fi
echo
bytes=$(wc -c <"$d/l.sqlite")
records=$(sqlite3 "$d/l.sqlite" 'SELECT COUNT(*) FROM records')
echo "ledger file: $((bytes / 1024)) KiB; records: $records; $((bytes / records)) bytes per record;" \
	"page size $(sqlite3 "$d/l.sqlite" 'PRAGMA page_size'), schema version $(sqlite3 "$d/l.sqlite" 'PRAGMA user_version')"
