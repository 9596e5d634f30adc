// SPDX-License-Identifier: MIT
// State shared by the steps that turn an ELF object into an ObjectSpec (see object.cpp for the order).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <ebpf/spec.hpp>

#include "base/format.hpp"
#include "btf/patch.hpp"
#include "elf/file.hpp"

namespace ebpf::detail {

// BPF_F_RDONLY_PROG: programs may only read the map (.rodata, .kconfig).
inline constexpr std::uint32_t kMapRdonlyProg = 1u << 7;

struct ObjectParser {
    ObjectParser(const elf::File& e, ObjectSpec& o) : elf(e), out(o) {}
    const elf::File& elf;
    ObjectSpec& out;

    std::vector<elf::Symbol> symbols;
    const elf::Section* maps_sec = nullptr;         // SEC(".maps")
    const elf::Section* legacy_maps_sec = nullptr;  // SEC("maps")
    const elf::Section* text_sec = nullptr;
    bool collect_problems = false;                  // ParseOptions::collect_problems
    std::optional<btf::Spec> raw_btf;    // .BTF as found in the file
    std::optional<btf::Patcher> patch;   // the copy that fixups edit; becomes ObjectSpec::btf
    std::optional<btf::ExtInfo> ext;
    std::map<std::uint32_t, std::uint32_t> data_map_of_section;  // ELF section index -> map index
    std::map<std::pair<std::uint32_t, std::uint64_t>, std::uint32_t> map_at;  // (section, offset) -> map index
    std::map<std::uint32_t, const elf::Section*> rel_of_section;  // ELF section index -> its SHT_REL section
    std::map<std::string, std::uint32_t, std::less<>> extern_index;  // symbol name -> ObjectSpec::externs index

    Error fail(Errc code, std::string msg) const { return Error(code, std::move(msg)); }
    const elf::Symbol* find_symbol(std::uint32_t shndx, std::string_view name) const noexcept;
    std::string_view section_name(std::uint32_t shndx) const noexcept {
        const elf::Section* s = elf.section(shndx);
        return s ? s->name : std::string_view("?");
    }
};

bool is_data_section(std::string_view name) noexcept;
MapKind data_section_kind(std::string_view name) noexcept;

// Steps, in the order ObjectSpec::parse runs them.
Result<void> parse_btf(ObjectParser& p);            // .BTF, .BTF.ext, DATASEC offsets/sizes, hidden linkage
Result<void> collect_data_maps(ObjectParser& p);    // .data/.rodata/.bss(.*) -> maps and variables
Result<void> collect_btf_maps(ObjectParser& p);     // SEC(".maps")
Result<void> collect_legacy_maps(ObjectParser& p);  // SEC("maps") (struct bpf_map_def)
Result<void> collect_externs(ObjectParser& p);      // .kconfig / .ksyms
Result<void> finish_btf(ObjectParser& p);           // patched BTF -> ObjectSpec::btf
Result<void> collect_programs(ObjectParser& p);     // code, relocations, subprograms
Result<void> collect_struct_ops(ObjectParser& p);   // SEC(".struct_ops"), SEC(".struct_ops.link") -> maps
Result<void> finish_struct_ops(ObjectParser& p);    // their programs exist; unused struct_ops programs not autoloaded

// Decodes instructions of either byte order; `bytes.size()` must be a multiple of 8.
std::vector<Instruction> decode_instructions(std::span<const std::byte> bytes, Endian endian);

}  // namespace ebpf::detail
