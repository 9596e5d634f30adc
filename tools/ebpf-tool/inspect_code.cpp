// SPDX-License-Identifier: MIT
// ebpf-tool inspect --disasm / --relocations, and the problems that would stop an object from loading: text and
// JSON forms (inspect.cpp decides which are shown).
#include <cstdio>
#include <string>

#include <ebpf/ebpf.hpp>

#include "inspect.hpp"
#include "json.hpp"

namespace ebpf::tool {

namespace {

const char* map_reloc_kind(MapReloc::Kind k) { return k == MapReloc::Kind::Fd ? "map" : "map_value"; }

const char* extern_kind(const ExternSpec& e) {
    switch (e.kind) {
    case ExternKind::Kconfig: return "kconfig";
    case ExternKind::Ksym: return e.is_func ? "kfunc" : "ksym";
    case ExternKind::Unresolved: return "unresolved";
    }
    return "?";
}

std::string reloc_map_name(const ObjectSpec& spec, std::uint32_t i) {
    return i < spec.maps.size() ? spec.maps[i].name : "#" + std::to_string(i);
}

std::string core_root(const ObjectSpec& spec, const CoreReloc& r) {
    return spec.btf ? spec.btf->describe(r.type) : "?";
}

std::string core_spelling(const ObjectSpec& spec, const CoreReloc& r) {
    return spec.btf ? core_access_spelling(*spec.btf, r.type, r.access, r.kind) : std::string();
}

}  // namespace

const char* extern_kind_name(const ExternSpec& e) { return extern_kind(e); }

std::vector<ObjectProblem> inspect_problems(const ObjectSpec& spec) {
    std::vector<ObjectProblem> out = spec.problems;
    for (const ProgramSpec& p : spec.programs)
        if (p.kind == ProgramKind::Unknown)
            out.push_back({"program '" + p.name + "'",
                           "is in section '" + p.section + "', which names no known program type (load sets none)"});
    for (const MapSpec& m : spec.maps)
        if (to_string(m.type) == "unknown")
            out.push_back({"map '" + m.name + "'",
                           "has type " + std::to_string(static_cast<std::uint32_t>(m.type)) +
                               ", which this build does not know (the kernel may)"});
    return out;
}

void print_disasm(const ObjectSpec& spec, const ProgramSpec& p) {
    std::printf("\ndisassembly of %s (section %s, %zu instructions):\n", p.name.c_str(), p.section.c_str(),
                p.instructions.size());
    const std::vector<DisasmLine> lines = disassemble(p, spec);
    std::fputs(format_listing(lines).c_str(), stdout);
}

void print_relocations(const ObjectSpec& spec, const ProgramSpec& p) {
    std::printf("\nrelocations of %s: %zu map, %zu CO-RE, %zu extern\n", p.name.c_str(), p.map_relocs.size(),
                p.core_relocs.size(), p.extern_relocs.size());
    for (const MapReloc& r : p.map_relocs) {
        std::printf("  insn %5u  %-9s %s", r.insn, map_reloc_kind(r.kind), reloc_map_name(spec, r.map).c_str());
        if (r.kind == MapReloc::Kind::Value) std::printf(" + %u", r.offset);
        if (!r.symbol.empty() && r.symbol != reloc_map_name(spec, r.map))
            std::printf("  (symbol %s)", r.symbol.c_str());
        std::printf("\n");
    }
    for (const CoreReloc& r : p.core_relocs)
        std::printf("  insn %5u  core      %-16s %s  \"%s\"  %s\n", r.insn, std::string(btf::to_string(r.kind)).c_str(),
                    core_root(spec, r).c_str(), r.access.c_str(), core_spelling(spec, r).c_str());
    for (const ExternReloc& r : p.extern_relocs) {
        if (r.ext >= spec.externs.size()) continue;
        const ExternSpec& e = spec.externs[r.ext];
        std::printf("  insn %5u  extern    %s (%s%s)", r.insn, e.name.c_str(), extern_kind(e), e.weak ? ", weak" : "");
        if (r.offset) std::printf(" + %d", r.offset);
        std::printf("\n");
    }
}

void json_disasm(Json& j, const ObjectSpec& spec, const ProgramSpec& p) {
    j.key("disasm").begin_array();
    for (const DisasmLine& l : disassemble(p, spec)) {
        j.begin_object().field("insn", l.insn).field("text", l.text);
        j.key("line");
        if (l.source.empty()) j.null();
        else j.value(l.source);
        j.key("function");
        if (l.function.empty()) j.null();
        else j.value(l.function);
        j.field("valid", l.valid).end_object();
    }
    j.end_array();
}

void json_relocations(Json& j, const ObjectSpec& spec, const ProgramSpec& p) {
    j.key("relocations").begin_object();
    j.key("maps").begin_array();
    for (const MapReloc& r : p.map_relocs)
        j.begin_object()
            .field("insn", r.insn)
            .field("map", reloc_map_name(spec, r.map))
            .field("kind", map_reloc_kind(r.kind))
            .field("offset", r.offset)
            .field("symbol", r.symbol)
            .end_object();
    j.end_array();
    j.key("core").begin_array();
    for (const CoreReloc& r : p.core_relocs)
        j.begin_object()
            .field("insn", r.insn)
            .field("kind", btf::to_string(r.kind))
            .field("type", core_root(spec, r))
            .field("access", r.access)
            .field("spelling", core_spelling(spec, r))
            .end_object();
    j.end_array();
    j.key("externs").begin_array();
    for (const ExternReloc& r : p.extern_relocs) {
        if (r.ext >= spec.externs.size()) continue;
        const ExternSpec& e = spec.externs[r.ext];
        j.begin_object()
            .field("insn", r.insn)
            .field("name", e.name)
            .field("kind", extern_kind(e))
            .field("offset", static_cast<std::int64_t>(r.offset))
            .end_object();
    }
    j.end_array().end_object();
}

}  // namespace ebpf::tool
