// SPDX-License-Identifier: MIT
// struct bpf_map_info -> MapInfo, shared by Map::info() and loaded_maps().
#pragma once

#include <ebpf/map.hpp>

#include "sys/info.hpp"

namespace ebpf::detail {

MapInfo to_map_info(const sys::MapInfoRaw& raw);

}  // namespace ebpf::detail
