#!/usr/bin/env python3
"""Returned paperwork for the ledger benchmark (bench/ledger.sh).

    bench/ledger_gen.py COUNTY PLAN.csv MEMBERS

COUNTY is the township folder bench/gen.py wrote (county/), PLAN.csv what
`coursepack plan --csv` printed for it.  For each village it sets the
profile's member counts to MEMBERS split 2/3 resident, 1/10 homebound, the
rest mobile; writes COUNTY/rosters/ID.csv with that many members; and
writes COUNTY/returns/ID.csv, a filled sheet crediting every member with
every lesson of the village's plan, by the channel of their group (class,
home, online), each cell a date.  Fixed seed-free content: the same
arguments give the same bytes."""
import csv
import os
import re
import sys

county, plan_csv, members = sys.argv[1], sys.argv[2], int(sys.argv[3])
resident, homebound = members * 2 // 3, members // 10
mobile = members - resident - homebound

lessons = {}
with open(plan_csv, encoding="utf-8-sig", newline="") as f:
    for row in csv.DictReader(f):
        if row["row"] == "lesson":
            lessons.setdefault(row["village"], []).append(row["lesson"])

os.makedirs(os.path.join(county, "rosters"), exist_ok=True)
os.makedirs(os.path.join(county, "returns"), exist_ok=True)
groups = [("在村", "课堂")] * resident + [("居家", "居家")] * homebound + [("流动", "线上")] * mobile
for vid in sorted(lessons):
    path = os.path.join(county, "villages", vid + ".xml")
    with open(path, encoding="utf-8") as f:
        xml = f.read()
    xml = re.sub(r'<members [^>]*/>', '<members resident="%d" homebound="%d" mobile="%d"/>'
                 % (resident, homebound, mobile), xml)
    with open(path, "w", encoding="utf-8") as f:
        f.write(xml)
    with open(os.path.join(county, "rosters", vid + ".csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["编号", "姓名", "类别"])
        for i, (g, _) in enumerate(groups):
            w.writerow(["%04d" % (i + 1), "党员%s%04d" % (vid, i + 1), g])
    with open(os.path.join(county, "returns", vid + ".csv"), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["村", "姓名", "编号", "方式"] + lessons[vid])
        for i, (_, ch) in enumerate(groups):
            w.writerow([vid, "党员%s%04d" % (vid, i + 1), "%04d" % (i + 1), ch] +
                       ["2026-12-%02d" % (1 + (i + j) % 28) for j in range(len(lessons[vid]))])
