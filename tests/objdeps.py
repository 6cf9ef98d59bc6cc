#!/usr/bin/env python3
"""The program's files call each other without a loop: no file calls,
directly or through others, back into one that calls it.

usage: objdeps.py BUILDDIR [FILE ...]
       objdeps.py --unused BUILDDIR

Reads which global symbols each object file of BUILDDIR defines and uses
(nm), draws an edge A -> B when A uses a symbol B defines, and prints the
edges of the named files (all if none) and every strongly connected
component of more than one file.  Exits 1 if there is one.

With --unused: no dead code either.  Lists every external function
defined in an object of BUILDDIR that no other object uses and the unit
tests (tests/unit/*.c) do not name, and exits 1 if there is one: such a
function is either dead or belongs `static` in its file."""
import glob, os, re, subprocess, sys

# External functions no other object calls, kept on purpose (with why).
UNUSED_OK = {
    "main": "the program's entry point",
}


def unused(builddir):
    objs = sorted(glob.glob(os.path.join(builddir, "*.o")))
    defs, users = {}, {}
    out = subprocess.run(["nm", "-A"] + objs, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        o, rest = line.split(":", 1)
        name = os.path.basename(o)[:-2]
        f = rest.split()
        if len(f) == 3 and f[1] == "T":
            defs[f[2]] = name
        elif len(f) == 2 and f[0] == "U":
            users.setdefault(f[1], set()).add(name)
    words = set()
    for t in glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "unit", "*.c")):
        with open(t, encoding="utf-8") as fp:
            words |= set(re.findall(r"\w+", fp.read()))
    bad = sorted((o, s) for s, o in defs.items()
                 if not users.get(s, set()) - {o} and s not in words and s not in UNUSED_OK)
    for o, s in bad:
        print(f"unused: {s} (defined in {o}.o): remove it, or make it static")
    print(f"{len(defs)} external functions, {len(bad)} unused")
    return 1 if bad or len(defs) < 50 else 0


if sys.argv[1] == "--unused":
    sys.exit(unused(sys.argv[2]))

objs = sorted(glob.glob(os.path.join(sys.argv[1], "*.o")))
defs, uses = {}, {}
for o in objs:
    uses[os.path.basename(o)[:-2]] = set()
# One nm for all files (-A: each line starts with its file's name).
for line in subprocess.run(["nm", "-A"] + objs, capture_output=True, text=True, check=True).stdout.splitlines():
        o, rest = line.split(":", 1)
        name = os.path.basename(o)[:-2]
        f = rest.split()
        if len(f) == 3 and f[1] in "TDRB":
            defs[f[2]] = name
        elif len(f) == 2 and f[0] == "U":
            uses[name].add(f[1])
graph = {n: sorted({defs[s] for s in u if s in defs and defs[s] != n}) for n, u in uses.items()}
for n in sys.argv[2:] or sorted(graph):
    print(f"{n:12} -> {' '.join(graph.get(n, []))}")

index, low, stack, on, loops = {}, {}, [], set(), []
counter = [0]
sys.setrecursionlimit(10000)


def visit(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in graph[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            loops.append(sorted(comp))


for v in sorted(graph):
    if v not in index:
        visit(v)
for c in loops:
    print("loop:", " ".join(c))
print(f"{len(graph)} files, {sum(map(len, graph.values()))} edges, {len(loops)} loops")
sys.exit(1 if loops or len(graph) < 10 else 0)
