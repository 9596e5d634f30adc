// SPDX-License-Identifier: MIT
// Global data: every .data/.rodata/.bss section (and their ".name" variants, including compiler string literals
// such as .rodata.str1.1) becomes a one-element ARRAY map whose value is the section's bytes.
#include "base/try.hpp"
#include "object/parser.hpp"

namespace ebpf::detail {

namespace {
constexpr std::uint32_t kMmapable = 1u << 10;   // BPF_F_MMAPABLE
}  // namespace

Result<void> collect_data_maps(ObjectParser& p) {
    for (const elf::Section& s : p.elf.sections()) {
        if (s.index == 0 || !is_data_section(s.name)) continue;
        if (s.type != elf::SHT_PROGBITS && s.type != elf::SHT_NOBITS) continue;
        if (s.size == 0) continue;  // nothing to create; a relocation into it is reported by the program step
        if (s.size > 0x7fffffffu)
            return p.fail(Errc::MalformedObject, format("data section %.*s is too large (%llu bytes)", EBPF_SV(s.name),
                                                        static_cast<unsigned long long>(s.size)));
        MapSpec m;
        m.name = std::string(s.name);
        m.type = MapType::Array;
        m.key_size = 4;
        m.value_size = static_cast<std::uint32_t>(s.size);
        m.max_entries = 1;
        m.kind = data_section_kind(s.name);
        if (m.kind == MapKind::Rodata) m.flags |= kMapRdonlyProg;
        // NOBITS (.bss) holds no bytes: the kernel zero-fills the map, so nothing is allocated for it here (a
        // hostile object could otherwise make us allocate gigabytes from a header field).
        if (s.type != elf::SHT_NOBITS) m.contents.assign(s.data.begin(), s.data.end());

        bool any_global = false;
        if (p.raw_btf) {
            if (auto ds = p.raw_btf->find(s.name, btf::Kind::Datasec)) m.value_type = *ds;
        }
        for (const elf::Symbol& sym : p.symbols) {
            if (sym.shndx != s.index || sym.name.empty() || sym.type == elf::STT_SECTION) continue;
            if (sym.type != elf::STT_OBJECT && sym.type != elf::STT_NOTYPE) continue;
            if (sym.value > s.size || sym.size > s.size - sym.value)
                return p.fail(Errc::MalformedObject, format("symbol '%.*s' lies outside section %.*s",
                                                            EBPF_SV(sym.name), EBPF_SV(s.name)));
            if (sym.type == elf::STT_NOTYPE && sym.size == 0) continue;  // local labels of string literals
            VariableSpec v;
            v.name = std::string(sym.name);
            v.map = m.name;
            v.offset = static_cast<std::uint32_t>(sym.value);
            v.size = static_cast<std::uint32_t>(sym.size);
            v.is_static = sym.bind == elf::STB_LOCAL || sym.visibility == elf::STV_HIDDEN ||
                          sym.visibility == elf::STV_INTERNAL;
            any_global = any_global || !v.is_static;
            if (p.raw_btf) {
                if (auto var = p.raw_btf->find(v.name, btf::Kind::Var)) v.type = p.raw_btf->type_or_void(*var).type();
            }
            p.out.variables.push_back(std::move(v));
        }
        // Like libbpf: only maps with globals that user space may touch are made mmap-able.
        if (any_global) m.flags |= kMmapable;
        p.data_map_of_section[s.index] = static_cast<std::uint32_t>(p.out.maps.size());
        p.out.maps.push_back(std::move(m));
    }
    return {};
}

}  // namespace ebpf::detail
