// SPDX-License-Identifier: MIT
// ebpf-tool inspect: what an object file contains, as text or as one JSON object.
#include <algorithm>
#include <cstdio>
#include <map>
#include <string>

#include <ebpf/ebpf.hpp>

#include "commands.hpp"
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

void write_json(const ObjectSpec& spec) {
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
        j.end_array().end_object();
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
            .field("kind", e.kind == ExternKind::Kconfig ? "kconfig" : (e.is_func ? "kfunc" : "ksym"))
            .field("weak", e.weak)
            .end_object();
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

void write_text(const ObjectSpec& spec) {
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
            std::printf("  %-24s %s%s\n", e.name.c_str(),
                        e.kind == ExternKind::Kconfig ? "kconfig" : (e.is_func ? "kfunc" : "ksym"), e.weak ? " (weak)" : "");
    }
    if (spec.btf)
        std::printf("\nBTF: %u types, %u bytes of strings\n", spec.btf->type_count() - 1,
                    spec.btf->string_section_size());
    else std::printf("\nBTF: none\n");
}

}  // namespace

int cmd_inspect(std::span<const std::string_view> args) {
    bool json = false;
    std::string path;
    for (std::string_view a : args) {
        if (a == "--json") json = true;
        else if (!a.empty() && a[0] == '-') return usage_error("inspect: unknown option " + std::string(a));
        else if (path.empty()) path = a;
        else return usage_error("inspect: more than one OBJECT");
    }
    if (path.empty()) return usage_error("inspect: missing OBJECT");
    auto spec = parse_object_file(path.c_str());
    if (!spec) return fail(spec.error().message());
    if (json) write_json(*spec);
    else write_text(*spec);
    return kExitOk;
}

}  // namespace ebpf::tool
