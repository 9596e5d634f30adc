// SPDX-License-Identifier: MIT
// Shared pieces of the typed map views: the checks every view makes once (type, key and value sizes) and the
// thin typed wrappers over Map's untyped element access that keep the view templates small.
// Thread safety: pure checks on a Map's shape, and Map's element access (concurrent-safe); callable from any thread.
// Kernel: nothing beyond Map's element access. Ownership: the helpers borrow the Map for the call.
#pragma once

#include <concepts>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <optional>
#include <span>
#include <type_traits>
#include <vector>

#include <ebpf/map.hpp>

namespace ebpf {

// A loaded program handle as fd-valued maps take it (Program, or anything with fd() and type() like it): maps
// never depend on the programs layer, they only need the descriptor.
template <class P>
concept ProgramHandle = requires(const P& p) {
    { p.fd() } -> std::convertible_to<FdRef>;
    { p.type() } -> std::same_as<ProgramType>;
};

}  // namespace ebpf

namespace ebpf::detail {

// Errors: InvalidArgument naming the map, the expected types and both sizes.
Result<void> check_map_view(const Map& map, std::initializer_list<MapType> types, std::size_t key_size,
                            std::size_t value_size, const char* view_name);
// The same, for maps whose values may have one of several sizes (fd maps: u32 fd, or u64 for a cookie back).
Result<void> check_map_view_values(const Map& map, std::initializer_list<MapType> types, std::size_t key_size,
                                   std::initializer_list<std::size_t> value_sizes, const char* view_name);
// InvalidArgument: "map 'x': index N is out of range (the array has M elements)".
Error index_out_of_range(const Map& map, std::uint32_t index);

// A typed view of `map`: View::from(map), or the map itself when View is the untyped Map.
template <class View>
Result<View> view_of(const Map& map) {
    if constexpr (std::is_same_v<View, Map>) return map;
    else return View::from(map);
}

// The value for a key as V, an empty optional when absent. One bpf() call, no allocation.
template <class V>
Result<std::optional<V>> lookup_as(const Map& map, std::span<const std::byte> key,
                                   LookupFlags flags = LookupFlags::Any) {
    V v{};
    auto r = map.lookup(key, as_writable_bytes_of(v), flags);
    if (!r) return std::move(r).error();
    if (!*r) return std::optional<V>{};
    return std::optional<V>(v);
}

// Reads and removes the value for a key (or pops, with an empty key). Empty optional when absent.
template <class V>
Result<std::optional<V>> take_as(const Map& map, std::span<const std::byte> key) {
    V v{};
    auto r = map.lookup_and_erase(key, as_writable_bytes_of(v));
    if (!r) return std::move(r).error();
    if (!*r) return std::optional<V>{};
    return std::optional<V>(v);
}

// Every key, walking with BPF_MAP_GET_NEXT_KEY, bounded by max_entries (see HashMap::keys()).
Result<void> for_each_key(const Map& map, std::span<std::byte> scratch_a, std::span<std::byte> scratch_b,
                          void (*sink)(void* ctx, std::span<const std::byte> key), void* ctx);

template <class K>
Result<std::vector<K>> keys_as(const Map& map) {
    std::vector<K> out;
    K a{}, b{};
    auto r = for_each_key(
        map, as_writable_bytes_of(a), as_writable_bytes_of(b),
        [](void* ctx, std::span<const std::byte> key) {
            K k;
            std::memcpy(&k, key.data(), sizeof k);
            static_cast<std::vector<K>*>(ctx)->push_back(k);
        },
        &out);
    if (!r) return std::move(r).error();
    return out;
}

}  // namespace ebpf::detail
