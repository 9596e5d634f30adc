// SPDX-License-Identifier: MIT
// btf::Patcher: faithful copies of hand-built and real BTF, word edits, appended strings and types, host-order output.
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/btf.hpp>

#include "btf/patch.hpp"
#include "elf/file.hpp"
#include "support/btf_builder.hpp"
#include "support/objects.hpp"

using ebpf::btf::Kind;
using ebpf::btf::Patcher;
using ebpf::btf::Spec;
using ebpf::btf::TypeId;
using ebpf::detail::Endian;
using ebpf::test::BtfBuilder;
namespace btf = ebpf::btf;

namespace {

constexpr auto& kObjects = ebpf::test::kSweepObjects;

std::uint32_t info(Kind k, std::uint32_t vlen, bool kflag = false) {
    return static_cast<std::uint32_t>(k) << 24 | (vlen & 0xffff) | (kflag ? 1u << 31 : 0u);
}

Spec parse_ok(const std::vector<std::byte>& blob) {
    auto s = Spec::parse(blob);
    if (!s) FAIL("BTF parse failed: " << s.error().message());
    return *s;
}

struct Ids {
    TypeId i, u8, ptr, arr, s, bits, en, en64, fwd, td, cst, proto, func, var, ds, flt, tag, ttag;
};

// One of every kind, with values whose byte order is visible (so a missed swap shows).
BtfBuilder sample(Ids& id) {
    using M = BtfBuilder::M;
    BtfBuilder b;
    id.i = b.add_int("int", 4, btf::kIntSigned);
    id.u8 = b.add_int("u8", 1, 0, 3, 2);
    id.ptr = b.add_ptr(id.i);
    id.arr = b.add_array(id.i, id.i, 0x01020304);
    id.s = b.add_struct("s", 0x0a0b0c0d, {M{"a", id.i, 0}, M{"b", id.ptr, 0x102030}});
    id.bits = b.add_struct("bits", 4, {M{"x", id.i, 1, 7}, M{"y", id.i, 8, 24}});  // kind_flag: bitfields
    id.en = b.add_enum("en", 4, {{"A", -2}, {"B", 0x7f000001}}, true);
    id.en64 = b.add_enum64("en64", 8, {{"C", 0x0102030405060708LL}});
    id.fwd = b.add_fwd("fwd", true);
    id.td = b.add_typedef("td", id.s);
    id.cst = b.add_const(id.td);
    id.proto = b.add_func_proto(id.i, {{"p", id.ptr}, {"", 0}});
    id.func = b.add_func("fn", id.proto, btf::kFuncGlobal);
    id.var = b.add_var("v", id.i, btf::kVarStatic);
    id.ds = b.add_datasec(".bss", 8, {{id.var, 4, 4}});
    id.flt = b.add_float("float", 4);
    id.tag = b.add_decl_tag("tag", id.s, 1);
    id.ttag = b.add_type_tag("tt", id.ptr);
    return b;
}

// Every decoded field of every type must match: the copy is the same BTF, not merely a parseable one.
void check_same(const Spec& a, const Spec& b) {
    REQUIRE(a.type_count() == b.type_count());
    for (TypeId id = 1; id < a.type_count(); ++id) {
        const btf::Type x = a.type_or_void(id), y = b.type_or_void(id);
        INFO("type " << id << " " << btf::to_string(x.kind()) << " '" << x.name() << "'");
        REQUIRE(x.kind() == y.kind());
        CHECK(x.name() == y.name());
        CHECK(x.name_off() == y.name_off());
        CHECK(x.vlen() == y.vlen());
        CHECK(x.kind_flag() == y.kind_flag());
        CHECK(x.size() == y.size());
        CHECK(x.type() == y.type());
        CHECK(x.int_encoding() == y.int_encoding());
        CHECK(x.int_offset() == y.int_offset());
        CHECK(x.int_bits() == y.int_bits());
        CHECK(x.array().elem_type == y.array().elem_type);
        CHECK(x.array().index_type == y.array().index_type);
        CHECK(x.array().nelems == y.array().nelems);
        CHECK(x.linkage() == y.linkage());
        CHECK(x.component_idx() == y.component_idx());
        for (std::uint32_t i = 0; i < x.vlen(); ++i) {
            CHECK(x.member(i).name == y.member(i).name);
            CHECK(x.member(i).type == y.member(i).type);
            CHECK(x.member(i).bit_offset == y.member(i).bit_offset);
            CHECK(x.member(i).bitfield_size == y.member(i).bitfield_size);
            CHECK(x.enumerator(i).name == y.enumerator(i).name);
            CHECK(x.enumerator(i).value == y.enumerator(i).value);
            CHECK(x.param(i).name == y.param(i).name);
            CHECK(x.param(i).type == y.param(i).type);
            CHECK(x.secinfo(i).type == y.secinfo(i).type);
            CHECK(x.secinfo(i).offset == y.secinfo(i).offset);
            CHECK(x.secinfo(i).size == y.secinfo(i).size);
        }
    }
}

}  // namespace

TEST_CASE("a patcher copy round-trips to the same BTF in host byte order", "[btf-patch]") {
    Ids id{};
    const BtfBuilder b = sample(id);
    const auto host_blob = b.build();
    for (Endian e : {Endian::Little, Endian::Big}) {
        INFO((e == Endian::Little ? "little" : "big") << " endian input");
        const Spec in = parse_ok(b.build(e));
        const Patcher p(in);
        CHECK(p.type_count() == in.type_count());
        const auto out = p.bytes();
        const Spec copy = parse_ok(out);
        CHECK_FALSE(copy.swapped());  // BTF_LOAD wants native order, whatever the object's
        CHECK(copy.header_len() == 24);
        CHECK(copy.validate());
        check_same(in, copy);
        // The builder lays out a blob the way the patcher does, so the host-order copy is byte-identical.
        CHECK(out == host_blob);
    }
}

TEST_CASE("real objects' BTF round-trips through the patcher", "[btf-patch]") {
    for (const char* name : kObjects) {
        for (bool big : {false, true}) {
            const std::string obj = std::string(name) + (big ? ".bpfeb.o" : ".bpf.o");
            INFO(obj);
            const auto bytes = ebpf::test::read_obj(obj);
            REQUIRE_FALSE(bytes.empty());
            auto f = ebpf::elf::File::parse(bytes);
            REQUIRE(f);
            const auto* sec = f->find_section(".BTF");
            REQUIRE(sec);
            const Spec in = parse_ok(std::vector<std::byte>(sec->data.begin(), sec->data.end()));
            const Patcher p(in);
            const Spec copy = parse_ok(p.bytes());
            CHECK_FALSE(copy.swapped());
            CHECK(copy.string_section_size() == in.string_section_size());
            check_same(in, copy);
            if (!in.swapped()) {
                // clang's layout is the canonical one: header, types, strings. A native-order copy is the same bytes.
                CHECK(p.bytes() == std::vector<std::byte>(sec->data.begin(), sec->data.end()));
            }
        }
    }
}

TEST_CASE("the patcher copies blobs with a long header and strings before types", "[btf-patch]") {
    Ids id{};
    const BtfBuilder b = sample(id);
    for (Endian e : {Endian::Little, Endian::Big}) {
        const auto orig = b.build(e);
        auto rd = [&](std::size_t off) {
            std::uint32_t v;
            std::memcpy(&v, orig.data() + off, 4);
            return e == ebpf::detail::host_endian() ? v : ebpf::detail::byteswap(v);
        };
        auto wr = [&](std::vector<std::byte>& blob, std::size_t off, std::uint32_t v) {
            if (e != ebpf::detail::host_endian()) v = ebpf::detail::byteswap(v);
            std::memcpy(blob.data() + off, &v, 4);
        };
        const std::uint32_t type_len = rd(12), str_len = rd(20);
        // header (32 bytes) | strings | padding | types
        std::vector<std::byte> blob(orig.begin(), orig.begin() + 24);
        blob.resize(32, std::byte{0});
        blob.insert(blob.end(), orig.begin() + 24 + type_len, orig.end());
        while (blob.size() % 4) blob.push_back(std::byte{0});
        const auto type_off = static_cast<std::uint32_t>(blob.size() - 32);
        blob.insert(blob.end(), orig.begin() + 24, orig.begin() + 24 + type_len);
        wr(blob, 4, 32);
        wr(blob, 8, type_off);
        wr(blob, 16, 0);
        wr(blob, 20, str_len);
        const Spec in = parse_ok(blob);
        REQUIRE(in.header_len() == 32);
        const Spec copy = parse_ok(Patcher(in).bytes());
        check_same(in, copy);
        CHECK(copy.header_len() == 24);
    }
}

TEST_CASE("word and record_words expose records in host order", "[btf-patch]") {
    Ids id{};
    const BtfBuilder b = sample(id);
    for (Endian e : {Endian::Little, Endian::Big}) {
        INFO((e == Endian::Little ? "little" : "big") << " endian input");
        const Spec in = parse_ok(b.build(e));
        const Patcher p(in);
        CHECK(p.record_words(id.i) == 4);
        CHECK(p.record_words(id.ptr) == 3);
        CHECK(p.record_words(id.arr) == 6);
        CHECK(p.record_words(id.s) == 3 + 2 * 3);
        CHECK(p.record_words(id.en) == 3 + 2 * 2);
        CHECK(p.record_words(id.en64) == 3 + 3);
        CHECK(p.record_words(id.proto) == 3 + 2 * 2);
        CHECK(p.record_words(id.var) == 4);
        CHECK(p.record_words(id.ds) == 3 + 3);
        CHECK(p.record_words(id.ttag) == 3);  // the last record ends at the end of the type data
        CHECK(p.record_words(0) == 0);
        CHECK(p.record_words(p.type_count()) == 0);

        CHECK(p.word(id.s, 0) == in.type_or_void(id.s).name_off());
        CHECK(p.word(id.s, 1) == info(Kind::Struct, 2));
        CHECK(p.word(id.s, 2) == 0x0a0b0c0du);
        CHECK(p.word(id.s, 8) == 0x102030u);  // member b's offset
        CHECK(p.word(id.arr, 5) == 0x01020304u);
        CHECK(p.word(id.bits, 1) == info(Kind::Struct, 2, true));
        CHECK(p.word(id.bits, 8) == (24u << 24 | 8u));
        CHECK(p.word(id.en64, 4) == 0x05060708u);
        CHECK(p.word(id.en64, 5) == 0x01020304u);
        CHECK(p.word(0, 0) == 0);
        CHECK(p.word(p.type_count(), 0) == 0);
    }
}

TEST_CASE("set_word edits one field and nothing else", "[btf-patch]") {
    Ids id{};
    const BtfBuilder b = sample(id);
    for (Endian e : {Endian::Little, Endian::Big}) {
        INFO((e == Endian::Little ? "little" : "big") << " endian input");
        const Spec in = parse_ok(b.build(e));
        Patcher p(in);
        p.set_word(id.s, 2, 64);                          // struct size
        p.set_word(id.var, 3, btf::kVarGlobalAllocated);  // var linkage
        p.set_word(id.ds, 4, 0);                          // datasec entry offset
        p.set_word(id.func, 1, info(Kind::Func, btf::kFuncStatic));
        p.set_word(id.en, 4, 5);  // enumerator A's value
        const Spec out = parse_ok(p.bytes());
        CHECK(out.type_or_void(id.s).size() == 64);
        CHECK(out.type_or_void(id.s).member(1).bit_offset == 0x102030u);
        CHECK(out.type_or_void(id.var).linkage() == btf::kVarGlobalAllocated);
        CHECK(out.type_or_void(id.ds).secinfo(0).offset == 0);
        CHECK(out.type_or_void(id.ds).secinfo(0).size == 4);
        CHECK(out.type_or_void(id.func).linkage() == btf::kFuncStatic);
        CHECK(out.type_or_void(id.en).enumerator(0).value == 5);
        CHECK(out.type_or_void(id.en).enumerator(1).value == 0x7f000001);
        // The input spec is untouched.
        CHECK(in.type_or_void(id.s).size() == 0x0a0b0c0du);

        SECTION("out-of-range edits are ignored") {
            Patcher q(in);
            q.set_word(id.i, 4, 0xffffffffu);  // one past INT's record: would be the next record's name
            q.set_word(0, 0, 0xffffffffu);
            q.set_word(q.type_count(), 0, 0xffffffffu);
            q.set_word(id.ttag, 3, 0xffffffffu);  // past the very last record
            const Spec same = parse_ok(q.bytes());
            check_same(in, same);
        }
    }
}

TEST_CASE("add_string and add_type append without moving what exists", "[btf-patch]") {
    Ids id{};
    const BtfBuilder b = sample(id);
    for (Endian e : {Endian::Little, Endian::Big}) {
        INFO((e == Endian::Little ? "little" : "big") << " endian input");
        const Spec in = parse_ok(b.build(e));
        Patcher p(in);
        const std::uint32_t old_strs = in.string_section_size();
        const std::uint32_t n1 = p.add_string("added_struct");
        const std::uint32_t n2 = p.add_string("m");
        const std::uint32_t n3 = p.add_string("");
        CHECK(n1 == old_strs);
        CHECK(n2 == old_strs + 13);
        CHECK(n3 == n2 + 2);
        const TypeId t1 = p.add_type({n1, info(Kind::Struct, 1), 8, n2, id.ptr, 0});
        const TypeId t2 = p.add_type({0, info(Kind::Ptr, 0), t1});
        CHECK(t1 == in.type_count());
        CHECK(t2 == t1 + 1);
        CHECK(p.type_count() == in.type_count() + 2);
        CHECK(p.record_words(t1) == 6);
        CHECK(p.record_words(t2) == 3);
        CHECK(p.word(t2, 2) == t1);

        const Spec out = parse_ok(p.bytes());
        REQUIRE(out.type_count() == in.type_count() + 2);
        CHECK(out.validate());
        CHECK(out.string_section_size() == old_strs + 13 + 2 + 1);
        // Old ids and string offsets mean what they meant.
        for (TypeId t = 1; t < in.type_count(); ++t) {
            CHECK(out.type_or_void(t).kind() == in.type_or_void(t).kind());
            CHECK(out.type_or_void(t).name() == in.type_or_void(t).name());
        }
        CHECK(out.string(in.type_or_void(id.s).name_off()) == std::string_view("s"));
        // New ones decode.
        const btf::Type added = out.type_or_void(t1);
        CHECK(added.kind() == Kind::Struct);
        CHECK(added.name() == "added_struct");
        CHECK(added.member(0).name == "m");
        CHECK(added.member(0).type == id.ptr);
        CHECK(out.describe(t2) == "struct added_struct *");
        CHECK(out.find("added_struct", Kind::Struct).value_or(0) == t1);
        CHECK(out.string(n3) == std::string_view(""));
    }
}

// BUG: lib/btf/patch.cpp Patcher::word() checks the id but not the word index, unlike set_word(): word(id, i) with
// i >= record_words(id) reads the following record (or past the end of the vector for the last type).
// The test stays inside the vector (it asks INT for its 5th word) so it does not crash the suite.
TEST_CASE("word past the end of a record reads nothing", "[btf-patch]") {
    Ids id{};
    const Spec in = parse_ok(sample(id).build());
    const Patcher p(in);
    REQUIRE(p.record_words(id.i) == 4);
    REQUIRE(p.word(id.u8, 0) != 0);  // the next record starts with a non-zero name offset
    CHECK(p.word(id.i, 4) == 0);     // by analogy with set_word, which ignores this index
}
