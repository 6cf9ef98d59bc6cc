#!/usr/bin/env python3
"""Synthetic county generator for coursepack benchmarks.

    bench/gen.py --preset NAME OUTDIR [--villages K] [--lessons L]
                 [--shared F] [--media-mb M] [--categories FILE]

Writes

    OUTDIR/courses/            a course library (categories.xml + one folder per course)
    OUTDIR/county/township.xml the township, its recipe.xml and villages/*.xml
    OUTDIR/lessons.tsv         village <TAB> course <TAB> lesson src, in plan order
                               (for the pandoc pipeline of bench/run.sh)
    OUTDIR/stats.json          the figures of the one-line summary

Model: K villages, each gets L lessons.  round(L*F) of them are shared by
every village: the recipe's core courses, spread over the categories
theory / policy / party-spirit / integrity / skills.  The other L - round(L*F)
lessons are the village's own: skills courses tagged with a need that only
that village lists, chosen by the recipe's <by-need category="skills">.

Everything comes from fixed seeds: the same arguments give the same bytes
on every run.  Python 3 standard library only.
"""

import argparse
import json
import math
import os
import random
import shutil
import struct
import zlib
import sys
import time

SEED = "coursepack-bench-1"

PRESETS = {
    # name: villages, lessons per village, shared fraction, media MB
    "small": dict(villages=8, lessons=40, shared=0.8, media_mb=3),
    "medium": dict(villages=8, lessons=400, shared=0.8, media_mb=120),
    "large": dict(villages=8, lessons=4000, shared=0.8, media_mb=8),
    "wide": dict(villages=200, lessons=40, shared=0.8, media_mb=16),
}

# Schema limits (schemas/*.xsd).
MAX_LESSONS_PER_COURSE = 200
MAX_CORE = 200
MAX_BY_NEED_COURSES = 20
MAX_VILLAGES = 1000
MD_LIMIT = 64 * 1024

CORE_CATEGORIES = [  # category, share of the shared lessons, recipe minimum hours
    ("theory", 0.25, "3"),
    ("policy", 0.20, "2"),
    ("party-spirit", 0.20, "2"),
    ("integrity", 0.15, "2"),
    ("skills", 0.20, "2"),
]

DEFAULT_CATEGORIES = os.path.normpath(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "courses", "categories.xml"))

# ---------------------------------------------------------------- vocabulary

SUBJECTS = ["村党支部", "广大党员", "农民专业合作社", "驻村工作队", "乡镇党委", "种植大户", "村民小组",
            "返乡创业青年", "老党员", "流动党员", "村务监督委员会", "党员中心户", "网格员", "村集体经济组织",
            "致富带头人", "妇女之家", "新型职业农民", "科技特派员", "第一书记", "党小组长"]
VERBS = ["要认真学习", "坚持抓好", "积极推进", "主动参与", "切实落实", "带头做好", "因地制宜发展",
         "不断完善", "统筹安排", "及时总结", "深入宣传", "扎实开展", "全面加强", "持续巩固", "严格执行",
         "用心用情做好", "常态化开展", "认真组织", "精心谋划", "大力支持"]
OBJECTS = ["党的二十大精神", "乡村振兴战略", "基层组织建设", "农村人居环境整治", "耕地保护和粮食安全",
           "村级集体经济", "移风易俗", "矛盾纠纷化解", "安全生产", "冬春农田水利建设", "森林防火",
           "防止返贫动态监测", "农村集体产权制度改革", "党员积分管理", "“三会一课”制度", "主题党日活动",
           "村规民约", "农产品质量安全", "农村电商", "冷链物流", "测土配方施肥", "病虫害绿色防控",
           "土地承包经营权流转", "医疗保险参保缴费", "防汛抗旱", "垃圾分类", "红色文化传承",
           "清廉村居建设", "小微权力清单", "惠农补贴发放"]
TAILS = ["，把好事办好、实事办实。", "，让群众看得见、摸得着、得实惠。", "，做到有计划、有检查、有记录。",
         "，确保各项工作落到实处。", "，不搞形式主义，不走过场。", "，每月至少研究一次。",
         "，形成长效机制。", "，切实增强群众的获得感。", "，坚决守住不发生规模性返贫的底线。",
         "，及时向党员群众公开。", "。", "。", "；", "，同时做好台账登记。"]
OPENERS = ["总的来说，", "实践证明，", "具体来讲，", "比如，", "在我们村，", "从去年开始，", "据统计，",
           "一方面，", "另一方面，", "需要注意的是，", "", "", "", ""]
NUMBERS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"]
BOLD = ["乡村振兴", "党员先锋", "民主集中制", "群众路线", "四议两公开", "田间课堂", "基地课堂",
        "送学上门", "积分管理", "清廉村居", "集体经济", "科技兴农", "绿色发展", "安全第一"]
SECTION_TITLES = ["为什么要学", "基本要求", "主要内容", "怎么做", "典型案例", "常见问题", "注意事项",
                  "操作步骤", "政策要点", "经验做法", "工作流程", "责任分工", "时间安排", "身边的故事"]
TABLE_HEADS = [("项目", "时间", "负责人", "要求"), ("环节", "做法", "标准", "备注"),
               ("类别", "内容", "学时", "方式"), ("事项", "依据", "办理地点", "期限")]
TABLE_CELLS = ["每月一次", "每季度一次", "村党支部书记", "党小组长", "全体党员", "当天完成", "三个工作日内",
               "村便民服务中心", "乡镇政务大厅", "记入台账", "张榜公示", "集中学习", "送学上门", "线上学习",
               "两学时", "半天", "按户登记", "不少于一次", "书面报告", "现场查看", "照片留档", "群众签字确认"]
QUESTIONS = ["结合本村实际，谈谈{o}还有哪些薄弱环节？", "作为一名党员，你在{o}中能发挥什么作用？",
             "{o}和我们每家每户有什么关系？", "学习了这一课，你准备先做好哪一件事？",
             "本村在{o}方面有哪些好做法值得推广？"]
EN_WORDS = ("the village party branch members training season winter spring lesson field class "
            "cooperative harvest market quality policy farmers youth household county township "
            "programme online offline mobile elderly study hours record practice skills water "
            "forest fire safety insurance subsidy ecology road cold chain orchard seedling tea "
            "bamboo mushroom peach rice soil fertiliser pest control logistics e-commerce "
            "and of to in for with by on from every each should must can will our their "
            "local public clean green better safer simple practical steady careful").split()
CROPS = ["yellow-peach", "oil-tea", "zongzi-leaf", "mushroom", "kiwi", "bamboo-shoot", "tea",
         "chestnut", "navel-orange", "rice-fish", "honey", "black-goat", "lotus", "ginger", "konjac",
         "tobacco", "herbs", "rapeseed", "strawberry", "homestay"]
CROP_ZH = ["黄桃", "油茶", "粽叶", "香菇", "猕猴桃", "竹笋", "茶叶", "板栗", "脐橙", "稻鱼共生",
           "蜂蜜", "黑山羊", "莲子", "生姜", "魔芋", "烟叶", "中药材", "油菜", "草莓", "民宿"]
VILLAGE_A = list("东西南北上下大小新老青石金银桂桃李杨柳松竹梅兰黄白红清云山水龙凤高长")
VILLAGE_B = list("塘坪岭湾坑冲坳洲桥源溪坝田冈垅铺岗寨庄口")
DIALECTS = ["客家话", "湘方言", "赣方言", "炎陵本地话", "西南官话"]
CATEGORY_TOPICS = {
    "theory": ["学习贯彻党的二十大精神", "中国式现代化", "新时代党的创新理论", "习近平新时代中国特色社会主义思想",
               "全面推进乡村振兴"],
    "policy": ["强农惠农政策解读", "农村法律法规", "农村集体产权制度", "社会保障政策", "土地管理法规"],
    "party-spirit": ["党员的义务与权利", "红色传统教育", "组织生活规范", "流动党员管理", "党史学习"],
    "integrity": ["身边的警示案例", "小微权力监督", "廉洁自律准则", "作风建设", "清廉村居"],
    "skills": ["实用技术培训", "农村电商实务", "安全生产常识", "农产品加工", "乡村旅游服务"],
}
AUTHORS = ["县委宣讲团", "县委党校", "县农业农村局", "县司法局", "县纪委监委", "镇党委组织办", "县人社局",
           "县果业技术推广站", "县林业局"]
MODES = ["classroom home online"] * 6 + ["classroom online", "field", "classroom home", "field home online",
                                         "classroom"]
HOURS = ["0.5", "1", "1", "1", "1.5", "1.5", "2"]


def xml_escape(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# ---------------------------------------------------------------- text

def zh_sentence(r):
    s = r.choice(OPENERS) + r.choice(SUBJECTS) + r.choice(VERBS) + r.choice(OBJECTS)
    if r.random() < 0.15:
        # Bold between two ideographs: no stray '**' warnings.
        s += "，突出" + "**" + r.choice(BOLD) + "**" + "这个重点"
    t = r.choice(TAILS)
    return s + (t if t != "；" else "；" + r.choice(SUBJECTS) + r.choice(VERBS) + r.choice(OBJECTS) + "。")


def zh_paragraph(r, n=None):
    return "".join(zh_sentence(r) for _ in range(n or r.randint(2, 6)))


def en_paragraph(r):
    out = []
    for _ in range(r.randint(2, 4)):
        words = [r.choice(EN_WORDS) for _ in range(r.randint(8, 18))]
        words[0] = words[0].capitalize()
        out.append(" ".join(words) + ".")
    return " ".join(out)


def gfm_table(r):
    head = r.choice(TABLE_HEADS)
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for _ in range(r.randint(3, 6)):
        rows.append("| " + r.choice(OBJECTS) + " | " +
                    " | ".join(r.choice(TABLE_CELLS) for _ in range(len(head) - 1)) + " |")
    return "\n".join(rows)


def lesson_markdown(r, title, target, prev_src, images, media_links):
    """One lesson of about `target` bytes.  `images` are (path, alt);
    `media_links` are (path, label) of audio/video assets."""
    parts = ["# " + title, zh_paragraph(r, r.randint(2, 4))]
    if prev_src:
        parts.append("复习上一课的内容，可以[回看上一课](%s)。" % prev_src)
    for path, label in media_links:
        parts.append("配套%s：[%s](%s)。" % ("视频" if path.endswith(".mp4") else "录音", label, path))
    images = list(images)
    sec = 0
    size = sum(len(p.encode()) for p in parts)
    while size < target or images:
        body = ["## %s、%s" % (NUMBERS[sec % 10], r.choice(SECTION_TITLES)), zh_paragraph(r)]
        kind = r.random()
        if kind < 0.30:
            body.append("\n".join("- " + zh_sentence(r) for _ in range(r.randint(3, 6))))
        elif kind < 0.50:
            body.append("\n".join("%d. %s" % (i + 1, zh_sentence(r)) for i in range(r.randint(3, 6))))
        elif kind < 0.65:
            body.append(gfm_table(r))
        elif kind < 0.80:
            body.append(en_paragraph(r))
        if images:
            path, alt = images.pop(0)
            body.append("![%s](%s)" % (alt, path))
        body.append(zh_paragraph(r))
        sec += 1
        parts.extend(body)
        size += sum(len(p.encode()) + 2 for p in body)
        if size > MD_LIMIT - 4096:
            break
    parts.append("## 学习思考")
    parts.append("\n".join("%d. %s" % (i + 1, r.choice(QUESTIONS).format(o=r.choice(OBJECTS)))
                           for i in range(r.randint(2, 3))))
    text = "\n\n".join(parts) + "\n"
    assert len(text.encode()) < MD_LIMIT, title
    return text


# ---------------------------------------------------------------- media

def media_bytes(r, ext, size):
    """Random bytes of `size` with the format's magic, so that `file` and
    browsers' sniffing agree with the extension."""
    if ext == ".svg":
        body = []
        y = 30
        while True:
            line = '  <rect x="%d" y="%d" width="%d" height="20" fill="#%06x"/>\n' % (
                r.randint(0, 300), y, r.randint(20, 300), r.getrandbits(24))
            if sum(map(len, body)) + len(line) + 200 > size:
                break
            body.append(line)
            y += 24
        return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 %d">\n  <title>示意图</title>\n%s'
                '</svg>\n' % (y + 30, "".join(body))).encode()
    if ext == ".png":
        # A real image (coursepack decodes every image it ships, to strip
        # metadata): random RGB pixels, which no deflate shrinks, so the
        # file comes to about `size` bytes.
        side = max(1, int(math.sqrt(max(size - 100, 3) / 3)))
        rows = b"".join(b"\x00" + r.randbytes(side * 3) for _ in range(side))

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(rows, 1)) + chunk(b"IEND", b""))
    head = {
        ".mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00",
        ".mp4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41",
    }[ext]
    tail = b"\xff\xd9" if ext == ".jpg" else b""
    n = max(0, size - len(head) - len(tail))
    return head + r.randbytes(n) + tail


def plan_media(r, budget):
    """A list of (ext, size) adding up to about `budget` bytes: images of
    photo and diagram sizes, and audio/video of lecture sizes."""
    items = []
    if budget <= 0:
        return items
    av_share = 0.4 if budget >= 50e6 else 0.25
    av_budget = int(budget * av_share)
    total = 0
    while total < av_budget:
        if r.random() < 0.6:
            ext, size = ".mp3", r.randint(800_000, 5_000_000)
        else:
            ext, size = ".mp4", r.randint(3_000_000, 20_000_000)
        size = min(size, max(200_000, av_budget // 3), av_budget - total)
        if size < 50_000:
            break
        items.append((ext, size))
        total += size
    while total < budget:
        x = r.random()
        if x < 0.55:
            # Photos, as PNG: Python's library has no JPEG encoder.
            ext, size = ".png", int(r.lognormvariate(math.log(220_000), 0.6))
            size = max(40_000, min(size, 1_500_000))
        elif x < 0.85:
            ext, size = ".png", int(r.lognormvariate(math.log(90_000), 0.7))
            size = max(15_000, min(size, 800_000))
        else:
            ext, size = ".svg", r.randint(2_000, 8_000)
        size = min(size, budget - total)
        if size < 2_000:
            break
        items.append((ext, size))
        total += size
    return items


# ---------------------------------------------------------------- model

class Lesson:
    __slots__ = ("course", "id", "src", "title", "hours", "modes", "images", "assets", "owner")

    def __init__(self, course, idx, title, owner):
        self.course = course
        self.id = "l%03d" % (idx + 1)
        self.src = "%03d-lesson.md" % (idx + 1)
        self.title = title
        self.owner = owner
        self.images = []   # (path, alt)
        self.assets = []   # (path, label): audio and video
        self.hours = "1"
        self.modes = ""


class Course:
    def __init__(self, cid, category, title, tags, author):
        self.id = cid
        self.category = category
        self.title = title
        self.tags = tags
        self.author = author
        self.lessons = []


def chunks(n, per):
    """Split n into ceil(n/per) nearly equal parts."""
    k = max(1, math.ceil(n / per))
    base, extra = divmod(n, k)
    return [base + (1 if i < extra else 0) for i in range(k)]


def build_model(k, L, f, media_mb):
    r = random.Random(SEED + ":model")
    shared = int(round(L * f))
    own = L - shared
    if shared < len(CORE_CATEGORIES):
        sys.exit("gen.py: need at least %d shared lessons (one per core category); raise --lessons or --shared"
                 % len(CORE_CATEGORIES))
    # Courses of realistic length, but few enough for the schema's limits.
    per_core = max(12, math.ceil(shared / (MAX_CORE - len(CORE_CATEGORIES))))
    if per_core > MAX_LESSONS_PER_COURSE:
        sys.exit("gen.py: %d shared lessons do not fit in %d core courses of %d lessons"
                 % (shared, MAX_CORE, MAX_LESSONS_PER_COURSE))
    per_own = max(12, math.ceil(own / MAX_BY_NEED_COURSES)) if own else 1
    if per_own > MAX_LESSONS_PER_COURSE:
        sys.exit("gen.py: %d own lessons per village do not fit in %d by-need courses"
                 % (own, MAX_BY_NEED_COURSES))

    courses, core = [], []
    # Shared lessons per category, by share, adding up exactly.
    counts = [max(1, int(shared * w)) for _, w, _ in CORE_CATEGORIES]
    counts[0] += shared - sum(counts)
    for (cat, _, _), n in zip(CORE_CATEGORIES, counts):
        for ci, m in enumerate(chunks(n, per_core)):
            topic = CATEGORY_TOPICS[cat][ci % len(CATEGORY_TOPICS[cat])]
            c = Course("%s-%03d" % (cat, ci + 1), cat, "%s（第%d辑）" % (topic, ci // 5 + 1),
                       [cat], r.choice(AUTHORS))
            for li in range(m):
                c.lessons.append(Lesson(c, li, "第%d课：%s" % (li + 1, r.choice(OBJECTS)), None))
            courses.append(c)
            core.append(c)

    villages = []
    used_names = set()
    for vi in range(k):
        vid = "cun-%03d" % (vi + 1)
        crop = CROPS[vi % len(CROPS)]
        need = "%s-%03d" % (crop, vi + 1)
        while True:
            name = r.choice(VILLAGE_A) + r.choice(VILLAGE_B) + "村"
            if name not in used_names or len(used_names) > 600:
                break
        used_names.add(name)
        v = dict(id=vid, name=name, need=need, crop_zh=CROP_ZH[vi % len(CROP_ZH)],
                 dialect=r.choice(DIALECTS),
                 resident=r.randint(30, 120), homebound=r.randint(2, 15), mobile=r.randint(5, 60),
                 courses=[])
        if own:
            for ci, m in enumerate(chunks(own, per_own)):
                c = Course("own-%03d-%02d" % (vi + 1, ci + 1), "skills",
                           "%s%s技术（%d）" % (name, v["crop_zh"], ci + 1), [need, crop], r.choice(AUTHORS))
                for li in range(m):
                    c.lessons.append(Lesson(c, li, "第%d课：%s%s" % (li + 1, v["crop_zh"], r.choice(OBJECTS)), vid))
                courses.append(c)
                v["courses"].append(c)
        villages.append(v)

    # Hours and modes.  The first three lessons of each course reach every
    # group, so that each category's minimum is met for every group.
    for c in courses:
        for i, l in enumerate(c.lessons):
            l.hours = r.choice(HOURS)
            l.modes = "classroom home online" if i < 3 else r.choice(MODES)
    # Few shared lessons: lengthen the ones every group reaches until each
    # category's minimum and the total are met (hours run up to 8).
    def half(l):
        return int(float(l.hours) * 2)

    def reach_all(cat=None):
        return [l for c in core if cat in (None, c.category) for l in c.lessons
                if l.modes == "classroom home online"]

    def lengthen(ls, need):
        while sum(map(half, ls)) < need and any(half(l) < 16 for l in ls):
            for l in ls:
                if sum(map(half, ls)) < need and half(l) < 16:
                    l.hours = "%g" % ((half(l) + 1) / 2)
    for cat, _, h in CORE_CATEGORIES:
        lengthen(reach_all(cat), int(float(h) * 2))
    lengthen(reach_all(), 16 * 2)

    # Media, spread over the distinct lessons.
    lessons = [l for c in courses for l in c.lessons]
    counters = {}
    for ext, size in plan_media(r, int(media_mb * 1_000_000)):
        l = r.choice(lessons)
        n = counters[l.course.id] = counters.get(l.course.id, 0) + 1
        kind = {".jpg": "photo", ".png": "chart", ".svg": "diagram", ".mp3": "talk", ".mp4": "video"}[ext]
        path = "media/%s-%03d%s" % (kind, n, ext)
        topic = r.choice(OBJECTS)
        if ext in (".mp3", ".mp4"):
            if len(l.assets) >= 100:
                continue
            l.assets.append((path, "%s讲座%s" % (topic, "视频" if ext == ".mp4" else "录音")))
        else:
            alt = "%s%s：%s在%s现场，画面中%s%s" % (
                topic, {"photo": "现场照片", "chart": "统计图", "diagram": "示意图"}[kind],
                r.choice(SUBJECTS), r.choice(["村部", "田间", "基地", "会议室", "农户家中"]),
                r.choice(SUBJECTS), r.choice(VERBS) + r.choice(OBJECTS))
            l.images.append((path, alt))
        l.course.__dict__.setdefault("media", []).append((path, ext, size, SEED + ":" + l.course.id + ":" + path))
    return courses, core, villages, shared, own


# ---------------------------------------------------------------- writing

def write(path, data):
    mode = "wb" if isinstance(data, bytes) else "w"
    with open(path, mode, **({} if mode == "wb" else {"encoding": "utf-8", "newline": "\n"})) as fh:
        fh.write(data)


def course_xml(c):
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<course id="%s" category="%s" lang="zh-CN" version="1">' % (c.id, c.category),
           "  <title>%s</title>" % xml_escape(c.title),
           "  <summary>%s</summary>" % xml_escape("合成基准课程，共%d课。" % len(c.lessons)),
           "  <author>%s</author>" % xml_escape(c.author)]
    out += ["  <tag>%s</tag>" % t for t in c.tags]
    for l in c.lessons:
        attrs = 'id="%s" src="%s" hours="%s" modes="%s"' % (l.id, l.src, l.hours, l.modes)
        if not l.assets:
            out.append("  <lesson %s/>" % attrs)
        else:
            out.append("  <lesson %s>" % attrs)
            out += ['    <asset src="%s"/>' % p for p, _ in l.assets]
            out.append("  </lesson>")
    out.append("</course>")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description="Generate a synthetic county for coursepack benchmarks.")
    ap.add_argument("--preset", required=True, choices=sorted(PRESETS))
    ap.add_argument("--villages", type=int)
    ap.add_argument("--lessons", type=int, help="lessons per village")
    ap.add_argument("--shared", type=float, help="fraction of each village's lessons shared by all (0..1)")
    ap.add_argument("--media-mb", type=float, help="images, audio and video in the library, in MB (10^6 bytes)")
    ap.add_argument("--categories", default=DEFAULT_CATEGORIES, help="categories.xml to copy (default: %(default)s)")
    ap.add_argument("outdir")
    a = ap.parse_args()

    p = dict(PRESETS[a.preset])
    for key in ("villages", "lessons", "shared", "media_mb"):
        if getattr(a, key) is not None:
            p[key] = getattr(a, key)
    k, L, f, mb = p["villages"], p["lessons"], p["shared"], p["media_mb"]
    if not 1 <= k <= MAX_VILLAGES:
        sys.exit("gen.py: --villages must be 1 to %d" % MAX_VILLAGES)
    if L < 5 or not 0 < f <= 1 or mb < 0:
        sys.exit("gen.py: need --lessons >= 5, 0 < --shared <= 1, --media-mb >= 0")
    if not os.path.isfile(a.categories):
        sys.exit("gen.py: no categories.xml at %s (give --categories)" % a.categories)

    t0 = time.monotonic()
    courses, core, villages, shared, own = build_model(k, L, f, mb)

    out = a.outdir
    lib, county = os.path.join(out, "courses"), os.path.join(out, "county")
    for d in (lib, county):
        if os.path.isdir(d):
            shutil.rmtree(d)
    os.makedirs(os.path.join(county, "villages"))
    os.makedirs(lib)
    shutil.copyfile(a.categories, os.path.join(lib, "categories.xml"))

    md_bytes = media_total = nlessons = 0
    for c in courses:
        cdir = os.path.join(lib, c.id)
        os.makedirs(cdir)
        write(os.path.join(cdir, "course.xml"), course_xml(c))
        for i, l in enumerate(c.lessons):
            r = random.Random(SEED + ":text:" + c.id + "/" + l.id)
            text = lesson_markdown(r, l.title, r.randint(4000, 12000),
                                   c.lessons[i - 1].src if i else None, l.images, l.assets).encode()
            write(os.path.join(cdir, l.src), text)
            md_bytes += len(text)
            nlessons += 1
        media = getattr(c, "media", [])
        if media:
            os.makedirs(os.path.join(cdir, "media"))
        for path, ext, size, seed in media:
            data = media_bytes(random.Random(seed), ext, size)
            write(os.path.join(cdir, path), data)
            media_total += len(data)

    tid = "synth-" + a.preset
    by_need = max(len(v["courses"]) for v in villages)
    first = core[0]
    rec = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<recipe id="%s-2023" version="1">' % tid,
           "  <title>合成县2023—2024年度农村党员冬春训“营养套餐”（基准测试）</title>",
           "  <season>2023—2024年度冬春训</season>",
           "  <min-hours>16</min-hours>"]
    rec += ['  <category ref="%s" min-hours="%s"/>' % (cat, h) for cat, _, h in CORE_CATEGORIES]
    rec.append('  <first-lesson ref="%s/%s"/>' % (first.id, first.lessons[0].id))
    rec += ['  <core ref="%s"/>' % c.id for c in core]
    if by_need:
        rec.append('  <by-need category="skills" max-courses="%d"/>' % by_need)
    rec.append("</recipe>")
    write(os.path.join(county, "recipe.xml"), "\n".join(rec) + "\n")

    town = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<township id="%s" version="1">' % tid,
            "  <name>合成镇（%s）</name>" % a.preset,
            "  <county>合成县</county>",
            '  <recipe src="recipe.xml"/>',
            '  <library src="../courses"/>']
    town += ['  <village src="villages/%s.xml"/>' % v["id"] for v in villages]
    town.append("</township>")
    write(os.path.join(county, "township.xml"), "\n".join(town) + "\n")

    for vi, v in enumerate(villages):
        day = 1 + vi % 28
        x = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<village id="%s" township="%s" kind="village" version="1">' % (v["id"], tid),
             "  <name>%s</name>" % v["name"],
             "  <dialect>%s</dialect>" % v["dialect"],
             '  <members resident="%d" homebound="%d" mobile="%d"/>' % (v["resident"], v["homebound"], v["mobile"])]
        if v["courses"]:
            x.append("  <need>%s</need>" % v["need"])
        x.append('  <session date="2024-01-%02d" place="村党员活动室">集中学习党的二十大精神</session>' % day)
        x.append('  <session date="2024-02-%02d" place="%s基地">%s田间课堂</session>' % (day, v["crop_zh"], v["crop_zh"]))
        x.append("</village>")
        write(os.path.join(county, "villages", v["id"] + ".xml"), "\n".join(x) + "\n")

    # Each village's lessons, in plan order (first lesson, then categories;
    # core before by-need), for the pandoc pipeline.
    rows = []
    for v in villages:
        seq = [(first, first.lessons[0])]
        for cat, _, _ in CORE_CATEGORIES:
            for c in [c for c in core if c.category == cat] + [c for c in v["courses"] if c.category == cat]:
                seq += [(c, l) for l in c.lessons if not (c is first and l is first.lessons[0])]
        rows += ["%s\t%s\t%s" % (v["id"], c.id, l.src) for c, l in seq]
    write(os.path.join(out, "lessons.tsv"), "\n".join(rows) + "\n")

    stats = dict(preset=a.preset, township=tid, villages=k, lessons_per_village=shared + own,
                 shared_lessons=shared, own_lessons_per_village=own, distinct_lessons=nlessons,
                 courses=len(courses), markdown_bytes=md_bytes, media_bytes=media_total,
                 media_files=sum(len(getattr(c, "media", [])) for c in courses),
                 township_xml=os.path.join("county", "township.xml"), seed=SEED,
                 params=dict(villages=k, lessons=L, shared=f, media_mb=mb))
    write(os.path.join(out, "stats.json"), json.dumps(stats, indent=2, ensure_ascii=False) + "\n")
    print("%s: %d villages, %d lessons per village (%d shared + %d own), %d distinct lessons, "
          "%.1f MB distinct Markdown, %.1f MB media (%d files), %d courses"
          % (a.preset, k, shared + own, shared, own, nlessons, md_bytes / 1e6, media_total / 1e6,
             stats["media_files"], len(courses)))
    print("gen.py: wrote %s in %.1f s" % (out, time.monotonic() - t0), file=sys.stderr)


if __name__ == "__main__":
    main()
