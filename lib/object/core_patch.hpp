// SPDX-License-Identifier: MIT
// Writing a CO-RE result into the relocated instruction (immediate, offset, load size, or poison).
#pragma once

#include <vector>

#include <ebpf/spec.hpp>

#include "btf/core.hpp"

namespace ebpf::detail {

// Patches instruction `idx` (ALU/ALU64 imm, LDX/ST/STX offset and size, or ld_imm64 value) with `r`.
// Poisoned results become `call 0xbad2310` (both halves of an ld_imm64), which the verifier only rejects if
// reached. Errors: Relocation when the instruction does not hold what the compiler should have put there.
Result<void> core_patch(std::vector<Instruction>& insns, std::uint32_t idx, const btf::CoreResult& r);

void core_poison(std::vector<Instruction>& insns, std::uint32_t idx);

}  // namespace ebpf::detail
