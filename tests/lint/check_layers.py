#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the layer DAG of ARCHITECTURE.md section 2 on #include lines, and that public headers include only std
and <ebpf/...> headers. Exit 1 with one line per violation."""
import os
import re
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "."
# layer -> layers it may include (besides itself)
allowed = {
    "base": set(),
    "elf": {"base"},
    "btf": {"base"},
    "object": {"base", "elf", "btf"},
    "sys": {"base"},
    "maps": {"base", "sys"},
    "programs": {"base", "sys", "object", "btf", "links"},  # views attach through links; insn encoding from object
    "links": {"base", "sys", "features"},  # mechanisms by fd; fallbacks decided by probes
    "features": {"base", "sys", "elf", "btf", "object"},  # elf: reading .BTF from a user-given ELF file
    "ringbuf": {"base", "sys", "maps"},
    "perf": {"base", "sys", "maps"},
    "async": {"base", "sys", "maps", "ringbuf", "perf"},
    "loader": {"base", "sys", "elf", "btf", "object", "maps", "programs", "links", "features"},
}
inc_re = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
errors = []
lib = os.path.join(root, "lib")
for layer in sorted(os.listdir(lib)):
    d = os.path.join(lib, layer)
    if not os.path.isdir(d) or layer in ("pch", "runtime"):  # build helpers, not layers
        continue
    if layer not in allowed:
        errors.append(f"lib/{layer}: unknown layer (add it to tests/lint/check_layers.py)")
        continue
    for dirpath, _, files in os.walk(d):
        for f in files:
            path = os.path.join(dirpath, f)
            for n, line in enumerate(open(path, encoding="utf-8"), 1):
                m = inc_re.match(line)
                if not m:
                    continue
                target = m.group(1).split("/")[0]
                if target in allowed and target != layer and target not in allowed[layer]:
                    errors.append(f"{os.path.relpath(path, root)}:{n}: {layer} must not include {m.group(1)}")
                if layer in ("base", "elf", "btf", "object") and m.group(1).startswith(("linux/", "sys/", "unistd")):
                    errors.append(f"{os.path.relpath(path, root)}:{n}: pure layer includes system header {m.group(1)}")
inc = os.path.join(root, "include", "ebpf")
for dirpath, _, files in os.walk(inc):
    for f in files:
        path = os.path.join(dirpath, f)
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            m = inc_re.match(line)
            if m and ("/" in m.group(1) and not m.group(1).startswith("ebpf/")):
                errors.append(f"{os.path.relpath(path, root)}:{n}: public header includes {m.group(1)}")
            if m and '"' in line:
                errors.append(f"{os.path.relpath(path, root)}:{n}: public headers use <ebpf/...> includes")
for e in errors:
    print(e)
print(f"layers: {len(errors)} violation(s)")
sys.exit(1 if errors else 0)
