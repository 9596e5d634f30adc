// SPDX-License-Identifier: MIT
// BTF sanitization: every construct an old kernel lacks is rewritten, ids and record sizes stay.
#include <catch2/catch.hpp>

#include <ebpf/btf.hpp>

#include "btf/sanitize.hpp"
#include "support/btf_builder.hpp"

using namespace ebpf;
using btf::Kind;

namespace {
struct Sample {
    std::vector<std::byte> bytes;
    btf::TypeId i32, var, ds, qds, proto, func, flt, tag, ttag, e64, senum;
};

Sample sample() {
    test::BtfBuilder b;
    Sample s{};
    s.i32 = b.add_int("int", 4, btf::kIntSigned);
    s.var = b.add_var("counter", s.i32);
    s.ds = b.add_datasec(".data", 4, {{s.var, 0, 4}});
    s.qds = b.add_datasec("?.maybe", 4, {{s.var, 0, 4}});
    s.proto = b.add_func_proto(s.i32, {{"ctx", s.i32}});
    s.func = b.add_func("prog", s.proto, btf::kFuncGlobal);
    s.flt = b.add_float("float", 4);
    s.tag = b.add_decl_tag("tag", s.var, -1);
    s.ttag = b.add_type_tag("user", s.i32);
    s.e64 = b.add_enum64("big", 8, {{"A", 1}, {"B", std::int64_t{1} << 40}});
    s.senum = b.add_enum("sgn", 4, {{"M", -1}}, true);
    s.bytes = b.build();
    return s;
}
}  // namespace

TEST_CASE("features_used reports what a spec contains", "[btf][sanitize]") {
    const Sample s = sample();
    auto spec = btf::Spec::parse(s.bytes);
    REQUIRE(spec);
    const btf::BtfSupport used = btf::btf_features_used(*spec);
    CHECK(used.func);
    CHECK(used.global_func);
    CHECK(used.datasec);
    CHECK(used.qmark_datasec);
    CHECK(used.float_kind);
    CHECK(used.decl_tag);
    CHECK(used.type_tag);
    CHECK(used.enum64);
}

TEST_CASE("a kernel with everything gets the same types back", "[btf][sanitize]") {
    const Sample s = sample();
    auto spec = btf::Spec::parse(s.bytes);
    REQUIRE(spec);
    auto out = btf::Spec::parse(btf::sanitize(*spec, {}));
    REQUIRE(out);
    REQUIRE(out->type_count() == spec->type_count());
    for (btf::TypeId id = 1; id < spec->type_count(); ++id) {
        CHECK(out->type_or_void(id).kind() == spec->type_or_void(id).kind());
        CHECK(out->type_or_void(id).name() == spec->type_or_void(id).name());
    }
}

TEST_CASE("a kernel with nothing new gets only old kinds, same ids", "[btf][sanitize]") {
    const Sample s = sample();
    auto spec = btf::Spec::parse(s.bytes);
    REQUIRE(spec);
    btf::BtfSupport none{false, false, false, false, false, false, false, false};
    auto out = btf::Spec::parse(btf::sanitize(*spec, none));
    REQUIRE(out);
    REQUIRE(out->validate());
    CHECK(out->type_count() == spec->type_count() + 1);  // + enum64_placeholder
    const btf::Type var = out->type_or_void(s.var);
    CHECK(var.kind() == Kind::Int);
    CHECK(var.size() == 1);
    const btf::Type ds = out->type_or_void(s.ds);
    CHECK(ds.kind() == Kind::Struct);
    CHECK(ds.name() == "_data");
    REQUIRE(ds.vlen() == 1);
    CHECK(ds.member(0).name == "counter");
    CHECK(ds.member(0).type == s.i32);
    CHECK(out->type_or_void(s.qds).name() == "__maybe");
    CHECK(out->type_or_void(s.proto).kind() == Kind::Enum);
    CHECK(out->type_or_void(s.func).kind() == Kind::Typedef);
    CHECK(out->type_or_void(s.flt).kind() == Kind::Struct);
    CHECK(out->type_or_void(s.flt).size() == 4);
    CHECK(out->type_or_void(s.flt).name().empty());
    CHECK(out->type_or_void(s.tag).kind() == Kind::Int);
    CHECK(out->type_or_void(s.ttag).kind() == Kind::Const);
    CHECK(out->type_or_void(s.ttag).type() == s.i32);
    const btf::Type e64 = out->type_or_void(s.e64);
    CHECK(e64.kind() == Kind::Union);
    CHECK(e64.size() == 8);
    CHECK(out->type_or_void(e64.member(1).type).name() == "enum64_placeholder");
    CHECK_FALSE(out->type_or_void(s.senum).kind_flag());
}

TEST_CASE("global functions become static where linkage is unknown", "[btf][sanitize]") {
    const Sample s = sample();
    auto spec = btf::Spec::parse(s.bytes);
    REQUIRE(spec);
    btf::BtfSupport k;
    k.global_func = false;
    auto out = btf::Spec::parse(btf::sanitize(*spec, k));
    REQUIRE(out);
    CHECK(out->type_or_void(s.func).kind() == Kind::Func);
    CHECK(out->type_or_void(s.func).linkage() == btf::kFuncStatic);
}

TEST_CASE("big-endian BTF is sanitized into host order", "[btf][sanitize]") {
    test::BtfBuilder b;
    const auto i = b.add_int("int", 4);
    b.add_var("v", i);
    auto spec = btf::Spec::parse(b.build(detail::host_endian() == detail::Endian::Little ? detail::Endian::Big
                                                                                          : detail::Endian::Little));
    REQUIRE(spec);
    btf::BtfSupport k;
    k.datasec = false;
    auto out = btf::Spec::parse(btf::sanitize(*spec, k));
    REQUIRE(out);
    CHECK_FALSE(out->swapped());
    CHECK(out->type_or_void(2).kind() == Kind::Int);
}
