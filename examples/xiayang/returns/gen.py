#!/usr/bin/env python3
"""Writes the paperwork Xiayang's villages sent back for the first part
of the 2022-2023 season (回收的签到表、居家学习记录表、群聊学习回执), all
of it invented, from the members of ../rosters/ and the village plans.

    ./coursepack plan --csv examples/xiayang/township.xml >plan.csv
    python3 examples/xiayang/returns/gen.py plan.csv [OUTDIR]

OUTDIR defaults to this folder.  The plan is given as `coursepack plan
--csv` output so that the lessons are exactly the planner's (which
lessons, in which order, with which modes); the rosters are read as
coursepack reads them: UTF-8 with or without a BOM, GB18030, and the
.xlsx workbook (zipfile + xml.etree; ids typed as numbers read as
integers).  Python's standard library only; the same bytes on every run
(a fixed pseudo-random sequence per village, no clock).

What it writes (README.md here says more, and which receipts are bad on
purpose):

  class-VILLAGE.csv   for each village, the filled sign-in sheet of its
                      class sessions so far: every resident (在村) member,
                      方式 课堂, the first 60% of the lessons residents can
                      attend (modes classroom or field, in plan order),
                      a cell per session attended (a date or a tick,
                      written the way that village's staff write them);
  home-VILLAGE.csv    for four villages, the home record sheets typed in
                      after the secretary's rounds: every homebound (居家)
                      member, 方式 居家, home-mode lessons done from the
                      print booklet, dated by the visit that signed them;
  chat-VILLAGE.txt    for Jili and Madao, the village chat group exported
                      as text: messages around the 学习回执 receipts that
                      mobile (流动) members pasted from the phone edition,
                      lessons numbered as the phone edition numbers them
                      (the mobile group's view of the plan) and the check
                      code of builder/source/receipt.h.

The sheets are in the format `coursepack ledger import` reads
(builder/ledger/ledger_sheet.c): CSV, UTF-8 with a BOM; header 村, 姓名,
编号, 类别, 方式, then one column per course/lesson.
"""
import csv
import io
import os
import sys
import zipfile
import xml.etree.ElementTree as ET
from datetime import date, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
ROSTERS = os.path.join(HERE, "..", "rosters")
TOWNSHIP_NAME = "霞阳镇"
RECIPE_ID = "xiayang-2022-2023"

GROUPS = {"在村": "resident", "居家": "homebound", "流动": "mobile",
          "resident": "resident", "homebound": "homebound", "mobile": "mobile"}
REACH = {"resident": {"classroom", "field"}, "homebound": {"home"}, "mobile": {"online"}}

# How each village's staff fill a sheet: dates as 2023-02-20, as
# 2023/2/20, ticks only, or a mix (each lesson column by whoever kept
# that session).  "excel": saved from Chinese Excel (CSV UTF-8): CRLF,
# dates as 2023/2/20, an empty column and empty rows at the end.
CLASS_STYLE = {
    "beiqu": "iso", "caoping": "tick", "dayuan": "slash", "huangshalong": "mixed",
    "jili": "excel", "madao": "iso", "shiyu": "mixed", "shiziba": "slash",
    "xingchao": "tick", "xitai": "iso", "yanjia": "mixed",
}
HOME_STYLE = {"jili": "iso", "madao": "tick", "shiyu": "slash", "xitai": "mixed"}
CHATS = ("jili", "madao")
SHARE = 0.6  # of the residents' lessons held so far
LAST_DAY = date(2023, 3, 10)  # the last day any of it was written


class Rand:
    """A linear congruential sequence, as ../rosters/gen.py uses."""

    def __init__(self, seed):
        self.x = seed

    def next(self, n):
        self.x = (self.x * 1103515245 + 12345) % (1 << 31)
        return (self.x >> 8) % n

    def chance(self, percent):
        return self.next(100) < percent


def seed(village, salt):
    return sum(map(ord, village)) * 7919 + sum(map(ord, salt))


# ---- the plan, from `coursepack plan --csv`

def read_plan(path):
    """{village: {"name", "lessons": [(id, modes set, tenths)], "sessions": [(date, title)]}}
    in the township's order."""
    plans = {}
    with open(path, encoding="utf-8-sig", newline="") as f:
        for row in csv.DictReader(f):
            v = plans.setdefault(row["village"], {"name": row["village_name"], "lessons": [], "sessions": []})
            if row["row"] == "lesson":
                v["lessons"].append((row["lesson"], set(row["modes"].split()),
                                     int(round(float(row["lesson_hours"]) * 10))))
            elif row["row"] == "session":
                v["sessions"].append((date.fromisoformat(row["date"]), row["title"]))
    if not plans:
        sys.exit("gen.py: no village in the plan '%s'" % path)
    return plans


def view(plan, group):
    """The lessons of the plan members of `group` can reach, in plan order."""
    return [l for l in plan["lessons"] if l[1] & REACH[group]]


# ---- the rosters, read as coursepack reads them

def decode_csv(data):
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def xlsx_rows(path):
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rid = wb.find("m:sheets/m:sheet", ns).get(rel)
        rels = ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))
        target = [r.get("Target") for r in rels if r.get("Id") == rid][0]
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns):
                strings.append("".join(t.text or "" for t in si.iter("{%s}t" % ns["m"])))
        sheet = ET.fromstring(z.read("xl/" + target.lstrip("/")))
    rows = []
    for r in sheet.iter("{%s}row" % ns["m"]):
        cells = {}
        for c in r.findall("m:c", ns):
            col = "".join(ch for ch in c.get("r") if ch.isalpha())
            k = ord(col) - ord("A")
            t = c.get("t")
            if t == "s":
                cells[k] = strings[int(c.find("m:v", ns).text)]
            elif t == "inlineStr":
                cells[k] = "".join(x.text or "" for x in c.iter("{%s}t" % ns["m"]))
            else:
                v = float(c.find("m:v", ns).text)
                cells[k] = str(int(v)) if v == int(v) else repr(v)
        rows.append([cells.get(k, "") for k in range(max(cells) + 1 if cells else 0)])
    return rows


def roster(village):
    """[(id, name, group)] in roster order."""
    base = os.path.join(ROSTERS, village)
    if os.path.exists(base + ".xlsx"):
        rows = xlsx_rows(base + ".xlsx")
    else:
        with open(base + ".csv", "rb") as f:
            rows = list(csv.reader(io.StringIO(decode_csv(f.read()), newline="")))
    head = [h.strip().lower() for h in rows[0]]

    def col(*names):
        return [i for i, h in enumerate(head) if h in names][0]
    ci, cn, cg = col("编号", "id"), col("姓名", "name"), col("类别", "group")
    return [(r[ci].strip(), r[cn].strip(), GROUPS[r[cg].strip().lower()]) for r in rows[1:] if any(r)]


# ---- dates as staff write them

def iso(d):
    return d.isoformat()


def slash(d):
    return "%d/%d/%d" % (d.year, d.month, d.day)


def cell(style, d, column):
    if style == "iso":
        return iso(d)
    if style in ("slash", "excel"):
        return slash(d)
    if style == "tick":
        return "✓"
    return (iso(d), slash(d), "✓", "√")[column % 4]  # mixed


def write_sheet(path, plan_lessons, rows, style):
    """rows: [(village, name, id, 类别, 方式, {lesson: cell})]."""
    eol = "\r\n" if style == "excel" else "\n"
    head = ["村", "姓名", "编号", "类别", "方式"] + [l[0] for l in plan_lessons]
    if style == "excel":
        head.append("")
    lines = [",".join(head)]
    for v, name, mid, grp, way, cells in rows:
        fields = [v, name, mid, grp, way] + [cells.get(l[0], "") for l in plan_lessons]
        if style == "excel":
            fields.append("")
        lines.append(",".join(fields))
    if style == "excel":
        lines += ["," * (len(head) - 1)] * 3
    with open(path, "wb") as f:
        f.write(b"\xef\xbb\xbf" + (eol.join(lines) + eol).encode("utf-8"))


# ---- class sign-in sheets

def class_sessions(village, plan, index):
    """[(date, [lessons])]: the first SHARE of the residents' lessons, two
    or three a session (about 2.5 hours), every other day from the
    village's 第一课 session (or a day in mid-February)."""
    lessons = view(plan, "resident")
    held = lessons[:max(1, int(len(lessons) * SHARE + 0.5))]
    first = [d for d, title in plan["sessions"] if "第一课" in title]
    d = first[0] if first else date(2023, 2, 16) + timedelta(days=index % 5)
    sessions, cur, hours = [], [], 0
    for l in held:
        cur.append(l)
        hours += l[2]
        if hours >= 25:
            sessions.append((d, cur))
            d += timedelta(days=2)
            cur, hours = [], 0
    if cur:
        sessions.append((d, cur))
    assert sessions[-1][0] <= LAST_DAY, village
    return lessons, sessions


def class_sheet(village, plan, index, members, out):
    r = Rand(seed(village, "class"))
    lessons, sessions = class_sessions(village, plan, index)
    order = {l[0]: k for k, l in enumerate(lessons)}
    rows = []
    for mid, name, grp in members:
        if grp != "resident":
            continue
        # A few never came (away, ill); the others came to most sessions.
        keen = 0 if r.chance(6) else 70 + r.next(31)
        cells = {}
        for d, held in sessions:
            if keen and r.chance(keen):
                for l in held:
                    cells[l[0]] = cell(CLASS_STYLE[village], d, order[l[0]])
        rows.append((village, name, mid, "在村", "课堂", cells))
    held_ids = {l[0] for _, s in sessions for l in s}
    write_sheet(os.path.join(out, "class-%s.csv" % village),
                [l for l in lessons if l[0] in held_ids], rows, CLASS_STYLE[village])


# ---- home record sheets

def home_sheet(village, plan, members, out):
    """Each homebound member studies the booklet at their own pace; the
    secretary's round every week signs what was done since."""
    r = Rand(seed(village, "home"))
    lessons = view(plan, "homebound")
    visits = [date(2023, 2, 14) + timedelta(days=7 * k + r.next(2)) for k in range(4)]
    rows = []
    for mid, name, grp in members:
        if grp != "homebound":
            continue
        done = int(len(lessons) * (30 + r.next(41)) / 100)
        cells = {}
        for k, l in enumerate(lessons[:done]):
            cells[l[0]] = cell(HOME_STYLE[village], visits[k * len(visits) // max(done, 1)], k)
        rows.append((village, name, mid, "居家", "居家", cells))
    write_sheet(os.path.join(out, "home-%s.csv" % village), lessons, rows, HOME_STYLE[village])


# ---- receipts and chat exports

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def fnv1a64(data, h=0xcbf29ce484222325):
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def normalise(name):
    """receipt_name_normalise, for the names used here (no blanks to drop,
    no full-width forms, no dots)."""
    assert name == "".join(name.split()) and name.lower() == name
    return name


def lessons_text(ns):
    out, i = [], 0
    while i < len(ns):
        j = i
        while j + 1 < len(ns) and ns[j + 1] == ns[j] + 1:
            j += 1
        out.append("%d-%d" % (ns[i], ns[j]) if j > i else str(ns[i]))
        i = j + 1
    return ",".join(out)


def code(build_id, name, ns, first, last):
    """builder/source/receipt.h: 40 bits of FNV-1a 64 in Crockford base32."""
    text = "coursepack receipt 1\n%s\n%s\n%s\n%s,%s" % (build_id, normalise(name), lessons_text(ns), first, last)
    v = fnv1a64(text.encode("utf-8")) >> 24
    return "".join(CROCKFORD[(v >> (35 - 5 * k)) & 31] for k in range(8))


def build_id(village):
    return "xiayang-%s/%s" % (village, RECIPE_ID)


# The code of receipt.h's unit test vector, so that a change here shows.
assert code(build_id("jili"), "张三", [1, 2, 3, 4, 5, 7, 9], "2023-01-05", "2023-02-10") == "GPQHFQHK"


def receipt(village_name, name, ns, first, last, c):
    return ["【学习回执】", "乡镇：" + TOWNSHIP_NAME, "村：" + village_name, "姓名：" + name,
            "已学：%s（共 %d 课）" % (lessons_text(ns), len(ns)),
            "日期：" + (first if first == last else first + " 至 " + last),
            "校验码：%s-%s" % (c[:4], c[4:])]


def nickname(r, name):
    given = name[1:]
    return [given, "老" + name[0], name + "（在外务工）", given + "🌿", "阿" + name[-1], name[0] + given + "-广东"][r.next(6)]


def mobile_receipts(village, plan, members):
    """[(when, nickname, lines)] for the mobile members who sent one; a
    few send a second, later, with more lessons.  Namesakes (one name,
    two ids) send none: matching them is the import's business, and a
    good example makes no noise of its own."""
    r = Rand(seed(village, "chat"))
    n = len(view(plan, "mobile"))
    counts = {}
    for _, name, _ in members:
        counts[name] = counts.get(name, 0) + 1
    out = []
    for mid, name, grp in members:
        if grp != "mobile" or counts[name] > 1 or not r.chance(60):
            continue
        start = date(2023, 2, 1) + timedelta(days=r.next(14))
        done = 3 + r.next(n - 2)
        ns = sorted(set(range(1, done + 1)) - ({1 + r.next(done)} if r.chance(30) and done > 4 else set()))
        first, last = start, start + timedelta(days=2 + r.next(20))
        nick = nickname(r, name)
        when = (last + timedelta(days=r.next(3)), 19 + r.next(4), r.next(59), r.next(60))
        out.append([when, nick, name, ns, first, last])
        if r.chance(12) and done < n:
            more = sorted(set(ns) | set(range(done + 1, min(n, done + 4) + 1)))
            later = last + timedelta(days=3 + r.next(5))
            out.append([(later, 20, r.next(60), r.next(60)), nick, name, more, first, later])
    for o in out:
        assert o[0][0] <= LAST_DAY and o[5] <= LAST_DAY
    return out


OPENING = [
    ("村支书", "各位党员：今年冬春训的手机学习包发到群里了，外出务工的同志用手机打开就能学，不要流量。"),
    ("组织委员", "学完一课，在手机上点一下“学完本课”；学完一批，打开“学习回执”，写上姓名，把回执复制发到群里。"),
    ("组织委员", "回执里的名字要写全名，跟花名册上一样，校验码那一行也要复制上。"),
]
MEMBER_CHATTER = ["收到", "好的", "[语音] 12\"", "[表情]", "在厂里加班，周末补上。", "这个视频打不开，换个手机试试。",
                  "收到，谢谢书记", "已学完，回执马上发", "今年过年回不去了，大家新年好！", "[图片]"]
STAFF_CHATTER = [("村支书", "收到回执的我都记下了，谢谢大家。"), ("村支书", "大家注意防火，上山烧纸一定要报备。"),
                 ("组织委员", "还没发回执的同志抓紧，月底前发齐。"), ("组织委员", "[图片]")]


def chat(village, plan, members, plans, rosters, out):
    r = Rand(seed(village, "noise"))
    name = plan["name"]
    msgs = []  # (sort key, nickname, lines)
    for when, nick, mname, ns, first, last in mobile_receipts(village, plan, members):
        c = code(build_id(village), mname, ns, iso(first), iso(last))
        msgs.append((when, nick, receipt(name, mname, ns, iso(first), iso(last), c)))
    good = len(msgs)
    mobiles = [m for m in members if m[2] == "mobile"]
    names = {m[1] for m in members}
    d0 = date(2023, 2, 1)
    # Bad on purpose (README.md): in Jili, a code typed wrong by hand, a
    # name that is no member's, Madao's receipt forwarded; in Madao, a
    # receipt pasted in part.
    if village == "jili":
        # Typed by hand from another phone's screen: one character wrong.
        senders = [m[2][3] for m in msgs]
        k = [i for i in range(3, len(msgs)) if senders.count(senders[i]) == 1][0]
        when, nick, lines = msgs[k]
        c = lines[-1]
        at = len("校验码：") + 6
        c = c[:at] + CROCKFORD[(CROCKFORD.index(c[at]) + 1) % 32] + c[at + 1:]
        msgs[k] = (when, nick, lines[:-1] + [c])
        m = mobiles[5]
        other = m[1][0] + ("贵" if "贵" not in m[1] else "桂") + m[1][2:]
        assert other not in names
        ns = [1, 2, 3, 4]
        c = code(build_id(village), other, ns, "2023-02-06", "2023-02-09")
        msgs.append(((date(2023, 2, 10), 21, 15, 0), nickname(r, m[1]),
                     receipt(name, other, ns, "2023-02-06", "2023-02-09", c)))
        fw = mobile_receipts("madao", plans["madao"], rosters["madao"])[0]
        c = code(build_id("madao"), fw[2], fw[3], iso(fw[4]), iso(fw[5]))
        msgs.append(((fw[0][0] + timedelta(days=1), 9, 30, 5), "马道村的" + fw[2][0] + "姐",
                     ["帮马道村的亲戚转一下："] + receipt(plans["madao"]["name"], fw[2], fw[3], iso(fw[4]), iso(fw[5]), c)))
    if village == "madao":
        # Pasted in part (no dates, no code), then again in full.
        when, nick, lines = msgs[2]
        msgs[2] = (when, nick, lines[:5])
        d, hh, mm, ss = when
        msgs.append(((d, hh, mm + 1, ss), nick, ["刚才没复制全，重发一下"] + lines))
    # The staff's opening words, then chatter between the receipts.
    for k, (who, said) in enumerate(OPENING):
        msgs.append(((d0, 8, 30 + k, 0), name + who, [said]))
    for k in range(good * 2 + 6):
        d = d0 + timedelta(days=1 + r.next((LAST_DAY - d0).days - 1))
        if r.chance(25):
            who, said = STAFF_CHATTER[r.next(len(STAFF_CHATTER))]
            who = name + who
        else:
            who = nickname(r, mobiles[r.next(len(mobiles))][1])
            said = MEMBER_CHATTER[r.next(len(MEMBER_CHATTER))]
        msgs.append(((d, 7 + r.next(15), r.next(60), r.next(60)), who, [said]))
    msgs.sort(key=lambda m: (m[0], m[1]))
    text = ["%s党员学习群" % name, "导出时间：2023-03-10 22:00:00", "共 %d 条消息" % len(msgs), "————————————————", ""]
    for (d, hh, mm, ss), who, lines in msgs:
        text.append("%s %02d:%02d:%02d %s" % (iso(d), hh, mm, ss, who))
        text += lines
        text.append("")
    with open(os.path.join(out, "chat-%s.txt" % village), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(text))


def main(argv):
    if len(argv) not in (2, 3):
        sys.exit(__doc__)
    plans = read_plan(argv[1])
    out = argv[2] if len(argv) == 3 else HERE
    os.makedirs(out, exist_ok=True)
    rosters = {v: roster(v) for v in plans}
    for index, (v, plan) in enumerate(plans.items()):
        class_sheet(v, plan, index, rosters[v], out)
        if v in HOME_STYLE:
            home_sheet(v, plan, rosters[v], out)
        if v in CHATS:
            chat(v, plan, rosters[v], plans, rosters, out)


if __name__ == "__main__":
    main(sys.argv)
