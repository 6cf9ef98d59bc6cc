#!/usr/bin/env python3
"""Every number a member sees on an edition equals what `plan` computes for
that member's group, for every village of every example.

usage: edition_totals.py COURSEPACK WORKDIR

For each examples/*/township.xml: `plan --csv` gives, per village, the hours
each group reaches and the lessons whose modes reach it; `build` makes the
editions.  Then, per village:
  - the home booklet (print.html in the bundle): cover total, contents
    total, record-sheet rows and total = the homebound group's lessons and
    hours;
  - the phone edition and the EPUB's title page: lesson count and total
    = the mobile group's.
Prints one line per failure and exits 1 if any."""
import csv, glob, io, os, re, subprocess, sys, zipfile

GROUP_MODES = {"homebound": {"home"}, "mobile": {"online"}}
binary, work = sys.argv[1], sys.argv[2]
fails, checked = [], 0


def tenths(s):
    return round(float(s) * 10)


def col(row, *names):
    for n in names:
        if n in row and row[n] != "":
            return row[n]
    return ""


for township in sorted(glob.glob("examples/*/township.xml")):
    out = subprocess.run([binary, "plan", "--csv", township], capture_output=True)
    rows = list(csv.DictReader(io.StringIO(out.stdout.decode("utf-8-sig"))))
    if not rows:
        fails.append(f"{township}: plan --csv printed no rows")
        continue
    dest = os.path.join(work, os.path.basename(os.path.dirname(township)))
    b = subprocess.run([binary, "build", "--allow-short", "-o", dest, township], capture_output=True)
    if b.returncode != 0:
        fails.append(f"{township}: build failed: {b.stderr.decode()[:300]}")
        continue
    villages = {}
    for r in rows:
        v = villages.setdefault((r["township"], r["village"]), {"lessons": [], "total": {}})
        if r["row"] == "lesson":
            v["lessons"].append((r["title"], tenths(col(r, "lesson_hours", "hours")), set(r["modes"].split())))
        elif r["row"] == "coverage" and r["category"] in ("total", "合计"):
            v["total"][r["group"]] = tenths(col(r, "reached_hours", "hours"))
    for (t, vid), v in sorted(villages.items()):
        base = os.path.join(dest, t, f"{t}-{vid}")
        want = {}
        for g, modes in GROUP_MODES.items():
            ls = [(title, h) for title, h, m in v["lessons"] if m & modes]
            want[g] = (len(ls), sum(h for _, h in ls), [title for title, _ in ls])
            if g not in v["total"]:
                fails.append(f"{vid}: plan --csv has no total for {g}")
            elif v["total"][g] != want[g][1]:
                fails.append(f"{vid}: plan's {g} total {v['total'][g]} is not the sum of its lessons {want[g][1]}")

        def same(what, got, exp):
            global checked
            checked += 1
            if got != exp:
                fails.append(f"{vid}: {what}: {got!r}, plan says {exp!r}")

        with zipfile.ZipFile(base + ".zip") as z:
            page = z.read("print.html").decode()
        n, h, titles = want["homebound"]
        m = re.search(r"<p>共 (\d+) 课，([\d.]+) 学时</p>", page)
        same("booklet cover", m and (int(m.group(1)), tenths(m.group(2))), (n, h))
        same("booklet lessons", len(re.findall(r'<section class="lesson"', page)), n)
        rec = page[page.index('<section class="record">'):]
        rows_h = re.findall(r"<tr><td>\d+</td><td>(.*?)</td><td>([\d.]+)</td>", rec)
        same("record sheet rows", len(rows_h), n)
        same("record sheet hours", sum(tenths(x) for _, x in rows_h), h)
        tot = re.search(r"合计</th><th>([\d.]+)</th>", rec)
        same("record sheet total", tot and tenths(tot.group(1)), h)
        contents = page[page.index('<section class="contents">'):page.index('<section class="lesson"') if n else None]
        ct = re.search(r"合计</th><th>([\d.]+)</th>", contents)
        same("booklet contents total", ct and tenths(ct.group(1)), h)

        n, h, titles = want["mobile"]
        with open(base + "-phone.html", encoding="utf-8") as f:
            phone = f.read()
        m = re.search(r"共 (\d+) 课、([\d.]+) 学时", phone)
        same("phone cover", m and (int(m.group(1)), tenths(m.group(2))), (n, h))
        same("phone lessons", len(re.findall(r"<article ", phone)), n)
        toc = phone[phone.index('<nav class="toc">'):phone.index("</ol>")]
        same("phone contents hours", sum(tenths(x) for x in re.findall(r"（([\d.]+) 学时）</li>", toc)), h)
        with zipfile.ZipFile(base + ".epub") as z:
            title = z.read("EPUB/title.xhtml").decode()
            spine = z.read("EPUB/package.opf").decode().count('<itemref idref="l')
        m = re.search(r"共 (\d+) 课、([\d.]+) 学时", title)
        same("epub title page", m and (int(m.group(1)), tenths(m.group(2))), (n, h))
        same("epub chapters", spine, n)

for f in fails:
    print(f)
print(f"{checked} figures checked")
sys.exit(1 if fails or checked == 0 else 0)
