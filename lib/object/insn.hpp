// SPDX-License-Identifier: MIT
// Instruction encoding for the kernel (host byte order, struct bpf_insn layout).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <ebpf/spec.hpp>

namespace ebpf::detail {

// struct bpf_insn as the running kernel expects it: 8 bytes, registers packed per host bit-field order.
std::vector<std::uint64_t> encode_instructions(std::span<const Instruction> insns);

}  // namespace ebpf::detail
