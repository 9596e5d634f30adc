// SPDX-License-Identifier: MIT
// The checks typed views make once, and the bounded key walk they share.
#include <ebpf/maps/per_cpu.hpp>
#include <ebpf/maps/view.hpp>

#include <algorithm>
#include <string>

#include "base/format.hpp"

namespace ebpf::detail {

namespace {
std::string type_list(std::initializer_list<MapType> types) {
    std::string out;
    std::size_t i = 0;
    for (const MapType t : types) {
        if (i > 0) out += i + 1 == types.size() ? " or " : ", ";
        out += to_string(t);
        ++i;
    }
    return out;
}

Result<void> check_type(const Map& map, std::initializer_list<MapType> types, const char* view_name) {
    if (std::find(types.begin(), types.end(), map.type()) == types.end())
        return Error(Errc::InvalidArgument, format("map '%s' is a %.*s map; %s needs %s", map.name().c_str(),
                                                   EBPF_SV(to_string(map.type())), view_name,
                                                   type_list(types).c_str()));
    return {};
}
}  // namespace

Result<void> check_map_view(const Map& map, std::initializer_list<MapType> types, std::size_t key_size,
                            std::size_t value_size, const char* view_name) {
    if (auto r = check_type(map, types, view_name); !r) return r;
    if (key_size != map.key_size() || value_size != map.value_size())
        return Error(Errc::InvalidArgument,
                     format("map '%s' has %u-byte keys and %u-byte values; the %s view uses %zu and %zu",
                            map.name().c_str(), map.key_size(), map.value_size(), view_name, key_size, value_size));
    return {};
}

Result<void> check_map_view_values(const Map& map, std::initializer_list<MapType> types, std::size_t key_size,
                                   std::initializer_list<std::size_t> value_sizes, const char* view_name) {
    if (auto r = check_type(map, types, view_name); !r) return r;
    const bool value_ok = std::find(value_sizes.begin(), value_sizes.end(), map.value_size()) != value_sizes.end();
    if (key_size != map.key_size() || !value_ok) {
        std::string sizes;
        for (const std::size_t v : value_sizes) sizes += (sizes.empty() ? "" : " or ") + std::to_string(v);
        return Error(Errc::InvalidArgument,
                     format("map '%s' has %u-byte keys and %u-byte values; the %s view uses %zu and %s",
                            map.name().c_str(), map.key_size(), map.value_size(), view_name, key_size,
                            sizes.c_str()));
    }
    return {};
}

Result<void> check_cpu_count(const Map& m, std::size_t given) {
    const std::size_t stride = (static_cast<std::size_t>(m.value_size()) + 7) / 8 * 8;
    const std::size_t cpus = stride ? m.value_buffer_size() / stride : 0;
    if (given != cpus)
        return Error(Errc::InvalidArgument, format("map '%s': %zu per-CPU values given; the map needs one for each of "
                                                   "the %zu possible CPUs",
                                                   m.name().c_str(), given, cpus));
    return {};
}

Error index_out_of_range(const Map& map, std::uint32_t index) {
    return Error(Errc::InvalidArgument, format("map '%s': index %u is out of range (the array has %u elements)",
                                               map.name().c_str(), index, map.max_entries()));
}

Result<void> for_each_key(const Map& map, std::span<std::byte> a, std::span<std::byte> b,
                          void (*sink)(void* ctx, std::span<const std::byte> key), void* ctx) {
    // Bounded by max_entries so it always ends, whatever the map does meanwhile (keys removed under the walk make
    // the kernel restart from the first key). Storage maps have max_entries 0 and no keys to walk.
    std::span<std::byte> cur = a, next = b;
    for (std::uint32_t i = 0; i < map.max_entries(); ++i) {
        auto r = map.next_key(i == 0 ? std::span<const std::byte>{} : std::span<const std::byte>(cur), next);
        if (!r) return std::move(r).error();
        if (!*r) break;
        sink(ctx, next);
        std::swap(cur, next);
    }
    return {};
}

}  // namespace ebpf::detail
