// SPDX-License-Identifier: MIT
// Map views in a few lines: a hash map read in batches, per-CPU values, a queue, and a global variable of a loaded
// object read and written in place. Run as root: ./map_views [path/to/globals.bpf.o]
#include <cstdint>
#include <cstdio>
#include <vector>

#include <ebpf/ebpf.hpp>

#ifndef EBPF_EXAMPLE_OBJECT
#define EBPF_EXAMPLE_OBJECT "globals.bpf.o"
#endif

namespace {
int die(const char* what, const ebpf::Error& e) {
    std::fprintf(stderr, "map_views: %s: %.*s\n", what, static_cast<int>(e.message().size()), e.message().data());
    return 1;
}

ebpf::MapSpec spec(ebpf::MapType type, std::uint32_t key, std::uint32_t value, std::uint32_t entries) {
    ebpf::MapSpec s;
    s.name = "example";
    s.type = type;
    s.key_size = key;
    s.value_size = value;
    s.max_entries = entries;
    return s;
}
}  // namespace

int main(int argc, char** argv) {
    using namespace ebpf;

    // A hash map, filled and read back in batches (one system call per 1024 elements where the kernel can).
    auto m = Map::create(spec(MapType::Hash, 4, 8, 10000));
    if (!m) return die("create hash map", m.error());
    auto counts = HashMap<std::uint32_t, std::uint64_t>::from(*m);
    if (!counts) return die("view", counts.error());
    std::vector<std::uint32_t> keys(10000);
    std::vector<std::uint64_t> values(10000);
    for (std::uint32_t i = 0; i < keys.size(); ++i) keys[i] = i, values[i] = i * 2;
    if (auto r = counts->update_batch(keys, values); !r) return die("update batch", r.error());
    auto all = counts->entries();
    if (!all) return die("entries", all.error());
    auto missing = counts->get(123456);  // a missing key is an empty optional, not an error
    std::printf("hash: %zu entries, key 123456 %s\n", all->size(), missing && !*missing ? "absent" : "?");

    // Per-CPU values: one per possible CPU, summed.
    auto pm = Map::create(spec(MapType::PercpuArray, 4, 8, 1));
    if (!pm) return die("create per-CPU array", pm.error());
    auto per_cpu = PerCpuArray<std::uint64_t>::from(*pm);
    if (auto r = per_cpu->set(0, 5); !r) return die("set", r.error());
    auto row = per_cpu->get(0);
    if (!row) return die("get", row.error());
    std::printf("per-CPU: %u CPUs, sum %llu\n", row->size(), static_cast<unsigned long long>(row->sum()));

    // A queue: push, pop (empty is an empty optional), and the "full" error.
    auto qm = Map::create(spec(MapType::Queue, 0, 8, 2));
    if (!qm) return die("create queue", qm.error());
    auto q = Queue<std::uint64_t>::from(*qm);
    (void)q->push(1);
    (void)q->push(2);
    if (auto full = q->push(3); !full) std::printf("queue: %.*s\n", static_cast<int>(full.error().message().size()),
                                                   full.error().message().data());

    // A global variable of a loaded object, read and written in its mapped section.
    auto obj = Object::load_file(argc > 1 ? argv[1] : EBPF_EXAMPLE_OBJECT);
    if (!obj) return die("load", obj.error());
    auto data_add = obj->global<std::uint64_t>("data_add");
    if (!data_add) return die("global", data_add.error());
    if (auto r = data_add->set(42); !r) return die("set global", r.error());
    std::printf("global data_add = %llu (%s)\n", static_cast<unsigned long long>(*data_add->get()),
                data_add->mapped() ? "mapped" : "through system calls");
    auto frozen = obj->global<std::uint64_t>("rodata_mult");
    if (frozen) {
        auto w = frozen->set(1);
        std::printf("rodata_mult: %.*s\n", static_cast<int>(w ? 2 : w.error().message().size()),
                    w ? "ok" : w.error().message().data());
    }
    return 0;
}
