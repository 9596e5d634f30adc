// SPDX-License-Identifier: MIT
// BTF dedup (lib/btf/dedup.cpp) on hand-built BTF: what two inputs' copies of the same types collapse to.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <ebpf/btf.hpp>

#include "btf/mutable.hpp"
#include "support/btf_builder.hpp"

using namespace ebpf;
using btf::Kind;
using ebpf::test::BtfBuilder;

namespace {

std::vector<btf::MutType> dedup(const BtfBuilder& b, std::vector<btf::TypeId>* map = nullptr) {
    auto spec = btf::Spec::parse(b.build());
    REQUIRE(spec);
    auto types = btf::decode_mut_types(*spec);
    REQUIRE(types);
    auto m = btf::dedup_types(*types);
    REQUIRE(m);
    if (map) *map = *m;
    // The result encodes into a blob that parses and validates.
    btf::StringTable strs;
    auto blob = btf::assemble_btf(btf::encode_mut_types(*types, strs), strs, detail::host_endian());
    auto again = btf::Spec::parse(blob);
    REQUIRE(again);
    CHECK(again->validate());
    return std::move(*types);
}

std::size_t count(const std::vector<btf::MutType>& t, Kind k, std::string_view name = {}) {
    std::size_t n = 0;
    for (const auto& x : t)
        if (x.kind == k && (name.empty() || x.name == name)) ++n;
    return n;
}

// One "input": int, struct point {int x; int y;}, a pointer to it.
btf::TypeId add_point(BtfBuilder& b) {
    const auto i = b.add_int("int", 4, btf::kIntSigned, 32);
    const auto s = b.add_struct("point", 8, {{"x", i, 0}, {"y", i, 32}});
    b.add_ptr(s);
    return s;
}

}  // namespace

TEST_CASE("dedup: identical structs of two inputs collapse", "[btf][dedup]") {
    BtfBuilder b;
    const auto s1 = add_point(b);
    const auto s2 = add_point(b);
    std::vector<btf::TypeId> map;
    const auto t = dedup(b, &map);
    CHECK(count(t, Kind::Struct) == 1);
    CHECK(count(t, Kind::Int) == 1);
    CHECK(count(t, Kind::Ptr) == 1);
    CHECK(t.size() == 4);  // void, int, point, point *
    CHECK(map[s1] == map[s2]);
}

TEST_CASE("dedup: a FWD resolves to its struct", "[btf][dedup]") {
    BtfBuilder b;
    add_point(b);
    const auto fwd = b.add_fwd("point");
    const auto p = b.add_ptr(fwd);
    std::vector<btf::TypeId> map;
    const auto t = dedup(b, &map);
    CHECK(count(t, Kind::Fwd) == 0);
    CHECK(count(t, Kind::Ptr) == 1);  // the pointer to the FWD is now the pointer to the struct
    CHECK(t[map[p]].size_type == map[fwd]);
    CHECK(t[map[fwd]].kind == Kind::Struct);
}

TEST_CASE("dedup: a FWD inside a compared graph matches the full struct", "[btf][dedup]") {
    BtfBuilder b;
    // Input 1: struct holder { struct point *p; } with point complete. Input 2: the same with point a FWD.
    const auto i1 = b.add_int("int", 4, btf::kIntSigned, 32);
    const auto pt = b.add_struct("point", 8, {{"x", i1, 0}, {"y", i1, 32}});
    b.add_struct("holder", 8, {{"p", b.add_ptr(pt), 0}});
    const auto fwd = b.add_fwd("point");
    b.add_struct("holder", 8, {{"p", b.add_ptr(fwd), 0}});
    const auto t = dedup(b);
    CHECK(count(t, Kind::Struct, "holder") == 1);
    CHECK(count(t, Kind::Fwd) == 0);
}

TEST_CASE("dedup: self-referencing structs (linked lists) collapse", "[btf][dedup]") {
    // struct node { struct node *next; int v; } twice, pointers referring forward to the struct.
    BtfBuilder c;
    for (int copy = 0; copy < 2; ++copy) {
        const auto i = c.add_int("int", 4, btf::kIntSigned, 32);
        const btf::TypeId node_id = i + 2;  // the pointer comes next, then the struct
        const auto ptr = c.add_ptr(node_id);
        const auto node = c.add_struct("node", 16, {{"next", ptr, 0}, {"v", i, 64}});
        REQUIRE(node == node_id);
    }
    const auto t = dedup(c);
    CHECK(count(t, Kind::Struct, "node") == 1);
    CHECK(count(t, Kind::Ptr) == 1);
    CHECK(count(t, Kind::Int) == 1);
}

TEST_CASE("dedup: different structs with the same name stay apart", "[btf][dedup]") {
    BtfBuilder b;
    const auto i = b.add_int("int", 4, btf::kIntSigned, 32);
    const auto l = b.add_int("long", 8, btf::kIntSigned, 64);
    b.add_struct("thing", 8, {{"a", i, 0}, {"b", i, 32}});
    b.add_struct("thing", 8, {{"a", l, 0}});
    b.add_struct("thing", 8, {{"a", i, 0}, {"c", i, 32}});  // another member name
    const auto fwd = b.add_fwd("thing");
    std::vector<btf::TypeId> map;
    const auto t = dedup(b, &map);
    CHECK(count(t, Kind::Struct, "thing") == 3);
    CHECK(count(t, Kind::Fwd) == 1);  // ambiguous: stays a FWD
    (void)fwd;
}

TEST_CASE("dedup: typedefs, arrays and prototypes over equal types collapse; a reference loop is an error", "[btf][dedup]") {
    BtfBuilder b;
    for (int copy = 0; copy < 2; ++copy) {
        const auto i = b.add_int("int", 4, btf::kIntSigned, 32);
        const auto td = b.add_typedef("myint", i);
        const auto arr = b.add_array(td, i, 4);
        const auto proto = b.add_func_proto(i, {{"a", arr}, {"b", b.add_const(td)}});
        b.add_func("f", proto, btf::kFuncStatic);
    }
    const auto t = dedup(b);
    CHECK(count(t, Kind::Typedef) == 1);
    CHECK(count(t, Kind::Array) == 1);
    CHECK(count(t, Kind::FuncProto) == 1);
    CHECK(count(t, Kind::Func) == 1);
    CHECK(count(t, Kind::Const) == 1);

    // typedef a -> typedef b -> typedef a: no struct breaks the loop.
    BtfBuilder bad;
    bad.add_typedef("a", 2);
    bad.add_typedef("b", 1);
    auto spec = btf::Spec::parse(bad.build());
    REQUIRE(spec);
    auto types = btf::decode_mut_types(*spec);
    REQUIRE(types);
    auto r = btf::dedup_types(*types);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::MalformedBtf);
}
