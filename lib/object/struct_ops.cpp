// SPDX-License-Identifier: MIT
// struct_ops variables: every variable of SEC(".struct_ops") / SEC(".struct_ops.link") is a struct (described by the
// object's BTF) whose function-pointer members are relocations to programs and whose other members are data. Each
// becomes a StructOpsSpec and a BPF_MAP_TYPE_STRUCT_OPS MapSpec; the loader maps it onto the kernel's struct.
#include <algorithm>

#include "base/try.hpp"
#include "object/parser.hpp"

namespace ebpf::detail {

namespace {

constexpr std::uint32_t kMapFLink = 1u << 13;  // BPF_F_LINK: a struct_ops map registered through a bpf_link (6.4)

bool is_struct_ops_section(std::string_view n) noexcept { return n == ".struct_ops" || n == ".struct_ops.link"; }

// The member of `st` starting at byte `off`, or null.
std::optional<btf::Member> member_at(const btf::Type& st, std::uint64_t off) {
    for (std::uint32_t i = 0; i < st.vlen(); ++i) {
        const btf::Member m = st.member(i);
        if (m.bitfield_size == 0 && m.bit_offset % 8 == 0 && m.bit_offset / 8 == off) return m;
    }
    return std::nullopt;
}

Result<void> parse_struct_ops_section(ObjectParser& p, const elf::Section& sec) {
    const std::string_view secname = sec.name;
    auto fail = [&](std::string msg) {
        return p.fail(Errc::MalformedObject, format("section %.*s: %s", EBPF_SV(secname), msg.c_str()));
    };
    if (!p.raw_btf) return fail("struct_ops variables need the object's BTF (compile with -g)");
    const btf::Spec& b = *p.raw_btf;
    auto ds = b.find(secname, btf::Kind::Datasec);
    if (!ds) return fail("no BTF DATASEC describes it");
    const btf::Type dsec = b.type_or_void(*ds);
    std::vector<elf::Relocation> relocs;
    if (auto it = p.rel_of_section.find(sec.index); it != p.rel_of_section.end()) {
        EBPF_TRY_ASSIGN(relocs, p.elf.relocations(*it->second));
    }
    const std::size_t first = p.out.struct_ops.size();
    for (std::uint32_t i = 0; i < dsec.vlen(); ++i) {
        EBPF_TRY_ASSIGN(const btf::Type var, b.type(dsec.secinfo(i).type));
        if (var.kind() != btf::Kind::Var) continue;
        const std::string_view name = var.name();
        EBPF_TRY_ASSIGN(const btf::Type st, b.skip_modifiers(var.type()));
        if (st.kind() != btf::Kind::Struct || st.name().empty())
            return fail(format("variable '%.*s' is a %s, not a named struct", EBPF_SV(name),
                               b.describe(var.type()).c_str()));
        const elf::Symbol* sym = p.find_symbol(sec.index, name);
        if (!sym) return fail(format("variable '%.*s' has no ELF symbol", EBPF_SV(name)));
        const std::uint64_t size = st.size();
        if (sym->value > sec.size || size > sec.size - sym->value)
            return fail(format("variable '%.*s' ([%llu, +%llu)) lies outside the section (%llu bytes)", EBPF_SV(name),
                               static_cast<unsigned long long>(sym->value), static_cast<unsigned long long>(size),
                               static_cast<unsigned long long>(sec.size)));
        if (p.out.map(name))
            return fail(format("variable '%.*s' has the name of another map of the object", EBPF_SV(name)));
        StructOpsSpec so;
        so.name = std::string(name);
        so.type_name = std::string(st.name());
        so.type = st.id();
        so.section = std::string(secname);
        so.link = secname == ".struct_ops.link";
        if (sec.type != elf::SHT_NOBITS)
            so.data.assign(sec.data.begin() + static_cast<std::ptrdiff_t>(sym->value),
                           sec.data.begin() + static_cast<std::ptrdiff_t>(sym->value + size));
        else
            so.data.assign(size, std::byte{0});
        for (const elf::Relocation& r : relocs) {
            if (r.offset < sym->value || r.offset >= sym->value + size) continue;
            const std::uint64_t off = r.offset - sym->value;
            if (r.symbol == 0 || r.symbol >= p.symbols.size())
                return fail(format("relocation at offset %llu refers to symbol %u, which does not exist",
                                   static_cast<unsigned long long>(r.offset), r.symbol));
            const elf::Symbol& target = p.symbols[r.symbol];
            const elf::Section* tsec = p.elf.section(target.shndx);
            if (target.type != elf::STT_FUNC || !tsec || !(tsec->flags & elf::SHF_EXECINSTR))
                return fail(format("'%.*s' at offset %llu of '%.*s' is not a function (struct_ops members point to "
                                   "programs)",
                                   EBPF_SV(target.name), static_cast<unsigned long long>(off), EBPF_SV(name)));
            const auto m = member_at(st, off);
            if (!m)
                return fail(format("'%.*s' points to '%.*s' at offset %llu, where struct %.*s has no member",
                                   EBPF_SV(name), EBPF_SV(target.name), static_cast<unsigned long long>(off),
                                   EBPF_SV(st.name())));
            EBPF_TRY_ASSIGN(const btf::Type mt, b.skip_modifiers(m->type));
            if (mt.kind() != btf::Kind::Ptr)
                return fail(format("member '%.*s' of '%.*s' is set to function '%.*s' but is a %s, not a function "
                                   "pointer",
                                   EBPF_SV(m->name), EBPF_SV(name), EBPF_SV(target.name),
                                   b.describe(m->type).c_str()));
            if (off + 8 <= so.data.size()) std::fill_n(so.data.begin() + static_cast<std::ptrdiff_t>(off), 8, std::byte{0});
            so.programs.push_back({std::string(m->name), static_cast<std::uint32_t>(off), std::string(target.name)});
            // Kept in offset order as they come (insertion: a struct has a handful of members, and a sort
            // instantiation would cost several KiB in every binary that loads objects).
            for (std::size_t k = so.programs.size() - 1; k > 0 && so.programs[k - 1].offset > off; --k)
                std::swap(so.programs[k], so.programs[k - 1]);
        }
        for (std::size_t k = 1; k < so.programs.size(); ++k)
            if (so.programs[k].offset == so.programs[k - 1].offset)
                return fail(format("member '%s' of '%.*s' has two relocations", so.programs[k].member.c_str(),
                                   EBPF_SV(name)));

        MapSpec m;
        m.name = so.name;
        m.type = MapType::StructOps;
        m.key_size = 4;
        m.value_size = static_cast<std::uint32_t>(size);
        m.max_entries = 1;
        m.flags = so.link ? kMapFLink : 0;
        m.value_type = st.id();
        p.out.maps.push_back(std::move(m));
        p.out.struct_ops.push_back(std::move(so));
    }
    if (p.out.struct_ops.size() == first && sec.size != 0) return fail("it holds no struct variable");
    return {};
}

}  // namespace

Result<void> collect_struct_ops(ObjectParser& p) {
    for (const elf::Section& s : p.elf.sections()) {
        if (s.index == 0 || !is_struct_ops_section(s.name)) continue;
        if (s.type != elf::SHT_PROGBITS && s.type != elf::SHT_NOBITS)
            return p.fail(Errc::MalformedObject, format("section %.*s is not PROGBITS", EBPF_SV(s.name)));
        EBPF_TRY(parse_struct_ops_section(p, s));
    }
    return {};
}

Result<void> finish_struct_ops(ObjectParser& p) {
    for (const StructOpsSpec& so : p.out.struct_ops)
        for (const StructOpsSpec::Slot& slot : so.programs) {
            const ProgramSpec* prog = p.out.program(slot.program);
            if (!prog)
                return p.fail(Errc::MalformedObject, format("struct_ops '%s': member '%s' points to '%s', which is "
                                                            "not a program of the object",
                                                            so.name.c_str(), slot.member.c_str(), slot.program.c_str()));
            if (prog->kind != ProgramKind::StructOps)
                return p.fail(Errc::MalformedObject,
                              format("struct_ops '%s': member '%s' points to program '%s' of section '%s'; struct_ops "
                                     "members take programs of SEC(\"struct_ops/...\")",
                                     so.name.c_str(), slot.member.c_str(), slot.program.c_str(),
                                     prog->section.c_str()));
        }
    // Like libbpf: a struct_ops program that no struct_ops variable uses has no member to be loaded for.
    for (ProgramSpec& prog : p.out.programs) {
        if (prog.kind != ProgramKind::StructOps) continue;
        bool used = false;
        for (const StructOpsSpec& so : p.out.struct_ops)
            for (const StructOpsSpec::Slot& slot : so.programs) used = used || slot.program == prog.name;
        if (!used) prog.autoload = false;
    }
    return {};
}

}  // namespace ebpf::detail
