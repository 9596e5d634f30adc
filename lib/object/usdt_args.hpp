// SPDX-License-Identifier: MIT
// USDT argument specifications (the third string of a .note.stapsdt note, "-4@%edi 8@-8(%rbp) 4@$5"), decoded
// for x86_64, AArch64, 32-bit ARM and RISC-V 64, and encoded as the struct __bpf_usdt_spec that libbpf's BPF-side
// header <bpf/usdt.bpf.h> reads (map __bpf_usdt_specs), so BPF_USDT() programs work unmodified.
//
// An argument is SIZE@LOCATION: SIZE is 1, 2, 4 or 8 bytes, negative for a signed value. Locations, by
// architecture (what GCC and Clang emit through <sys/sdt.h>'s "nor" operand constraint):
//   x86_64   %reg  $imm  off(%reg)  (%reg)  off(%base,%index,scale)   registers by any width: %rax %eax %ax %al
//   aarch64  xN wN sp  imm  [reg]  [reg, off]
//   arm      rN fp ip sp lr pc  #imm  [reg]  [reg, #off]
//   riscv64  ABI names (a0, s1, sp, ...) or xN  imm  off(reg)
// Register operands become byte offsets into struct pt_regs as BPF programs of that architecture see it.
// Pure: no system calls.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>

#include "base/bytes.hpp"

namespace ebpf::detail {

enum class UsdtArch : std::uint8_t { X86_64, Aarch64, Arm, Riscv64 };

// The USDT architecture of an ELF e_machine (EM_X86_64 with ELFCLASS64, EM_AARCH64, EM_ARM, EM_RISCV with
// ELFCLASS64); nullopt for the others.
std::optional<UsdtArch> usdt_arch(std::uint16_t machine, bool elf64) noexcept;
std::string_view to_string(UsdtArch arch) noexcept;

// enum __bpf_usdt_arg_type; Sib (scale-index-base, x86) is parsed but not encodable (see encode_usdt_spec).
enum class UsdtArgKind : std::uint8_t { Const = 0, Reg = 1, RegDeref = 2, Sib = 3 };

struct UsdtArg {
    UsdtArgKind kind = UsdtArgKind::Const;
    std::int8_t size = 8;        // bytes; negative: signed
    std::int64_t value = 0;      // Const: the value; RegDeref/Sib: the offset added to the register
    std::int16_t reg_off = 0;    // Reg/RegDeref/Sib: offsetof(struct pt_regs, register)
    std::int16_t index_reg_off = 0;  // Sib
    std::uint8_t scale = 1;          // Sib: 1, 2, 4 or 8
    std::string_view text;       // the argument as written ("-4@-20(%rbp)"), a view into the spec string
};

inline constexpr std::size_t kUsdtMaxArgs = 12;      // BPF_USDT_MAX_ARG_CNT
inline constexpr std::size_t kUsdtSpecSize = 208;    // sizeof(struct __bpf_usdt_spec)

// Decodes a whole argument specification ("" has no arguments).
// Errors: InvalidArgument naming the argument (its number and text) and what is wrong: an unknown register, a
//   size other than 1, 2, 4, 8, a location form this architecture does not have, more than 12 arguments.
Result<std::vector<UsdtArg>> parse_usdt_args(std::string_view spec, UsdtArch arch);

// struct __bpf_usdt_spec as <bpf/usdt.bpf.h> lays it out, in byte order `endian`:
//   args[12] at 0, each { u64 val_off; enum arg_type (u32); short reg_off; bool arg_signed; char arg_bitshift }
//   (16 bytes), u64 usdt_cookie at 192, short arg_cnt at 200, 208 bytes in all.
// arg_bitshift = 64 - 8 * |size|: the BPF side shifts left then right (arithmetic when signed) to narrow the
// 8-byte value it read.
// Errors: InvalidArgument for a Sib argument (usdt.bpf.h before libbpf 1.7 has no such type, and the field
//   layout of the later one is not settled) and for more than 12 arguments.
Result<std::array<std::byte, kUsdtSpecSize>> encode_usdt_spec(std::span<const UsdtArg> args, std::uint64_t cookie,
                                                               Endian endian);

}  // namespace ebpf::detail
