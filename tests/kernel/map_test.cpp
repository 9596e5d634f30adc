// SPDX-License-Identifier: MIT
// Map and its typed views against the kernel: create, element access, iteration, pinning, per-CPU sizes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <optional>
#include <string>
#include <thread>

#include <ebpf/ebpf.hpp>

#include "support/kernel.hpp"
#include "support/objects.hpp"

using namespace ebpf;

namespace {
MapSpec spec_of(MapType t, std::uint32_t k, std::uint32_t v, std::uint32_t n, std::string name = "test_map") {
    MapSpec s;
    s.name = std::move(name);
    s.type = t;
    s.key_size = k;
    s.value_size = v;
    s.max_entries = n;
    return s;
}
struct Key {
    std::uint32_t a;
    std::uint16_t b, c;
};
}  // namespace

TEST_CASE("HashMap: insert, get, remove, iterate", "[maps]") {
    auto m = Map::create(spec_of(MapType::Hash, sizeof(Key), 8, 16));
    REQUIRE(m);
    auto h = HashMap<Key, std::uint64_t>::from(*m);
    REQUIRE(h);
    for (std::uint32_t i = 0; i < 10; ++i) REQUIRE(h->insert({i, 1, 2}, i * 100));
    auto v = h->get({7, 1, 2});
    REQUIRE(v);
    REQUIRE(*v);
    CHECK(**v == 700);
    // A missing key is an empty optional, not an error.
    auto missing = h->get({7, 9, 9});
    REQUIRE(missing);
    CHECK_FALSE(missing->has_value());
    auto keys = h->keys();
    REQUIRE(keys);
    CHECK(keys->size() == 10);
    auto removed = h->remove({3, 1, 2});
    REQUIRE(removed);
    CHECK(*removed);
    auto removed_again = h->remove({3, 1, 2});
    REQUIRE(removed_again);
    CHECK_FALSE(*removed_again);
    auto entries = h->entries();
    REQUIRE(entries);
    CHECK(entries->size() == 9);
    for (const auto& [k, val] : *entries) CHECK(val == k.a * 100);
    // NoExist refuses to overwrite.
    auto dup = h->insert({7, 1, 2}, 1, UpdateFlags::NoExist);
    REQUIRE_FALSE(dup);
    CHECK(dup.error().code() == Errc::Exists);
    // Full map.
    for (std::uint32_t i = 100; i < 107; ++i) REQUIRE(h->insert({i, 0, 0}, 0));
    auto full = h->insert({200, 0, 0}, 0);
    REQUIRE_FALSE(full);
    CHECK(full.error().sys_errno() == E2BIG);
    CHECK(full.error().code() == Errc::ResourceLimit);
    CHECK(std::string(full.error().message()).find("the map is full (max_entries 16)") != std::string::npos);
    // Exist only updates what is there.
    auto absent = h->insert({999, 0, 0}, 1, UpdateFlags::Exist);
    REQUIRE_FALSE(absent);
    CHECK(absent.error().code() == Errc::NotFound);
}

TEST_CASE("UpdateFlags combine; F_LOCK needs a spin lock in the value", "[maps]") {
    constexpr UpdateFlags both = UpdateFlags::Exist | UpdateFlags::Lock;
    static_assert(static_cast<std::uint64_t>(both) == 6);
    static_assert((both & UpdateFlags::Lock) == UpdateFlags::Lock);
    auto m = Map::create(spec_of(MapType::Hash, 4, 8, 4));
    REQUIRE(m);
    auto h = HashMap<std::uint32_t, std::uint64_t>::from(*m);
    REQUIRE(h->insert(1, 1));
    // The value has no struct bpf_spin_lock (and the map no BTF): the kernel refuses BPF_F_LOCK.
    auto r = h->insert(1, 2, both);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::InvalidArgument);
}

TEST_CASE("HashMap::keys() ends even while the map changes underneath", "[maps]") {
    auto m = Map::create(spec_of(MapType::Hash, 4, 4, 64));
    REQUIRE(m);
    auto h = HashMap<std::uint32_t, std::uint32_t>::from(*m);
    for (std::uint32_t i = 0; i < 64; ++i) REQUIRE(h->insert(i, i));
    // A writer deletes and re-inserts keys: walks restart from the first key whenever theirs vanishes.
    std::atomic<bool> stop{false};
    std::thread writer([&] {
        std::uint32_t i = 0;
        while (!stop.load()) {
            (void)h->remove(i % 64);
            (void)h->insert(i % 64, i);
            ++i;
        }
    });
    for (int round = 0; round < 200; ++round) {
        auto keys = h->keys();
        REQUIRE(keys);
        CHECK(keys->size() <= 64);  // bounded by max_entries, whatever the kernel did
    }
    stop = true;
    writer.join();
}

TEST_CASE("queue pop checks the value size even without a key", "[maps]") {
    auto q = Map::create(spec_of(MapType::Queue, 0, 8, 4));
    REQUIRE(q);
    const std::uint64_t v = 7;
    REQUIRE(q->update({}, as_bytes_of(v)));
    std::uint32_t small = 0;
    auto bad = q->lookup_and_erase({}, as_writable_bytes_of(small));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code() == Errc::InvalidArgument);
    std::uint64_t out = 0;
    auto popped = q->lookup_and_erase({}, as_writable_bytes_of(out));
    REQUIRE(popped);
    CHECK(*popped);
    CHECK(out == 7);
    auto empty = q->lookup_and_erase({}, as_writable_bytes_of(out));
    REQUIRE(empty);
    CHECK_FALSE(*empty);  // an empty queue is an answer, not an error
}

TEST_CASE("a map view outlives its Object and moves into a thread", "[maps]") {
    std::optional<HashMap<std::uint32_t, std::uint64_t>> view;
    std::optional<Array<std::uint64_t>> counts;
    {
        auto obj = Object::load_file(test::obj_path("cgroup_skb_counter.bpf.o").c_str());
        REQUIRE(obj);
        auto c = obj->map<Array<std::uint64_t>>("counts");
        REQUIRE(c);
        counts.emplace(std::move(*c));
        auto taken = obj->take_map("counts");  // taking it out: the Object no longer has it
        REQUIRE(taken);
        auto gone = obj->map("counts");
        REQUIRE_FALSE(gone);
        CHECK(std::string(gone.error().message()).find("was taken out") != std::string::npos);
        auto h = Map::create(spec_of(MapType::Hash, 4, 8, 4));
        REQUIRE(h);
        view.emplace(*HashMap<std::uint32_t, std::uint64_t>::from(*h));
    }  // the Object and the Map handles are gone; the views keep their maps open
    REQUIRE(counts->set(1, 5));
    CHECK(*counts->get(1) == 5);
    std::thread t([v = *view] { REQUIRE(v.insert(3, 33)); });
    t.join();
    CHECK(**view->get(3) == 33);
}

TEST_CASE("Array: get, set, values", "[maps]") {
    auto m = Map::create(spec_of(MapType::Array, 4, 8, 4));
    REQUIRE(m);
    auto a = Array<std::uint64_t>::from(*m);
    REQUIRE(a);
    CHECK(a->size() == 4);
    REQUIRE(a->set(2, 42));
    CHECK(*a->get(2) == 42);
    CHECK(*a->get(0) == 0);
    auto all = a->values();
    REQUIRE(all);
    CHECK(*all == std::vector<std::uint64_t>{0, 0, 42, 0});
    auto oob = a->get(4);
    REQUIRE_FALSE(oob);
    CHECK(oob.error().code() == Errc::InvalidArgument);
    CHECK(std::string(oob.error().message()).find("index 4 is out of range (the array has 4 elements)") !=
          std::string::npos);
    auto oob_set = a->set(9, 1);
    REQUIRE_FALSE(oob_set);
    CHECK(oob_set.error().code() == Errc::InvalidArgument);
}

TEST_CASE("typed views check type and sizes once", "[maps]") {
    auto m = Map::create(spec_of(MapType::Array, 4, 8, 4));
    REQUIRE(m);
    auto wrong_value = Array<std::uint32_t>::from(*m);
    REQUIRE_FALSE(wrong_value);
    CHECK(wrong_value.error().code() == Errc::InvalidArgument);
    CHECK(std::string(wrong_value.error().message()).find("8-byte values") != std::string::npos);
    auto wrong_type = HashMap<std::uint32_t, std::uint64_t>::from(*m);
    REQUIRE_FALSE(wrong_type);
    CHECK(std::string(wrong_type.error().message()).find("is a array map") != std::string::npos);
    // The untyped API checks buffer sizes too.
    std::uint64_t small = 0;
    const std::uint32_t k = 0;
    auto r = m->lookup(as_bytes_of(k), as_writable_bytes_of(small));
    CHECK(r);
    std::uint16_t tiny_key = 0;
    auto bad = m->lookup(as_bytes_of(tiny_key), as_writable_bytes_of(small));
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code() == Errc::InvalidArgument);
}

TEST_CASE("per-CPU maps size values by possible CPUs", "[maps]") {
    auto cpus = possible_cpus();
    REQUIRE(cpus);
    CHECK(*cpus >= 1);
    auto m = Map::create(spec_of(MapType::PercpuArray, 4, 4, 2));
    REQUIRE(m);
    CHECK(m->value_buffer_size() == 8u * *cpus);  // 4-byte values are padded to 8 per CPU
    std::vector<std::byte> buf(m->value_buffer_size());
    const std::uint32_t k = 1;
    REQUIRE(m->lookup(as_bytes_of(k), buf));
}

TEST_CASE("maps pin, reopen by pin and by id, and report info", "[maps]") {
    test::BpffsDir dir;
    REQUIRE_FALSE(dir.path().empty());
    auto m = Map::create(spec_of(MapType::Hash, 4, 4, 8, "pinned_one"));
    REQUIRE(m);
    const std::string path = dir / "pinned_one";
    REQUIRE(m->pin(path.c_str()));
    auto again = m->pin(path.c_str());
    REQUIRE_FALSE(again);
    CHECK(again.error().code() == Errc::Exists);
    auto h = HashMap<std::uint32_t, std::uint32_t>::from(*m);
    REQUIRE(h->insert(5, 55));

    auto opened = Map::from_pin(path.c_str());
    REQUIRE(opened);
    CHECK(opened->type() == MapType::Hash);
    CHECK(opened->name() == "pinned_one");
    CHECK(**HashMap<std::uint32_t, std::uint32_t>::from(*opened)->get(5) == 55);
    auto info = m->info();
    REQUIRE(info);
    CHECK(info->max_entries == 8);
    auto by_id = Map::from_id(info->id);
    REQUIRE(by_id);
    CHECK(by_id->key_size() == 4);
    auto none = Map::from_pin((dir / "nothing").c_str());
    REQUIRE_FALSE(none);
    CHECK(none.error().code() == Errc::NotFound);
}

TEST_CASE("map creation errors name the map and its shape", "[maps]") {
    auto m = Map::create(spec_of(MapType::Hash, 0, 8, 4, "broken"));
    REQUIRE_FALSE(m);
    const std::string msg(m.error().message());
    CHECK(msg.find("create map 'broken' (hash, key 0, value 8, max_entries 4)") == 0);
    CHECK(msg.find("BPF_MAP_CREATE") != std::string::npos);
    auto rb = Map::create(spec_of(MapType::Ringbuf, 0, 0, 1000, "rb"));
    REQUIRE_FALSE(rb);
    CHECK(std::string(rb.error().message()).find("power of 2") != std::string::npos);
}
