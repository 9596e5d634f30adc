// SPDX-License-Identifier: MIT
// The BTF of a loaded BPF program, read back from the kernel: where freplace and fentry/fexit on a program
// find their target function.
#pragma once

#include <cstdint>
#include <string_view>

#include <ebpf/error.hpp>

namespace ebpf::detail {

// The BTF id of FUNC `name` in the BTF the program `prog_fd` was loaded with.
// Errors: NotSupported (the program has no BTF), NotFound (no such function: lists what it looked at).
Result<std::uint32_t> find_program_func(int prog_fd, std::string_view name);

}  // namespace ebpf::detail
