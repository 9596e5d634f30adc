#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Compares the relocated instructions of two loaders, program by program: JSON lines from `ebpf-tool dump-insns`
# and from tests/compat/libbpf_insns (same format). Exits 1 on a difference that is not listed as expected.
#
# What is not compared, because it legitimately differs between two loaders in one process or two:
#  - the fd in a map reference (ld_imm64 with src_reg 1 or 2): both tools print the map's name instead;
#  - the BTF object fd in the second half of a typed ksym reference (ld_imm64 src_reg 3), 0 for vmlinux anyway;
#  - the fd_array index in a kfunc call's offset (0 for vmlinux kfuncs, the only ones here).
# Known, explained differences in form (not in meaning), normalized here:
#  - a call to a weak kfunc the kernel lacks: libbpf 1.1.2 leaves `call kfunc 0` (src_reg 2, imm 0), which the
#    verifier accepts only as dead code; libbpf 1.2+ and ebpf-cxx write the poison `call 2002000000 + extern index`
#    (src_reg 0) so that a reachable one fails with a message naming it. Both must sit in dead code to load;
#  - when libbpf's load fails it closes its maps before we can name them ("?"): the map name is then not compared.
import json
import os
import sys

LD_IMM64 = 0x18
CALL = 0x85
KFUNC_POISON_BASE = 2002000000


def load(path):
    progs, broken = {}, {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            rec = json.loads(line)
            obj = os.path.basename(rec["obj"])
            if rec.get("prog") is None:
                broken[obj] = rec
                continue
            progs[(obj, rec["prog"])] = rec
    return progs, broken


def normalize(insns):
    out = []
    i = 0
    while i < len(insns):
        ins = list(insns[i])
        code, src = ins[0], ins[2]
        if code == LD_IMM64 and i + 1 < len(insns):
            hi = list(insns[i + 1])
            if src in (1, 2):
                ins[4] = None  # the fd; ins[5] holds the map's name
            elif src == 3:
                hi[4] = None  # BTF object fd of a module (0 for vmlinux)
            out.append(tuple(ins))
            out.append(tuple(hi))
            i += 2
            continue
        if code == CALL and src == 2:
            ins[3] = None  # fd_array index of the kfunc's BTF
            if ins[4] == 0:
                ins = ["unresolved weak kfunc call"]
        elif code == CALL and src == 0 and KFUNC_POISON_BASE <= ins[4] < KFUNC_POISON_BASE + 1000000:
            ins = ["unresolved weak kfunc call"]
        out.append(tuple(ins))
        i += 1
    return out


def same(a, b):
    if a is None or b is None:
        return a is b
    if len(a) > 5 and len(b) > 5 and "?" in (a[5], b[5]):
        return a[:5] == b[:5]
    return a == b


def fmt(ins):
    if ins is None:
        return "(none)"
    if len(ins) == 1:
        return ins[0]
    code, dst, src, off, imm = ins[:5]
    s = "code=0x%02x dst=%d src=%d off=%s imm=%s" % (code, dst, src, off, imm)
    if len(ins) > 5:
        s += " map=%s" % ins[5]
    return s


def compare(ours, theirs, expected):
    """Returns (problems, notes). `expected` maps (obj, prog) to a reason for a known difference."""
    problems, notes = [], []
    ours_p, ours_broken = ours
    theirs_p, theirs_broken = theirs
    for obj, rec in ours_broken.items():
        problems.append("%s: ebpf-tool could not load the object: %s" % (obj, rec.get("error", rec)))
    for key in sorted(set(ours_p) | set(theirs_p)):
        obj, prog = key
        if key not in ours_p or key not in theirs_p:
            if key in expected:
                notes.append("%s:%s: expected difference (%s): only one loader lists it" % (obj, prog, expected[key]))
            elif obj not in ours_broken:
                problems.append("%s:%s: listed by only %s" % (obj, prog, "ebpf-tool" if key in ours_p else "libbpf"))
            continue
        a = normalize(ours_p[key]["insns"])
        b = normalize(theirs_p[key]["insns"])
        diffs = [i for i in range(max(len(a), len(b)))
                 if not same(a[i] if i < len(a) else None, b[i] if i < len(b) else None)]
        if not diffs:
            notes.append("%s:%s: %d instructions identical" % (obj, prog, len(a)))
            continue
        why = " (expected: %s)" % expected[key] if key in expected else ""
        lines = ["%s:%s: %d of %d instructions differ%s" % (obj, prog, len(diffs), max(len(a), len(b)), why)]
        for i in diffs[:8]:
            lines.append("    #%d ebpf-cxx %s" % (i, fmt(a[i] if i < len(a) else None)))
            lines.append("    #%d libbpf   %s" % (i, fmt(b[i] if i < len(b) else None)))
        (notes if key in expected else problems).append("\n".join(lines))
    return problems, notes


def main():
    if len(sys.argv) < 3:
        print("usage: compare_insns.py EBPF_TOOL_JSON LIBBPF_JSON [OBJ:PROG=REASON ...]", file=sys.stderr)
        return 2
    expected = {}
    for arg in sys.argv[3:]:
        key, _, reason = arg.partition("=")
        obj, _, prog = key.partition(":")
        expected[(obj, prog)] = reason
    problems, notes = compare(load(sys.argv[1]), load(sys.argv[2]), expected)
    for n in notes:
        print("ok: " + n)
    for p in problems:
        print("FAIL: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
