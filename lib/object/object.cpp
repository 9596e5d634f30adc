// SPDX-License-Identifier: MIT
// ObjectSpec::parse: the order of the parsing steps, plus lookups by name.
#include "base/try.hpp"
#include "object/parser.hpp"

namespace ebpf {

using detail::format;

namespace detail {

const elf::Symbol* ObjectParser::find_symbol(std::uint32_t shndx, std::string_view name) const noexcept {
    for (const elf::Symbol& s : symbols)
        if (s.shndx == shndx && s.name == name && s.type != elf::STT_SECTION) return &s;
    return nullptr;
}

bool is_data_section(std::string_view n) noexcept {
    auto family = [&](std::string_view base) {
        return n == base || (n.size() > base.size() && n.substr(0, base.size()) == base && n[base.size()] == '.');
    };
    return family(".data") || family(".rodata") || family(".bss");
}

MapKind data_section_kind(std::string_view n) noexcept {
    if (n.substr(0, 7) == ".rodata") return MapKind::Rodata;
    if (n.substr(0, 4) == ".bss") return MapKind::Bss;
    return MapKind::Data;
}

namespace {

Result<void> parse_elf(ObjectParser& p) {
    const elf::File& f = p.elf;
    if (f.machine() != elf::EM_BPF)
        return p.fail(Errc::MalformedObject,
                      format("not an eBPF object (ELF machine %u, expected EM_BPF = 247)", f.machine()));
    if (f.type() != elf::ET_REL)
        return p.fail(Errc::MalformedObject, format("not a relocatable object (ELF type %u)", f.type()));
    if (!f.is64()) return p.fail(Errc::MalformedObject, "eBPF objects are ELF64; this one is ELF32");
    EBPF_TRY_ASSIGN(p.symbols, f.symbols());
    for (const elf::Section& s : f.sections()) {
        if (s.index == 0) continue;
        if (s.name == "license") {
            if (s.type != elf::SHT_PROGBITS) return p.fail(Errc::MalformedObject, "section license is not PROGBITS");
            auto lic = f.view(s).cstr(0);
            // libbpf takes up to the section size even without a NUL; a missing NUL is tolerated the same way.
            p.out.license = lic ? std::string(*lic)
                                : std::string(reinterpret_cast<const char*>(s.data.data()), s.data.size());
        } else if (s.name == "version") {
            auto v = f.view(s).get<std::uint32_t>(0);
            if (!v || s.size != 4)
                return p.fail(Errc::MalformedObject, format("section version has %llu bytes, expected 4",
                                                            static_cast<unsigned long long>(s.size)));
            p.out.kern_version = *v;
        } else if (s.name == ".maps") {
            p.maps_sec = &s;
        } else if (s.name == "maps") {
            p.legacy_maps_sec = &s;
        } else if (s.name == ".text") {
            p.text_sec = &s;
        } else if (s.type == elf::SHT_REL) {
            const elf::Section* target = f.section(s.info);
            if (!target)
                return p.fail(Errc::MalformedElf, format("relocation section %.*s targets section %u, which does not exist",
                                                         EBPF_SV(s.name), s.info));
            if (s.link != 0 && f.section(s.link) && f.section(s.link)->type != elf::SHT_SYMTAB)
                return p.fail(Errc::MalformedElf,
                              format("relocation section %.*s is not linked to the symbol table", EBPF_SV(s.name)));
            p.rel_of_section[s.info] = &s;
        }
    }
    return {};
}

}  // namespace
}  // namespace detail

Result<ObjectSpec> ObjectSpec::parse(std::span<const std::byte> bytes, const ParseOptions& options) {
    ObjectSpec spec;
    spec.name = options.name.empty() ? "object" : options.name;
    auto run = [&]() -> Result<void> {
        EBPF_TRY_ASSIGN(const elf::File file, elf::File::parse(bytes));
        spec.big_endian = file.endian() == detail::Endian::Big;
        detail::ObjectParser p{file, spec};
        p.collect_problems = options.collect_problems;
        EBPF_TRY(detail::parse_elf(p));
        EBPF_TRY(detail::parse_btf(p));
        EBPF_TRY(detail::collect_data_maps(p));
        EBPF_TRY(detail::collect_btf_maps(p));
        EBPF_TRY(detail::collect_legacy_maps(p));
        EBPF_TRY(detail::collect_struct_ops(p));
        EBPF_TRY(detail::collect_externs(p));
        EBPF_TRY(detail::finish_btf(p));
        EBPF_TRY(detail::collect_programs(p));
        EBPF_TRY(detail::finish_struct_ops(p));
        return {};
    };
    if (auto r = run(); !r) return std::move(r).error().context(format("parse %s", spec.name.c_str()));
    return spec;
}

const ProgramSpec* ObjectSpec::program(std::string_view n) const noexcept {
    for (const ProgramSpec& p : programs)
        if (p.name == n) return &p;
    return nullptr;
}
ProgramSpec* ObjectSpec::program(std::string_view n) noexcept {
    return const_cast<ProgramSpec*>(static_cast<const ObjectSpec*>(this)->program(n));
}
const MapSpec* ObjectSpec::map(std::string_view n) const noexcept {
    auto i = map_index(n);
    return i ? &maps[*i] : nullptr;
}
MapSpec* ObjectSpec::map(std::string_view n) noexcept {
    auto i = map_index(n);
    return i ? &maps[*i] : nullptr;
}
std::optional<std::uint32_t> ObjectSpec::map_index(std::string_view n) const noexcept {
    for (std::size_t i = 0; i < maps.size(); ++i)
        if (maps[i].name == n) return static_cast<std::uint32_t>(i);
    return std::nullopt;
}

}  // namespace ebpf
