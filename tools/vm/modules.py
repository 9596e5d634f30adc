#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Pick kernel modules (and what they depend on) for a test VM's initramfs.

    tools/vm/modules.py MODULES_DIR OUT_DIR NAME|@LIST_FILE ...

MODULES_DIR is a kernel's lib/modules/<release> as its Debian package ships it (modules.builtin, kernel/...; no
modules.dep: depmod writes that at install time, so the dependencies are read from each module's .modinfo
"depends=" and "softdep=pre:" entries instead). A LIST_FILE has one module name a line; '#' starts a comment.
Names may use '-' or '_'.

Writes OUT_DIR/<name>.ko for every module to load, decompressed (.ko.xz, .ko.zst, .ko.gz: not every kernel can
load compressed modules), and OUT_DIR/order: their file names in load order (dependencies first), one a line.
Reports on stderr what it did not take: names built into the kernel, and names this kernel does not have (a
generic list serves every kernel, so a missing module is not an error). Exit status 2 on usage or I/O errors.
"""
import gzip
import lzma
import os
import struct
import subprocess
import sys


def norm(name):
    return name.replace("-", "_")


def module_name(path):
    base = os.path.basename(path)
    for suffix in (".ko.xz", ".ko.zst", ".ko.gz", ".ko"):
        if base.endswith(suffix):
            return norm(base[: -len(suffix)])
    return None


def read_module(path):
    """The module's bytes, decompressed."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".zst"):
        return subprocess.run(["zstd", "-dc", path], check=True, capture_output=True).stdout
    return data


def modinfo(elf):
    """key -> [values] from the .modinfo section of an ELF module (either class, either byte order)."""
    if elf[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    is64 = elf[4] == 2
    end = "<" if elf[5] == 1 else ">"
    if is64:
        shoff, = struct.unpack_from(end + "Q", elf, 0x28)
        shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", elf, 0x3A)
    else:
        shoff, = struct.unpack_from(end + "I", elf, 0x20)
        shentsize, shnum, shstrndx = struct.unpack_from(end + "HHH", elf, 0x2E)

    def section(i):
        base = shoff + i * shentsize
        if is64:
            name, _, _, _, off, size = struct.unpack_from(end + "IIQQQQ", elf, base)
        else:
            name, _, _, _, off, size = struct.unpack_from(end + "IIIIII", elf, base)
        return name, off, size

    _, stroff, strsize = section(shstrndx)
    names = elf[stroff : stroff + strsize]
    info = {}
    for i in range(shnum):
        name_off, off, size = section(i)
        name = names[name_off : names.index(b"\0", name_off)]
        if name != b".modinfo":
            continue
        for entry in elf[off : off + size].split(b"\0"):
            if b"=" in entry:
                k, v = entry.decode("utf-8", "replace").split("=", 1)
                info.setdefault(k, []).append(v)
    return info


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    mdir, out = argv[1], argv[2]
    wanted = []
    for arg in argv[3:]:
        if arg.startswith("@"):
            with open(arg[1:], encoding="utf-8") as f:
                for line in f:
                    line = line.split("#", 1)[0].strip()
                    if line:
                        wanted.append(norm(line))
        else:
            wanted.append(norm(arg))

    files = {}
    for root, _, names in os.walk(os.path.join(mdir, "kernel")):
        for n in names:
            m = module_name(n)
            if m:
                files[m] = os.path.join(root, n)
    builtin = set()
    try:
        with open(os.path.join(mdir, "modules.builtin"), encoding="utf-8") as f:
            builtin = {module_name(line.strip()) for line in f if line.strip()}
    except OSError:
        pass

    os.makedirs(out, exist_ok=True)
    order, done, visiting = [], set(), set()
    missing, inbuilt = [], []

    def take(name, why):
        if name in done or name in visiting:
            return
        if name not in files:
            (inbuilt if name in builtin else missing).append(name if why is None else f"{name} (for {why})")
            done.add(name)
            return
        visiting.add(name)
        data = read_module(files[name])
        info = modinfo(data)
        deps = [norm(d) for v in info.get("depends", []) for d in v.split(",") if d]
        for v in info.get("softdep", []):
            # "pre: a b post: c": the pre modules load first (where this kernel has them).
            words, pre = v.split(), False
            for w in words:
                if w.endswith(":"):
                    pre = w == "pre:"
                elif pre and norm(w) in files:
                    deps.append(norm(w))
        for d in deps:
            take(d, name)
        with open(os.path.join(out, name + ".ko"), "wb") as f:
            f.write(data)
        visiting.discard(name)
        done.add(name)
        order.append(name + ".ko")

    for name in wanted:
        take(name, None)
    with open(os.path.join(out, "order"), "w", encoding="utf-8") as f:
        f.write("".join(n + "\n" for n in order))
    if inbuilt:
        print("modules: built in: " + " ".join(inbuilt), file=sys.stderr)
    if missing:
        print("modules: not in this kernel: " + " ".join(missing), file=sys.stderr)
    print("modules: to load: " + " ".join(n[:-3] for n in order), file=sys.stderr)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except (OSError, ValueError, struct.error, lzma.LZMAError, subprocess.CalledProcessError) as e:
        print(f"modules.py: error: {e}", file=sys.stderr)
        sys.exit(2)
