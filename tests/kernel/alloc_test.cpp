// SPDX-License-Identifier: MIT
// The hot path allocates nothing: a lookup that misses, an erase of nothing, a hit. Counted with a replacement
// operator new (its own executable, so the replacement touches no other test).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include <ebpf/ebpf.hpp>

using namespace ebpf;

namespace {
std::atomic<bool> counting{false};
std::atomic<long> allocations{0};

// Counts the allocations `f` makes on this thread's watch.
template <class F>
long allocations_in(F&& f) {
    allocations = 0;
    counting = true;
    f();
    counting = false;
    return allocations.load();
}
}  // namespace

void* operator new(std::size_t n) {
    if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(n ? n : 1)) return p;
    std::abort();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
// The nothrow forms too (Catch2 allocates its test invokers with them): under ASan an unreplaced nothrow new is
// ASan's, and freeing its memory with the free() above is an alloc-dealloc mismatch.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
    if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n ? n : 1);
}
void* operator new[](std::size_t n, const std::nothrow_t& t) noexcept { return operator new(n, t); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

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
