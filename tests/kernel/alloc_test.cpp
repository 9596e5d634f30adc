// SPDX-License-Identifier: MIT
// The hot path allocates nothing: a lookup that misses, an erase of nothing, a hit. Counted with a replacement
// operator new (its own executable, so the replacement touches no other test).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include <ebpf/ebpf.hpp>

#include "support/counting_new.hpp"

using namespace ebpf;
using ebpf::test::allocations_in;

TEST_CASE("a missing-key lookup allocates nothing", "[alloc]") {
    MapSpec spec;
    spec.name = "alloc_test";
    spec.type = MapType::Hash;
    spec.key_size = 4;
    spec.value_size = 8;
    spec.max_entries = 16;
    auto m = Map::create(spec);
    REQUIRE(m);
    auto h = HashMap<std::uint32_t, std::uint64_t>::from(*m);
    REQUIRE(h);
    REQUIRE(h->insert(1, 10));
    // The counter itself works.
    CHECK(allocations_in([] { ::operator delete(::operator new(16)); }) == 1);

    bool found = true;
    CHECK(allocations_in([&] {
              auto r = h->get(2);
              found = r && r->has_value();
          }) == 0);
    CHECK_FALSE(found);
    std::uint64_t value = 0;
    CHECK(allocations_in([&] {
              auto r = h->get(1);
              if (r && *r) value = **r;
          }) == 0);
    CHECK(value == 10);
    bool erased = true;
    CHECK(allocations_in([&] {
              auto r = h->remove(7);
              erased = r && *r;
          }) == 0);
    CHECK_FALSE(erased);
    CHECK(allocations_in([&] { (void)h->insert(3, 30); }) == 0);
    std::uint32_t key = 0;
    bool more = false;
    CHECK(allocations_in([&] {
              auto r = m->next_key({}, as_writable_bytes_of(key));
              more = r && *r;
          }) == 0);
    CHECK(more);
}
