// SPDX-License-Identifier: MIT
// ByteView: bounds checks that cannot overflow, both byte orders, NUL-terminated strings.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <vector>

#include "base/bytes.hpp"

using ebpf::detail::ByteView;
using ebpf::detail::Endian;

namespace {
std::vector<std::byte> bytes(std::initializer_list<int> v) {
    std::vector<std::byte> out;
    for (int b : v) out.push_back(std::byte(b));
    return out;
}
}  // namespace

TEST_CASE("in_bounds never overflows", "[base]") {
    using ebpf::detail::in_bounds;
    CHECK(in_bounds(10, 0, 10));
    CHECK(in_bounds(10, 10, 0));
    CHECK_FALSE(in_bounds(10, 11, 0));
    CHECK_FALSE(in_bounds(10, 5, 6));
    const auto max = std::numeric_limits<std::uint64_t>::max();
    CHECK_FALSE(in_bounds(10, max, 2));
    CHECK_FALSE(in_bounds(10, 2, max));
    CHECK_FALSE(in_bounds(max - 1, max, 1));
}

TEST_CASE("ByteView reads both byte orders", "[base]") {
    const auto data = bytes({0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08});
    const ByteView le(data, Endian::Little), be(data, Endian::Big);
    CHECK(le.load<std::uint16_t>(0) == 0x0201);
    CHECK(be.load<std::uint16_t>(0) == 0x0102);
    CHECK(le.load<std::uint32_t>(4) == 0x08070605u);
    CHECK(be.load<std::uint32_t>(4) == 0x05060708u);
    CHECK(be.load<std::uint64_t>(0) == 0x0102030405060708ull);
    CHECK(le.endian() == Endian::Little);
    CHECK(be.endian() == Endian::Big);
}

TEST_CASE("ByteView checked reads refuse out-of-range offsets", "[base]") {
    const auto data = bytes({1, 2, 3, 4});
    const ByteView v(data, Endian::Little);
    CHECK(v.get<std::uint32_t>(0).has_value());
    CHECK_FALSE(v.get<std::uint32_t>(1).has_value());
    CHECK_FALSE(v.get<std::uint8_t>(4).has_value());
    CHECK_FALSE(v.get<std::uint64_t>(~0ull).has_value());
    CHECK(v.sub(1, 3).has_value());
    CHECK(v.sub(1, 3)->size() == 3);
    CHECK_FALSE(v.sub(2, 3).has_value());
    CHECK_FALSE(v.sub(~0ull, 1).has_value());
}

TEST_CASE("ByteView::cstr needs a NUL inside the buffer", "[base]") {
    const auto data = bytes({'a', 'b', 0, 'c', 'd'});
    const ByteView v(data, Endian::Little);
    CHECK(*v.cstr(0) == "ab");
    CHECK(*v.cstr(2) == "");
    CHECK_FALSE(v.cstr(3).has_value());  // "cd" runs off the end
    CHECK_FALSE(v.cstr(5).has_value());
    CHECK_FALSE(v.cstr(~0ull).has_value());
}
