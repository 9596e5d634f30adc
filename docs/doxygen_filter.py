#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Doxygen INPUT_FILTER for include/ebpf: the headers are documented with plain `//` comments, which Doxygen
ignores. This turns them into Doxygen comments without changing line numbers:
  - the file's leading comment block (after the SPDX line) becomes the file's description (@file);
  - a `//` comment on its own lines documents the declaration below it (`///`);
  - a `//` comment after code on the same line documents that member (`///<`).
Text is passed through verbatim (\\verbatim is not used): Markdown backticks keep code spans as they are."""
import re
import sys

TRAILING = re.compile(r'^(?P<code>[^"/]*?[;,{)]\s*|[^"/]*?\S\s+)//(?!/)\s?(?P<text>.*)$')


def escape_prose(text):
    # Doxygen commands start with @ or \; <...> may read as HTML; a word after # or :: as a link. Neutralise them.
    for ch in "\\@<>#%&$":
        text = text.replace(ch, "\\" + ch)
    return text.replace("::", "\\::")


def escape(text):
    # Markdown code spans (`...`) are shown as written; only the prose between them is escaped.
    parts = text.split("`")
    if len(parts) % 2 == 0:  # an unpaired backtick: all prose
        return escape_prose(text)
    return "`".join(p if i % 2 else escape_prose(p) for i, p in enumerate(parts))


def main():
    lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
    out = []
    i = 0
    # SPDX line, then the file's description.
    if lines and lines[0].startswith("// SPDX"):
        out.append("")
        i = 1
    head = []
    while i < len(lines) and lines[i].startswith("//"):
        head.append(lines[i])
        i += 1
    if head:
        # The block's lines become `///` lines after an @file of their own (on the SPDX line's place when there is
        # one, so that line numbers do not move).
        if out:
            out[-1] = "/// @file"
            out += ["///" + escape(l[2:]) for l in head]
        else:
            out.append("/// @file" + escape(head[0][2:]))
            out += ["///" + escape(l[2:]) for l in head[1:]]
    for line in lines[i:]:
        stripped = line.lstrip()
        if stripped.startswith("//") and not stripped.startswith("///"):
            indent = line[: len(line) - len(stripped)]
            text = stripped[2:]
            if "NOLINT" in text:
                out.append(line)
            else:
                out.append(indent + "///" + escape(text))
            continue
        m = TRAILING.match(line)
        if m and "NOLINT" not in m.group("text") and m.group("code").strip():
            out.append(m.group("code") + "///< " + escape(m.group("text")))
            continue
        out.append(line)
    sys.stdout.write("\n".join(out))


if __name__ == "__main__":
    main()
