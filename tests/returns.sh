# returns: sourced by tests/run.sh.  Xiayang's returned paperwork
# (examples/xiayang/returns/, issue 14 part 6): regenerated from the plan
# and the rosters it is the same, byte for byte, on every run; the sheets
# hold only what the plan and the rosters allow and import clean, one
# record per filled cell (counted here from the CSV, not by coursepack);
# the receipts verify with receipt.c, except exactly the bad ones the
# README names.  Uses check_that, $BIN, $B, $top, $tmp from run.sh.

rd=$tmp/returns
rm -rf "$rd" && mkdir -p "$rd"
ret=examples/xiayang/returns
"$BIN" plan --csv examples/xiayang/township.xml >"$rd/plan.csv"

check_that "returns: gen.py writes the committed files unchanged, and the same twice" sh -c "
	python3 '$ret/gen.py' '$rd/plan.csv' '$rd/a' && python3 '$ret/gen.py' '$rd/plan.csv' '$rd/b' &&
	diff -r '$rd/a' '$rd/b' && diff -r -x gen.py -x README.md -x __pycache__ '$ret' '$rd/a'"

# The sheets against the plan and the rosters, and the number of records
# each should give: its non-blank lesson cells.
check_that "returns: every sheet row is a roster member of the right group, every lesson planned and reachable, every cell a date of the season or a tick" \
	python3 -B - "$rd/plan.csv" "$ret" "$rd/want" <<'EOF'
import csv, glob, os, re, sys
sys.path.insert(0, sys.argv[2])
import gen  # its roster reader: the rosters' formats are tested in roster.sh
plan = {}
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")):
    if r["row"] == "lesson":
        plan.setdefault(r["village"], {})[r["lesson"]] = set(r["modes"].split())
reach = {"在村": {"classroom", "field"}, "居家": {"home"}}
group = {"在村": "resident", "居家": "homebound"}
way = {"在村": "课堂", "居家": "居家"}
want, bad = [], []
for path in sorted(glob.glob(os.path.join(sys.argv[2], "*.csv"))):
    raw = open(path, "rb").read()
    if not raw.startswith(b"\xef\xbb\xbf"):
        bad.append("%s: no BOM" % path)
    rows = list(csv.reader(raw[3:].decode("utf-8").splitlines()))
    head = rows[0]
    if head[:5] != ["村", "姓名", "编号", "类别", "方式"]:
        bad.append("%s: header %s" % (path, head[:5]))
    lessons = [i for i, h in enumerate(head) if "/" in h]
    n = 0
    kinds = set()
    for line, r in enumerate(rows[1:], 2):
        if not any(r):
            continue
        v, name, mid, grp, w = r[:5]
        members = {m[0]: m for m in gen.roster(v)}
        if members.get(mid, (None, None, None))[1:] != (name, group.get(grp)) or w != way.get(grp):
            bad.append("%s:%d: %s %s %s %s is not so in the roster" % (path, line, name, mid, grp, w))
        for i in lessons:
            c = r[i] if i < len(r) else ""
            if not c:
                continue
            n += 1
            if not plan[v].get(head[i], set()) & reach[grp]:
                bad.append("%s:%d: %s is not for a %s member of %s" % (path, line, head[i], grp, v))
            m = re.fullmatch(r"(2023)([-/])(\d\d?)\2(\d\d?)", c)
            if m:
                kinds.add(m.group(2))
                if not "2023-02-01" <= "2023-%02d-%02d" % (int(m.group(3)), int(m.group(4))) <= "2023-03-10":
                    bad.append("%s:%d: %s outside the season's first part" % (path, line, c))
            elif c in ("✓", "√"):
                kinds.add("tick")
            else:
                bad.append("%s:%d: cell %r" % (path, line, c))
    want.append("%s %d" % (path, n))
    if n == 0:
        bad.append("%s: no filled cell" % path)
# Each resident is on the class sheet of the village.
for v in plan:
    res = sum(1 for m in gen.roster(v) if m[2] == "resident")
    rows = [r for r in csv.reader(open(os.path.join(sys.argv[2], "class-%s.csv" % v), encoding="utf-8-sig")) if any(r)]
    if len(rows) - 1 != res:
        bad.append("class-%s.csv: %d rows for %d residents" % (v, len(rows) - 1, res))
open(sys.argv[3], "w").write("\n".join(want) + "\n")
print("\n".join(bad[:20]))
sys.exit(1 if bad else 0)
EOF

"$BIN" ledger import --ledger "$rd/ledger.sqlite" examples/xiayang/township.xml $ret/*.csv >"$rd/out" 2>"$rd/err"; st=$?
sed -n 's/^\(.*\): attendance sheet, \([0-9]*\) new records, 0 already in the ledger$/\1 \2/p' "$rd/out" >"$rd/got"
check_that "returns: all $(ls $ret/*.csv | wc -l) sheets import into a fresh ledger (exit $st), nothing on stderr" \
	sh -c "test $st -eq 0 && test ! -s '$rd/err'"
check_that "returns: ... one new record per filled cell, per file ($(awk '{n += $2} END {print n}' "$rd/want") in all)" \
	diff -u "$rd/want" "$rd/got"
check_that "returns: ... and the ledger is sound" "$BIN" ledger check --ledger "$rd/ledger.sqlite" examples/xiayang/township.xml

# The receipts, read by receipt.c against the village's own build id and
# Madao's: the ones that fail are exactly those the README names.
for v in jili madao; do
	"$top/$B/receipts" "xiayang-$v/xiayang-2022-2023" xiayang-madao/xiayang-2022-2023 <"$ret/chat-$v.txt" >"$rd/found-$v"
done
check_that "returns: Jili's chat: 31 receipts, the bad code at line 368 and Madao's at 308, which verifies as Madao's" sh -c "
	test \$(wc -l <'$rd/found-jili') -eq 31 &&
	test \"\$(awk -F'\t' '\$2 != \"ok\" || \$3 != 0 {print \$1, \$2, \$3}' '$rd/found-jili' | tr '\n' ';')\" = '308 ok 1;368 bad-code -1;'"
check_that "returns: Madao's chat: 30 receipts, only the one pasted in part (line 94) unparsable" sh -c "
	test \$(wc -l <'$rd/found-madao') -eq 30 &&
	test \"\$(awk -F'\t' '\$2 != \"ok\" || \$3 != 0 {print \$1, \$2}' '$rd/found-madao' | tr '\n' ';')\" = '94 unparsable;'"
check_that "returns: every good receipt names a mobile member of its village, but 黄贵 at chat-jili.txt:91; lessons within the phone edition" \
	python3 -B - "$rd/plan.csv" "$ret" "$rd/found-jili" "$rd/found-madao" <<'EOF'
import csv, sys
sys.path.insert(0, sys.argv[2])
import gen
online = {}
for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig")):
    if r["row"] == "lesson" and "online" in r["modes"].split():
        online[r["village"]] = online.get(r["village"], 0) + 1
bad = []
for v, path in (("jili", sys.argv[3]), ("madao", sys.argv[4])):
    mobile = {m[1] for m in gen.roster(v) if m[2] == "mobile"}
    for l in open(path, encoding="utf-8"):
        f = l.rstrip("\n").split("\t")
        if f[1] != "ok":
            continue
        home = "madao" if f[2] == "1" else v
        unknown = f[3] not in {m[1] for m in gen.roster(home) if m[2] == "mobile"}
        if unknown != (v == "jili" and f[0] == "91"):
            bad.append("%s:%s: %s" % (v, f[0], f[3]))
        if int(f[4].replace("-", ",").split(",")[-1]) > online[home]:
            bad.append("%s:%s: lessons %s past %d" % (v, f[0], f[4], online[home]))
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
check_that "returns: the README names each bad receipt by file and line" sh -c "
	for w in chat-jili.txt:91 chat-jili.txt:308 chat-jili.txt:368 chat-madao.txt:94; do
		grep -q \"\$w\" '$ret/README.md' || exit 1; done"
