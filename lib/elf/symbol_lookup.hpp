// SPDX-License-Identifier: MIT
// Function symbols of an executable or shared library, for placing uprobes: .dynsym (with GNU symbol versions
// from .gnu.version / .gnu.version_d) and .symtab, looked up by name ("malloc", "malloc@GLIBC_2.2.5",
// "malloc@@GLIBC_2.2.5") or matched by a glob. Pure: views into the bytes File::parse() was given.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>

#include "elf/file.hpp"

namespace ebpf::elf {

inline constexpr std::uint32_t SHT_GNU_VERDEF = 0x6ffffffd, SHT_GNU_VERNEED = 0x6ffffffe,
                               SHT_GNU_VERSYM = 0x6fffffff;
inline constexpr std::uint8_t STT_GNU_IFUNC = 10;
inline constexpr std::uint16_t EM_386 = 3, EM_ARM = 40, EM_X86_64 = 62, EM_AARCH64 = 183, EM_RISCV = 243;

enum class SymbolSource : std::uint8_t { Dynsym, Symtab };

struct FunctionSymbol {
    std::string_view name;     // without a version ("malloc")
    std::string_view version;  // "GLIBC_2.2.5", or empty for an unversioned symbol
    bool default_version = true;  // "@@" (or unversioned): what a new link binds to; false for "@" (hidden)
    bool ifunc = false;           // STT_GNU_IFUNC: the address is the resolver's
    std::uint8_t bind = STB_GLOBAL;
    std::uint64_t address = 0;  // st_value; the Thumb bit of ARM functions cleared
    std::uint64_t size = 0;
    SymbolSource source = SymbolSource::Dynsym;
    // "malloc@@GLIBC_2.2.5", "helper" (for messages)
    std::string display() const;
};

// Every defined function (STT_FUNC and STT_GNU_IFUNC, value != 0) of .dynsym and .symtab, in table order
// (.dynsym first). A .symtab name "f@V" or "f@@V" is split into name and version like a .dynsym version.
// Errors: MalformedElf (a broken symbol or version table).
Result<std::vector<FunctionSymbol>> function_symbols(const File& file);

// A name as asked for: "f", "f@V" (version V, hidden or default) or "f@@V" (the default version V only).
struct SymbolName {
    std::string_view name, version;
    bool default_only = false;
};
SymbolName parse_symbol_name(std::string_view text) noexcept;

// The one function `text` names. Several symbols may match (both tables, aliases, versions): they must agree on
// the address, or one must win: a global symbol over a weak one over a local one, then the default version.
// `where` names the file in messages.
// Errors: NotFound ("'readline' not found in /usr/bin/bash (.dynsym, .symtab searched)"), InvalidArgument when
//   the name is ambiguous (listing the candidates) or names an IFUNC (its address is the resolver's).
Result<FunctionSymbol> find_function(std::span<const FunctionSymbol> symbols, std::string_view text,
                                     std::string_view where);

// libbpf's glob: '*' matches any run of characters, '?' exactly one; everything else matches itself.
bool symbol_glob_match(std::string_view pattern, std::string_view text) noexcept;

// The functions whose name (without version) matches `pattern`: one entry per distinct address, IFUNCs left
// out, sorted by name then address. Empty when nothing matches.
std::vector<FunctionSymbol> match_functions(std::span<const FunctionSymbol> symbols, std::string_view pattern);

}  // namespace ebpf::elf
