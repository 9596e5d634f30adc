// SPDX-License-Identifier: MIT
// Map type probes: BPF_MAP_CREATE of the smallest map of each type.
#include <ebpf/features.hpp>

#include <unistd.h>

#include <cerrno>

#include "base/format.hpp"
#include "features/probe_cache.hpp"
#include "features/probe_util.hpp"

namespace ebpf {

using detail::format;

namespace {

namespace probe = detail::probe;

enum class Extra : std::uint8_t {
    None,
    InnerMap,      // *_OF_MAPS: inner_map_fd of a small hash map
    IntBtf,        // local storage: BTF key and value type (int), which these maps require
    PageEntries,   // ring buffers: max_entries is the size in bytes, a power-of-2 multiple of the page size
    StructOpsBtf,  // btf_vmlinux_value_type_id 1, which is no struct_ops type: ENOTSUPP proves the map type
};

struct MapRecipe {
    MapType type;
    std::uint32_t key_size = 4, value_size = 4, max_entries = 1, flags = 0;
    Extra extra = Extra::None;
};

// Types that the default (key 4, value 4, one entry, no flags) does not create. The shapes are the ones each
// type's map_alloc_check demands.
constexpr MapRecipe kMapRecipes[] = {
    {MapType::StackTrace, 4, 8},
    {MapType::LpmTrie, 8, 8, 1, probe::kNoPrealloc},
    {MapType::CgroupStorage, 16, 8, 0},  // key: struct bpf_cgroup_storage_key
    {MapType::PercpuCgroupStorage, 16, 8, 0},
    {MapType::Queue, 0, 4},
    {MapType::Stack, 0, 4},
    {MapType::BloomFilter, 0, 4},
    {MapType::ArrayOfMaps, 4, 4, 1, 0, Extra::InnerMap},
    {MapType::HashOfMaps, 4, 4, 1, 0, Extra::InnerMap},
    {MapType::SkStorage, 4, 4, 0, probe::kNoPrealloc, Extra::IntBtf},
    {MapType::InodeStorage, 4, 4, 0, probe::kNoPrealloc, Extra::IntBtf},
    {MapType::TaskStorage, 4, 4, 0, probe::kNoPrealloc, Extra::IntBtf},
    {MapType::CgrpStorage, 4, 4, 0, probe::kNoPrealloc, Extra::IntBtf},
    {MapType::Ringbuf, 0, 0, 0, 0, Extra::PageEntries},
    {MapType::UserRingbuf, 0, 0, 0, 0, Extra::PageEntries},
    {MapType::StructOps, 4, 4, 1, 0, Extra::StructOpsBtf},
    {MapType::Arena, 0, 0, 1, probe::kMmapable},  // one page, mmap-able anywhere (map_extra 0)
};

MapRecipe recipe(MapType type) {
    for (const MapRecipe& r : kMapRecipes)
        if (r.type == type) return r;
    return MapRecipe{type};
}

Result<bool> run_map_probe(const ProbeKey& key) {
    const auto type = static_cast<MapType>(key.type);
    const MapRecipe r = recipe(type);
    const std::string what = format("BPF_MAP_CREATE (%.*s)", EBPF_SV(to_string(type)));
    sys::MapCreateAttr a{};
    a.map_type = key.type;
    a.key_size = r.key_size;
    a.value_size = r.value_size;
    a.max_entries = r.max_entries;
    a.map_flags = r.flags;
    probe::Outcome helper;  // keeps the inner map or BTF open until the map exists
    switch (r.extra) {
    case Extra::None: break;
    case Extra::InnerMap:
        helper = probe::create_small_map(MapType::Hash);
        if (!helper.ok()) {
            if (helper.err == EPERM) return probe::on_eperm(what);
            return probe::unexpected(helper.err, what + ": inner hash map");
        }
        a.inner_map_fd = static_cast<std::uint32_t>(helper.fd.get());
        break;
    case Extra::IntBtf:
        helper = probe::load_int_btf();
        if (!helper.ok()) {
            if (helper.err == EPERM) return probe::on_eperm(what);
            return false;  // no BTF: these maps cannot exist without it
        }
        a.btf_fd = static_cast<std::uint32_t>(helper.fd.get());
        a.btf_key_type_id = 1;
        a.btf_value_type_id = 1;
        break;
    case Extra::PageEntries: {
        const long page = ::sysconf(_SC_PAGESIZE);
        a.max_entries = static_cast<std::uint32_t>(page > 0 ? page : 4096);
        break;
    }
    case Extra::StructOpsBtf: a.btf_vmlinux_value_type_id = 1; break;
    }
    probe::Outcome o = probe::create_map(a);
    if (o.ok()) return true;
    if (r.extra == Extra::StructOpsBtf && o.err == probe::kEnotsupp) return true;
    switch (o.err) {
    case EPERM: return probe::on_eperm(what);
    case EINVAL:
    case E2BIG:
    case EOPNOTSUPP:
    case probe::kEnotsupp: return false;
    default: return probe::unexpected(o.err, what);
    }
}

}  // namespace

Result<bool> map_type_supported(MapType type) {
    return detail::cached_probe(ProbeKey::map(type), run_map_probe);
}

}  // namespace ebpf
