// SPDX-License-Identifier: MIT
// .kconfig values: parsing config text and encoding values into each C type libbpf supports.
#include <catch2/catch.hpp>

#include <cstring>

#include "object/kconfig.hpp"
#include "support/btf_builder.hpp"

using namespace ebpf;

namespace {
struct Types {
    btf::Spec spec;
    btf::TypeId b, c, tri, u32, s64, u8, arr;
};
Types types() {
    test::BtfBuilder b;
    const auto boolean = b.add_int("_Bool", 1, btf::kIntBool);
    const auto chr = b.add_int("char", 1, btf::kIntChar | btf::kIntSigned);
    const auto tri = b.add_enum("libbpf_tristate", 4, {{"TRI_NO", 0}, {"TRI_YES", 1}, {"TRI_MODULE", 2}});
    const auto u32 = b.add_int("unsigned int", 4);
    const auto s64 = b.add_int("long", 8, btf::kIntSigned);
    const auto u8 = b.add_int("unsigned char", 1);
    const auto arr = b.add_array(chr, u32, 8);
    auto spec = btf::Spec::parse(b.build());
    REQUIRE(spec);
    return {*spec, boolean, chr, tri, u32, s64, u8, arr};
}
ExternSpec ext(btf::TypeId type, std::uint32_t size) {
    ExternSpec e;
    e.name = "CONFIG_TEST";
    e.type = type;
    e.size = size;
    return e;
}
template <class T>
T encoded(const Types& t, btf::TypeId type, std::string_view value) {
    T v{};
    std::vector<std::byte> buf(sizeof(T));
    auto r = detail::kconfig_encode(t.spec, ext(type, sizeof(T)), value, buf);
    if (!r) FAIL(std::string(r.error().message()));
    std::memcpy(&v, buf.data(), sizeof v);
    return v;
}
Result<void> encode(const Types& t, btf::TypeId type, std::uint32_t size, std::string_view value) {
    std::vector<std::byte> buf(size);
    return detail::kconfig_encode(t.spec, ext(type, size), value, buf);
}
}  // namespace

TEST_CASE("config text parses values and 'is not set' lines", "[object][kconfig]") {
    auto c = detail::parse_kconfig("#\n# Automatically generated\nCONFIG_BPF=y\nCONFIG_HZ=250\n"
                                   "CONFIG_LOCALVERSION=\"-test\"\n# CONFIG_KASAN is not set\nCONFIG_M=m\n\n");
    REQUIRE(c);
    CHECK(c->at("CONFIG_BPF") == "y");
    CHECK(c->at("CONFIG_HZ") == "250");
    CHECK(c->at("CONFIG_LOCALVERSION") == "\"-test\"");
    CHECK(c->at("CONFIG_KASAN") == "n");
    CHECK(c->at("CONFIG_M") == "m");
    CHECK(c->size() == 5);
    auto bad = detail::parse_kconfig("CONFIG_BROKEN\n");
    REQUIRE_FALSE(bad);
    CHECK(std::string(bad.error().message()).find("line 1") != std::string::npos);
}

TEST_CASE("values are encoded per C type", "[object][kconfig]") {
    const Types t = types();
    CHECK(encoded<std::uint8_t>(t, t.b, "y") == 1);
    CHECK(encoded<std::uint8_t>(t, t.b, "m") == 1);
    CHECK(encoded<std::uint8_t>(t, t.b, "n") == 0);
    CHECK(encoded<char>(t, t.c, "m") == 'm');
    CHECK(encoded<std::int32_t>(t, t.tri, "y") == 1);
    CHECK(encoded<std::int32_t>(t, t.tri, "m") == 2);
    CHECK(encoded<std::int32_t>(t, t.tri, "n") == 0);
    CHECK(encoded<std::uint32_t>(t, t.u32, "250") == 250);
    CHECK(encoded<std::uint32_t>(t, t.u32, "0x10") == 16);
    CHECK(encoded<std::uint32_t>(t, t.u32, "010") == 8);
    CHECK(encoded<std::int64_t>(t, t.s64, "-5") == -5);
    CHECK(encoded<std::uint8_t>(t, t.u8, "255") == 255);
    char s[8];
    std::vector<std::byte> buf(8);
    REQUIRE(detail::kconfig_encode(t.spec, ext(t.arr, 8), "\"abc\"", buf));
    std::memcpy(s, buf.data(), 8);
    CHECK(std::string(s) == "abc");
}

TEST_CASE("values that do not fit their type are refused with the extern's name", "[object][kconfig]") {
    const Types t = types();
    auto big = encode(t, t.u8, 1, "256");
    REQUIRE_FALSE(big);
    CHECK(std::string(big.error().message()).find("CONFIG_TEST") != std::string::npos);
    CHECK_FALSE(encode(t, t.u32, 4, "-1"));
    CHECK_FALSE(encode(t, t.u32, 4, "y"));
    CHECK_FALSE(encode(t, t.b, 1, "42"));
    CHECK_FALSE(encode(t, t.tri, 4, "7"));
    CHECK_FALSE(encode(t, t.arr, 8, "\"much too long\""));
    CHECK_FALSE(encode(t, t.arr, 8, "unquoted"));
    CHECK_FALSE(encode(t, t.u32, 4, "12abc"));
    CHECK_FALSE(encode(t, t.s64, 8, "99999999999999999999999"));
}

TEST_CASE("kernel version codes clamp the patch level like KERNEL_VERSION()", "[object][kconfig]") {
    CHECK(detail::kernel_version_code("6.1.55-cloud-amd64") == (6u << 16 | 1u << 8 | 55));
    CHECK(detail::kernel_version_code("5.15.300") == (5u << 16 | 15u << 8 | 255));
    CHECK(detail::kernel_version_code("6.18") == (6u << 16 | 18u << 8));
    CHECK_FALSE(detail::kernel_version_code("garbage"));
}
