#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turns the ```cpp blocks of a Markdown page into a C++ file, each block the body of a function
`ebpf::Result<void> snippet_N(ebpf::Object& obj)`, so the build compiles the documentation's code.

    doc_snippets.py PAGE.md OUT.cpp
"""
import re
import sys

page, out = sys.argv[1], sys.argv[2]
text = open(page, encoding="utf-8").read()
blocks = re.findall(r"^```cpp\n(.*?)^```", text, re.S | re.M)
if not blocks:
    sys.exit(f"{page}: no ```cpp blocks")
parts = [
    "// Generated from " + page.replace("\\", "/").split("/docs/")[-1] + " by doc_snippets.py: do not edit.",
    "#include <cstdint>",
    "#include <string>",
    "#include <vector>",
    "",
    "#include <ebpf/ebpf.hpp>",
    "",
    "namespace ebpf_doc_snippets {",
]
for i, body in enumerate(blocks, 1):
    line = text[: text.index(body)].count("\n") + 1
    parts.append(f"ebpf::Result<void> snippet_{i}([[maybe_unused]] ebpf::Object& obj) {{")
    parts.append(f'#line {line} "{page}"')
    parts.append(body.rstrip("\n"))
    parts.append("    return {};")
    parts.append("}")
parts.append("}  // namespace ebpf_doc_snippets")
open(out, "w", encoding="utf-8").write("\n".join(parts) + "\n")
