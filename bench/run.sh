#!/usr/bin/env bash
# Times coursepack build against its floor (cp -r of the output) and the
# pandoc + zip pipeline a township would otherwise script, on the synthetic
# counties of bench/gen.py.
#
#   bench/run.sh [PRESET...]        (default: small medium large wide)
#
# Run from anywhere; it uses the repository's ./coursepack (run `make`
# first).  Environment:
#   BENCH_RUNS=3            rounds; each round runs every variant once, the
#                           order reversed on every other round
#   BENCH_DIR=/tmp/coursepack-bench   generated counties (kept and reused)
#                           and scratch outputs (removed after each preset)
#   BENCH_PANDOC=small      presets that get the pandoc row ("all" for every
#                           one; it is slow: one pandoc process per lesson)
#   BENCH_PANDOC_JOBS=1     villages the pandoc pipeline does at a time
#   BENCH_PHONE_BUDGET=auto --phone-budget for every build (auto: 2G if
#                           coursepack accepts it, else 1000M)
#   BENCH_KEEP=0            1 keeps the scratch outputs
#   COURSEPACK=./coursepack the binary to time
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
cd "$root" || exit 2

ALL_PRESETS="small medium large wide"
BIN=${COURSEPACK:-./coursepack}
RUNS=${BENCH_RUNS:-3}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/coursepack-bench}
PANDOC_PRESETS=${BENCH_PANDOC:-small}
PANDOC_JOBS=${BENCH_PANDOC_JOBS:-1}
PHONE_BUDGET=${BENCH_PHONE_BUDGET:-auto}
KEEP=${BENCH_KEEP:-0}
GNU_TIME=/usr/bin/time

die() { echo "bench: $*" >&2; exit 2; }

presets=("$@")
[ ${#presets[@]} -gt 0 ] || read -r -a presets <<<"$ALL_PRESETS"
for p in "${presets[@]}"; do
	case " $ALL_PRESETS " in *" $p "*) ;; *) die "unknown preset '$p' (have: $ALL_PRESETS)" ;; esac
done
case $RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a whole number of at least 1, not '$RUNS'" ;; esac
[ -x "$BIN" ] || die "no $BIN: run make first"
command -v python3 >/dev/null || die "python3 is needed (bench/gen.py and the report)"
"$GNU_TIME" -f %M -o /dev/null true 2>/dev/null ||
	die "GNU time is needed at $GNU_TIME for peak RSS: apt-get install -y time"
command -v zip >/dev/null || echo "bench: note: zip not installed; the pandoc pipeline row will fail" >&2

# --phone-budget: the default 8M is far too small for the large counties.
if [ "$PHONE_BUDGET" = auto ]; then
	if "$BIN" build --phone-budget 2G --help >/dev/null 2>&1; then PHONE_BUDGET=2G; else PHONE_BUDGET=1000M; fi
fi
"$BIN" build --phone-budget "$PHONE_BUDGET" --help >/dev/null 2>&1 ||
	die "coursepack refuses --phone-budget $PHONE_BUDGET"

# --no-share is a hidden switch: accepted or not.  Before --help, so an
# unknown option fails before help is printed.
if "$BIN" build --no-share --help >/dev/null 2>&1 || "$BIN" build --help 2>&1 | grep -q -- --no-share; then
	NOSHARE=1 NOSHARE_WHY=
else
	NOSHARE=0 NOSHARE_WHY="skipped: this coursepack does not accept 'build --no-share'"
fi
if command -v pandoc >/dev/null; then HAVE_PANDOC=1; else HAVE_PANDOC=0; fi

mkdir -p "$BENCH_DIR" || die "cannot make $BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
last=$BENCH_DIR/last-run
rm -rf "$last" && mkdir -p "$last"
RESULTS=$last/results.tsv      # preset variant round wall_s rss_kib rc cpu_s
IDENT=$last/identity.tsv       # preset comparison result
INFO=$last/info.tsv            # preset key value
SKIPS=$last/skips.tsv          # preset variant reason
: >"$RESULTS"; : >"$IDENT"; : >"$INFO"; : >"$SKIPS"

now() { date +%s.%N; }
secs() { python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }

machine() {
	local cpu mem
	cpu=$(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: *//')
	mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)
	echo "- nproc: $(nproc)"
	echo "- CPU: ${cpu:-unknown}"
	echo "- RAM: ${mem:-unknown}"
	echo "- kernel: $(uname -srm)"
	echo "- load average at start: $LOAD0"
	echo "- coursepack: $("$BIN" --version 2>&1 | head -n1) ($(git -C "$root" describe --always --dirty 2>/dev/null || echo 'no git'))"
	echo "- zip: $(zip -v 2>/dev/null | sed -n 2p | sed 's/^ *//' || true)"
	if [ "$HAVE_PANDOC" = 1 ]; then echo "- pandoc: $(pandoc --version | head -n1)"; else echo "- pandoc: not installed"; fi
	echo "- runs per variant: $RUNS (round-robin, order reversed every other round); --phone-budget $PHONE_BUDGET"
}
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)
echo "# coursepack benchmark: ${presets[*]}"
machine
echo

# hash_tree DIR OUT: every file's SHA-256, by path.
hash_tree() { (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) >"$2"; }

# ensure_generated PRESET: $BENCH_DIR/gen-PRESET, generated unless the
# same gen.py already made it.
ensure_generated() {
	local p=$1 dir=$BENCH_DIR/gen-$1 stamp t0 t1
	stamp="$(sha256sum "$here/gen.py" | cut -c1-16) $p"
	if [ -f "$dir/stats.json" ] && [ "$(cat "$dir/.stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "  generate: reusing $dir"
		return 0
	fi
	rm -rf "$dir"
	t0=$(now)
	python3 "$here/gen.py" --preset "$p" "$dir" 2>&1 | sed 's/^/  generate: /' || return 1
	[ -f "$dir/stats.json" ] || return 1
	t1=$(now)
	echo "$stamp" >"$dir/.stamp"
	printf '%s\tgen_s\t%s\n' "$p" "$(secs "$t0" "$t1")" >>"$INFO"
	echo "  generate: $(secs "$t0" "$t1") s"
}

# timed PRESET VARIANT ROUND OUT CMD...: CMD's wall time and peak RSS.
timed() {
	local p=$1 v=$2 r=$3 out=$4 t0 t1 rc rss wall usr sys_ cpu
	shift 4
	rm -rf "$out"
	sync
	t0=$(now)
	"$GNU_TIME" -f '%M %U %S' -o "$work/rss" "$@" >/dev/null 2>"$work/stderr"
	rc=$?
	t1=$(now)
	wall=$(secs "$t0" "$t1")
	read -r rss usr sys_ < <(tail -n1 "$work/rss" 2>/dev/null)
	case $rss in '' | *[!0-9]*) rss=0 ;; esac
	cpu=$(python3 -c 'import sys
try: print("%.2f" % (float(sys.argv[1]) + float(sys.argv[2])))
except ValueError: print("0")' "${usr:-x}" "${sys_:-x}")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$p" "$v" "$r" "$wall" "$rss" "$rc" "$cpu" >>"$RESULTS"
	if [ "$rc" = 0 ]; then
		printf '  round %s/%s  %-18s %8s s wall  %8s s CPU  %6s MiB\n' "$r" "$RUNS" "$v" "$wall" "$cpu" "$((rss / 1024))"
	else
		printf '  round %s/%s  %-16s FAILED (exit %s) after %s s, %s MiB:\n' "$r" "$RUNS" "$v" "$rc" "$wall" "$((rss / 1024))"
		grep -v '^coursepack: built ' "$work/stderr" | tail -n 5 | sed 's/^/      /'
	fi
	return "$rc"
}

for p in "${presets[@]}"; do
	echo "## $p"
	if ! ensure_generated "$p"; then
		echo "  generate: FAILED"
		printf '%s\tall\tgeneration failed\n' "$p" >>"$SKIPS"
		echo; continue
	fi
	gen=$BENCH_DIR/gen-$p
	township=$gen/county/township.xml
	tid=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["township"])' "$gen/stats.json")
	cp "$gen/stats.json" "$last/stats-$p.json"
	t0=$(now)
	if ! "$BIN" check "$township" >"$last/check-$p.txt" 2>&1; then
		echo "  check: FAILED"; tail -n 5 "$last/check-$p.txt" | sed 's/^/    /'
		printf '%s\tall\tcoursepack check failed\n' "$p" >>"$SKIPS"
		echo; continue
	fi
	echo "  check: $(tail -n1 "$last/check-$p.txt") ($(secs "$t0" "$(now)") s)"

	work=$BENCH_DIR/work-$p
	rm -rf "$work" && mkdir -p "$work"
	build=("$BIN" build --phone-budget "$PHONE_BUDGET")

	# Warm-up, untimed: fills the page cache and makes the output cp copies.
	t0=$(now)
	if ! "${build[@]}" -j2 -o "$work/ref" "$township" >/dev/null 2>"$work/stderr"; then
		echo "  warm-up build -j2: FAILED after $(secs "$t0" "$(now)") s:"
		grep -v '^coursepack: built ' "$work/stderr" | tail -n 5 | sed 's/^/      /'
		printf '%s\tall\twarm-up build failed: %s\n' "$p" \
		    "$(grep -v '^coursepack: built ' "$work/stderr" | tail -n1 | tr '\t' ' ')" >>"$SKIPS"
		[ "$KEEP" = 1 ] || rm -rf "$work"
		echo; continue
	fi
	outbytes=$(du -sb "$work/ref/$tid" | cut -f1)
	printf '%s\toutput_bytes\t%s\n' "$p" "$outbytes" >>"$INFO"
	echo "  warm-up build -j2: $(secs "$t0" "$(now)") s, output $((outbytes / 1000000)) MB"

	variants=(build-j1 build-j2)
	if [ "$NOSHARE" = 1 ]; then variants+=(build-j2-no-share)
	else echo "  build-j2-no-share: $NOSHARE_WHY"; printf '%s\tbuild-j2-no-share\t%s\n' "$p" "$NOSHARE_WHY" >>"$SKIPS"; fi
	variants+=(cp-r)
	if [ "$HAVE_PANDOC" = 0 ]; then
		echo "  pandoc-zip: skipped: pandoc not installed"
		printf '%s\tpandoc-zip\tskipped: pandoc not installed\n' "$p" >>"$SKIPS"
	elif [ "$PANDOC_PRESETS" = all ] || [[ " $PANDOC_PRESETS " == *" $p "* ]]; then
		variants+=(pandoc-zip)
	else
		why="skipped: slow (one pandoc per lesson); runs only for: $PANDOC_PRESETS (set BENCH_PANDOC=all)"
		echo "  pandoc-zip: $why"
		printf '%s\tpandoc-zip\t%s\n' "$p" "$why" >>"$SKIPS"
	fi

	for ((r = 1; r <= RUNS; r++)); do
		order=("${variants[@]}")
		if ((r % 2 == 0)); then
			order=()
			for ((i = ${#variants[@]} - 1; i >= 0; i--)); do order+=("${variants[i]}"); done
		fi
		for v in "${order[@]}"; do
			out=$work/out-$v
			case $v in
			build-j1) timed "$p" "$v" "$r" "$out" "${build[@]}" -j1 -o "$out" "$township" ;;
			build-j2) timed "$p" "$v" "$r" "$out" "${build[@]}" -j2 -o "$out" "$township" ;;
			build-j2-no-share) timed "$p" "$v" "$r" "$out" "${build[@]}" -j2 --no-share -o "$out" "$township" ;;
			cp-r) timed "$p" "$v" "$r" "$out" cp -r "$work/ref/$tid" "$out" ;;
			pandoc-zip) timed "$p" "$v" "$r" "$out" sh "$here/pandoc-pipeline.sh" "$gen" "$out" "$PANDOC_JOBS" ;;
			esac
			rc=$?
			# The last round's outputs are hashed for the comparisons,
			# then every output goes, to keep the disk free.
			if [ "$r" = "$RUNS" ] && [ "$rc" = 0 ] && [[ $v == build-* ]]; then
				hash_tree "$out/$tid" "$work/sums-$v"
			fi
			rm -rf "$out"
		done
	done

	hash_tree "$work/ref/$tid" "$work/sums-ref"
	compare() {
		local a=$1 b=$2 res
		if [ ! -f "$work/sums-$a" ] || [ ! -f "$work/sums-$b" ]; then
			res="not compared ($a or $b did not build)"
		elif cmp -s "$work/sums-$a" "$work/sums-$b"; then
			res="byte-identical ($(wc -l <"$work/sums-$a") files)"
		else
			res="DIFFER: $(diff "$work/sums-$a" "$work/sums-$b" | grep -c '^[<>]') lines of the file hash lists differ, e.g. $(diff "$work/sums-$a" "$work/sums-$b" | grep -m1 '^[<>]' | awk '{print $3}')"
		fi
		printf '%s\t%s vs %s\t%s\n' "$p" "$a" "$b" "$res" >>"$IDENT"
		echo "  output $a vs $b: $res"
	}
	if [ "$NOSHARE" = 1 ]; then compare build-j2 build-j2-no-share
	else printf '%s\tbuild-j2 vs build-j2-no-share\tnot compared (%s)\n' "$p" "$NOSHARE_WHY" >>"$IDENT"; fi
	compare build-j1 build-j2
	compare ref build-j2
	[ "$KEEP" = 1 ] || rm -rf "$work"
	echo
done

# The report: medians, ratios, peak RSS, identities, as Markdown.
python3 - "$last" "$(machine)" "${presets[@]}" <<'EOF' | tee "$last/results.md"
import json, os, statistics, sys
last, machine, presets = sys.argv[1], sys.argv[2], sys.argv[3:]

def rows(name):
    with open(os.path.join(last, name), encoding="utf-8") as fh:
        return [l.rstrip("\n").split("\t") for l in fh if l.strip()]

runs, info, skips, ident = {}, {}, {}, {}
cpu = {}
for p, v, r, wall, rss, rc, c in rows("results.tsv"):
    runs.setdefault((p, v), []).append((float(wall), int(rss), int(rc)))
    cpu.setdefault((p, v), []).append(float(c))
for p, k, val in rows("info.tsv"):
    info[(p, k)] = val
for p, v, why in rows("skips.tsv"):
    skips[(p, v)] = why
for p, what, res in rows("identity.tsv"):
    ident.setdefault(p, []).append((what, res))

VARIANTS = [("build-j1", "coursepack build -j1"), ("build-j2", "coursepack build -j2"),
            ("build-j2-no-share", "coursepack build -j2 --no-share"), ("cp-r", "cp -r of the output (floor)"),
            ("pandoc-zip", "pandoc per lesson + zip -r -9 per village")]

def med(p, v):
    ok = [w for w, _, rc in runs.get((p, v), []) if rc == 0]
    return statistics.median(ok) if ok and len(ok) == len(runs[(p, v)]) else None

def ratio(a, b):
    return "%.2f" % (a / b) if a is not None and b else "–"

out = ["### Machine", "", machine, "", "### Times", "",
       "| preset | variant | runs | median wall (s) | min–max wall (s) | median CPU user+sys (s) | peak RSS (MiB) |",
       "|---|---|---:|---:|---:|---:|---:|"]
for p in presets:
    if (p, "all") in skips:
        out.append("| %s | (all) | – | %s | | | |" % (p, skips[(p, "all")]))
        continue
    for v, label in VARIANTS:
        rs = runs.get((p, v))
        if not rs:
            if (p, v) in skips:
                out.append("| %s | %s | – | %s | | | |" % (p, label, skips[(p, v)]))
            continue
        walls = [w for w, _, _ in rs]
        failed = [rc for _, _, rc in rs if rc != 0]
        m = med(p, v)
        out.append("| %s | %s | %d | %s | %.2f–%.2f | %.2f | %d |" % (
            p, label, len(rs), "%.2f" % m if m is not None else "FAILED (%d of %d runs, exit %d)" % (
                len(failed), len(rs), failed[0]), min(walls), max(walls), statistics.median(cpu[(p, v)]),
            max(r for _, r, _ in rs) // 1024))

out += ["", "### Per preset", "",
        "| preset | villages | lessons/village | distinct lessons | distinct Markdown (MB) | media (MB) | output (MB) "
        "| build-j2 / cp | build-j1 / build-j2 | no-share / share | pandoc / build-j2 | distinct Markdown MB/s (build-j2) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for p in presets:
    try:
        st = json.load(open(os.path.join(last, "stats-%s.json" % p), encoding="utf-8"))
    except OSError:
        out.append("| %s | – | – | – | – | – | – | – | – | – | – | – |" % p)
        continue
    j1, j2, ns, cp, pz = (med(p, v) for v in ("build-j1", "build-j2", "build-j2-no-share", "cp-r", "pandoc-zip"))
    ob = info.get((p, "output_bytes"))
    out.append("| %s | %d | %d | %d | %.1f | %.1f | %s | %s | %s | %s | %s | %s |" % (
        p, st["villages"], st["lessons_per_village"], st["distinct_lessons"], st["markdown_bytes"] / 1e6,
        st["media_bytes"] / 1e6, "%.0f" % (int(ob) / 1e6) if ob else "–", ratio(j2, cp), ratio(j1, j2),
        ratio(ns, j2), ratio(pz, j2), "%.2f" % (st["markdown_bytes"] / 1e6 / j2) if j2 else "–"))

out += ["", "### Outputs compared", ""]
for p in presets:
    for what, res in ident.get(p, []):
        out.append("- %s: %s: %s" % (p, what, res))
notes = sorted(set(why for (p, v), why in skips.items() if v != "all"))
if notes:
    out += ["", "### Notes", ""] + ["- " + n for n in notes]
print("\n".join(out))
EOF
echo
echo "bench: results in $last (results.md, results.tsv)"
