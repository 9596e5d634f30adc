// SPDX-License-Identifier: MIT
// Helpers shared by the networking attach mechanisms (xdp.cpp, tc_netlink.cpp, tcx.cpp, netns.cpp).
#pragma once

#include <cstdint>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>

namespace ebpf::detail {

// The kernel's id of a loaded program (BPF_OBJ_GET_INFO_BY_FD).
Result<std::uint32_t> prog_id_of(FdRef prog);

// Whether an error of a netlink request about an interface says it no longer exists (deleted, or its namespace
// gone): what a Link undoing an attachment to it treats as done.
bool interface_gone(const Error& e) noexcept;

}  // namespace ebpf::detail
