#!/usr/bin/env python3
"""Every number on the sheets equals what `plan` computes for the group the
sheet is for, for every village of every example.

usage: sheet_totals.py COURSEPACK WORKDIR

For each examples/*/township.xml: `plan --csv` gives, per village, its
lessons (id, hours, modes), each group's total and member count; `sheets`
makes the sheets.  Then, per village:
  - sign-in sheets: one page per lesson marked classroom or field, in plan
    order, with its id and hours; the pages' hours add up to the resident
    total; every page has one row per resident member (the roster's, else
    the profile's count of blank rows), and says so in 应到;
  - home record sheets: one page per homebound member, each listing the
    lessons marked home with their hours, and the homebound total;
  - the attendance spreadsheet: BOM, CRLF, the importer's five columns then
    every lesson of the plan in order; its rows are the members named on
    the other two sheets, in the same order.
Prints one line per failure and exits 1 if any."""
import csv, glob, html, io, os, re, subprocess, sys

REACH = {"resident": {"classroom", "field"}, "homebound": {"home"}}
binary, work = sys.argv[1], sys.argv[2]
fails, checked = [], 0


def tenths(s):
    return round(float(s) * 10)


def same(what, got, exp):
    global checked
    checked += 1
    if got != exp:
        fails.append(f"{what}: {got!r}, plan says {exp!r}")


for township in sorted(glob.glob("examples/*/township.xml")):
    out = subprocess.run([binary, "plan", "--csv", township], capture_output=True)
    rows = list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8-sig"))))
    if not rows:
        fails.append(f"{township}: plan --csv printed no rows")
        continue
    dest = os.path.join(work, os.path.basename(os.path.dirname(township)))
    s = subprocess.run([binary, "sheets", "-o", dest, township], capture_output=True)
    if s.returncode != 0:
        fails.append(f"{township}: sheets failed: {s.stderr.decode()[:300]}")
        continue
    villages = {}
    for r in rows:
        v = villages.setdefault((r["township"], r["village"]), {"lessons": [], "total": {}, "members": {}})
        if r["row"] == "lesson":
            v["lessons"].append((r["lesson"], r["title"], tenths(r["lesson_hours"]), set(r["modes"].split())))
        elif r["row"] == "coverage" and r["category"] == "total":
            v["total"][r["group"]] = tenths(r["reached_hours"])
            v["members"][r["group"]] = int(r["members"])
    for (t, vid), v in sorted(villages.items()):
        base = os.path.join(dest, t, f"{t}-{vid}")
        with open(base + "-attendance.csv", "rb") as f:
            raw = f.read()
        same(f"{vid}: spreadsheet starts with a BOM", raw[:3], b"\xef\xbb\xbf")
        same(f"{vid}: spreadsheet lines end in CRLF", raw.count(b"\n"), raw.count(b"\r\n"))
        sheet = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        same(f"{vid}: spreadsheet header", sheet[0], ["村", "姓名", "编号", "类别", "方式"] + [l[0] for l in v["lessons"]])
        members = sheet[1:]
        same(f"{vid}: spreadsheet cells blank", {c for r in members for c in r[5:]} - {""}, set())
        same(f"{vid}: spreadsheet channels", {(r[3], r[4]) for r in members} - {("在村", "课堂"), ("居家", "居家"), ("流动", "线上")}, set())
        has_roster = len(members) > 0
        resident = [r[1] for r in members if r[3] == "在村"] if has_roster else [""] * v["members"]["resident"]
        homebound = [r[1] for r in members if r[3] == "居家"] if has_roster else [""] * v["members"]["homebound"]

        with open(base + "-signin.html", encoding="utf-8") as f:
            page = f.read()
        want = [(l[0], l[2]) for l in v["lessons"] if l[3] & REACH["resident"]]
        pages = re.findall(r'<section class="sheet signin">(.*?)</section>', page, re.S)
        got = []
        for p in pages:
            m = re.search(r' · (\d+\.\d) 学时 · <span class="id">([^<]*)</span>', p)
            if not m:
                continue
            got.append((m.group(2), tenths(m.group(1))))
            names = [html.unescape(n) for n in re.findall(r"<tr><td>\d+</td><td>(.*?)</td><td></td></tr>", p)]
            same(f"{vid}: sign-in rows for {m.group(2)}", names, resident)
            same(f"{vid}: sign-in 应到 for {m.group(2)}", re.search(r"应到 (\d+) 人", p).group(1), str(len(resident)))
        same(f"{vid}: sign-in pages (lesson, hours)", got, want)
        same(f"{vid}: sign-in hours add up to the resident total", sum(h for _, h in got), v["total"]["resident"])

        with open(base + "-home.html", encoding="utf-8") as f:
            page = f.read()
        want = [(l[1], l[2]) for l in v["lessons"] if l[3] & REACH["homebound"]]
        pages = re.findall(r'<section class="sheet record">(.*?)</section>', page, re.S)
        names = []
        for p in pages:
            m = re.search(r"<p>党员姓名：(.*?)　", p)
            if not m:
                continue
            names.append("" if "blank" in m.group(1) else html.unescape(m.group(1)))
            got = [(html.unescape(a), tenths(b)) for a, b in re.findall(r"<tr><td>\d+</td><td>(.*?)</td><td>([\d.]+)</td>", p)]
            same(f"{vid}: home sheet rows of '{names[-1]}'", got, want)
            tot = re.search(r"合计</th><th>([\d.]+)</th>", p)
            same(f"{vid}: home sheet total", tot and tenths(tot.group(1)), v["total"]["homebound"])
        same(f"{vid}: home sheets, one per homebound member", names, homebound)

for f in fails:
    print(f)
print(f"{checked} figures checked")
sys.exit(1 if fails or checked == 0 else 0)
