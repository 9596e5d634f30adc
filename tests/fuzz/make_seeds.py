#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Builds the fuzz seed corpora from compiled bpf-progs objects: the objects, smaller variants of them, their
# .BTF and .BTF.ext sections, and gzip/DEFLATE streams. Standard library only (struct, zlib), so it runs anywhere
# the build runs; it reads ELF itself rather than through the library under test.
import os
import re
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


LOG_SITE_MAGIC = 0x53474C45
LOG_CONV = re.compile(r"%(%|[-+ #0]*[0-9]*(?:\.[0-9]*)?(hh|h|ll|l)?([diuxXcsp])((?<=p)(?:I4|I6c|I6|M|h[CDN]?))?)")


def log_sites(table):
    """(id, nargs, format) of each entry of a little-endian .rodata.ebpf_log section (bpf-progs/include/ebpf_log.h)."""
    sites, pos = [], 0
    while pos + 20 <= len(table):
        magic, = struct.unpack_from("<I", table, pos)
        if magic == 0:
            pos += 4
            continue
        if magic != LOG_SITE_MAGIC:
            break
        sid, _line, _level, nargs, flen, mlen = struct.unpack_from("<IIBBHH", table, pos + 4)
        fmt = table[pos + 20 + flen:pos + 20 + flen + mlen - 1]
        sites.append((sid, nargs, fmt.decode("latin-1")))
        pos = (pos + 20 + flen + mlen + 3) & ~3
    return sites


def log_record(sid, args):
    """A record as ebpf_log.h writes it; args are (tag, value) or (tag, bytes) for strings and blobs."""
    n = len(args)
    data_off = 16 + ((n + 7) & ~7) + 8 * n
    data, values = b"", []
    for tag, v in args:
        if isinstance(v, bytes):
            values.append((data_off + len(data)) | (len(v) << 16))
            data += v
        else:
            values.append(v & 0xFFFFFFFFFFFFFFFF)
    size = data_off + len(data)
    rec = struct.pack("<HBBIII", 0xEB10, 1, n, sid, size, 0)
    rec += bytes(tag for tag, _ in args) + b"\0" * (((n + 7) & ~7) - n)
    rec += b"".join(struct.pack("<Q", v) for v in values) + data
    return rec


def log_args(fmt):
    """Arguments that fit a format: what the BPF side would send for it."""
    args = []
    for m in LOG_CONV.finditer(fmt):
        if m.group(1) == "%":
            continue
        length, conv, ext = m.group(2), m.group(3), m.group(4)
        wide = length in ("l", "ll")
        if conv in "di":
            args.append((3, -5000000000) if wide else (1, -42))
        elif conv in "uxXc":
            args.append((4, 0xF9CCD8A1C5080000) if wide else (2, 0x61))
        elif conv == "s":
            args.append((6, b"ebpf"))
        elif not ext:
            args.append((5, 0x1234))
        elif ext == "I4":
            args.append((8, 0x0100A8C0))
        elif ext.startswith("I6"):
            args.append((9, bytes([0x20, 0x01, 0x0D, 0xB8] + [0] * 11 + [1])))
        elif ext == "M":
            args.append((10, bytes([2, 0, 0x5E, 0x10, 0xAA, 0xFF])))
        else:
            args.append((7, bytes([0xDE, 0xAD, 0xBE, 0xEF])))
    return args


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: make_seeds.py OUTDIR STAMP OBJECT...")
    outdir, stamp, objects = sys.argv[1], sys.argv[2], sys.argv[3:]
    # The directory is entirely generated: start clean so seeds of removed objects do not linger.
    shutil.rmtree(outdir, ignore_errors=True)
    dirs = {t: os.path.join(outdir, t) for t in ("elf", "object", "btf", "btf_ext", "inflate", "btf_dump", "core",
                                                      "verifier_log", "log")}
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
        table = section_data(elf, ".rodata.ebpf_log")
        if table is not None and name.endswith(".bpf.o") and len(table) <= 0xFFFF:
            # fuzz_log input: u16 table length, the call-site table, one record (each site with fitting arguments).
            for sid, nargs, fmt in log_sites(table):
                args = log_args(fmt)[:nargs]
                args += [(1, 7)] * (nargs - len(args))
                put("log", "%s.site%d" % (name, sid), struct.pack("<H", len(table)) + table + log_record(sid, args))
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
