// SPDX-License-Identifier: MIT
// stable_sort_indices: sorted like std::stable_sort (equal keys keep their order) at every size and run boundary.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "base/index_sort.hpp"

using ebpf::detail::stable_sort_indices;

namespace {
std::vector<std::uint32_t> identity(std::size_t n) {
    std::vector<std::uint32_t> v(n);
    for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint32_t>(i);
    return v;
}
}  // namespace

TEST_CASE("stable_sort_indices: empty and single") {
    std::vector<std::uint32_t> none;
    stable_sort_indices(none, [](std::uint32_t, std::uint32_t) { return false; });
    CHECK(none.empty());
    std::vector<std::uint32_t> one{7};
    stable_sort_indices(one, [](std::uint32_t a, std::uint32_t b) { return a < b; });
    CHECK(one == std::vector<std::uint32_t>{7});
}

TEST_CASE("stable_sort_indices: the order of std::stable_sort, ties kept") {
    std::uint32_t seed = 12345;
    for (std::size_t n : {2u, 3u, 5u, 8u, 9u, 31u, 64u, 100u, 1000u}) {
        std::vector<int> keys(n);
        for (int& k : keys) {
            seed = seed * 1103515245u + 12345u;
            k = static_cast<int>((seed >> 16) % 7);  // many ties
        }
        const auto less = [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; };
        std::vector<std::uint32_t> got = identity(n), want = identity(n);
        stable_sort_indices(got, less);
        std::stable_sort(want.begin(), want.end(), less);
        INFO("n = " << n);
        CHECK(got == want);
    }
}

TEST_CASE("stable_sort_indices: sorted and reversed input") {
    std::vector<std::uint32_t> v = identity(17);
    std::reverse(v.begin(), v.end());
    stable_sort_indices(v, [](std::uint32_t a, std::uint32_t b) { return a < b; });
    CHECK(v == identity(17));
    stable_sort_indices(v, [](std::uint32_t a, std::uint32_t b) { return a > b; });
    CHECK(v.front() == 16);
    CHECK(v.back() == 0);
}
