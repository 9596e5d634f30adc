#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Reads a raw BTF file (e.g. /sys/kernel/btf/vmlinux) independently of the library and prints a C file of
# _Static_assert lines: sizeof of every uniquely named struct/union and offsetof of its named, non-bitfield direct
# members, as the BTF says. Compiled after `#include` of `ebpf-tool btf dump` output, it checks the dumped layouts.
# Usage: dump_c_asserts.py BTF_FILE [MAX_STRUCTS]   (last line on stderr: "<structs> structs, <members> members")
import struct
import sys

# Size of the data after the 12-byte header, per kind (vlen-dependent ones are per element).
FIXED = {1: 4, 2: 0, 3: 12, 7: 0, 8: 0, 9: 0, 10: 0, 11: 0, 12: 0, 14: 4, 16: 0, 17: 4, 18: 0}
PER_VLEN = {4: 12, 5: 12, 6: 8, 13: 8, 15: 12, 19: 12}


def main():
    data = open(sys.argv[1], "rb").read()
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else 1 << 30
    bo = "<" if struct.unpack_from("<H", data, 0)[0] == 0xEB9F else ">"
    hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(bo + "5I", data, 4)
    types_at = hdr_len + type_off
    strs = data[hdr_len + str_off:hdr_len + str_off + str_len]

    def name(off):
        return strs[off:strs.index(b"\0", off)].decode()

    tags = {}  # tag name -> number of struct/union/enum/fwd types with it
    records = []
    off = 0
    while off < type_len:
        name_off, info, size = struct.unpack_from(bo + "3I", data, types_at + off)
        kind, vlen, kflag = (info >> 24) & 0x1F, info & 0xFFFF, info >> 31
        extra = FIXED[kind] if kind in FIXED else PER_VLEN[kind] * vlen
        if kind in (4, 5, 6, 7, 19) and name_off:
            tags[name(name_off)] = tags.get(name(name_off), 0) + 1
        if kind in (4, 5) and name_off:
            members = []
            for i in range(vlen):
                m_name, _, m_off = struct.unpack_from(bo + "3I", data, types_at + off + 12 + 12 * i)
                bitfield = kflag and (m_off >> 24)
                bit_off = m_off & 0xFFFFFF if kflag else m_off
                if m_name and not bitfield and bit_off % 8 == 0:
                    members.append((name(m_name), bit_off // 8))
            records.append(("union" if kind == 5 else "struct", name(name_off), size, members))
        off += 12 + extra

    n_structs = n_members = 0
    for kw, tag, size, members in records:
        if tags[tag] != 1 or n_structs >= limit:
            continue
        n_structs += 1
        print(f'_Static_assert(sizeof({kw} {tag}) == {size}, "sizeof {tag}");')
        seen = set()
        for m, o in members:
            if m in seen:
                continue
            seen.add(m)
            n_members += 1
            print(f'_Static_assert(__builtin_offsetof({kw} {tag}, {m}) == {o}, "{tag}.{m}");')
    print(f"{n_structs} structs, {n_members} members", file=sys.stderr)


if __name__ == "__main__":
    main()
