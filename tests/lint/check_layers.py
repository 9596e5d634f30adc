#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the layer DAG of ARCHITECTURE.md section 2 on #include lines. Exit 1 with one line per violation.

A dependency is an #include of another layer's code, either directly ("maps/map.hpp", from lib/) or through the
public header that layer implements (<ebpf/map.hpp>: PUBLIC_HEADERS says which layer implements which header).
Checked:
  - lib/<layer>/ includes of "<other layer>/..." and of <ebpf/...> against ALLOWED;
  - public headers (include/ebpf) including other public headers, against the same DAG (a maps header must not
    include program.hpp), and including nothing but std and <ebpf/...> headers;
  - every public header is classified in PUBLIC_HEADERS (a new header must be given a layer here);
  - pure layers include no system headers (linux/, sys/, unistd).
Usage: check_layers.py [SOURCE_ROOT]"""
import os
import re
import sys

# layer -> layers it may include (besides itself). Not transitive: list every layer a layer uses directly.
ALLOWED = {
    "base": set(),
    "elf": {"base"},
    "btf": {"base"},
    "object": {"base", "elf", "btf"},
    "linker": {"base", "elf", "btf"},  # static linking of BPF objects (bytes in, bytes out)
    "sys": {"base"},
    "maps": {"base", "sys", "object", "elf"},  # Map::create(MapSpec); elf: symbolising user stacks (ELF symtabs)
    "programs": {"base", "sys", "object", "btf", "links"},  # views attach through links; insn encoding from object
    "links": {"base", "sys", "features"},  # mechanisms by fd; fallbacks decided by probes
    "features": {"base", "sys", "elf", "btf", "object"},  # elf: reading .BTF from a user-given ELF file
    "ringbuf": {"base", "sys", "maps"},
    "perf": {"base", "sys", "maps"},
    "async": {"base", "sys", "maps", "ringbuf", "perf"},
    "log": {"base", "sys", "maps", "ringbuf"},
    "loader": {"base", "sys", "elf", "btf", "object", "maps", "programs", "links", "features"},
}
PURE = {"base", "elf", "btf", "object", "linker"}
# lib/ directories that are build helpers, not layers.
NOT_LAYERS = {"pch", "runtime"}

# Public header (path under include/ebpf; a trailing '/' covers a directory) -> the layer that implements it.
UMBRELLA = "umbrella"  # ebpf.hpp: includes every public header; for users only, never included from lib/
PUBLIC_HEADERS = {
    "ebpf.hpp": UMBRELLA,
    "error.hpp": "base",
    "fd.hpp": "base",
    "types.hpp": "base",
    "bytes.hpp": "base",
    "btf.hpp": "btf",
    "spec.hpp": "object",
    "disasm.hpp": "object",
    "program.hpp": "programs",
    "programs/": "programs",
    "map.hpp": "maps",
    "maps/": "maps",
    "link.hpp": "links",
    "features.hpp": "features",
    "kernel_btf.hpp": "features",
    "object.hpp": "loader",
    "struct_ops.hpp": "loader",  # StructOps: a struct_ops variable of a loaded Object (its map and programs)
    "ringbuf.hpp": "ringbuf",
    "perfbuf.hpp": "perf",
    "async.hpp": "async",
    "asio.hpp": "async",  # header-only Asio adapter (built and tested only when Asio is found)
    "log.hpp": "log",
    "linker.hpp": "linker",
}

# Third-party headers a public header may include (optional adapters, built only when the library is found):
# public header -> include prefixes.
THIRD_PARTY = {
    "asio.hpp": ("asio/", "asio.hpp"),
}

# Violations tolerated for now, reported as "known" without failing the check; remove each entry when it is fixed
# (a stale entry is reported). Nothing may be added here without a note saying why and until when.
# Key: (file relative to the source root, included header). Empty since the API work settled the DAG above.
KNOWN_VIOLATIONS = set()

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def public_layer(header):
    """Layer of a public header given as it is included ("ebpf/maps/array.hpp"), or None if unclassified."""
    rel = header[len("ebpf/"):]
    if rel in PUBLIC_HEADERS:
        return PUBLIC_HEADERS[rel]
    best = None
    for key, layer in PUBLIC_HEADERS.items():
        if key.endswith("/") and rel.startswith(key) and (best is None or len(key) > len(best[0])):
            best = (key, layer)
    return best[1] if best else None


def includes(path):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = INCLUDE.match(line)
            if m:
                yield n, m.group(1), m.group(2)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    errors, known, seen_known = [], [], set()

    def dependency(path, n, layer, header, via):
        """Records an include of `header` (a layer `via`) from `path` in `layer` if the DAG does not allow it."""
        if via == layer or via in ALLOWED[layer]:
            return
        rel = os.path.relpath(path, root)
        msg = f"{rel}:{n}: {layer} must not include {header} ({via} layer)"
        if (rel, header) in KNOWN_VIOLATIONS:
            seen_known.add((rel, header))
            known.append(msg)
        else:
            errors.append(msg)

    lib = os.path.join(root, "lib")
    for layer in sorted(os.listdir(lib)):
        d = os.path.join(lib, layer)
        if not os.path.isdir(d) or layer in NOT_LAYERS:
            continue
        if layer not in ALLOWED:
            errors.append(f"lib/{layer}: unknown layer (add it to tests/lint/check_layers.py)")
            continue
        for dirpath, _, files in sorted(os.walk(d)):
            for f in sorted(files):
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                for n, kind, header in includes(path):
                    if header.startswith("ebpf/"):
                        via = public_layer(header)
                        if via is None:
                            errors.append(f"{rel}:{n}: {header} is not a classified public header")
                        elif via == UMBRELLA:
                            errors.append(f"{rel}:{n}: library code must not include the umbrella {header}")
                        else:
                            dependency(path, n, layer, header, via)
                    elif kind == '"' and header.split("/")[0] in ALLOWED:
                        # Library headers are included as "layer/file.hpp"; <sys/...> is the C library's.
                        dependency(path, n, layer, header, header.split("/")[0])
                    if layer in PURE and header.startswith(("linux/", "sys/", "unistd")):
                        errors.append(f"{rel}:{n}: pure layer includes system header {header}")

    inc = os.path.join(root, "include", "ebpf")
    for dirpath, _, files in sorted(os.walk(inc)):
        for f in sorted(files):
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            own = public_layer(os.path.relpath(path, os.path.dirname(inc)))
            if own is None:
                errors.append(f"{rel}: public header has no layer: classify it in PUBLIC_HEADERS "
                              f"(tests/lint/check_layers.py)")
                continue
            for n, kind, header in includes(path):
                if kind == '"':
                    errors.append(f"{rel}:{n}: public headers use <ebpf/...> includes")
                    continue
                if header.startswith("ebpf/"):
                    via = public_layer(header)
                    if via is None:
                        errors.append(f"{rel}:{n}: {header} is not a classified public header")
                    elif via == UMBRELLA:
                        errors.append(f"{rel}:{n}: public headers must not include the umbrella {header}")
                    elif own != UMBRELLA:
                        dependency(path, n, own, header, via)
                elif header.startswith(THIRD_PARTY.get(os.path.relpath(path, inc), ())):
                    continue
                elif "/" in header:
                    errors.append(f"{rel}:{n}: public header includes {header}")

    for k in sorted(KNOWN_VIOLATIONS - seen_known):
        print(f"note: known violation no longer found, remove it from KNOWN_VIOLATIONS: {k[0]} -> {k[1]}")
    for k in known:
        print(f"known: {k}")
    for e in errors:
        print(e)
    print(f"layers: {len(errors)} violation(s), {len(known)} known (allow-listed)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
