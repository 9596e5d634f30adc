// SPDX-License-Identifier: MIT
// btf::dump_c: exact C for each construct (ordering, bitfields, padding, packed, declarators, enums, renames) and
// errors rather than crashes or endless loops on BTF that C cannot express.
#include <catch2/catch.hpp>

#include <string>
#include <string_view>

#include <ebpf/btf.hpp>

#include "support/btf_builder.hpp"

using ebpf::Errc;
using ebpf::btf::Spec;
using ebpf::btf::TypeId;
using ebpf::test::BtfBuilder;
namespace btf = ebpf::btf;

namespace {

// The types alone: no guard, no pragma.
btf::DumpCOptions bare() {
    btf::DumpCOptions o;
    o.header_guard.clear();
    o.preserve_access_index = false;
    return o;
}

std::string dump(const BtfBuilder& b, const btf::DumpCOptions& o = bare()) {
    auto spec = Spec::parse(b.build());
    REQUIRE(spec);
    auto out = btf::dump_c(*spec, o);
    if (!out) FAIL("dump_c failed: " << out.error().message());
    return *out;
}

std::string dump_error(const BtfBuilder& b, Errc code = Errc::MalformedBtf) {
    auto spec = Spec::parse(b.build());
    REQUIRE(spec);
    auto out = btf::dump_c(*spec, bare());
    REQUIRE_FALSE(out);
    CHECK(out.error().code() == code);
    return std::string(out.error().message());
}

}  // namespace

TEST_CASE("dump_c: header guard and CO-RE pragma", "[btf]") {
    BtfBuilder b;
    b.add_typedef("u32", b.add_int("unsigned int", 4));
    CHECK(dump(b, {}) ==
          "#ifndef __EBPF_CXX_BTF_H__\n#define __EBPF_CXX_BTF_H__\n\n"
          "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
          "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
          "#endif\n\n"
          "typedef unsigned int u32;\n\n"
          "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n"
          "#endif /* __EBPF_CXX_BTF_H__ */\n");
    btf::DumpCOptions o = bare();
    o.header_guard = "not a name";
    auto spec = Spec::parse(b.build());
    REQUIRE(spec);
    auto r = btf::dump_c(*spec, o);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::InvalidArgument);
}

TEST_CASE("dump_c: bitfields", "[btf]") {
    BtfBuilder b;
    const TypeId u32 = b.add_int("unsigned int", 4);
    const TypeId u8 = b.add_int("unsigned char", 1);
    b.add_struct("flags", 4, {{"a", u32, 0, 3}, {"b", u32, 3, 5}, {"c", u8, 8, 0}, {"d", u32, 16, 1}});
    // A bitfield the compiler would pack into the previous unit, but the BTF puts in the next one.
    b.add_struct("later", 8, {{"c", u8, 0, 0}, {"d", u32, 32, 1}});
    CHECK(dump(b) ==
          "struct flags {\n"
          "\tunsigned int a: 3;\n"
          "\tunsigned int b: 5;\n"
          "\tunsigned char c;\n"
          "\tunsigned int d: 1;\n"
          "};\n\n"
          "struct later {\n"
          "\tunsigned char c;\n"
          "\tint: 24;\n"
          "\tunsigned int d: 1;\n"
          "};\n\n");
}

TEST_CASE("dump_c: bitfield gaps are padded with unnamed bitfields", "[btf]") {
    BtfBuilder b;
    const TypeId u32 = b.add_int("unsigned int", 4);
    b.add_struct("gappy", 4, {{"a", u32, 0, 2}, {"b", u32, 10, 4}});
    CHECK(dump(b) ==
          "struct gappy {\n"
          "\tunsigned int a: 2;\n"
          "\tshort: 8;\n"
          "\tunsigned int b: 4;\n"
          "};\n\n");
}

TEST_CASE("dump_c: nested anonymous union and struct are inlined", "[btf]") {
    BtfBuilder b;
    const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
    const TypeId i64 = b.add_int("long", 8, btf::kIntSigned);
    const TypeId inner = b.add_struct("", 8, {{"lo", i32, 0}, {"hi", i32, 32}});
    const TypeId u = b.add_struct("", 8, {{"", inner, 0}, {"whole", i64, 0}}, true);
    b.add_struct("outer", 16, {{"kind", i32, 0}, {"", u, 64}});
    CHECK(dump(b) ==
          "struct outer {\n"
          "\tint kind;\n"
          "\tunion {\n"
          "\t\tstruct {\n"
          "\t\t\tint lo;\n"
          "\t\t\tint hi;\n"
          "\t\t};\n"
          "\t\tlong whole;\n"
          "\t};\n"
          "};\n\n");
}

TEST_CASE("dump_c: pointer cycle gets the by-value dependency first", "[btf]") {
    // struct a { struct b *b; }; struct b { struct a a; };  (ids: a before b)
    BtfBuilder b;
    const TypeId a = b.add_struct("a", 8, {{"b", 2, 0}});  // 2: the pointer below
    const TypeId pb = b.add_ptr(3);
    REQUIRE(pb == 2);
    const TypeId sb = b.add_struct("b", 8, {{"a", a, 0}});
    REQUIRE(sb == 3);
    CHECK(dump(b) ==
          "struct a {\n"
          "\tstruct b *b;\n"
          "};\n\n"
          "struct b {\n"
          "\tstruct a a;\n"
          "};\n\n");

    // The other id order: b's definition must still come after a's.
    BtfBuilder c;
    const TypeId b2 = c.add_struct("b", 8, {{"a", 2, 0}});
    c.add_struct("a", 8, {{"b", 3, 0}});
    c.add_ptr(b2);
    CHECK(dump(c) ==
          "struct a {\n"
          "\tstruct b *b;\n"
          "};\n\n"
          "struct b {\n"
          "\tstruct a a;\n"
          "};\n\n");
}

TEST_CASE("dump_c: function pointers declare the structs of their parameters first", "[btf]") {
    BtfBuilder b;
    const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
    const TypeId i64 = b.add_int("long", 8, btf::kIntSigned);
    const TypeId foo = b.add_fwd("foo");
    const TypeId proto = b.add_func_proto(i32, {{"f", b.add_ptr(foo)}, {"n", i64}});
    const TypeId vproto = b.add_func_proto(0, {});
    const TypeId rproto = b.add_func_proto(b.add_ptr(i32), {{"fmt", b.add_ptr(b.add_const(i32))}, {"", 0}});
    b.add_struct("ops", 24, {{"fn", b.add_ptr(proto), 0}, {"done", b.add_ptr(vproto), 64},
                             {"get", b.add_ptr(rproto), 128}});
    b.add_func("not_emitted", proto);
    CHECK(dump(b) ==
          "struct foo;\n\n"
          "struct ops {\n"
          "\tint (*fn)(struct foo *, long);\n"
          "\tvoid (*done)(void);\n"
          "\tint *(*get)(const int *, ...);\n"
          "};\n\n");
}

TEST_CASE("dump_c: enums, signed and 64-bit, and narrow enums", "[btf]") {
    BtfBuilder b;
    b.add_enum("small", 4, {{"S_A", 0}, {"S_B", 0x7fffffff}});
    b.add_enum("neg", 4, {{"N_A", -1}, {"N_B", 5}}, true);
    b.add_enum("big", 4, {{"B_A", 0xffffffffLL}});
    b.add_enum64("wide", 8, {{"W_A", 1}, {"W_B", std::int64_t{1} << 40}, {"W_C", -1}});
    b.add_enum64("swide", 8, {{"SW_A", -(std::int64_t{1} << 40)}, {"SW_B", 1}}, true);
    b.add_enum("byte", 1, {{"BY_A", 1}});
    b.add_enum64("padded64", 8, {{"P_A", 1}});
    CHECK(dump(b) ==
          "enum small {\n\tS_A = 0,\n\tS_B = 2147483647,\n};\n\n"
          "enum neg {\n\tN_A = -1,\n\tN_B = 5,\n};\n\n"
          "enum big {\n\tB_A = 4294967295U,\n};\n\n"
          "enum wide {\n\tW_A = 1,\n\tW_B = 1099511627776ULL,\n\tW_C = 18446744073709551615ULL,\n};\n\n"
          "enum swide {\n\tSW_A = -1099511627776LL,\n\tSW_B = 1,\n};\n\n"
          "enum byte {\n\tBY_A = 1,\n} __attribute__((mode(QI)));\n\n"
          "enum padded64 {\n\tP_A = 1,\n} __attribute__((mode(DI)));\n\n");
}

TEST_CASE("dump_c: typedef chains, qualifiers, float, anonymous enums", "[btf]") {
    BtfBuilder b;
    const TypeId uint = b.add_int("unsigned int", 4);
    const TypeId u32 = b.add_typedef("u32", b.add_typedef("__u32", uint));
    const TypeId cv = b.add_const(b.add_volatile(u32));
    const TypeId cptr = b.add_const(b.add_ptr(b.add_int("char", 1, btf::kIntChar)));
    const TypeId anon = b.add_enum("", 4, {{"X_ONE", 1}});
    b.add_enum("", 4, {{"LONELY", 7}});
    const TypeId dbl = b.add_float("double", 8);
    b.add_typedef("x_t", anon);
    b.add_struct("q", 24, {{"v", cv, 0}, {"name", cptr, 64}, {"d", dbl, 128}});
    CHECK(dump(b) ==
          "typedef unsigned int __u32;\n\n"
          "typedef __u32 u32;\n\n"
          "enum {\n\tLONELY = 7,\n};\n\n"
          "typedef enum {\n\tX_ONE = 1,\n} x_t;\n\n"
          "struct q {\n"
          "\tconst volatile u32 v;\n"
          "\tchar *const name;\n"
          "\tdouble d;\n"
          "};\n\n");
}

TEST_CASE("dump_c: packed struct when a member is not naturally aligned", "[btf]") {
    BtfBuilder b;
    const TypeId u16 = b.add_int("unsigned short", 2);
    const TypeId u64 = b.add_int("unsigned long", 8);
    b.add_struct("desc", 10, {{"size", u16, 0}, {"addr", u64, 16}});
    // A gap the compiler would not leave: padding, not packed.
    b.add_struct("spaced", 24, {{"size", u16, 0}, {"addr", u64, 128}});
    CHECK(dump(b) ==
          "struct desc {\n"
          "\tunsigned short size;\n"
          "\tunsigned long addr;\n"
          "} __attribute__((packed));\n\n"
          "struct spaced {\n"
          "\tunsigned short size;\n"
          "\tlong: 48;\n"
          "\tlong: 64;\n"
          "\tunsigned long addr;\n"
          "};\n\n");
}

TEST_CASE("dump_c: trailing padding of structs and unions", "[btf]") {
    BtfBuilder b;
    const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
    b.add_struct("aligned64", 64, {{"x", i32, 0}});
    b.add_struct("u", 16, {{"x", i32, 0}}, true);
    CHECK(dump(b) ==
          "struct aligned64 {\n"
          "\tint x;\n"
          "\tint: 32;\n"
          "\tlong: 64;\n\tlong: 64;\n\tlong: 64;\n\tlong: 64;\n\tlong: 64;\n\tlong: 64;\n\tlong: 64;\n"
          "};\n\n"
          "union u {\n"
          "\tint x;\n"
          "\tstruct {\n\t\tlong: 64;\n\t\tlong: 64;\n\t};\n"
          "};\n\n");
}

TEST_CASE("dump_c: arrays of arrays and pointers to arrays", "[btf]") {
    BtfBuilder b;
    const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
    const TypeId row = b.add_array(i32, i32, 3);
    const TypeId grid = b.add_array(row, i32, 2);
    b.add_typedef("grid_t", grid);
    b.add_struct("m", 32, {{"cells", grid, 0}, {"rowp", b.add_ptr(row), 192}});
    CHECK(dump(b) ==
          "typedef int grid_t[2][3];\n\n"
          "struct m {\n"
          "\tint cells[2][3];\n"
          "\tint (*rowp)[3];\n"
          "};\n\n");
}

TEST_CASE("dump_c: clashing names get ___N suffixes", "[btf]") {
    BtfBuilder b;
    const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
    const TypeId first = b.add_struct("dup", 4, {{"a", i32, 0}});
    const TypeId second = b.add_struct("dup", 8, {{"a", i32, 0}, {"b", i32, 32}});
    b.add_enum("dup", 4, {{"V", 1}});
    b.add_enum("other", 4, {{"V", 2}});
    b.add_struct("user", 12, {{"x", second, 0}, {"y", first, 64}});
    CHECK(dump(b) ==
          "struct dup {\n\tint a;\n};\n\n"
          "struct dup___2 {\n\tint a;\n\tint b;\n};\n\n"
          "enum dup___3 {\n\tV = 1,\n};\n\n"
          "enum other {\n\tV___2 = 2,\n};\n\n"
          "struct user {\n\tstruct dup___2 x;\n\tstruct dup y;\n};\n\n");
}

TEST_CASE("dump_c: only the types reachable from the roots", "[btf]") {
    BtfBuilder b;
    const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
    b.add_struct("unrelated", 4, {{"a", i32, 0}});
    const TypeId node = b.add_struct("node", 16, {{"next", 4, 0}, {"v", 5, 64}});
    b.add_ptr(node);
    b.add_typedef("val_t", i32);
    btf::DumpCOptions o = bare();
    o.roots = {node};
    CHECK(dump(b, o) ==
          "typedef int val_t;\n\n"
          "struct node {\n\tstruct node *next;\n\tval_t v;\n};\n\n");
    o.roots = {99};
    auto spec = Spec::parse(b.build());
    REQUIRE(spec);
    CHECK_FALSE(btf::dump_c(*spec, o));
}

TEST_CASE("dump_c: VAR, DATASEC, FUNC and DECL_TAG are skipped", "[btf]") {
    BtfBuilder b;
    const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
    const TypeId var = b.add_var("counter", i32);
    b.add_datasec(".data", 4, {{var, 0, 4}});
    b.add_func("f", b.add_func_proto(i32, {}));
    b.add_decl_tag("tag", var, -1);
    b.add_struct("s", 8, {{"p", b.add_ptr(i32), 0}});
    CHECK(dump(b) == "struct s {\n\tint *p;\n};\n\n");
}

TEST_CASE("dump_c: TYPE_TAG as __btf_type_tag, defined once at the top", "[btf]") {
    BtfBuilder b;
    const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
    // clang encodes `int __a __b *p` as PTR -> TYPE_TAG b -> TYPE_TAG a -> INT.
    const TypeId ab = b.add_ptr(b.add_type_tag("b", b.add_type_tag("a", i32)));
    // `int * __z *q`: the tag is on the inner pointer.
    const TypeId z = b.add_ptr(b.add_type_tag("z", b.add_ptr(i32)));
    // Qualifiers and a tag: `const int __rcu *r`.
    const TypeId r = b.add_ptr(b.add_type_tag("rcu", b.add_const(i32)));
    // A tag whose name needs escaping in a string literal.
    const TypeId q = b.add_ptr(b.add_type_tag("a\"b", i32));
    b.add_struct("s", 32, {{"p", ab, 0}, {"q", z, 64}, {"r", r, 128}, {"e", q, 192}});
    const std::string out = dump(b);
    CHECK(out.find("struct s {\n"
                   "\tint __btf_type_tag(\"a\") __btf_type_tag(\"b\") *p;\n"
                   "\tint *__btf_type_tag(\"z\") *q;\n"
                   "\tconst int __btf_type_tag(\"rcu\") *r;\n"
                   "\tint __btf_type_tag(\"a\\\"b\") *e;\n"
                   "};\n") != std::string::npos);
    // The macros come first, guarded: C compilers that know btf_type_tag get it, C++ and GCC get nothing.
    CHECK(out.starts_with("#ifndef __btf_type_tag\n#if !defined(__cplusplus) && defined(__has_attribute)\n"));
    CHECK(out.find("#define __btf_type_tag(x) __attribute__((btf_type_tag(x)))\n") != std::string::npos);
    CHECK(out.find("#define __btf_type_tag(x)\n") != std::string::npos);
}

TEST_CASE("dump_c: a kind_flag TYPE_TAG is a type attribute; unsafe text is dropped", "[btf]") {
    BtfBuilder b;
    const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
    const auto tag_attr = [&](std::string_view name) {
        // TYPE_TAG with kind_flag set: name_off, info, type.
        return b.add_raw({b.str(name), 1u << 31 | static_cast<std::uint32_t>(btf::Kind::TypeTag) << 24, i32});
    };
    const TypeId as = b.add_ptr(tag_attr("address_space(1)"));
    const TypeId bad = b.add_ptr(tag_attr("x))); int y(("));
    b.add_struct("s", 16, {{"p", as, 0}, {"q", bad, 64}});
    const std::string out = dump(b);
    CHECK(out.find("\tint __btf_type_attr(address_space(1)) *p;\n\tint *q;\n") != std::string::npos);
    CHECK(out.find("#define __btf_type_attr(x) __attribute__((x))\n") != std::string::npos);
}

TEST_CASE("dump_c: no tag macros without TYPE_TAG in the output", "[btf]") {
    BtfBuilder b;
    const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
    b.add_ptr(b.add_type_tag("user", i32));  // not used by any emitted declaration
    b.add_struct("s", 4, {{"a", i32, 0}});
    CHECK(dump(b) == "struct s {\n\tint a;\n};\n\n");
}

TEST_CASE("dump_c: split BTF declares the base's types it uses and its own", "[btf]") {
    BtfBuilder base;
    const TypeId i32 = base.add_int("int", 4, btf::kIntSigned);
    const TypeId base_s = base.add_struct("base_s", 4, {{"x", i32, 0}});
    base.add_struct("unused", 4, {{"x", i32, 0}});
    BtfBuilder mod = BtfBuilder::split_on(base);
    const TypeId ptr = mod.add_ptr(base_s);
    CHECK(ptr == 4);  // ids continue after the base's
    const TypeId mod_s = mod.add_struct("mod_s", 16, {{"x", i32, 0}, {"b", ptr, 64}});
    CHECK(mod.str("x") == base.str("x"));  // the name is the base's string
    auto base_spec = Spec::parse(base.build());
    REQUIRE(base_spec);
    auto spec = Spec::parse(mod.build(), &*base_spec);
    REQUIRE(spec);
    CHECK(spec->first_id() == 4);
    CHECK(spec->type_or_void(mod_s).name() == "mod_s");
    CHECK(spec->type_or_void(mod_s).member(0).name == "x");
    auto out = btf::dump_c(*spec, bare());
    REQUIRE(out);
    CHECK(*out == "struct base_s {\n\tint x;\n};\n\n"
                  "struct unused {\n\tint x;\n};\n\n"
                  "struct mod_s {\n\tint x;\n\tstruct base_s *b;\n};\n\n");
    // From a root in the split part: the base types it reaches, not the others.
    btf::DumpCOptions only = bare();
    only.roots = {mod_s};
    CHECK(btf::dump_c(*spec, only).value_or("") ==
          "struct base_s {\n\tint x;\n};\n\n"
          "struct mod_s {\n\tint x;\n\tstruct base_s *b;\n};\n\n");
}

TEST_CASE("dump_c: a forward declaration shares the name of the full definition", "[btf]") {
    BtfBuilder b;
    const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
    const TypeId fwd = b.add_fwd("thing");
    b.add_struct("thing", 4, {{"a", i32, 0}});
    b.add_struct("holder", 8, {{"p", b.add_ptr(fwd), 0}});
    b.add_fwd("opaque", true);
    CHECK(dump(b) ==
          "struct thing {\n\tint a;\n};\n\n"
          "struct holder {\n\tstruct thing *p;\n};\n\n"
          "union opaque;\n\n");
}

TEST_CASE("dump_c: BTF that C cannot express is an error, not a crash", "[btf]") {
    SECTION("typedef loop") {
        BtfBuilder b;
        b.add_typedef("a", 2);
        b.add_typedef("b", 1);
        dump_error(b);
    }
    SECTION("const loop") {
        BtfBuilder b;
        b.add_const(2);
        b.add_volatile(1);
        b.add_struct("s", 4, {{"x", 1, 0}});
        dump_error(b);
    }
    SECTION("pointer loop") {
        BtfBuilder b;
        b.add_ptr(2);
        b.add_const(1);
        b.add_typedef("t", 1);
        CHECK(dump_error(b).find("too deep") != std::string::npos);
    }
    SECTION("struct containing itself by value") {
        BtfBuilder b;
        const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
        b.add_struct("self", 8, {{"x", i32, 0}, {"me", 2, 32}});
        CHECK(dump_error(b).find("contains itself") != std::string::npos);
    }
    SECTION("anonymous struct containing itself through an array") {
        BtfBuilder b;
        b.add_struct("", 8, {{"me", 2, 0}});
        b.add_array(1, 1, 2);
        b.add_typedef("t", 1);
        dump_error(b);
    }
    SECTION("prototype taking itself") {
        BtfBuilder b;
        b.add_func_proto(0, {{"self", 2}});
        b.add_ptr(1);
        b.add_typedef("fn_t", 2);
        dump_error(b);
    }
    SECTION("deep array nesting") {
        BtfBuilder b;
        const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
        TypeId t = i32;
        for (int i = 0; i < 1000; ++i) t = b.add_array(t, i32, 1);
        b.add_typedef("deep", t);
        CHECK(dump_error(b).find("too deep") != std::string::npos);
    }
    SECTION("deep by-value nesting") {
        BtfBuilder b;
        // Each struct holds the next one by id, so nothing is defined before the whole chain is walked.
        const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
        for (TypeId id = 2; id < 2002; ++id) b.add_struct("s" + std::to_string(id), 4, {{"x", id == 2001 ? i32 : id + 1, 0}});
        CHECK(dump_error(b).find("too deep") != std::string::npos);
    }
    SECTION("exponential inline growth hits the output limit") {
        BtfBuilder b;
        TypeId t = b.add_int("int", 4, btf::kIntSigned);
        for (int i = 0; i < 40; ++i) t = b.add_struct("", 4, {{"a", t, 0}, {"b", t, 0}}, true);
        b.add_typedef("huge", t);
        auto spec = Spec::parse(b.build());
        REQUIRE(spec);
        btf::DumpCOptions o = bare();
        o.max_output = 1 << 20;
        auto r = btf::dump_c(*spec, o);
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == Errc::ResourceLimit);
    }
    SECTION("member of a kind C cannot declare") {
        BtfBuilder b;
        const TypeId i32 = b.add_int("int", 4, btf::kIntSigned);
        const TypeId var = b.add_var("v", i32);
        b.add_struct("s", 4, {{"x", var, 0}});
        dump_error(b);
    }
}
