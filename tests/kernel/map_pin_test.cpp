// SPDX-License-Identifier: MIT
// Pinning and introspection: pin, unpin (only our own pin), from_pin, from_id, info(), the kernel's list of maps.
#include <catch2/catch.hpp>

#include <algorithm>

#include <ebpf/ebpf.hpp>

#include "kernel/map_support.hpp"
#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/kernel.hpp"

using namespace ebpf;
using test::map_spec;

TEST_CASE("pin, reopen, unpin only our own pin", "[maps][pin]") {
    const int fds = test::open_fd_count();
    {
        test::BpffsDir dir;
        REQUIRE_FALSE(dir.path().empty());
        auto m = Map::create(map_spec(MapType::Hash, 4, 8, 8, "pin_me"));
        auto other = Map::create(map_spec(MapType::Array, 4, 8, 1, "other"));
        REQUIRE(m);
        REQUIRE(other);
        const std::string path = dir / "pin_me", other_path = dir / "other";
        REQUIRE(m->pin(path.c_str()));
        REQUIRE(other->pin(other_path.c_str()));
        auto h = HashMap<std::uint32_t, std::uint64_t>::from(*m);
        REQUIRE(h->insert(1, 11));

        auto opened = Map::from_pin(path.c_str());
        REQUIRE(opened);
        CHECK(**HashMap<std::uint32_t, std::uint64_t>::from(*opened)->get(1) == 11);
        // Unpinning another map's pin is refused: the pin stays.
        CHECK(test::fails_with(m->unpin(other_path.c_str()), Errc::InvalidArgument, "the pin holds map id"));
        REQUIRE(Map::from_pin(other_path.c_str()));
        REQUIRE(m->unpin(path.c_str()));
        CHECK(test::fails_with(Map::from_pin(path.c_str()), Errc::NotFound, "open pinned map"));
        CHECK(test::fails_with(m->unpin(path.c_str()), Errc::NotFound, "unpin"));
        // The map lives on in its handles.
        CHECK(**h->get(1) == 11);
        REQUIRE(other->unpin(other_path.c_str()));
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("info() describes a map; loaded_maps() lists it; from_id opens it", "[maps][pin]") {
    MapSpec s = map_spec(MapType::Hash, 4, 8, 32, "introspect_me", 1 /* BPF_F_NO_PREALLOC */);
    auto m = Map::create(s);
    REQUIRE(m);
    auto info = m->info();
    REQUIRE(info);
    CHECK(info->type == MapType::Hash);
    CHECK(info->key_size == 4);
    CHECK(info->value_size == 8);
    CHECK(info->max_entries == 32);
    CHECK(info->flags == 1);
    CHECK(info->name == "introspect_me");
    CHECK(info->id != 0);
    CHECK(info->btf_id == 0);  // created without BTF

    const int fds = test::open_fd_count();
    auto ids = loaded_map_ids();
    REQUIRE(ids);
    CHECK(std::find(ids->begin(), ids->end(), info->id) != ids->end());
    CHECK(std::is_sorted(ids->begin(), ids->end()));
    auto all = loaded_maps();
    REQUIRE(all);
    auto mine = std::find_if(all->begin(), all->end(), [&](const MapInfo& i) { return i.id == info->id; });
    REQUIRE(mine != all->end());
    CHECK(mine->name == "introspect_me");
    CHECK(mine->max_entries == 32);
    CHECK(test::open_fd_count() == fds);  // each map was opened and closed again

    auto by_id = Map::from_id(info->id);
    REQUIRE(by_id);
    CHECK(by_id->name() == "introspect_me");
    CHECK(by_id->flags() == 1);
    CHECK(test::fails_with(Map::from_id(0x7fffffff), Errc::NotFound, "open map id"));

    // Object maps carry their BTF ids.
    auto obj = Object::load_file(test::obj_path("cgroup_skb_counter.bpf.o").c_str());
    REQUIRE(obj);
    auto counts = obj->map("counts");
    REQUIRE(counts);
    auto ci = counts->info();
    REQUIRE(ci);
    if (obj->btf_fd().valid()) {
        CHECK(ci->btf_id != 0);
        CHECK(ci->btf_value_type_id != 0);
    }
}
