#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Turns the ```cpp blocks of a Markdown page into a C++ file, so the build compiles the documentation's code.

    doc_snippets.py PAGE.md OUT.cpp
    doc_snippets.py --coverage ROOT      pages of ROOT (README.md, docs/*.md) with ```cpp blocks that no meson.build
                                         under docs/examples or tests names: each must be compiled (exit 1)

How a block is compiled is chosen by an HTML comment (invisible on the rendered page) on the line just before
its fence; without one, a block is a function body:

    <!-- snippet: body -->              (default) the body of a function; `#include` lines move to the file's top.
                                        The function returns int when the block returns die(...) or a number,
                                        else ebpf::Result<void>; it has a parameter `obj`, an ebpf::Object& (or
                                        ebpf::Result<ebpf::Object>& when the block writes `obj->` without declaring
                                        obj). A block may declare its own `obj`.
    <!-- snippet: toplevel -->          declarations at namespace scope (classes, functions, a main()), in a
                                        namespace of their own with `using namespace ebpf;`
    <!-- snippet: namespace ebpf -->    declarations inside namespace ebpf: a declaration that contradicts the
                                        library's (another return type, a missing type) does not compile
    <!-- snippet: skip REASON -->       not compiled; the reason is required (e.g. test-suite macros)

`requires <header>` after the mode compiles the block only where the header exists (<asio.hpp>).
Snippets may use the names a reader's own program would have: see PRELUDE below (declared, never defined: the
generated file is compiled, not linked).
"""
import os
import re
import sys

PRELUDE = """\
// What the snippets use as the reader's own code: declared only (the file is compiled, never linked).
struct Event {
    std::uint32_t pid;
    char comm[16];
};
struct Command {
    std::uint32_t op;
    std::uint64_t arg;
};
int die(const ebpf::Error& e);
template <class... T>
void handle(T&&...) {}
void on_event(std::span<const std::byte> record);
void on_other(std::span<const std::byte> record);
void on_exec(std::span<const std::byte> record);
void on_exit(std::span<const std::byte> record);
void on_sample(int cpu, std::span<const std::byte> sample);
void on_signal(int sig);
extern ebpf::Object& obj;
extern ebpf::Object& perf_obj;
extern Command cmd;
extern bool running;
extern int sock;
extern std::uint32_t pid;
"""

# Snippets leave out error handling and use names only to show them: such warnings say nothing about the API.
WARNINGS = """\
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wunused-lambda-capture"
#endif
#pragma GCC diagnostic ignored "-Wunused-result"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wunused-function"
"""

BLOCK = re.compile(r"^(?P<indent>[ \t]*)```(?:cpp|c\+\+)[ \t]*\n(?P<body>.*?)^(?P=indent)```", re.S | re.M)
MARK = re.compile(r"<!--\s*snippet:\s*(?P<spec>.*?)\s*-->\s*$")


def blocks(text):
    """(line of the first code line, mode, requires, code) for each ```cpp block."""
    out = []
    for m in BLOCK.finditer(text):
        start = m.start()
        line = text.count("\n", 0, start) + 2
        before = text[:start].rstrip("\n").rsplit("\n", 1)[-1]
        spec = "body"
        mark = MARK.search(before)
        if mark:
            spec = mark.group("spec")
        requires = None
        r = re.search(r"\brequires\s+(<[^>]+>)", spec)
        if r:
            requires = r.group(1)
            spec = (spec[: r.start()] + spec[r.end():]).strip()
        indent = m.group("indent")
        code = "\n".join(l[len(indent):] if l.startswith(indent) else l.lstrip() for l in m.group("body").split("\n"))
        out.append((line, spec, requires, code.rstrip("\n")))
    return out


def generate(page, out):
    text = open(page, encoding="utf-8").read()
    found = blocks(text)
    # A page whose last block was removed still compiles (to nothing): the build does not break over it.
    shown = page.replace("\\", "/")
    shown = shown.split("/docs/", 1)[-1] if "/docs/" in shown else os.path.basename(shown)
    includes = ["#include <cstdint>", "#include <cstdio>", "#include <cstdlib>", "#include <cstring>",
                "#include <algorithm>", "#include <csignal>", "#include <optional>", "#include <span>",
                "#include <string>", "#include <string_view>", "#include <utility>", "#include <vector>", "",
                "#include <ebpf/ebpf.hpp>"]
    guarded = []
    parts = []
    for i, (line, spec, requires, code) in enumerate(found, 1):
        if spec.startswith("skip"):
            if not spec[4:].strip():
                sys.exit(f"{page}:{line}: 'snippet: skip' needs a reason")
            continue
        lines = code.split("\n")
        incs = [l.strip() for l in lines if l.strip().startswith("#include")]
        rest = [l if not l.strip().startswith("#include") else "" for l in lines]
        for inc in incs:
            if requires:
                guarded.append((requires, inc))
            elif inc not in includes:
                includes.append(inc)
        body = "\n".join(rest)
        where = f'#line {line} "{page}"'
        if requires:
            parts.append(f"#if __has_include({requires})")
        if spec == "body":
            returns_int = re.search(r"\breturn\s+(die\s*\(|-?\d)", body) is not None
            declares_obj = re.search(r"\bauto\s+obj\s*=", body) is not None
            arrow = re.search(r"\bobj->", body) is not None and not declares_obj
            param = "ebpf::Result<ebpf::Object>& obj" if arrow else "ebpf::Object& obj"
            ret = "int" if returns_int else "ebpf::Result<void>"
            parts.append(f"[[maybe_unused]] static {ret} snippet_{i}([[maybe_unused]] {param}) {{")
            parts.append("{")
            parts.append("using namespace ebpf;")
            parts.append(where)
            parts.append(body)
            parts.append("}")
            parts.append("    return 0;" if returns_int else "    return {};")
            parts.append("}")
        elif spec == "toplevel":
            parts.append(f"namespace snippet_{i} {{")
            parts.append("using namespace ebpf;")
            parts.append(where)
            parts.append(body)
            parts.append(f"}}  // namespace snippet_{i}")
        elif spec == "namespace ebpf":
            parts.append("}  // namespace ebpf_doc_snippets")
            parts.append("namespace ebpf {")
            parts.append(where)
            parts.append(body)
            parts.append("}  // namespace ebpf")
            parts.append("namespace ebpf_doc_snippets {")
        else:
            sys.exit(f"{page}:{line - 1}: unknown snippet mode '{spec}' (body, toplevel, namespace ebpf, skip)")
        if requires:
            parts.append("#endif")
    head = [f"// Generated from {shown} by doc_snippets.py: do not edit.", *includes]
    for req, inc in guarded:
        head += [f"#if __has_include({req})", inc, "#endif"]
    head += ["", WARNINGS, "namespace ebpf_doc_snippets {", PRELUDE]
    with open(out, "w", encoding="utf-8") as f:
        f.write("\n".join(head + parts + ["}  // namespace ebpf_doc_snippets", ""]))


def coverage(root):
    named = ""
    for d in ("docs/examples", "tests"):
        for dirpath, _, files in os.walk(os.path.join(root, d)):
            if "meson.build" in files:
                named += open(os.path.join(dirpath, "meson.build"), encoding="utf-8").read()
    pages = ["README.md"] + sorted("docs/" + p for p in os.listdir(os.path.join(root, "docs")) if p.endswith(".md"))
    bad = 0
    for p in pages:
        if not blocks(open(os.path.join(root, p), encoding="utf-8").read()):
            continue
        name = os.path.basename(p)
        if not re.search(r"['/]" + re.escape(name) + "'", named):
            print(f"{p}: has ```cpp blocks but no meson.build compiles them (add it to doc_snippet_pages in "
                  "docs/examples/meson.build)")
            bad += 1
    print(f"doc pages with C++ blocks not compiled: {bad}")
    return 1 if bad else 0


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--coverage":
        return coverage(sys.argv[2])
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    generate(sys.argv[1], sys.argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main())
