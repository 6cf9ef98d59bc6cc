#!/usr/bin/env python3
"""Writes the Xiayang example rosters (花名册), one per village, and, with
--fixtures DIR, the workbooks the tests read (good and hostile ones).

Every name is invented: a surname and a given name drawn by a fixed
pseudo-random sequence from short lists, so the files are the same on
every run.  The counts per group are the village profiles'.

The files cover what staff send in: UTF-8 CSV with and without a BOM,
CRLF and LF line ends, English or Chinese headers, an extra column with
quoted cells (commas, doubled quotes, a line break), a GB18030 CSV as
Chinese Windows Excel saves it, and an .xlsx workbook (written here with
zipfile and handwritten XML: shared strings, inline strings, ids and
phone numbers typed as numbers).

    python3 examples/xiayang/rosters/gen.py            # rewrite the rosters
    python3 examples/xiayang/rosters/gen.py --fixtures tests/rosters
"""
import os
import re
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
VILLAGES = os.path.join(HERE, "..", "villages")

SURNAMES = "陈李张刘罗谭彭周段邓黄廖尹肖曾蒋唐谢"
GIVEN = "桂春秋冬山水松竹梅兰菊荷禾苗田园青红金银玉明亮光华平安顺"
GROUPS_ZH = ["在村", "居家", "流动"]
GROUPS_EN = ["resident", "homebound", "mobile"]

# Which file each village's roster is, and how it is written.
STYLE = {
    "beiqu": "utf8-bom-crlf",
    "caoping": "utf8",
    "dayuan": "utf8-bom-crlf-english",
    "huangshalong": "xlsx",
    "jili": "gb18030",
    "madao": "utf8-bom-crlf",
    "shiyu": "utf8",
    "shiziba": "utf8-bom-crlf",
    "xingchao": "utf8-notes",
    "xitai": "utf8-bom-crlf",
    "yanjia": "utf8",
}


class Rand:
    """A linear congruential sequence: the same names everywhere."""

    def __init__(self, seed):
        self.x = seed

    def next(self, n):
        self.x = (self.x * 1103515245 + 12345) % (1 << 31)
        return (self.x >> 8) % n


def profile_counts(village):
    text = open(os.path.join(VILLAGES, village + ".xml"), encoding="utf-8").read()
    m = re.search(r'<members resident="(\d+)" homebound="(\d+)" mobile="(\d+)"', text)
    return [int(m.group(i)) for i in (1, 2, 3)]


def members(village):
    """[(id, name, group index, phone)], groups interleaved as a register
    is; names unique but for one pair of namesakes with their own ids."""
    counts = profile_counts(village)
    r = Rand(sum(map(ord, village)))
    order = []
    left = list(counts)
    while sum(left):
        g = r.next(3)
        if left[g]:
            order.append(g)
            left[g] -= 1
    seen = set()
    out = []
    for i, g in enumerate(order):
        while True:
            name = SURNAMES[r.next(len(SURNAMES))] + GIVEN[r.next(len(GIVEN))]
            if r.next(3) == 0:
                name += GIVEN[r.next(len(GIVEN))]
            if name not in seen:
                break
        seen.add(name)
        phone = "" if r.next(5) == 0 else "139%08d" % r.next(10 ** 8)
        out.append(("%03d" % (i + 1), name, g, phone))
    # Namesakes: the second keeps the first's name, told apart by the id.
    if len(out) > 10:
        i, n, g, p = out[10]
        out[10] = (i, out[3][1], g, p)
    return out


def csv_cell(s):
    if any(c in s for c in ',"\r\n'):
        return '"' + s.replace('"', '""') + '"'
    return s


def write_csv(path, village, style):
    english = "english" in style
    eol = "\r\n" if "crlf" in style else "\n"
    head = ["id", "name", "group", "phone"] if english else ["编号", "姓名", "类别", "手机"]
    if "notes" in style:
        head.append("备注")
    lines = [",".join(head)]
    for k, (i, n, g, p) in enumerate(members(village)):
        row = [i, n, (GROUPS_EN if english else GROUPS_ZH)[g], p]
        if "notes" in style:
            row.append(["", "党小组长，负责\"三会一课\"记录", "外出务工, 微信联系", "行动不便\n送学上门"][k % 4])
        lines.append(",".join(csv_cell(c) for c in row))
    text = eol.join(lines) + eol
    if style == "gb18030":
        data = text.encode("gb18030")
    else:
        data = ("\ufeff" if "bom" in style else "").encode() + text.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>%s</sheets></workbook>"""
SHEET_ENTRY = '<sheet name="花名册" sheetId="1" r:id="rId1"/>'
WB_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="%s"/></Relationships>"""
SHEET = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>"""
SST = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">%s</sst>"""


def col(k):
    return "ABCDEFGHIJ"[k]


def sheet_xml(rows, strings):
    """rows: lists of ('s', text) shared, ('i', text) inline, ('n', number)."""
    out = []
    for r, cells in enumerate(rows, 1):
        cs = []
        for k, (kind, v) in enumerate(cells):
            ref = "%s%d" % (col(k), r)
            if kind == "s":
                if v not in strings:
                    strings[v] = len(strings)
                cs.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, strings[v]))
            elif kind == "i":
                cs.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, esc(v)))
            elif kind == "n" and v != "":
                cs.append('<c r="%s"><v>%s</v></c>' % (ref, v))
        out.append('<row r="%d">%s</row>' % (r, "".join(cs)))
    return SHEET % "".join(out)


def sst_xml(strings):
    items = "".join("<si><t>%s</t></si>" % esc(s) for s in sorted(strings, key=strings.get))
    return SST % (len(strings), len(strings), items)


def write_xlsx(path, parts):
    """parts: [(name, bytes or str)], written in this order with a fixed
    date so that the file is the same on every run."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(2023, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def workbook_parts(sheet, strings, sheet_target="worksheets/sheet1.xml", sheets=SHEET_ENTRY):
    parts = [
        ("[Content_Types].xml", CONTENT_TYPES),
        ("_rels/.rels", ROOT_RELS),
        ("xl/workbook.xml", WORKBOOK % sheets),
        ("xl/_rels/workbook.xml.rels", WB_RELS % sheet_target),
        ("xl/worksheets/sheet1.xml", sheet),
    ]
    if strings is not None:
        parts.append(("xl/sharedStrings.xml", strings))
    return parts


def roster_rows(village):
    # Ids and phone numbers typed as numbers, as Excel keeps them when
    # nobody formats the column as text: 1.0E+3 style in the file.
    rows = [[("s", "编号"), ("s", "姓名"), ("i", "类别"), ("s", "手机")]]
    for i, n, g, p in members(village):
        idv = int(i)
        rows.append([("n", "%.2E" % idv if idv >= 100 else str(idv)),
                     ("s", n), ("i", GROUPS_ZH[g]), ("n", "%.10E" % int(p) if p else "")])
    return rows


def write_rosters():
    for village, style in sorted(STYLE.items()):
        for ext in (".csv", ".xlsx"):
            old = os.path.join(HERE, village + ext)
            if os.path.exists(old):
                os.remove(old)
        if style == "xlsx":
            strings = {}
            sheet = sheet_xml(roster_rows(village), strings)
            write_xlsx(os.path.join(HERE, village + ".xlsx"), workbook_parts(sheet, sst_xml(strings)))
        else:
            write_csv(os.path.join(HERE, village + ".csv"), village, style)


def write_fixtures(d):
    """Workbooks for tests/unit/test_roster.c and tests/roster.sh."""
    os.makedirs(d, exist_ok=True)
    small = [[("s", "姓名"), ("s", "类别"), ("s", "编号")],
             [("s", "陈春"), ("i", "在村"), ("n", "1.0E+3")],
             [("i", "李秋"), ("s", "居家"), ("n", "7")],
             [("s", "陈春"), ("s", "流动"), ("n", "1.001E+3")]]
    strings = {}
    sheet = sheet_xml(small, strings)
    write_xlsx(os.path.join(d, "small.xlsx"), workbook_parts(sheet, sst_xml(strings)))
    # No sheet listed in the workbook.
    write_xlsx(os.path.join(d, "nosheet.xlsx"), workbook_parts(sheet, sst_xml(strings), sheets=""))
    # The sheet the workbook names is not in the archive.
    write_xlsx(os.path.join(d, "missing.xlsx"),
               workbook_parts(sheet, sst_xml(strings), sheet_target="worksheets/sheet9.xml"))
    # A cell points past the shared strings.
    bad = sheet.replace("<v>1</v>", "<v>99</v>", 1)
    write_xlsx(os.path.join(d, "badindex.xlsx"), workbook_parts(bad, sst_xml(strings)))
    # A zip bomb: 40 MB of blanks inside the sheet, deflating 1000 to 1.
    bomb = sheet.replace("<sheetData>", "<sheetData>" + " " * (40 * 1024 * 1024), 1)
    write_xlsx(os.path.join(d, "bomb.xlsx"), workbook_parts(bomb, sst_xml(strings)))
    # Shared strings over the 8 MiB part limit, yet not a bomb by ratio.
    r = Rand(7)
    items = "".join("<si><t>%s%d</t></si>" % (SURNAMES[r.next(len(SURNAMES))], r.next(100))
                    if k % 50 == 0 else "<si><t>x</t></si>" for k in range(620000))
    write_xlsx(os.path.join(d, "hugestrings.xlsx"), workbook_parts(sheet, SST % (0, 0, items)))
    # An old binary Excel file: the OLE2 signature, whatever the name.
    with open(os.path.join(d, "old.xlsx"), "wb") as f:
        f.write(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + bytes(504))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--fixtures":
        write_fixtures(sys.argv[2])
    elif len(sys.argv) == 1:
        write_rosters()
    else:
        sys.exit(__doc__)
