// SPDX-License-Identifier: MIT
// Probe answers cached per process, forced answers (override_probe, EBPF_CXX_PROBE_OVERRIDE) and probe key names.
#include "features/probe_cache.hpp"

#include <charconv>
#include <cstdlib>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

#include "base/format.hpp"

namespace ebpf {

using detail::format;

namespace {

struct Registry {
    std::mutex mu;
    std::map<ProbeKey, bool> answers;
    std::map<ProbeKey, bool> forced;
    std::optional<Error> bad_env;  // a malformed EBPF_CXX_PROBE_OVERRIDE, reported by every probe
    bool env_read = false;
};

Registry& registry() {
    static Registry r;
    return r;
}

std::optional<std::uint32_t> parse_number(std::string_view s) {
    std::uint32_t v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

// The value of a kernel enumeration from its name (as to_string() spells it) or its number.
template <class E>
std::optional<std::uint32_t> enum_value(std::string_view name) {
    if (auto n = parse_number(name)) return n;
    if (name.empty() || name == "unknown") return std::nullopt;
    for (std::uint32_t v = 0; v < 256; ++v)
        if (to_string(static_cast<E>(v)) == name) return v;
    return std::nullopt;
}

template <class E>
std::string enum_name(std::uint32_t v) {
    const std::string_view name = to_string(static_cast<E>(v));
    return name == "unknown" ? std::to_string(v) : std::string(name);
}

struct FamilyName {
    ProbeFamily family;
    std::string_view prefix;
};
constexpr FamilyName kFamilies[] = {{ProbeFamily::Program, "prog"},
                                    {ProbeFamily::Map, "map"},
                                    {ProbeFamily::Link, "link"},
                                    {ProbeFamily::Helper, "helper"},
                                    {ProbeFamily::Feature, "feature"}};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) s.remove_suffix(1);
    return s;
}

Result<std::vector<std::pair<ProbeKey, bool>>> parse_overrides(std::string_view spec) {
    std::vector<std::pair<ProbeKey, bool>> out;
    while (!spec.empty()) {
        const auto comma = spec.find(',');
        const std::string_view item = trim(spec.substr(0, comma));
        spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
        if (item.empty()) continue;
        const auto eq = item.rfind('=');
        if (eq == std::string_view::npos)
            return Error(Errc::InvalidArgument, format("'%.*s': expected KEY=0 or KEY=1", EBPF_SV(item)));
        const std::string_view value = trim(item.substr(eq + 1));
        bool answer;
        if (value == "1" || value == "true") answer = true;
        else if (value == "0" || value == "false") answer = false;
        else
            return Error(Errc::InvalidArgument,
                         format("'%.*s': the answer must be 0, 1, false or true", EBPF_SV(item)));
        auto key = parse_probe_key(trim(item.substr(0, eq)));
        if (!key) return std::move(key).error();
        out.emplace_back(*key, answer);
    }
    return out;
}

// Reads EBPF_CXX_PROBE_OVERRIDE the first time anything here is used. Called with the registry locked.
void read_env_locked(Registry& r) {
    if (r.env_read) return;
    r.env_read = true;
    const char* spec = std::getenv(kProbeOverrideEnv);
    if (!spec || !*spec) return;
    auto parsed = parse_overrides(spec);
    if (!parsed) {
        r.bad_env = std::move(parsed).error().context(kProbeOverrideEnv);
        return;
    }
    for (const auto& [key, answer] : *parsed) r.forced[key] = answer;
}

}  // namespace

std::string to_string(const ProbeKey& key) {
    switch (key.family) {
    case ProbeFamily::Program: return "prog:" + enum_name<ProgramType>(key.type);
    case ProbeFamily::Map: return "map:" + enum_name<MapType>(key.type);
    case ProbeFamily::Link: return "link:" + enum_name<AttachType>(key.type);
    case ProbeFamily::Helper: {
        const std::string_view h = helper_name(key.helper_id);
        return "helper:" + enum_name<ProgramType>(key.type) + "/" +
               (h.empty() ? std::to_string(key.helper_id) : std::string(h));
    }
    case ProbeFamily::Feature: return "feature:" + enum_name<Feature>(key.type);
    }
    return "unknown:" + std::to_string(key.type);
}

Result<ProbeKey> parse_probe_key(std::string_view text) {
    const auto bad = [&](const char* why) {
        return Error(Errc::InvalidArgument, format("probe key '%.*s': %s", EBPF_SV(text), why));
    };
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return bad("expected FAMILY:NAME (prog, map, link, helper or feature)");
    const std::string_view prefix = text.substr(0, colon), name = text.substr(colon + 1);
    const FamilyName* fam = nullptr;
    for (const FamilyName& f : kFamilies)
        if (f.prefix == prefix) fam = &f;
    if (!fam) return bad("unknown family (prog, map, link, helper or feature)");
    std::optional<std::uint32_t> v;
    switch (fam->family) {
    case ProbeFamily::Program: v = enum_value<ProgramType>(name); break;
    case ProbeFamily::Map: v = enum_value<MapType>(name); break;
    case ProbeFamily::Link: v = enum_value<AttachType>(name); break;
    case ProbeFamily::Feature: v = enum_value<Feature>(name); break;
    case ProbeFamily::Helper: {
        const auto slash = name.find('/');
        if (slash == std::string_view::npos) return bad("expected helper:PROGRAM_TYPE/HELPER");
        const auto type = enum_value<ProgramType>(name.substr(0, slash));
        const std::string_view h = name.substr(slash + 1);
        std::optional<std::uint32_t> id = parse_number(h);
        if (!id) id = helper_id(h.substr(0, 4) == "bpf_" ? h.substr(4) : h);
        if (!type) return bad("unknown program type");
        if (!id) return bad("unknown helper");
        return ProbeKey{ProbeFamily::Helper, *type, *id};
    }
    }
    if (!v) return bad("unknown name");
    return ProbeKey{fam->family, *v, 0};
}

void override_probe(const ProbeKey& key, std::optional<bool> answer) {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    read_env_locked(r);
    if (answer) r.forced[key] = *answer;
    else r.forced.erase(key);
}

Result<void> override_probes(std::string_view spec) {
    auto parsed = parse_overrides(spec);
    if (!parsed) return std::move(parsed).error();
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    read_env_locked(r);
    for (const auto& [key, answer] : *parsed) r.forced[key] = answer;
    return {};
}

void clear_probe_overrides() {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    r.env_read = true;  // the variable's overrides go too, and it is not read again
    r.bad_env.reset();
    r.forced.clear();
}

void forget_probe_results() {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    r.answers.clear();
}

std::optional<Result<bool>> detail::known_probe_answer(const ProbeKey& key) {
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    read_env_locked(r);
    if (r.bad_env) return Result<bool>(*r.bad_env);
    if (const auto it = r.forced.find(key); it != r.forced.end()) return Result<bool>(it->second);
    if (const auto it = r.answers.find(key); it != r.answers.end()) return Result<bool>(it->second);
    return std::nullopt;
}

Result<bool> detail::cached_probe(const ProbeKey& key, ProbeFn probe) {
    if (auto known = known_probe_answer(key)) return std::move(*known);
    // Probe without the lock: probes may ask other probes (a helper probe asks about its program type), and
    // unrelated questions need not wait for each other.
    auto answer = probe(key);
    if (!answer) return std::move(answer).error().context("probe " + to_string(key));
    Registry& r = registry();
    std::lock_guard<std::mutex> lock(r.mu);
    r.answers.emplace(key, *answer);
    return *answer;
}

}  // namespace ebpf
