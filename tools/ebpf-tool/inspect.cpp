// SPDX-License-Identifier: MIT
// ebpf-tool inspect: what an object file contains, as text or as one JSON object.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <ebpf/ebpf.hpp>

#include "commands.hpp"
#include "inspect.hpp"
#include "json.hpp"

namespace ebpf::tool {

namespace {

const char* kind_name(MapKind k) {
    switch (k) {
    case MapKind::User: return "user";
    case MapKind::Data: return "data";
    case MapKind::Rodata: return "rodata";
    case MapKind::Bss: return "bss";
    case MapKind::Kconfig: return "kconfig";
    }
    return "?";
}

std::vector<std::string> maps_used(const ObjectSpec& spec, const ProgramSpec& p) {
    std::vector<std::string> out;
    for (const MapReloc& r : p.map_relocs) {
        const std::string& n = spec.maps[r.map].name;
        if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
    }
    return out;
}

std::string type_name(const ObjectSpec& spec, btf::TypeId id) {
    if (!spec.btf || id == 0) return {};
    return spec.btf->describe(id);
}

// What inspect shows besides the summary.
struct InspectOptions {
    bool json = false;
    bool disasm = false;
    bool relocations = false;
    std::vector<std::string> programs;  // --program: only these in the code views (empty: all)
};

bool selected(const InspectOptions& o, const ProgramSpec& p) {
    return o.programs.empty() || std::find(o.programs.begin(), o.programs.end(), p.name) != o.programs.end();
}

void write_json(const ObjectSpec& spec, const InspectOptions& o) {
    Json j;
    j.begin_object().field("name", spec.name).field("license", spec.license);
    j.key("programs").begin_array();
    for (const ProgramSpec& p : spec.programs) {
        j.begin_object()
            .field("name", p.name)
            .field("section", p.section)
            .field("kind", to_string(p.kind))
            .field("type", to_string(p.type));
        j.key("attach_type");
        if (p.expected_attach_type) j.value(to_string(*p.expected_attach_type));
        else j.null();
        j.field("attach_to", p.attach_to)
            .field("instructions", static_cast<std::uint64_t>(p.instructions.size()))
            .field("autoload", p.autoload)
            .field("sleepable", (p.flags & kProgSleepable) != 0)
            .field("func_info", static_cast<std::uint64_t>(p.func_info.size()))
            .field("line_info", static_cast<std::uint64_t>(p.line_info.size()))
            .field("core_relocations", static_cast<std::uint64_t>(p.core_relocs.size()));
        j.key("maps").begin_array();
        for (const std::string& m : maps_used(spec, p)) j.value(m);
        j.end_array();
        if (o.disasm && selected(o, p)) json_disasm(j, spec, p);
        if (o.relocations && selected(o, p)) json_relocations(j, spec, p);
        j.end_object();
    }
    j.end_array();
    j.key("maps").begin_array();
    for (const MapSpec& m : spec.maps) {
        j.begin_object()
            .field("name", m.name)
            .field("type", to_string(m.type))
            .field("key_size", m.key_size)
            .field("value_size", m.value_size)
            .field("max_entries", m.max_entries)
            .field("flags", m.flags)
            .field("kind", kind_name(m.kind))
            .field("pinning", m.pinning == PinType::ByName ? "by_name" : "none")
            .field("key_type", type_name(spec, m.key_type))
            .field("value_type", type_name(spec, m.value_type));
        j.key("inner");
        if (m.inner) j.value(m.inner->name);
        else j.null();
        j.end_object();
    }
    j.end_array();
    j.key("globals").begin_array();
    for (const VariableSpec& v : spec.variables)
        j.begin_object()
            .field("name", v.name)
            .field("section", v.map)
            .field("offset", v.offset)
            .field("size", v.size)
            .field("type", type_name(spec, v.type))
            .field("static", v.is_static)
            .end_object();
    j.end_array();
    j.key("externs").begin_array();
    for (const ExternSpec& e : spec.externs)
        j.begin_object()
            .field("name", e.name)
            .field("kind", extern_kind_name(e))
            .field("weak", e.weak)
            .end_object();
    j.end_array();
    j.key("problems").begin_array();
    for (const ObjectProblem& pr : inspect_problems(spec))
        j.begin_object().field("subject", pr.subject).field("reason", pr.reason).end_object();
    j.end_array();
    j.key("btf");
    if (spec.btf) {
        std::map<std::string_view, std::uint64_t> kinds;
        for (btf::TypeId id = 1; id < spec.btf->type_count(); ++id) ++kinds[btf::to_string(spec.btf->type_or_void(id).kind())];
        j.begin_object()
            .field("types", static_cast<std::uint64_t>(spec.btf->type_count() - 1))
            .field("strings_size", spec.btf->string_section_size());
        j.key("kinds").begin_object();
        for (const auto& [k, n] : kinds) j.field(k, n);
        j.end_object().end_object();
    } else {
        j.null();
    }
    j.end_object();
    std::printf("%s\n", j.str().c_str());
}

void write_text(const ObjectSpec& spec, const InspectOptions& o) {
    std::printf("object %s: %s-endian, license \"%s\"\n", spec.name.c_str(), spec.big_endian ? "big" : "little",
                spec.license.c_str());
    std::printf("\nprograms (%zu):\n", spec.programs.size());
    for (const ProgramSpec& p : spec.programs) {
        std::string attach = p.expected_attach_type ? std::string(to_string(*p.expected_attach_type)) : "-";
        std::printf("  %-24s %-28s %-16s %-16s attach %-22s %5zu insns%s\n", p.name.c_str(), p.section.c_str(),
                    std::string(to_string(p.kind)).c_str(), std::string(to_string(p.type)).c_str(), attach.c_str(),
                    p.instructions.size(),
                    p.autoload ? "" : " (no autoload)");
        const auto used = maps_used(spec, p);
        if (!used.empty()) {
            std::string s;
            for (const auto& m : used) s += (s.empty() ? "" : ", ") + m;
            std::printf("  %-24s maps: %s\n", "", s.c_str());
        }
        if (!p.core_relocs.empty()) std::printf("  %-24s CO-RE relocations: %zu\n", "", p.core_relocs.size());
    }
    std::printf("\nmaps (%zu):\n", spec.maps.size());
    for (const MapSpec& m : spec.maps) {
        std::printf("  %-24s %-16s key %-4u value %-6u max_entries %-8u flags 0x%x%s%s\n", m.name.c_str(),
                    std::string(to_string(m.type)).c_str(), m.key_size, m.value_size, m.max_entries, m.flags,
                    m.pinning == PinType::ByName ? " pinned-by-name" : "", m.inner ? " (map-in-map)" : "");
    }
    std::printf("\nglobals (%zu):\n", spec.variables.size());
    for (const VariableSpec& v : spec.variables)
        std::printf("  %-24s %-16s offset %-5u size %-5u %s%s\n", v.name.c_str(), v.map.c_str(), v.offset, v.size,
                    type_name(spec, v.type).c_str(), v.is_static ? " (static)" : "");
    if (!spec.externs.empty()) {
        std::printf("\nexterns (%zu):\n", spec.externs.size());
        for (const ExternSpec& e : spec.externs)
            std::printf("  %-24s %s%s\n", e.name.c_str(), extern_kind_name(e), e.weak ? " (weak)" : "");
    }
    if (spec.btf)
        std::printf("\nBTF: %u types, %u bytes of strings\n", spec.btf->type_count() - 1,
                    spec.btf->string_section_size());
    else std::printf("\nBTF: none\n");
    if (const auto problems = inspect_problems(spec); !problems.empty()) {
        std::printf("\nproblems (%zu): what stops the object, or one of its programs, from loading\n", problems.size());
        for (const ObjectProblem& pr : problems) std::printf("  %s %s\n", pr.subject.c_str(), pr.reason.c_str());
    }
    for (const ProgramSpec& p : spec.programs) {
        if (!selected(o, p)) continue;
        if (o.relocations) print_relocations(spec, p);
        if (o.disasm) print_disasm(spec, p);
    }
}

constexpr const char* kInspectUsage =
    "usage: ebpf-tool inspect [--json] [--disasm] [--relocations] [--program NAME]... OBJECT\n"
    "\n"
    "Describes an object file without loading it: programs, maps, globals, externs, BTF, and the problems that\n"
    "would stop it from loading (an extern nothing can resolve, an unknown section or map type).\n"
    "  --json             one JSON object on stdout\n"
    "  --disasm           each program's instructions as BPF assembly, with map, helper, kfunc and function\n"
    "                     names and the source lines of .BTF.ext line_info (\"; ...\")\n"
    "  --relocations      each program's map, CO-RE (kind, root type, access string and its spelling) and extern\n"
    "                     relocations\n"
    "  --program NAME     only this program in --disasm and --relocations (repeatable)\n";

}  // namespace

int cmd_inspect(std::span<const std::string_view> args) {
    InspectOptions o;
    std::string path;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--json") o.json = true;
        else if (a == "--disasm") o.disasm = true;
        else if (a == "--relocations") o.relocations = true;
        else if (a == "--program") {
            if (i + 1 >= args.size()) return usage_error("inspect: --program needs a NAME");
            o.programs.emplace_back(args[++i]);
        } else if (a == "-h" || a == "--help") {
            std::fputs(kInspectUsage, stdout);
            return kExitOk;
        } else if (!a.empty() && a[0] == '-') return usage_error("inspect: unknown option " + std::string(a));
        else if (path.empty()) path = a;
        else return usage_error("inspect: more than one OBJECT");
    }
    if (path.empty()) return usage_error("inspect: missing OBJECT");
    // Describe, do not refuse: what only stops a load is listed under "problems".
    ParseOptions po;
    po.collect_problems = true;
    auto spec = parse_object_file(path.c_str(), po);
    if (!spec) return fail(spec.error().message());
    for (const std::string& name : o.programs)
        if (!spec->program(name)) return fail("inspect: " + path + " has no program '" + name + "'");
    if (o.json) write_json(*spec, o);
    else write_text(*spec, o);
    return kExitOk;
}

}  // namespace ebpf::tool
