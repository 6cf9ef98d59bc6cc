"""Checks a bundle's search.js against its own pages.

    python3 tests/search_index.py BUNDLE_DIR QUERY

Decodes the index (each term's lessons: the first number, then gaps,
each with ":N" when the term occurs N > 1 times there),
finds the lessons that hold every term of QUERY by the index, and finds
them again by reading each lesson page's <main> text.  Prints the number
of lessons found and exits 0 when both ways agree, else prints both lists
and exits 1.  Terms are cut as search.js cuts them: runs of CJK
characters into pairs, runs of ASCII letters and digits as words.
"""
import html
import json
import os
import re
import sys

CJK = "\u3400-\u4dbf\u4e00-\u9fff"


def terms(query):
    out = []
    for w in re.findall("[%s]+|[a-z0-9]+" % CJK, query.lower()):
        if len(w) < 2:
            continue
        if re.fullmatch("[a-z0-9]+", w):
            out.append(w)
        else:
            out.extend(w[k:k + 2] for k in range(len(w) - 1))
    return out


def index(bundle):
    text = open(os.path.join(bundle, "search.js"), encoding="utf-8").read()
    m = re.search(r"var COURSEPACK_SEARCH = (\{.*?\n\});\n", text, re.S)
    data = json.loads(m.group(1))
    postings = {}
    for term, post in data["terms"].items():
        n, lessons = 0, []
        for entry in post.split("."):
            gap, _, count = entry.partition(":")
            if count and int(count) < 2:
                sys.exit("search.js: count of %r written though below 2: %s" % (term, post))
            n += int(gap)
            lessons.append(n)
        if lessons != sorted(set(lessons)):
            sys.exit("search.js: lessons of %r not ascending: %s" % (term, post))
        postings[term] = lessons
    return data["pages"], postings


def page_text(bundle, page):
    doc = open(os.path.join(bundle, page), encoding="utf-8").read()
    main = doc[doc.index("<main"):doc.index("</main>")]
    main = re.sub(r'<p class="meta[^"]*">.*?</p>', "", main, flags=re.S)  # chrome: lesson line, sources
    main = re.sub(r"</(p|li|h[1-6]|td|th|pre|blockquote)>", "\n", main)
    return html.unescape(re.sub(r"<[^>]*>", "", main)).lower()


def main():
    bundle, query = sys.argv[1], sys.argv[2]
    pages, postings = index(bundle)
    ts = terms(query)
    by_index = None
    for t in ts:
        got = set(postings.get(t, []))
        by_index = got if by_index is None else by_index & got
    by_index = sorted(by_index or [])
    def holds(text, t):
        if re.fullmatch("[a-z0-9]+", t):
            return re.search("(?<![a-z0-9])%s(?![a-z0-9])" % t, text) is not None
        return t in text

    by_pages = [i for i, (_, page) in enumerate(pages)
                if all(holds(page_text(bundle, page), t) for t in ts)]
    print(len(by_index))
    if by_index != by_pages:
        print("index: %s\npages: %s" % (by_index, by_pages), file=sys.stderr)
        sys.exit(1)


main()
