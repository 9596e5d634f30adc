// SPDX-License-Identifier: MIT
// Object BTF: parse .BTF and .BTF.ext, then fill in what clang leaves for the loader to decide: DATASEC sizes and
// variable offsets (from the ELF sections and symbols), and hidden globals (variables and subprograms) marked static.
#include <algorithm>
#include <set>

#include "base/index_sort.hpp"
#include "base/try.hpp"
#include "object/parser.hpp"

namespace ebpf::detail {

namespace {

// DATASEC record words: [0] name, [1] info, [2] size, then 3 words per variable: type, offset, size.
Result<void> fix_datasec(ObjectParser& p, const btf::Type& ds) {
    const btf::Spec& b = *p.raw_btf;
    const std::string_view name = ds.name();
    if (name == ".kconfig" || name == ".ksyms") return {};  // externs: laid out by collect_externs
    const elf::Section* sec = p.elf.find_section(name);
    if (!sec) {
        // clang only emits DATASECs for sections it also emits; anything else is a hand-made or stripped object.
        if (ds.size() != 0 || ds.vlen() == 0) return {};
        // Only extern variables (an extern map in .maps, say) and no section: half of a program that a static
        // link completes. A problem for tools that describe the object, an error for the loader.
        if (p.collect_problems) {
            bool all_extern = true;
            std::string names;
            for (std::uint32_t i = 0; i < ds.vlen(); ++i) {
                auto var = b.type(ds.secinfo(i).type);
                all_extern = all_extern && var && var->kind() == btf::Kind::Var && var->linkage() == btf::kVarGlobalExtern;
                if (var) names += std::string(names.empty() ? "" : ", ") + std::string(var->name());
            }
            if (all_extern) {
                p.out.problems.push_back({"section " + std::string(name),
                                          "only extern variables (" + names + "), defined by another object: link "
                                          "them first (ebpf-tool link)"});
                return {};
            }
        }
        return p.fail(Errc::MalformedBtf, format("BTF DATASEC %.*s has no ELF section", EBPF_SV(name)));
    }
    btf::Patcher& patch = *p.patch;
    if (ds.size() == 0) {
        if (sec->size > 0xffffffffu)
            return p.fail(Errc::MalformedObject, format("section %.*s is larger than 4 GiB", EBPF_SV(name)));
        patch.set_word(ds.id(), 2, static_cast<std::uint32_t>(sec->size));
    }
    struct Var {
        std::uint32_t type, offset, size;
    };
    std::vector<Var> vars;
    for (std::uint32_t i = 0; i < ds.vlen(); ++i) {
        const btf::VarSecinfo vs = ds.secinfo(i);
        EBPF_TRY_ASSIGN(const btf::Type var, b.type(vs.type));
        Var v{vs.type, vs.offset, vs.size};
        if (var.kind() == btf::Kind::Var) {
            const elf::Symbol* sym = p.find_symbol(sec->index, var.name());
            if (!sym)
                return p.fail(Errc::MalformedObject, format("variable '%.*s' of section %.*s has no ELF symbol",
                                                            EBPF_SV(var.name()), EBPF_SV(name)));
            if (sym->value > sec->size || sym->value > 0xffffffffu)
                return p.fail(Errc::MalformedObject, format("variable '%.*s' lies outside section %.*s",
                                                            EBPF_SV(var.name()), EBPF_SV(name)));
            v.offset = static_cast<std::uint32_t>(sym->value);
            // Hidden globals cannot be reached from other objects: the kernel should treat them as static.
            if (sym->visibility == elf::STV_HIDDEN || sym->visibility == elf::STV_INTERNAL)
                patch.set_word(vs.type, 3, btf::kVarStatic);
        }
        // Each variable lies in the section's bytes and, if the DATASEC states a size (a linked object), within
        // that too: a DATASEC claiming more than its ELF section must not let a variable reach past the section.
        const std::uint64_t limit = ds.size() ? std::min<std::uint64_t>(ds.size(), sec->size) : sec->size;
        if (static_cast<std::uint64_t>(v.offset) + v.size > limit)
            return p.fail(Errc::MalformedBtf, format("BTF DATASEC %.*s: variable %u [%u, +%u) exceeds the section "
                                                     "(%llu bytes)",
                                                     EBPF_SV(name), i, v.offset, v.size,
                                                     static_cast<unsigned long long>(limit)));
        vars.push_back(v);
    }
    // The kernel requires variables in increasing offset order.
    std::vector<std::uint32_t> order(vars.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
    stable_sort_indices(order, [&](std::uint32_t a, std::uint32_t c) { return vars[a].offset < vars[c].offset; });
    for (std::size_t i = 0; i < order.size(); ++i) {
        const Var& sorted = vars[order[i]];
        patch.set_word(ds.id(), 3 + 3 * i, sorted.type);
        patch.set_word(ds.id(), 4 + 3 * i, sorted.offset);
        patch.set_word(ds.id(), 5 + 3 * i, sorted.size);
    }
    return {};
}

// A global .text function with hidden (or internal) visibility cannot be called from another object, so, as libbpf
// does, its BTF FUNC is made static: the verifier then checks it in each caller's context (argument types and
// values as the caller passes them) instead of on its own, where a pointer argument is only "may be NULL".
// libbpf's usdt.bpf.h relies on this (bpf_usdt_arg writes *res with no NULL check). Entry programs keep their
// linkage. The first global FUNC of each name is patched, as libbpf does (names of global symbols are unique).
void mark_hidden_subprogs_static(ObjectParser& p) {
    if (!p.text_sec) return;
    std::set<std::string_view, std::less<>> hidden;
    for (const elf::Symbol& sym : p.symbols) {
        if (sym.type != elf::STT_FUNC || sym.shndx != p.text_sec->index) continue;
        if (sym.bind == elf::STB_LOCAL) continue;  // global or weak
        if (sym.visibility == elf::STV_HIDDEN || sym.visibility == elf::STV_INTERNAL) hidden.insert(sym.name);
    }
    if (hidden.empty()) return;
    const btf::Spec& b = *p.raw_btf;
    btf::Patcher& patch = *p.patch;
    for (btf::TypeId id = 1; id < b.type_count() && !hidden.empty(); ++id) {
        const btf::Type t = b.type_or_void(id);
        if (t.kind() != btf::Kind::Func || t.linkage() != btf::kFuncGlobal) continue;
        auto it = hidden.find(t.name());
        if (it == hidden.end()) continue;
        // info word: kind in bits 24-28, linkage in the vlen bits 0-15.
        patch.set_word(id, 1, (patch.word(id, 1) & ~0xffffu) | btf::kFuncStatic);
        hidden.erase(it);
    }
}

}  // namespace

Result<void> parse_btf(ObjectParser& p) {
    const elf::Section* btf_sec = p.elf.find_section(".BTF");
    if (!btf_sec) return {};
    if (btf_sec->type != elf::SHT_PROGBITS) return p.fail(Errc::MalformedBtf, "section .BTF is not PROGBITS");
    auto spec = btf::Spec::parse(btf_sec->data);
    if (!spec) return std::move(spec).error().context("section .BTF");
    if (auto v = spec->validate(); !v) return std::move(v).error().context("section .BTF");
    if (spec->big_endian() != (p.elf.endian() == Endian::Big))
        return p.fail(Errc::MalformedBtf, "section .BTF has a different byte order from the ELF file");
    p.raw_btf = std::move(*spec);
    p.patch.emplace(*p.raw_btf);

    if (const elf::Section* ext = p.elf.find_section(".BTF.ext")) {
        auto info = btf::ExtInfo::parse(ext->data, *p.raw_btf);
        if (!info) return std::move(info).error().context("section .BTF.ext");
        p.out.func_info_rec_size = info->func_info_rec_size;
        p.out.line_info_rec_size = info->line_info_rec_size;
        p.ext = std::move(*info);
    }

    const btf::Spec& b = *p.raw_btf;
    for (btf::TypeId id = 1; id < b.type_count(); ++id) {
        const btf::Type t = b.type_or_void(id);
        if (t.kind() == btf::Kind::Datasec) EBPF_TRY(fix_datasec(p, t));
    }
    mark_hidden_subprogs_static(p);
    return {};
}

Result<void> finish_btf(ObjectParser& p) {
    if (!p.patch) return {};
    auto spec = btf::Spec::parse(SharedBytes(p.patch->bytes()));
    if (!spec) return std::move(spec).error().context("fixed-up .BTF");
    p.out.btf = std::move(*spec);
    return {};
}

}  // namespace ebpf::detail
