#!/usr/bin/env python3
"""The folders of builder/ are the stages of the flow, lowest first:

    base    what every stage uses: strings, messages, hashes, names, media types, images
    zip     bytes on their way into a zip: deflate, scratch files, zip files
    source  reading and checking what trainers and staff write; the plan
    render  from lessons to documents: pages, booklet, phone edition, EPUB...
    pack    from documents to signed bundles, the catalogue; reading bundles
    ledger  the township's class-hour ledger (SQLite): records, imports, totals
    cli     the command line: main and one file per command

A file may include headers of its own stage and of the stages below it,
never above: this test reads every #include "..." under builder/ and fails
on one that points up, on a header that is not found or found twice, and
on a C or header file outside the stage folders.  It also fails on a
function longer than MAX_LINES lines: split it into steps a reader can
follow top-down.  Usage: layers.py [TOP]
"""
import os
import re
import sys

MAX_LINES = 130
# The stages, lowest first (the Makefile's STAGES).
STAGES = ["base", "zip", "source", "render", "pack", "ledger", "serve", "cli"]


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else "."
    builder = os.path.join(top, "builder")
    where = {}          # header name -> stage
    files = []          # (stage, path)
    bad = []
    for dirpath, _, names in os.walk(builder):
        rel = os.path.relpath(dirpath, builder)
        for n in sorted(names):
            if not n.endswith((".c", ".h")):
                continue
            stage = rel.split(os.sep)[0]
            path = os.path.join("builder", rel, n) if rel != "." else os.path.join("builder", n)
            if stage not in STAGES:
                bad.append(f"{path}: not in a stage folder ({', '.join(STAGES)})")
                continue
            files.append((stage, os.path.join(dirpath, n), path))
            if n.endswith(".h"):
                if n in where:
                    bad.append(f"{path}: header name also used in builder/{where[n]}/")
                where[n] = stage
    edges = 0
    inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
    for stage, full, path in files:
        with open(full, encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                m = inc.match(line)
                if not m:
                    continue
                h = os.path.basename(m.group(1))
                if h not in where:
                    if h == "diagfmt.h":    # made by the Makefile from diag.h
                        continue
                    bad.append(f"{path}:{lineno}: includes '{h}', which is in no stage folder")
                    continue
                edges += 1
                if STAGES.index(where[h]) > STAGES.index(stage):
                    bad.append(f"{path}:{lineno}: {stage}/ includes {where[h]}/{h}, a later stage")
    # A function: a line starting with its name and "(" after a line
    # starting with its type (the project's style), to the first "}" in
    # column 0.
    for stage, full, path in files:
        if not path.endswith(".c"):
            continue
        with open(full, encoding="utf-8") as f:
            lines = f.read().split("\n")
        start = name = None
        for i, line in enumerate(lines):
            if re.match(r"[a-z_][a-z0-9_]*\(", line) and i > 0 and re.match(r"[a-z]", lines[i - 1]):
                start, name = i, line.split("(")[0]
            elif line.startswith("}") and name:
                if i - start > MAX_LINES:
                    bad.append(f"{path}:{start + 1}: {name} is {i - start} lines, more than {MAX_LINES}: split it into steps")
                name = None
    for b in bad:
        print(b)
    print(f"{len(files)} files, {edges} includes, {len(bad)} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
