// SPDX-License-Identifier: MIT
// The instruction formatter behind <ebpf/disasm.hpp>: one instruction to text, with hooks through which the
// program-level disassembler (disasm_program.cpp) names map loads, calls and jump targets from the object.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include <ebpf/disasm.hpp>

namespace ebpf::detail {

// Names an instruction's operands from context. Each hook returns "" to keep the context-free spelling.
class DisasmNames {
public:
    virtual ~DisasmNames() = default;
    // The right-hand side of an ld_imm64 at `index` ("map[counts]", "kconfig[LINUX_KERNEL_VERSION]").
    virtual std::string ld_imm64_operand(std::uint32_t index, const Instruction& insn) const = 0;
    // A whole call instruction at `index` other than a helper or BPF-to-BPF call ("call kfunc bpf_obj_new_impl").
    virtual std::string call(std::uint32_t index, const Instruction& insn) const = 0;
    // The name of the function starting at instruction `target` ("" when none does).
    virtual std::string function_at(std::int64_t target) const = 0;
};

// Instruction `index` of `insns` as one listing line (insn, slots, text, valid; no function or source).
DisasmLine format_insn(std::span<const Instruction> insns, std::size_t index, const DisasmNames* names);

}  // namespace ebpf::detail
