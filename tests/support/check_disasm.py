#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""ebpf-tool inspect --json --disasm --relocations on many objects in one process: every program has a non-empty
"disasm" without invalid instructions and "relocations" with "maps", "core" and "externs".

With LLVM_OBJDUMP (not "-"), also against llvm-objdump -d on the same objects: every instruction llvm-objdump
prints must be at the same index of the same function in ebpf-tool's listing (so ld_imm64 spans two slots in both)
and be of the same kind: load/store size and base register, ALU operator and destination, jump condition, call,
exit, ld_imm64, atomic. Operands that the two print differently on purpose (relocated names, jump target syntax,
hex or decimal immediates) are not compared.
Usage: check_disasm.py EBPF_TOOL LLVM_OBJDUMP|- OBJECT...   Exit 1 with one line per problem (at most 20)."""
import json
import re
import subprocess
import sys

REG = re.compile(r"^[rw]\d+$")


def kind(text):
    t = text.strip()
    t = re.sub(r"\s+<[^>]*>$", "", t)  # jump/call target labels
    if t == "exit":
        return "exit"
    if t.startswith("callx"):
        return "callx"
    if t.startswith("call"):
        return "call"
    if t.startswith("gotol") or t.startswith("goto"):
        return "goto"
    if t.startswith("may_goto"):
        return "may_goto"
    if t.startswith("if "):
        p = t.split()
        return "if %s %s %s" % (p[1][0], p[2], "reg" if REG.match(p[3]) else "imm")
    if t.endswith(" ll"):
        return "ld_imm64 " + t.split()[0]
    if "lock " in t or "atomic" in t or "xchg" in t:
        return "atomic"
    m = re.match(r"^\*\(([us]\d+) \*\)\((r\d+) [+-] ", t)
    if m:
        return "store %s %s" % m.groups()
    m = re.match(r"^[rw]\d+ = \*\(([us]\d+) \*\)\((r\d+) [+-] ", t)
    if m:
        return "load %s %s" % m.groups()
    m = re.match(r"^[rw]\d+ = \*\(([us]\d+) \*\)skb\[", t)
    if m:
        return "ld_abs " + m.group(1)
    p = t.split()
    if len(p) >= 3 and p[1] == "=" and re.match(r"^(be|le|bswap)\d+$", p[2]):
        return "swap %s %s" % (p[0], p[2])
    return "alu %s %s" % (p[0], p[1] if len(p) > 1 else "")


def objdump(tool, obj):
    """{(section, function): [(index in the function, text)]}"""
    out = subprocess.run([tool, "-d", "--no-show-raw-insn", obj], capture_output=True, text=True, check=True).stdout
    funcs, section, func, start = {}, None, None, 0
    for line in out.splitlines():
        m = re.match(r"^Disassembly of section (.*):$", line)
        if m:
            section = m.group(1)
            continue
        m = re.match(r"^([0-9a-f]+) <(.*)>:$", line)
        if m:
            if m.group(2).startswith("LBB"):  # a basic block label (local symbol) inside the current function
                continue
            start, func = int(m.group(1), 16) // 8, m.group(2)
            funcs[(section, func)] = []
            continue
        m = re.match(r"^\s*(\d+):\s+(.*)$", line)
        if m and func is not None:
            funcs[(section, func)].append((int(m.group(1)) - start, m.group(2)))
    return funcs


def main():
    tool, llvm, objects = sys.argv[1], sys.argv[2], sys.argv[3:]
    bad, checked = [], 0
    for obj in objects:
        ref = objdump(llvm, obj) if llvm != "-" else {}
        run = subprocess.run([tool, "inspect", "--json", "--disasm", "--relocations", obj], capture_output=True,
                             text=True)
        if run.returncode != 0:
            bad.append("%s: inspect --json --disasm --relocations: exit %d: %s" % (obj, run.returncode,
                                                                                run.stderr.strip()))
            continue
        spec = json.loads(run.stdout)
        for prog in spec["programs"]:
            lines = prog.get("disasm")
            if not lines or set(prog.get("relocations", {})) != {"maps", "core", "externs"}:
                bad.append("%s: %s: no disasm or relocations" % (obj, prog["name"]))
                continue
            bad += ["%s: %s: insn %d is invalid: %s" % (obj, prog["name"], l["insn"], l["text"])
                    for l in lines if not l["valid"]]
            # Where each function starts in this program's listing.
            starts = {l["function"]: l["insn"] for l in lines if l["function"]}
            by_insn = {l["insn"]: l for l in lines}
            for (section, func), insns in ref.items():
                if func not in starts:
                    continue
                if func == prog["name"] and section.lstrip("?") != prog["section"]:
                    continue
                for rel, text in insns:
                    ours = by_insn.get(starts[func] + rel)
                    checked += 1
                    where = "%s: %s/%s insn %d" % (obj, prog["name"], func, rel)
                    if ours is None:
                        bad.append("%s: llvm-objdump has '%s', ebpf-tool no instruction there" % (where, text))
                    elif kind(ours["text"]) != kind(text):
                        bad.append("%s: llvm-objdump '%s' (%s), ebpf-tool '%s' (%s)" %
                                   (where, text, kind(text), ours["text"], kind(ours["text"])))
    for line in bad[:20]:
        print(line)
    print("%d objects, %d instructions compared with %s, %d problems" % (len(objects), checked, llvm, len(bad)))
    return 1 if bad or (llvm != "-" and checked == 0) else 0


if __name__ == "__main__":
    sys.exit(main())
