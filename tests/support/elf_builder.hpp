// SPDX-License-Identifier: MIT
// Builds small ELF files byte by byte (either class, either byte order), including deliberately broken ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ebpf/spec.hpp>

#include "base/bytes.hpp"

namespace ebpf::test {

class ElfBuilder {
public:
    explicit ElfBuilder(detail::Endian e = detail::host_endian(), bool is64 = true, std::uint16_t machine = 247,
                        std::uint16_t type = 1);

    // Returns the new section's index. Data of SHT_NOBITS sections is ignored except for its size.
    std::uint32_t add_section(std::string name, std::uint32_t type, std::uint64_t flags, std::vector<std::byte> data,
                              std::uint32_t link = 0, std::uint32_t info = 0, std::uint64_t entsize = 0);
    std::uint32_t add_nobits(std::string name, std::uint64_t size, std::uint64_t flags = 3);
    // Convenience: an executable PROGBITS section holding instructions.
    std::uint32_t add_code(std::string name, const std::vector<Instruction>& insns);
    // Returns the symbol index (the null symbol is index 0).
    std::uint32_t add_symbol(std::string name, std::uint64_t value, std::uint64_t size, std::uint8_t bind,
                             std::uint8_t type, std::uint16_t shndx, std::uint8_t visibility = 0);
    // Adds a SHT_REL entry for `section` (the .rel section is created on build()).
    void add_reloc(std::uint32_t section, std::uint64_t offset, std::uint32_t symbol, std::uint32_t type = 1);

    std::vector<std::byte> build() const;

    // Encodes instructions in this builder's byte order.
    std::vector<std::byte> encode(const std::vector<Instruction>& insns) const;

private:
    struct Sec {
        std::string name;
        std::uint32_t type;
        std::uint64_t flags;
        std::vector<std::byte> data;
        std::uint32_t link, info;
        std::uint64_t entsize, size;
    };
    struct Sym {
        std::string name;
        std::uint64_t value, size;
        std::uint8_t info, other;
        std::uint16_t shndx;
    };
    struct Rel {
        std::uint32_t section;
        std::uint64_t offset;
        std::uint32_t symbol, type;
    };
    detail::Endian endian_;
    bool is64_;
    std::uint16_t machine_, type_;
    std::vector<Sec> secs_;
    std::vector<Sym> syms_;
    std::vector<Rel> rels_;
};

// Little helpers to write integers in a byte order.
void put16(std::vector<std::byte>& out, std::uint16_t v, detail::Endian e);
void put32(std::vector<std::byte>& out, std::uint32_t v, detail::Endian e);
void put64(std::vector<std::byte>& out, std::uint64_t v, detail::Endian e);

// Instruction shorthands.
Instruction ld_imm64_lo(std::uint8_t dst, std::int32_t imm, std::uint8_t src = 0);
Instruction ld_imm64_hi(std::int32_t imm = 0);
Instruction mov64_imm(std::uint8_t dst, std::int32_t imm);
Instruction call_helper(std::int32_t id);
Instruction call_pseudo(std::int32_t imm);
Instruction exit_insn();

}  // namespace ebpf::test
