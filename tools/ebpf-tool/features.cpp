// SPDX-License-Identifier: MIT
// ebpf-tool features: every probe family of <ebpf/features.hpp> against the running kernel, as text or JSON
// (the counterpart of `bpftool feature probe kernel`). Shape and meaning: docs/ebpf-tool.md, docs/features.md.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/features.hpp>
#include <ebpf/types.hpp>

#include "commands.hpp"
#include "json.hpp"

namespace ebpf::tool {

namespace {

struct Entry {
    std::string name;
    std::optional<bool> answer;  // nullopt: the probe could not decide (error says why)
    std::string error;
};

struct Family {
    const char* json_key;
    const char* title;
    std::vector<Entry> entries;
};

struct HelperList {
    std::string program_type;
    std::vector<std::string> names;
};

struct Report {
    std::vector<Family> families;
    std::vector<HelperList> helpers;
    std::vector<std::pair<std::string, std::string>> errors;  // probe key, message
};

// The probing stops at an error that would repeat for every probe: no privilege, a malformed override variable.
bool fatal(const Error& e) { return e.code() == Errc::Permission || e.code() == Errc::InvalidArgument; }

// Every named value of a kernel enumeration, from `first` on.
template <class E>
std::vector<E> all_values(std::uint32_t first) {
    std::vector<E> out;
    for (std::uint32_t v = first; v < 256 && to_string(static_cast<E>(v)) != "unknown"; ++v)
        out.push_back(static_cast<E>(v));
    return out;
}

template <class E, class Probe>
std::optional<Error> collect(Report& report, Family& fam, const std::vector<E>& values, Probe probe,
                             ProbeKey (*key)(E)) {
    for (E v : values) {
        Entry e{std::string(to_string(v)), std::nullopt, {}};
        auto r = probe(v);
        if (r) {
            e.answer = *r;
        } else {
            if (fatal(r.error())) return r.error();
            e.error = std::string(r.error().message());
            report.errors.emplace_back(to_string(key(v)), e.error);
        }
        fam.entries.push_back(std::move(e));
    }
    return std::nullopt;
}

Result<Report> probe_all(bool with_helpers) {
    Report report;
    report.families = {{"program_types", "program types (BPF_PROG_LOAD)", {}},
                       {"map_types", "map types (BPF_MAP_CREATE)", {}},
                       {"links", "bpf_link attach types (BPF_LINK_CREATE)", {}},
                       {"features", "features", {}}};
    const auto programs = all_values<ProgramType>(1);
    if (auto e = collect(report, report.families[0], programs, program_type_supported,
                         +[](ProgramType t) { return ProbeKey::program(t); }))
        return std::move(*e);
    if (auto e = collect(report, report.families[1], all_values<MapType>(1), map_type_supported,
                         +[](MapType t) { return ProbeKey::map(t); }))
        return std::move(*e);
    if (auto e = collect(report, report.families[2], all_values<AttachType>(0), link_supported,
                         +[](AttachType t) { return ProbeKey::link(t); }))
        return std::move(*e);
    std::vector<Feature> features;
    for (std::uint8_t f = 0; f < static_cast<std::uint8_t>(Feature::Count_); ++f)
        features.push_back(static_cast<Feature>(f));
    if (auto e = collect(report, report.families[3], features, has, +[](Feature f) { return ProbeKey::feature(f); }))
        return std::move(*e);
    if (!with_helpers) return report;
    for (std::size_t i = 0; i < programs.size(); ++i) {
        if (report.families[0].entries[i].answer != true) continue;
        HelperList list{std::string(to_string(programs[i])), {}};
        bool listed = true;
        for (std::uint32_t id = 1; id < helper_id_end(); ++id) {
            auto r = helper_supported(programs[i], id);
            if (!r) {
                if (fatal(r.error())) return r.error();
                report.errors.emplace_back(to_string(ProbeKey::helper(programs[i], id)),
                                           std::string(r.error().message()));
                if (r.error().code() == Errc::NotSupported) {  // the whole program type has no helper probe
                    report.errors.back().first = "helpers:" + list.program_type;
                    listed = false;
                    break;
                }
                continue;
            }
            if (*r) list.names.emplace_back(helper_name(id));
        }
        if (listed) report.helpers.push_back(std::move(list));
    }
    return report;
}

void print_json(const Report& report, bool with_helpers) {
    Json j;
    j.begin_object();
    for (const Family& fam : report.families) {
        j.key(fam.json_key).begin_object();
        for (const Entry& e : fam.entries) {
            j.key(e.name);
            if (e.answer) j.value(*e.answer);
            else j.null();
        }
        j.end_object();
    }
    if (with_helpers) {
        j.key("helpers").begin_object();
        for (const HelperList& h : report.helpers) {
            j.key(h.program_type).begin_array();
            for (const std::string& n : h.names) j.value(n);
            j.end_array();
        }
        j.end_object();
    }
    j.key("errors").begin_object();
    for (const auto& [key, message] : report.errors) j.field(key, message);
    j.end_object();
    j.end_object();
    std::printf("%s\n", j.str().c_str());
}

void print_text(const Report& report, bool with_helpers) {
    for (const Family& fam : report.families) {
        std::printf("%s:\n", fam.title);
        for (const Entry& e : fam.entries) {
            if (e.answer) std::printf("  %-32s %s\n", e.name.c_str(), *e.answer ? "yes" : "no");
            else std::printf("  %-32s ? (%s)\n", e.name.c_str(), e.error.c_str());
        }
    }
    if (!with_helpers) return;
    std::printf("helpers (per program type):\n");
    for (const HelperList& h : report.helpers) {
        std::printf("  %s (%zu):", h.program_type.c_str(), h.names.size());
        std::size_t col = 80;
        for (const std::string& n : h.names) {
            if (col + n.size() + 1 > 110) {
                std::printf("\n     ");
                col = 5;
            }
            std::printf(" %s", n.c_str());
            col += n.size() + 1;
        }
        std::printf("\n");
    }
    for (const auto& [key, message] : report.errors)
        if (key.rfind("helpers:", 0) == 0) std::printf("  %s: ? (%s)\n", key.c_str() + 8, message.c_str());
}

}  // namespace

int cmd_features(std::span<const std::string_view> args) {
    bool json = false, helpers = false;
    for (std::string_view a : args) {
        if (a == "--json") json = true;
        else if (a == "--helpers") helpers = true;
        else return usage_error("features: unknown option '" + std::string(a) + "'");
    }
    auto report = probe_all(helpers);
    if (!report) return fail("features: " + std::string(report.error().message()));
    if (json) print_json(*report, helpers);
    else print_text(*report, helpers);
    return kExitOk;
}

}  // namespace ebpf::tool
