// SPDX-License-Identifier: MIT
// Helpers of the views whose values are file descriptors going in (programs, sockets, devices, cgroups, maps).
#pragma once

#include <ebpf/maps/view.hpp>

namespace ebpf::detail {

// InvalidArgument unless index < max_entries.
Result<void> check_index(const Map& m, std::uint32_t index);
// InvalidArgument "map 'x' slot N: the <what> is not open" for an fd < 0 (a Program that is not loaded has -1).
Result<void> require_fd(const Map& m, std::uint64_t key, FdRef fd, const char* what);
// Stores `fd` as the value of `key`, as a u32 or u64 as wide as the map's values.
Result<void> put_fd(const Map& m, std::span<const std::byte> key, FdRef fd, UpdateFlags flags);
// A u32 value read back (an id the kernel returns for fd-valued maps), or empty.
Result<std::optional<std::uint32_t>> get_u32(const Map& m, std::span<const std::byte> key);

}  // namespace ebpf::detail
