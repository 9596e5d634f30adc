#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Sorts the library's sources into hot and cold, and writes the unity groups of the single-archive build.
lib/meson.build runs this at configure time.

usage: unity_groups.py split COLD SOURCE...
       unity_groups.py groups OUTDIR SIZE COLD SOURCE...

COLD is a comma-separated list of patterns relative to lib/ ("links/*", "btf/dump_c*.cpp"); a pattern starting
with "!" takes sources back out. Cold sources run once per attach, probe or tool command and wait on the kernel
or a person; they are compiled for build speed (lib/meson.build says at which level). Every other source is hot.
A pattern that matches no source under lib/ fails (a renamed or removed file).

split prints "hot PATH" or "cold PATH" for each SOURCE, in order (one layer's archive takes part of lib/).

groups writes OUTDIR/hot<i>.cpp and OUTDIR/cold<i>.cpp, each #including a contiguous run of its kind's sources
(in the order given, which keeps each layer's files together), and prints "hot PATH" / "cold PATH" for each.
SIZE is a number of sources per group, or "auto": one group per CPU this process may run on (at least 2), shared
between hot and cold in proportion to their estimated cost, and runs of about equal cost.

Why contiguous runs of equal cost: a group's compile time is its share of the library's own code plus the std
headers and inline code that every group parses and optimises again. Neighbouring sources (one layer, one
directory) share most of those, so cutting the list into runs costs less than spreading sources out (measured
at -O1: two runs 31.1 s of CPU, two groups of interleaved sources 32.6 s, four interleaved groups 38.2 s). The
cost estimate is the source's length in bytes, times COLD_COST for cold sources (their level compiles about that
much faster); it balances the groups within a few percent. A file is rewritten only when its content changes,
so a reconfigure does not rebuild the library.
"""
import fnmatch
import glob
import math
import os
import sys

COLD_COST = 0.7  # -Og against -O1, CPU time per source byte (GCC 12, 2026-11-30)
LIBDIR = os.path.dirname(os.path.abspath(__file__))


def cpus():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 2


def is_cold(rel, patterns):
    cold = False
    for p in patterns:
        if p.startswith('!'):
            if fnmatch.fnmatchcase(rel, p[1:]):
                cold = False
        elif fnmatch.fnmatchcase(rel, p):
            cold = True
    return cold


def classify(cold_arg, sources):
    patterns = [p for p in cold_arg.split(',') if p]
    in_lib = [os.path.relpath(f, LIBDIR) for f in glob.glob(os.path.join(LIBDIR, '*', '*.cpp'))]
    for p in patterns:
        if not any(fnmatch.fnmatchcase(r, p.lstrip('!')) for r in in_lib):
            sys.exit(f'unity_groups.py: cold pattern {p!r} matches no source (renamed or removed?)')
    return [is_cold(os.path.relpath(os.path.abspath(s), LIBDIR), patterns) for s in sources]


def split_runs(costs, groups):
    """Cut costs (in order) into `groups` contiguous runs; returns the start index of each run."""
    total = sum(costs)
    starts, acc = [0], 0
    for i, cost in enumerate(costs):
        # Start the next run where the running total passes the next equal share, on whichever side of the
        # boundary the source lands nearer to it.
        target = total * len(starts) / groups
        if len(starts) < groups and i > starts[-1] and acc + cost / 2 > target:
            starts.append(i)
        acc += cost
    return starts


def write_if_changed(path, text):
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(path, 'w') as f:
        f.write(text)


def groups_mode(outdir, size_arg, cold_arg, sources):
    cold = classify(cold_arg, sources)
    sets = {kind: [s for s, c in zip(sources, cold) if c == (kind == 'cold')] for kind in ('hot', 'cold')}
    factor = {'hot': 1.0, 'cold': COLD_COST}
    cost = {kind: [os.path.getsize(s) * factor[kind] for s in srcs] for kind, srcs in sets.items()}
    if size_arg == 'auto':
        # One group per CPU (at least 2), shared between the kinds in proportion to their cost, at least one
        # each. More groups than CPUs is slower: on 2 CPUs, 2 hot + 2 cold groups took 17.9-18.5 s where 1 + 1
        # took 13.7-14.0 s (each group parses the same headers again, and the runs compete for the caches).
        groups = max(2, cpus())
        hot_cost, cold_cost = sum(cost['hot']), sum(cost['cold'])
        n_hot = min(groups - 1, max(1, round(groups * hot_cost / max(1.0, hot_cost + cold_cost))))
        count = {'hot': n_hot, 'cold': groups - n_hot}
        count = {kind: max(1, min(n, len(sets[kind]) // 8)) for kind, n in count.items()}
    else:
        count = {kind: math.ceil(len(srcs) / int(size_arg)) for kind, srcs in sets.items()}
    os.makedirs(outdir, exist_ok=True)
    for kind, srcs in sets.items():
        if not srcs:
            continue
        starts = split_runs(cost[kind], min(count[kind], len(srcs))) + [len(srcs)]
        for g in range(len(starts) - 1):
            text = '// Generated by lib/unity_groups.py: one compiler run of the library build.\n'
            text += ''.join(f'#include "{os.path.abspath(s)}"\n' for s in srcs[starts[g]:starts[g + 1]])
            path = os.path.join(outdir, f'{kind}{g}.cpp')
            write_if_changed(path, text)
            print(kind, path)


def main(argv):
    if len(argv) >= 3 and argv[1] == 'split':
        for src, c in zip(argv[3:], classify(argv[2], argv[3:])):
            print('cold' if c else 'hot', src)
    elif len(argv) >= 5 and argv[1] == 'groups':
        groups_mode(argv[2], argv[3], argv[4], argv[5:])
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
