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

// libbpf's marker for a call to a weak kfunc the kernel does not have (call imm = base + extern index): written by
// the loader, recognised by the verifier-log decoder. Fails only if the verifier reaches it.
inline constexpr std::int32_t kKfuncPoisonBase = 2002000000;

}  // namespace ebpf::detail
