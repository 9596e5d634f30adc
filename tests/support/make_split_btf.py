#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Writes two raw BTF files, independently of the library: DIR/base.btf (three types) and DIR/split.btf, split BTF
# on it as a kernel module's is on vmlinux: type ids continue after the base's, names resolve through the base's
# strings (a name the base has is not repeated), and the split types refer to base types. The split file has one
# or more types of every kind, with the encodings raw dumps print differently: kind_flag bitfields, signed and
# unsigned ENUM/ENUM64, FWD union, FUNC linkages, varargs, VAR linkages, DATASEC, DECL_TAG, TYPE_TAG (and a
# kind_flag TYPE_TAG, a type attribute). Usage: make_split_btf.py DIR
import struct
import sys

INT, PTR, ARRAY, STRUCT, UNION, ENUM, FWD, TYPEDEF, VOLATILE, CONST, RESTRICT = range(1, 12)
FUNC, FUNC_PROTO, VAR, DATASEC, FLOAT, DECL_TAG, TYPE_TAG, ENUM64 = range(12, 20)


def info(kind, vlen=0, kflag=False):
    return (1 << 31 if kflag else 0) | kind << 24 | vlen


class Strings:
    def __init__(self, base=None):
        self.data = b"\0"
        self.base = base  # the base's Strings: names it has are referenced there
        self.shift = len(base.data) if base else 0

    def off(self, s):
        if not s:
            return 0
        b = s.encode() + b"\0"
        if self.base:
            at = self.base.find(b)
            if at is not None:
                return at
        at = self.find(b)
        if at is None:
            at = len(self.data)
            self.data += b
        return self.shift + at

    def find(self, b):
        at = self.data.find(b)
        while at > 0 and self.data[at - 1] != 0:
            at = self.data.find(b, at + 1)
        return at if at > 0 else None


def blob(words, strs):
    types = struct.pack("<%dI" % len(words), *[w & 0xFFFFFFFF for w in words])
    hdr = struct.pack("<HBBIIIII", 0xEB9F, 1, 0, 24, 0, len(types), len(types), len(strs.data))
    return hdr + types + strs.data


def main():
    out = sys.argv[1]
    bs = Strings()
    base = [bs.off("int"), info(INT), 4, 1 << 24 | 32,          # [1] int
            bs.off("char"), info(INT), 1, 2 << 24 | 8,          # [2] char
            bs.off("base_s"), info(STRUCT, 1), 4,               # [3] struct base_s { int x; }
            bs.off("x"), 1, 0]
    s = Strings(bs)
    w = []
    w += [0, info(PTR), 3]                                      # [4] struct base_s *
    w += [s.off("user"), info(TYPE_TAG), 1]                     # [5] int __user
    w += [0, info(PTR), 5]                                      # [6] int __user *
    w += [s.off("address_space(1)"), info(TYPE_TAG, 0, True), 1]  # [7] int __attribute__((address_space(1)))
    w += [0, info(PTR), 7]                                      # [8] pointer to it
    w += [s.off("mod_s"), info(STRUCT, 5, True), 32,            # [9] struct mod_s (kind_flag: bitfields)
          s.off("x"), 1, 0,                                     #     'x' reuses the base's string
          s.off("flags"), 1, 3 << 24 | 32,                      #     int flags: 3 at bit 32
          s.off("b"), 4, 64,
          s.off("u"), 6, 128,
          s.off("as"), 8, 192]
    w += [s.off("mod_u"), info(UNION, 2), 4, s.off("a"), 1, 0, s.off("c"), 2, 0]  # [10] union mod_u
    w += [s.off("mod_e"), info(ENUM, 2, True), 4, s.off("E_NEG"), -1, s.off("E_TWO"), 2]  # [11] signed enum
    w += [s.off("mod_e64"), info(ENUM64, 2), 8,                 # [12] unsigned enum64
          s.off("E_BIG"), 0, 1, s.off("E_ONE"), 1, 0]
    w += [s.off("mod_se64"), info(ENUM64, 1, True), 8, s.off("E_MINUS5"), -5, -1]  # [13] signed enum64
    w += [s.off("mod_fwd"), info(FWD, 0, True), 0]              # [14] union mod_fwd;
    w += [s.off("mod_fwd2"), info(FWD), 0]                      # [15] struct mod_fwd2;
    w += [s.off("mod_t"), info(TYPEDEF), 9]                     # [16] typedef struct mod_s mod_t
    w += [0, info(VOLATILE), 1]                                 # [17]
    w += [0, info(CONST), 17]                                   # [18]
    w += [0, info(RESTRICT), 6]                                 # [19]
    w += [0, info(ARRAY), 0, 2, 1, 16]                          # [20] char[16]
    w += [0, info(FUNC_PROTO, 3), 1, s.off("p"), 4, s.off("n"), 18, 0, 0]  # [21] int (struct base_s *, ..., ...)
    w += [s.off("mod_fn"), info(FUNC, 0), 21]                   # [22] static
    w += [s.off("mod_gfn"), info(FUNC, 1), 21]                  # [23] global
    w += [s.off("mod_efn"), info(FUNC, 2), 21]                  # [24] extern
    w += [s.off("mod_v"), info(VAR), 1, 1]                      # [25] global int
    w += [s.off("mod_sv"), info(VAR), 20, 0]                    # [26] static char[16]
    w += [s.off(".data"), info(DATASEC, 2), 20, 25, 0, 4, 26, 4, 16]  # [27]
    w += [s.off("double"), info(FLOAT), 8]                      # [28]
    w += [s.off("tag1"), info(DECL_TAG), 9, 1]                  # [29] on member 1 of mod_s
    w += [s.off("bpf_kfunc"), info(DECL_TAG), 23, -1]           # [30] on mod_gfn
    w += [s.off("mod_holder"), info(STRUCT, 4), 56,             # [31] uses the others by value
          s.off("e"), 11, 0, s.off("e64"), 12, 64, s.off("t"), 16, 128, s.off("d"), 28, 384]
    open(out + "/base.btf", "wb").write(blob(base, bs))
    open(out + "/split.btf", "wb").write(blob(w, s))


main()
