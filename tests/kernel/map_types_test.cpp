// SPDX-License-Identifier: MIT
// Typed views of the data map types: per-CPU, LPM trie, queue/stack/bloom filter (from user space and from a
// program), map-in-map, mmapable arrays and arenas, and what they say about bad input.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <numeric>

#include <ebpf/ebpf.hpp>

#include "kernel/map_support.hpp"
#include "support/btf_builder.hpp"
#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "sys/bpf.hpp"

using namespace ebpf;
using test::map_spec;

TEST_CASE("HashMap::take reads and removes; an LRU map evicts instead of filling up", "[maps][map_types]") {
    const int fds = test::open_fd_count();
    {
        auto m = Map::create(map_spec(MapType::LruHash, 4, 8, 8));
        REQUIRE(m);
        auto h = HashMap<std::uint32_t, std::uint64_t>::from(*m);
        REQUIRE(h);
        for (std::uint32_t i = 0; i < 100; ++i) REQUIRE(h->insert(i, i));  // never "full"
        auto keys = h->keys();
        REQUIRE(keys);
        CHECK(keys->size() <= 8);
        REQUIRE(h->insert(1000, 7));
        auto t = h->take(1000);
        if (!t && (t.error().sys_errno() == EINVAL || t.error().sys_errno() == 524)) {
            // BPF_MAP_LOOKUP_AND_DELETE_ELEM takes hash maps since 5.14; take() has no fallback before that.
            EBPF_MARK_SKIPPED("take() not tested: the kernel refuses BPF_MAP_LOOKUP_AND_DELETE_ELEM on hash maps: "
                              << t.error().message());
            return;
        }
        REQUIRE(t);
        REQUIRE(*t);
        CHECK(**t == 7);
        auto again = h->take(1000);
        REQUIRE(again);
        CHECK_FALSE(again->has_value());
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("PerCpuHashMap and PerCpuArray hold one value per possible CPU", "[maps][map_types]") {
    auto cpus = possible_cpus();
    REQUIRE(cpus);
    auto m = Map::create(map_spec(MapType::PercpuHash, 4, 4, 8));
    REQUIRE(m);
    auto h = PerCpuHashMap<std::uint32_t, std::uint32_t>::from(*m);
    REQUIRE(h);
    CHECK(h->cpus() == *cpus);
    REQUIRE(h->insert(1, 5));  // every CPU
    auto v = h->get(1);
    REQUIRE(v);
    REQUIRE(*v);
    CHECK((*v)->size() == *cpus);
    CHECK((*v)->sum() == 5 * *cpus);
    for (std::uint32_t x : **v) CHECK(x == 5);
    std::vector<std::uint32_t> per(*cpus);
    std::iota(per.begin(), per.end(), 10u);
    REQUIRE(h->insert(2, std::span<const std::uint32_t>(per)));
    PerCpuValues<std::uint32_t> buf;
    auto got = h->get(2, buf);
    REQUIRE(got);
    CHECK(*got);
    CHECK(buf.to_vector() == per);
    CHECK(buf[0] == 10);
    auto missing = h->get(3);
    REQUIRE(missing);
    CHECK_FALSE(missing->has_value());
    // The wrong number of per-CPU values is refused before the kernel sees it.
    std::vector<std::uint32_t> few(*cpus + 1);
    CHECK(test::fails_with(h->insert(4, std::span<const std::uint32_t>(few)), Errc::InvalidArgument,
                           "possible CPUs"));
    auto entries = h->entries();
    REQUIRE(entries);
    CHECK(entries->size() == 2);
    for (const auto& [k, vals] : *entries) CHECK(vals.sum() == (k == 1 ? 5 * *cpus : std::accumulate(per.begin(), per.end(), 0u)));

    auto a = Map::create(map_spec(MapType::PercpuArray, 4, 8, 4));
    REQUIRE(a);
    auto arr = PerCpuArray<std::uint64_t>::from(*a);
    REQUIRE(arr);
    REQUIRE(arr->set(3, 7));
    auto row = arr->get(3);
    REQUIRE(row);
    CHECK(row->sum() == 7u * *cpus);
    CHECK(test::fails_with(arr->get(4), Errc::InvalidArgument, "out of range"));
    // Mixing up per-CPU and plain views is an error naming both.
    CHECK(test::fails_with(Array<std::uint64_t>::from(*a), Errc::InvalidArgument, "percpu_array"));
}

TEST_CASE("a program's per-CPU counter sums to its runs", "[maps][map_types]") {
    test::BpffsDir dir;
    auto obj = test::load_or_skip("maps.bpf.o", {.pin_root = dir.path(), .load_programs = true});
    if (!obj) return;
    Program* use = obj->find_program("use_maps");
    REQUIRE(use);
    std::vector<std::byte> pkt(64);
    for (int i = 0; i < 3; ++i) REQUIRE(use->test_run({.data_in = pkt}));
    auto percpu = obj->map<PerCpuArray<std::uint32_t>>("percpu");
    REQUIRE(percpu);
    auto v = percpu->get(0);
    REQUIRE(v);
    CHECK(v->sum() == 3);
}

TEST_CASE("LpmTrie matches the longest prefix", "[maps][map_types]") {
    constexpr std::uint32_t kNoPrealloc = 1;
    auto m = test::create_or_skip(map_spec(MapType::LpmTrie, 8, 4, 16, "lpm", kNoPrealloc));
    if (!m) return;
    auto t = LpmTrie<std::uint32_t, std::uint32_t>::from(*m);
    REQUIRE(t);
    auto ip = [](const char* s) {
        in_addr a{};
        REQUIRE(::inet_pton(AF_INET, s, &a) == 1);
        return static_cast<std::uint32_t>(a.s_addr);  // network byte order, as the trie wants
    };
    REQUIRE(t->insert({8, ip("10.0.0.0")}, 1));
    REQUIRE(t->insert({16, ip("10.1.0.0")}, 2));
    CHECK(**t->match(ip("10.1.2.3")) == 2);
    CHECK(**t->match(ip("10.2.0.1")) == 1);
    CHECK_FALSE(t->match(ip("11.0.0.1"))->has_value());
    CHECK(**t->get({12, ip("10.1.0.0")}) == 1);  // a /12 lookup only sees the /8
    auto keys = t->keys();
    REQUIRE(keys);
    CHECK(keys->size() == 2);
    REQUIRE(*t->remove({16, ip("10.1.0.0")}));
    CHECK(**t->match(ip("10.1.2.3")) == 1);
    CHECK_FALSE(*t->remove({16, ip("10.1.0.0")}));
    // A prefix longer than the data is the kernel's EINVAL.
    CHECK(test::fails_with(t->insert({33, ip("10.0.0.0")}, 1), Errc::InvalidArgument, "update"));
}

TEST_CASE("Queue and Stack push, pop and peek; full and empty are reported precisely", "[maps][map_types]") {
    auto qm = test::create_or_skip(map_spec(MapType::Queue, 0, 8, 3, "q"));
    if (!qm) return;
    auto q = Queue<std::uint64_t>::from(*qm);
    REQUIRE(q);
    CHECK(q->capacity() == 3);
    auto empty = q->pop();
    REQUIRE(empty);
    CHECK_FALSE(empty->has_value());
    for (std::uint64_t i = 1; i <= 3; ++i) REQUIRE(q->push(i));
    CHECK(test::fails_with(q->push(4), Errc::ResourceLimit, "the map is full (max_entries 3)"));
    REQUIRE(q->push(4, UpdateFlags::Exist));  // drops the oldest (1)
    CHECK(**q->peek() == 2);
    CHECK(**q->pop() == 2);
    CHECK(**q->pop() == 3);
    CHECK(**q->pop() == 4);
    CHECK_FALSE(q->pop()->has_value());

    auto sm = test::create_or_skip(map_spec(MapType::Stack, 0, 8, 3, "s"));
    if (!sm) return;
    auto s = Stack<std::uint64_t>::from(*sm);
    REQUIRE(s);
    for (std::uint64_t i = 1; i <= 3; ++i) REQUIRE(s->push(i));
    CHECK(**s->peek() == 3);
    CHECK(**s->pop() == 3);
    CHECK(**s->pop() == 2);
    // A queue is not a stack, and its values have one size.
    CHECK(test::fails_with(Stack<std::uint64_t>::from(*qm), Errc::InvalidArgument, "needs stack"));
    CHECK(test::fails_with(Queue<std::uint32_t>::from(*qm), Errc::InvalidArgument, "8-byte values"));
}

TEST_CASE("a program fills a queue, a stack and a bloom filter; a mapped array is shared with it",
          "[maps][map_types]") {
    auto obj = test::load_or_skip("map_producers.bpf.o", {},
                                  {MapType::Queue, MapType::Stack, MapType::BloomFilter});
    if (!obj) return;
    auto fifo = obj->map<Queue<std::uint64_t>>("fifo");
    auto lifo = obj->map<Stack<std::uint64_t>>("lifo");
    auto seen = obj->map<BloomFilter<std::uint32_t>>("seen");
    auto shared = obj->map<MappedArray<std::uint64_t>>("shared");
    REQUIRE(fifo);
    REQUIRE(lifo);
    REQUIRE(seen);
    REQUIRE(shared);
    CHECK(shared->writable());
    for (std::uint32_t i = 0; i < shared->size(); ++i) REQUIRE(shared->store(i, i));  // 0 + 1 + ... + 7 = 28

    REQUIRE(obj->global<std::uint32_t>("count")->set(5));
    REQUIRE(obj->global<std::uint32_t>("base")->set(100));
    Program* produce = obj->find_program("produce");
    REQUIRE(produce);
    auto loaded = produce->load();
    INFO(test::message_of(loaded));
    REQUIRE(loaded);
    std::vector<std::byte> pkt(64);
    auto r = produce->test_run({.data_in = pkt});
    REQUIRE(r);
    CHECK(r->retval == 2);
    CHECK(*obj->global<std::uint64_t>("shared_sum")->get() == 28);  // the program read what user space wrote in place
    for (std::uint32_t i = 0; i < shared->size(); ++i) CHECK(shared->load(i) == i + 1);  // and the reverse
    CHECK((*shared)[7] == 8);

    for (std::uint64_t i = 100; i < 105; ++i) CHECK(**fifo->pop() == i);
    CHECK_FALSE(fifo->pop()->has_value());
    for (std::uint64_t i = 105; i-- > 100;) CHECK(**lifo->pop() == i);
    for (std::uint32_t i = 100; i < 105; ++i) CHECK(*seen->contains(i));
    int positives = 0;
    for (std::uint32_t i = 1000; i < 1020; ++i) positives += *seen->contains(i) ? 1 : 0;
    CHECK(positives < 20);  // a bloom filter may say "maybe" for some, never for all of these
    REQUIRE(seen->push(7));
    CHECK(*seen->contains(7));
    // An ordinary array cannot be mapped.
    auto plain = Map::create(map_spec(MapType::Array, 4, 8, 2));
    REQUIRE(plain);
    CHECK(test::fails_with(MappedArray<std::uint64_t>::from(*plain), Errc::InvalidArgument, "BPF_F_MMAPABLE"));
}

TEST_CASE("ArrayOfMaps: inner maps read as typed views, created from the outer map's template",
          "[maps][map_types]") {
    const int fds = test::open_fd_count();
    {
        test::BpffsDir dir;
        auto obj = test::load_or_skip("maps.bpf.o", {.pin_root = dir.path(), .load_programs = true});
        if (!obj) return;
        std::vector<std::byte> pkt(64);
        REQUIRE(obj->find_program("use_maps")->test_run({.data_in = pkt}));
        auto outer = obj->map<ArrayOfMaps<Array<std::uint64_t>>>("outer");
        REQUIRE(outer);
        CHECK(outer->size() == 4);
        auto slot2 = outer->get(2);
        REQUIRE(slot2);
        REQUIRE(*slot2);
        CHECK(*(*slot2)->get(0) == 42);  // written by the program through the outer map
        CHECK_FALSE(outer->get(1)->has_value());

        auto fresh = outer->create_inner("fresh_inner");
        REQUIRE(fresh);
        REQUIRE(fresh->set(0, 9));
        REQUIRE(outer->set(1, *fresh));
        auto id = outer->id(1);
        REQUIRE(id);
        REQUIRE(*id);
        CHECK(**id == fresh->map().info()->id);
        CHECK(*(*outer->get(1))->get(0) == 9);
        // A map of another shape does not fit the template.
        auto wrong = Map::create(map_spec(MapType::Hash, 4, 8, 1));
        REQUIRE(wrong);
        CHECK(test::fails_with(outer->set(3, *wrong), Errc::InvalidArgument, "does not match the outer map's template"));
        // The wrong inner view for what is there.
        auto as_hash = obj->map<ArrayOfMaps<HashMap<std::uint32_t, std::uint64_t>>>("outer");
        REQUIRE(as_hash);
        CHECK(test::fails_with(as_hash->get(2), Errc::InvalidArgument, "HashMap needs"));
        CHECK(*outer->clear(1));
        CHECK_FALSE(*outer->clear(1));

        // Opened by id, the outer map has no spec: the template is read from a map in a slot.
        auto by_id = Map::from_id(outer->map().info()->id);
        REQUIRE(by_id);
        CHECK(by_id->inner_spec() == nullptr);
        auto reopened = ArrayOfMaps<>::from(*by_id);
        REQUIRE(reopened);
        auto copy = reopened->create_inner();
        REQUIRE(copy);
        CHECK(copy->type() == MapType::Array);
        CHECK(copy->value_size() == 8);
    }
    CHECK(test::fails_with(ArrayOfMaps<>::from(*Map::create(map_spec(MapType::Array, 4, 4, 1))),
                           Errc::InvalidArgument, "array_of_maps"));
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("HashOfMaps created by hand keeps its inner spec", "[maps][map_types]") {
    auto inner = std::make_shared<MapSpec>(map_spec(MapType::Hash, 4, 4, 8, "inner_tmpl"));
    auto tmpl = Map::create(*inner);
    REQUIRE(tmpl);
    MapSpec outer_spec = map_spec(MapType::HashOfMaps, 8, 4, 4, "outer_hash");
    outer_spec.inner = inner;
    MapCreateOptions with_template;
    with_template.inner_map_fd = tmpl->fd().get();
    auto outer_map = Map::create(outer_spec, with_template);
    REQUIRE(outer_map);
    REQUIRE(outer_map->inner_spec());
    auto outer = HashOfMaps<std::uint64_t, HashMap<std::uint32_t, std::uint32_t>>::from(*outer_map);
    REQUIRE(outer);
    for (std::uint64_t k : {11u, 22u}) {
        auto in = outer->create_inner();
        REQUIRE(in);
        REQUIRE(in->insert(1, static_cast<std::uint32_t>(k)));
        REQUIRE(outer->set(k, *in, UpdateFlags::NoExist));
    }
    auto keys = outer->keys();
    REQUIRE(keys);
    CHECK(keys->size() == 2);
    CHECK(**(*outer->get(22))->get(1) == 22);
    CHECK_FALSE(outer->get(33)->has_value());
}

TEST_CASE("Arena maps its pages once per process and shares them", "[maps][map_types]") {
    constexpr std::uint32_t kMmapable = 1u << 10;
    const int fds = test::open_fd_count();
    {
        auto m = test::create_or_skip(map_spec(MapType::Arena, 0, 0, 4, "arena", kMmapable));
        if (!m) return;
        auto a = Arena::from(*m);
        REQUIRE(a);
        CHECK(a->size() == 4 * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE)));
        std::memcpy(a->data() + 100, "arena!", 6);
        auto b = Arena::from(*m);  // the same mapping, not a second one (the kernel would refuse it)
        REQUIRE(b);
        CHECK(b->data() == a->data());
        CHECK(std::memcmp(b->data() + 100, "arena!", 6) == 0);
        CHECK(a->user_address() == reinterpret_cast<std::uintptr_t>(a->data()));
        CHECK(test::fails_with(Arena::from(*Map::create(map_spec(MapType::Array, 4, 4, 1))), Errc::InvalidArgument,
                               "needs arena"));
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("views refuse maps of other types and sizes with a message naming both", "[maps][map_types]") {
    auto h = Map::create(map_spec(MapType::Hash, 4, 8, 4, "the_hash"));
    REQUIRE(h);
    CHECK(test::fails_with(Array<std::uint64_t>::from(*h), Errc::InvalidArgument,
                           "map 'the_hash' is a hash map; Array needs array"));
    CHECK(test::fails_with(HashMap<std::uint64_t, std::uint64_t>::from(*h), Errc::InvalidArgument,
                           "4-byte keys and 8-byte values; the HashMap view uses 8 and 8"));
    CHECK(test::fails_with(PerCpuHashMap<std::uint32_t, std::uint64_t>::from(*h), Errc::InvalidArgument,
                           "PerCpuHashMap needs percpu_hash or lru_percpu_hash"));
    CHECK(test::fails_with(Queue<std::uint64_t>::from(*h), Errc::InvalidArgument, "Queue needs queue"));
    CHECK(test::fails_with(StackTraceMap::from(*h), Errc::InvalidArgument, "StackTraceMap needs stack_trace"));
    CHECK(test::fails_with(ProgArray::from(*h), Errc::InvalidArgument, "ProgArray needs prog_array"));
    CHECK(test::fails_with(SockMap::from(*h), Errc::InvalidArgument, "SockMap needs sockmap"));
    CHECK(test::fails_with(DevMap::from(*h), Errc::InvalidArgument, "DevMap needs devmap or devmap_hash"));
    CHECK(test::fails_with(SkStorage<std::uint64_t>::from(*h), Errc::InvalidArgument, "SkStorage needs sk_storage"));
    CHECK(test::fails_with(MappedMemory::of(*h), Errc::InvalidArgument, "cannot be mapped"));
    // Untyped access checks buffer sizes.
    std::uint32_t k = 0, small = 0;
    CHECK(test::fails_with(h->lookup(as_bytes_of(k), as_writable_bytes_of(small)), Errc::InvalidArgument,
                           "value buffer of 4 bytes, expected 8"));
}

TEST_CASE("UpdateFlags::Lock and LookupFlags::Lock on a value with a struct bpf_spin_lock", "[maps][map_types]") {
    // BTF: int (1), unsigned int (2), struct bpf_spin_lock { u32 val; } (3), struct value { lock; u32 x; } (4).
    test::BtfBuilder b;
    b.add_int("int", 4, 1);
    b.add_int("unsigned int", 4);
    b.add_struct("bpf_spin_lock", 4, {{"val", 2}});
    b.add_struct("value", 8, {{"lock", 3}, {"x", 2, 32}});
    const std::vector<std::byte> blob = b.build();
    sys::BtfLoadAttr attr{};
    attr.btf = sys::ptr_to_u64(blob.data());
    attr.btf_size = static_cast<std::uint32_t>(blob.size());
    auto btf = sys::btf_load(attr);
    REQUIRE(btf);
    MapSpec s = map_spec(MapType::Hash, 4, 8, 4, "locked");
    s.key_type = 1;
    s.value_type = 4;
    MapCreateOptions o;
    o.btf_fd = btf->get();
    auto m = Map::create(s, o);
    REQUIRE(m);
    struct Value {
        std::uint32_t lock, x;
    };
    auto h = HashMap<std::uint32_t, Value>::from(*m);
    REQUIRE(h);
    REQUIRE(h->insert(1, {0, 5}, UpdateFlags::Lock));
    REQUIRE(h->insert(1, {0, 6}, UpdateFlags::Exist | UpdateFlags::Lock));
    auto v = h->get(1, LookupFlags::Lock);
    REQUIRE(v);
    REQUIRE(*v);
    CHECK((*v)->x == 6);
    // Batches read under the lock too (the kernel's batch takes BPF_F_LOCK).
    auto all = h->entries({.elem_flags = UpdateFlags::Lock});
    REQUIRE(all);
    REQUIRE(all->size() == 1);
    CHECK(all->front().second.x == 6);
    auto slow = h->entries({.elem_flags = UpdateFlags::Lock, .mode = BatchMode::PerElement});
    REQUIRE(slow);
    CHECK(slow->front().second.x == 6);
}
