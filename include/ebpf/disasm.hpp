// SPDX-License-Identifier: MIT
// Disassembly: eBPF instructions as readable assembly, in the C-like syntax of llvm-objdump and bpftool:
//   r1 = *(u32 *)(r2 + 4)            if r1 > 0x10 goto pc+3 <12>      call bpf_map_lookup_elem#1
//   r1 = map[counts] ll              call pc+5 <helper_fn>            call kfunc bpf_task_acquire
//   lock *(u64 *)(r1 + 0) += r2      w1 = w2                          r1 = be16 r1
// An ld_imm64 is one line covering two instruction slots. Jump targets are shown as the absolute instruction
// index in angle brackets (or the function name when a function starts there).
//
// Pure: no system calls; works on parsed specs (ObjectSpec) and on any instruction array.
// Errors: none. An instruction that cannot be decoded (unknown opcode, bad register, ld_imm64 without its second
//   half) is printed as ".insn code 0x.. dst .. src .. off .. imm .. <invalid: reason>"; nothing is ever refused.
// Thread safety: all functions are pure; concurrent calls on the same const spec are safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/btf.hpp>
#include <ebpf/spec.hpp>

namespace ebpf {

// The kernel's name of a helper without the "bpf_" prefix ("map_lookup_elem" for 1), from a table of
// enum bpf_func_id up to the newest kernel known to this build; "" for ids outside it.
std::string_view helper_name(std::uint32_t id) noexcept;
std::optional<std::uint32_t> helper_id(std::string_view name) noexcept;
// One past the largest helper id in the table (the helper ids are 1 .. helper_id_end() - 1).
std::uint32_t helper_id_end() noexcept;

// One instruction of a listing.
struct DisasmLine {
    std::uint32_t insn = 0;       // its index in the instruction array
    std::uint32_t slots = 1;      // instruction slots it covers: 2 for ld_imm64
    std::string text;             // "r1 = *(u32 *)(r2 + 4)"
    bool valid = true;            // false: text is an ".insn ... <invalid: ...>" line
    std::string function;         // the function (entry or subprogram) that starts here; "" elsewhere
    // The source line that starts here (.BTF.ext line_info), when the object has one.
    std::string source;           // the line's text, as clang recorded it
    std::string source_file;
    std::uint32_t source_line = 0, source_column = 0;
};

// Formats instruction `index` of `insns` without object context: helpers by name, calls and jumps with their
// targets, map references by the kernel's pseudo source (map[fd:5], map[idx:0]) as in loaded programs.
// An index inside or past the end of the array prints an <invalid: ...> line.
std::string format_instruction(std::span<const Instruction> insns, std::size_t index);

// Every instruction of a program, one line each, named from its object: map loads by map name, kfunc and extern
// references by name, subprogram calls and function starts by symbol name, source lines from line_info.
// `object` is the spec `program` belongs to (its maps, externs and BTF); instruction indexes refer to
// program.instructions.
std::vector<DisasmLine> disassemble(const ProgramSpec& program, const ObjectSpec& object);

// A listing as text: "name:" where a function starts, "; source" before the instruction a source line starts at
// (once for consecutive records of the same line), then "<index>: <text>" per instruction (the index right-aligned
// in six columns); each line ends in '\n'.
std::string format_listing(std::span<const DisasmLine> lines);

// The spelling of a CO-RE access string against its local root type: "struct task_struct.pid" for a field
// ("0:1"), "struct s[1].arr[2]" for array indexes, "enum e.VALUE" for enumerator relocations and the root type's
// name for type relocations. Parts that do not fit the BTF are shown as "?<index>".
std::string core_access_spelling(const btf::Spec& btf, btf::TypeId root, std::string_view access,
                                 btf::CoreReloKind kind);

}  // namespace ebpf
