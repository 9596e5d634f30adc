// SPDX-License-Identifier: MIT
// Internal state of the static linker (lib/linker): inputs, merged sections, symbols and BTF under construction.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <ebpf/btf.hpp>
#include <ebpf/linker.hpp>

#include "btf/mutable.hpp"
#include "elf/file.hpp"

namespace ebpf::linker_impl {

inline constexpr std::uint32_t kNone = ~std::uint32_t{0};

struct InSec {
    std::uint32_t out = kNone;  // index into Linker::secs; kNone when the section is not linked
    std::uint64_t off = 0;      // where its bytes start inside the merged section
    bool skipped = false;       // a repeated license/version section
};

struct Input {
    std::string name;
    elf::File elf;
    std::vector<elf::Symbol> syms;
    std::optional<btf::Spec> btf;
    std::optional<btf::ExtInfo> ext;
    std::vector<InSec> secs;               // one per ELF section
    std::vector<std::uint32_t> sym_map;    // input symbol index -> output symbol index
    std::vector<btf::TypeId> type_map;     // input type id -> merged type id (0: dropped)
};

struct VarEntry {
    btf::TypeId type = 0;
    std::uint32_t offset = 0, size = 0;
};

struct OutSec {
    std::string name;
    std::uint32_t type = 0;  // SHT_PROGBITS / SHT_NOBITS; 0 for an ephemeral section (.kconfig, .ksyms: BTF only)
    std::uint64_t flags = 0, entsize = 0, align = 1, size = 0;
    std::vector<std::byte> data;
    std::uint32_t sec_sym = 0;  // its STT_SECTION symbol (0: none yet)
    std::vector<std::byte> rel;  // SHT_REL entries (ELF64, the inputs' byte order)
    bool has_btf = false;
    std::vector<VarEntry> vars;
    bool exec() const noexcept { return type == elf::SHT_PROGBITS && (flags & elf::SHF_EXECINSTR); }
};

struct OutSym {
    std::string name;
    std::uint8_t info = 0, other = 0;
    std::uint32_t sec = kNone;   // OutSec index; kNone: SHN_UNDEF; kAbs: SHN_ABS
    std::uint64_t value = 0, size = 0;
};
inline constexpr std::uint32_t kAbs = kNone - 1;

struct Global {
    std::uint32_t sym = 0;            // output symbol
    std::uint32_t sec = kNone;        // OutSec index of the definition (or of the extern's DATASEC)
    bool is_extern = true, is_weak = false;
    std::size_t def_input = 0;        // input of the current definition (or of the first extern)
    std::size_t btf_input = 0;        // input whose BTF type describes the symbol first
    btf::TypeId btf_orig = 0;         // that type's id in that input
    btf::TypeId btf_id = 0;           // merged VAR/FUNC id
    btf::TypeId pending_underlying = 0;  // set when the definition's input still has to supply the underlying type
    int var_idx = -1;                 // DATASEC entry in secs[var_sec].vars
    std::uint32_t var_sec = kNone;
};

struct Linker {
    std::vector<Input> inputs;
    std::vector<OutSec> secs;
    std::vector<OutSym> syms{OutSym{}};
    std::vector<Global> globals;
    std::unordered_map<std::string, std::uint32_t> global_index;
    std::vector<btf::MutType> types{btf::MutType{}};
    bool any_btf = false;
    detail::Endian endian = detail::Endian::Little;

    std::uint32_t find_or_add_sec(std::string_view name);
};

// lib/linker/link.cpp
Result<void> append_sections(Linker& l, std::size_t in);
Result<void> append_symbols(Linker& l, std::size_t in);
Result<void> append_relocations(Linker& l, std::size_t in);
// lib/linker/btf_merge.cpp
Result<void> append_btf(Linker& l, std::size_t in);
// Checks that a symbol's BTF (VAR/FUNC `id` of input `in`) matches the global's first BTF; MalformedObject if not.
Result<void> check_global_types(const Linker& l, const Global& g, std::string_view name, std::size_t in,
                                btf::TypeId id);
// The VAR/FUNC describing a global symbol in one input's BTF, and the DATASEC it is listed in (0 if none).
Result<std::pair<btf::TypeId, std::string>> find_symbol_btf(const Input& in, std::string_view name);
// Builds .BTF and .BTF.ext (empty when no input has BTF).
Result<std::pair<std::vector<std::byte>, std::vector<std::byte>>> finish_btf(Linker& l, const LinkOptions& o);
// lib/linker/elf_write.cpp
std::vector<std::byte> write_elf(const Linker& l, const std::vector<std::byte>& btf, const std::vector<std::byte>& ext);

}  // namespace ebpf::linker_impl
