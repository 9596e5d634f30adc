// SPDX-License-Identifier: MIT
// A bounded ELF32/ELF64 reader for both byte orders: sections, symbols and relocations as views into the bytes.
// Pure: no syscalls. Nothing here trusts an offset or a count from the file.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>

#include "base/bytes.hpp"

namespace ebpf::elf {

// Constants from the ELF specification that the BPF loader needs (kept here so pure code needs no <elf.h>).
inline constexpr std::uint32_t SHT_NULL = 0, SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4,
                               SHT_NOBITS = 8, SHT_REL = 9, SHT_DYNSYM = 11;
inline constexpr std::uint64_t SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
inline constexpr std::uint8_t STB_LOCAL = 0, STB_GLOBAL = 1, STB_WEAK = 2;
inline constexpr std::uint8_t STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4;
inline constexpr std::uint8_t STV_DEFAULT = 0, STV_INTERNAL = 1, STV_HIDDEN = 2, STV_PROTECTED = 3;
inline constexpr std::uint16_t SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2,
                               SHN_XINDEX = 0xffff;
inline constexpr std::uint16_t EM_BPF = 247;
inline constexpr std::uint16_t ET_REL = 1, ET_EXEC = 2, ET_DYN = 3;

struct Section {
    std::uint32_t index = 0;
    std::string_view name;
    std::uint32_t type = 0;
    std::uint64_t flags = 0;
    std::uint64_t addr = 0;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;  // for SHT_NOBITS: the size in memory; data is empty
    std::uint32_t link = 0;
    std::uint32_t info = 0;
    std::uint64_t addralign = 0;
    std::uint64_t entsize = 0;
    std::span<const std::byte> data;  // the section's bytes inside the file (empty for NOBITS)
};

struct Symbol {
    std::uint32_t index = 0;
    std::string_view name;
    std::uint64_t value = 0;
    std::uint64_t size = 0;
    std::uint8_t bind = 0;
    std::uint8_t type = 0;
    std::uint8_t visibility = 0;
    std::uint32_t shndx = 0;  // SHN_XINDEX already resolved through SHT_SYMTAB_SHNDX
};

struct Relocation {
    std::uint64_t offset = 0;  // offset inside the target section
    std::uint32_t symbol = 0;  // index into the symbol table
    std::uint32_t type = 0;
    std::int64_t addend = 0;  // 0 for SHT_REL
};

class File {
public:
    // Parses the ELF header and the section table. Errors: MalformedElf with the reason.
    static Result<File> parse(std::span<const std::byte> bytes);

    detail::Endian endian() const noexcept { return view_.endian(); }
    bool is64() const noexcept { return is64_; }
    std::uint16_t machine() const noexcept { return machine_; }
    std::uint16_t type() const noexcept { return type_; }
    std::span<const std::byte> bytes() const noexcept { return view_.bytes(); }

    std::span<const Section> sections() const noexcept { return sections_; }
    const Section* section(std::uint32_t index) const noexcept {
        return index < sections_.size() ? &sections_[index] : nullptr;
    }
    const Section* find_section(std::string_view name) const noexcept;
    const Section* find_section_by_type(std::uint32_t type) const noexcept;

    // Symbols of a SHT_SYMTAB or SHT_DYNSYM section (entry 0, the null symbol, included so indices match).
    Result<std::vector<Symbol>> symbols(const Section& symtab) const;
    // Symbols of the first SHT_SYMTAB; an empty vector if there is none.
    Result<std::vector<Symbol>> symbols() const;
    // Entries of a SHT_REL or SHT_RELA section.
    Result<std::vector<Relocation>> relocations(const Section& rel) const;

    // A ByteView over a section's bytes in the file's byte order.
    detail::ByteView view(const Section& s) const noexcept { return {s.data, view_.endian()}; }

private:
    detail::ByteView view_;
    bool is64_ = true;
    std::uint16_t machine_ = 0;
    std::uint16_t type_ = 0;
    std::vector<Section> sections_;
};

}  // namespace ebpf::elf
