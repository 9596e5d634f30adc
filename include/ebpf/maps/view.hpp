// SPDX-License-Identifier: MIT
// Shared checks for typed map views: the key/value types must match the map's sizes (checked once).
// Thread safety: pure checks on a Map's shape; callable from any thread.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <type_traits>

#include <ebpf/map.hpp>

namespace ebpf::detail {

// Errors: InvalidArgument naming the map, the expected types and both sizes.
Result<void> check_map_view(const Map& map, std::initializer_list<MapType> types, std::size_t key_size,
                            std::size_t value_size, const char* view_name);
// InvalidArgument: "map 'x': index N is out of range (the array has M elements)".
Error index_out_of_range(const Map& map, std::uint32_t index);

}  // namespace ebpf::detail
