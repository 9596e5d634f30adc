#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks that every ```cpp block of a documentation page is a snippet of a compiled source file, verbatim (after
removing the common indentation). Snippets sit between two identical "// [name]" lines in the source.

Usage: check_doc_snippets.py PAGE.md SOURCE.cpp   Exit 1 with one line per block that is not a snippet."""
import re
import sys
import textwrap


def blocks(md):
    return [m.group(1) for m in re.finditer(r"```cpp\n(.*?)```", md, re.S)]


def snippets(src):
    out = {}
    lines = src.split("\n")
    open_at = {}
    for i, line in enumerate(lines):
        m = re.fullmatch(r"\s*// \[([\w-]+)\]\s*", line)
        if not m:
            continue
        name = m.group(1)
        if name in open_at:
            out[name] = textwrap.dedent("\n".join(lines[open_at.pop(name) + 1:i])).strip("\n")
        else:
            open_at[name] = i
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    md = open(sys.argv[1], encoding="utf-8").read()
    found = snippets(open(sys.argv[2], encoding="utf-8").read())
    known = set(found.values())
    bad = 0
    for b in blocks(md):
        text = textwrap.dedent(b).strip("\n")
        if text not in known:
            first = text.split("\n")[0]
            print(f"{sys.argv[1]}: a ```cpp block is not a snippet of {sys.argv[2]}: {first}")
            bad += 1
    if not blocks(md):
        print(f"{sys.argv[1]}: no ```cpp blocks")
        bad += 1
    print(f"snippets: {len(blocks(md)) - bad} of {len(blocks(md))} blocks compiled")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
