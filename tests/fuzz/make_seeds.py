#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Builds the fuzz seed corpora from compiled bpf-progs objects: the objects, smaller variants of them, their
# .BTF and .BTF.ext sections, and gzip/DEFLATE streams. Standard library only (struct, zlib), so it runs anywhere
# the build runs; it reads ELF itself rather than through the library under test.
import os
import shutil
import struct
import sys
import zlib

SHT_NULL, SHT_NOBITS = 0, 8


def read_sections(elf):
    """Section headers of an ELF64 object as dicts (with "sname", the name, and "name_at", the file offset of the
    name's bytes), plus the struct byte-order prefix."""
    if elf[:4] != b"\x7fELF" or elf[4] != 2:
        raise ValueError("not an ELF64 file")
    bo = "<" if elf[5] == 1 else ">"
    shoff, = struct.unpack_from(bo + "Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from(bo + "HHH", elf, 0x3A)
    secs = []
    for i in range(shnum):
        f = struct.unpack_from(bo + "IIQQQQIIQQ", elf, shoff + i * shentsize)
        secs.append(dict(zip(("name", "type", "flags", "addr", "offset", "size", "link", "info", "align",
                              "entsize"), f)))
    strtab = secs[shstrndx]
    for s in secs:
        start = strtab["offset"] + s["name"]
        s["name_at"] = start
        s["sname"] = elf[start:elf.index(b"\0", start)].decode("latin-1")
    return bo, secs


def section_data(elf, name):
    _, secs = read_sections(elf)
    for s in secs:
        if s["sname"] == name:
            return elf[s["offset"]:s["offset"] + s["size"]]
    return None


def without_debug(elf):
    """The object with every .debug_* section (and its relocations) emptied: DWARF is most of a -g object, and
    bytes the parsers never read only dilute the fuzzer's mutations. Section indices stay unchanged."""
    bo, secs = read_sections(elf)
    out = bytearray(elf[:64])
    for s in secs:
        debug = s["sname"].startswith((".debug", ".rel.debug", ".rela.debug"))
        if debug:
            s["size"] = 0
        if s["type"] in (SHT_NULL, SHT_NOBITS) or s["size"] == 0:
            s["offset"] = 0 if debug else s["offset"]
            continue
        data = elf[s["offset"]:s["offset"] + s["size"]]
        align = max(s["align"], 1)
        out += b"\0" * (-len(out) % align)
        s["offset"] = len(out)
        out += data
    out += b"\0" * (-len(out) % 8)
    shoff = len(out)
    for s in secs:
        out += struct.pack(bo + "IIQQQQIIQQ", s["name"], s["type"], s["flags"], s["addr"], s["offset"], s["size"],
                           s["link"], s["info"], s["align"], s["entsize"])
    struct.pack_into(bo + "Q", out, 0x28, shoff)
    return bytes(out)


def rename_section(elf, old, new):
    """The object with section name `old` renamed in place (NUL-padded when shorter), which hides it from the
    parser or turns it into another kind of section."""
    assert len(new) <= len(old)
    new = new + "\0" * (len(old) - len(new))
    _, secs = read_sections(elf)
    out = bytearray(elf)
    for s in secs:
        if s["sname"] == old:
            out[s["name_at"]:s["name_at"] + len(old)] = new.encode()
    return bytes(out)


def raw_deflate(data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    return c.compress(data) + c.flush()


def gzip_member(data, flags=0, level=6):
    """One gzip member; flags may add FHCRC(2), FEXTRA(4), FNAME(8), FCOMMENT(16) fields."""
    hdr = bytearray(b"\x1f\x8b\x08" + bytes([flags]) + b"\0\0\0\0\x00\x03")
    if flags & 4:
        hdr += struct.pack("<H", 6) + b"ab\x02\x00xy"
    if flags & 8:
        hdr += b"config\0"
    if flags & 16:
        hdr += b"fuzz seed\0"
    if flags & 2:
        hdr += struct.pack("<H", zlib.crc32(bytes(hdr)) & 0xffff)
    return bytes(hdr) + raw_deflate(data, level) + struct.pack("<II", zlib.crc32(data), len(data) & 0xffffffff)


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: make_seeds.py OUTDIR STAMP OBJECT...")
    outdir, stamp, objects = sys.argv[1], sys.argv[2], sys.argv[3:]
    # The directory is entirely generated: start clean so seeds of removed objects do not linger.
    shutil.rmtree(outdir, ignore_errors=True)
    dirs = {t: os.path.join(outdir, t) for t in ("elf", "object", "btf", "btf_ext", "inflate", "btf_dump", "core",
                                                      "verifier_log")}
    for d in dirs.values():
        os.makedirs(d)

    def put(target, name, data):
        with open(os.path.join(dirs[target], name), "wb") as f:
            f.write(data)

    text = b"CONFIG_BPF=y\nCONFIG_BPF_SYSCALL=y\n# CONFIG_DEBUG_INFO_BTF is not set\nCONFIG_HZ=250\n" * 8
    for path in objects:
        name = os.path.basename(path)
        with open(path, "rb") as f:
            elf = f.read()
        small = without_debug(elf)
        variants = {name: elf, name + ".nodebug": small,
                    name + ".nobtf": rename_section(rename_section(small, ".BTF.ext", ".XTF.ext"), ".BTF", ".XTF"),
                    name + ".noext": rename_section(small, ".BTF.ext", ".BTF.xxx")}
        if section_data(elf, ".maps") is not None:
            # The legacy SEC("maps") parser (struct bpf_map_def records) gets the same bytes to chew on.
            variants[name + ".legacymaps"] = rename_section(variants[name + ".nobtf"], ".maps", "maps")
        for vname, data in variants.items():
            put("elf", vname, data)
            put("object", vname, data)
        put("core", name, elf)
        btf = section_data(elf, ".BTF")
        ext = section_data(elf, ".BTF.ext")
        if btf is not None:
            put("btf", name + ".BTF", btf)
            put("btf_dump", name + ".BTF", btf)
            if ext is not None and len(btf) <= 0xffff:
                put("btf_ext", name + ".BTF+ext", struct.pack("<H", len(btf)) + btf + ext)
            if ext is not None:
                # A broken BTF half: the target then decodes the ext half against its built-in fallback BTF.
                put("btf_ext", name + ".ext-only", b"\0\0" + ext)
        put("inflate", name + ".nodebug.gz", gzip_member(small))
        if btf is not None:
            put("inflate", name + ".BTF.deflate", raw_deflate(btf, 9))
    # Every block type and header field once: stored, fixed and dynamic Huffman, RLE, all gzip flags, two members.
    put("inflate", "text.stored.deflate", raw_deflate(text, 0))
    put("inflate", "text.fixed.deflate", raw_deflate(text, 6, zlib.Z_FIXED))
    put("inflate", "text.huffman.deflate", raw_deflate(text, 6, zlib.Z_HUFFMAN_ONLY))
    put("inflate", "text.rle.deflate", raw_deflate(text, 6, zlib.Z_RLE))
    put("inflate", "text.best.deflate", raw_deflate(text, 9))
    put("inflate", "empty.deflate", raw_deflate(b""))
    put("inflate", "text.allflags.gz", gzip_member(text, 2 | 4 | 8 | 16))
    put("inflate", "text.two-members.gz", gzip_member(text[:100]) + gzip_member(text[100:], level=1))
    put("inflate", "text.plain", text)
    put("core", "config.kcfg", b"KCFG" + text + b'CONFIG_S="a string"\nCONFIG_N=0x10\nCONFIG_M=m\n')
    # Verifier logs in the shapes of several kernels (see tests/object/verifier_log_test.cpp).
    logs = {
        "6x": "func#0 @0\n0: R1=ctx() R10=fp0\n; asm volatile(\"%0 = r6\"); @ bad.bpf.c:10\n0: (bf) r0 = r6\n"
              "R6 !read_ok\nprocessed 1 insns (limit 1000000) max_states_per_insn 0 total_states 0\n",
        "5x": "0: (b7) r2 = 0\n1: R1=ctx(id=0,off=0,imm=0) R2_w=inv0 R10=fp0\n; return skb->len;\n"
              "1: (61) r1 = *(u32 *)(r1 +0)\nR1 invalid mem access 'inv'\nprocessed 2 insns\n",
        "poison": "; return t->x; @ a.c:3\n1: (85) call unknown#195896080\ninvalid func unknown#195896080\n",
        "kfunc": "7: (85) call unknown#2002000003\ninvalid func unknown#2002000003\nprocessed 8 insns\n",
        "state": "from 4 to 6: R0_w=0 R10=fp0\n6: (95) exit\nAt program exit the register R0 has value (0x2; 0x0)\n"
                 "verification time 12 usec\nstack depth 0\nprocessed 9 insns (limit 1000000)\n",
    }
    for lname, log in logs.items():
        put("verifier_log", lname + ".log", log.encode())
    with open(stamp, "w") as f:
        f.write("%d objects\n" % len(objects))


if __name__ == "__main__":
    main()
