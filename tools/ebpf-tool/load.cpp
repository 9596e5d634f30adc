// SPDX-License-Identifier: MIT
// ebpf-tool load: create an object's maps and load its programs, printing the verifier log on failure.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <ebpf/ebpf.hpp>

#include <chrono>

#include "commands.hpp"
#include "json.hpp"

namespace ebpf::tool {

namespace {

// --each: every program of every object loaded alone (with the maps it needs), one JSON line per program with the
// keys of ../shared/tools/libbpf_ref.c: {"obj","prog","sec","ok","err","us"}.
int load_each(const std::vector<std::string>& paths, const LoadOptions& base) {
    for (const std::string& path : paths) {
        auto spec = parse_object_file(path.c_str());
        if (!spec) {
            Json j;
            j.begin_object().field("obj", path).key("prog").null().field("ok", false);
            j.field("err", spec.error().sys_errno() ? -spec.error().sys_errno() : -22).field("stage", "open").end_object();
            std::printf("%s\n", j.str().c_str());
            std::fprintf(stderr, "ebpf-tool: %s: %s\n", path.c_str(), std::string(spec.error().message()).c_str());
            continue;
        }
        for (const ProgramSpec& p : spec->programs) {
            LoadOptions o = base;
            const auto t0 = std::chrono::steady_clock::now();
            int err = 0;
            auto obj = Object::load(*spec, o);
            if (!obj) {
                err = obj.error().sys_errno() ? -obj.error().sys_errno() : -22;
                std::fprintf(stderr, "ebpf-tool: %s: %s: %s\n", path.c_str(), p.name.c_str(),
                             std::string(obj.error().message()).c_str());
            } else if (auto r = obj->find_program(p.name)->load(); !r) {
                err = r.error().sys_errno() ? -r.error().sys_errno() : -22;
                std::fprintf(stderr, "ebpf-tool: %s: %s\n", path.c_str(), std::string(r.error().message()).c_str());
            }
            const auto us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
            Json j;
            j.begin_object()
                .field("obj", path)
                .field("prog", p.name)
                .field("sec", p.section)
                .field("ok", err == 0)
                .field("err", err)
                .field("us", static_cast<std::uint64_t>(us))
                .end_object();
            std::printf("%s\n", j.str().c_str());
        }
    }
    return kExitOk;
}

}  // namespace

int cmd_load(std::span<const std::string_view> args) {
    std::vector<std::string> programs;
    LoadOptions opts;
    std::string path;
    bool each = false, json = false;
    std::vector<std::string> paths;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        auto next = [&]() -> std::string_view { return i + 1 < args.size() ? args[++i] : std::string_view(); };
        if (a == "--program") {
            const auto v = next();
            if (v.empty()) return usage_error("load: --program needs a NAME");
            programs.emplace_back(v);
        } else if (a == "--log-level") {
            const auto v = next();
            char* end = nullptr;
            const std::string s(v);
            const unsigned long n = std::strtoul(s.c_str(), &end, 10);
            if (v.empty() || *end || n > 7) return usage_error("load: --log-level needs a number from 0 to 7");
            opts.log_level = static_cast<std::uint32_t>(n);
        } else if (a == "--each") {
            each = true;
        } else if (a == "--json") {
            json = true;
        } else if (a == "--target-btf") {
            const auto v = next();
            if (v.empty()) return usage_error("load: --target-btf needs a FILE");
            opts.target_btf = std::string(v);
        } else if (a == "--pin-root") {
            const auto v = next();
            if (v.empty()) return usage_error("load: --pin-root needs a DIR");
            opts.pin_root = std::string(v);
        } else if (!a.empty() && a[0] == '-') {
            return usage_error("load: unknown option " + std::string(a));
        } else {
            paths.emplace_back(a);
        }
    }
    if (paths.empty()) return usage_error("load: missing OBJECT");
    // The loader reads the target BTF only for objects with CO-RE relocations; a FILE given must exist regardless.
    if (!opts.target_btf.empty()) {
        if (FILE* f = std::fopen(opts.target_btf.c_str(), "rb")) std::fclose(f);
        else return fail("load: --target-btf " + opts.target_btf + ": " + std::strerror(errno));
    }
    if (each) {
        if (!json) return usage_error("load: --each prints JSON lines; add --json");
        if (!programs.empty()) return usage_error("load: --each loads every program; drop --program");
        return load_each(paths, opts);
    }
    if (json) return usage_error("load: --json goes with --each");
    if (paths.size() > 1) return usage_error("load: more than one OBJECT (use --each --json for many)");
    path = paths.front();

    auto obj = Object::load_file(path.c_str(), opts);
    if (!obj) return fail(obj.error().message());
    for (const std::string& w : obj->warnings()) std::fprintf(stderr, "ebpf-tool: warning: %s\n", w.c_str());

    std::vector<Program*> todo;
    if (programs.empty()) {
        for (Program& p : obj->programs()) {
            const ProgramSpec* spec = obj->spec().program(p.name());
            if (!spec || spec->autoload) todo.push_back(&p);
        }
    } else {
        for (const std::string& n : programs) {
            Program* p = obj->find_program(n);
            if (!p) return fail(path + ": no program named '" + n + "'");
            todo.push_back(p);
        }
    }
    int failed = 0;
    for (Program* p : todo) {
        auto r = p->load();
        if (!r) {
            ++failed;
            std::fprintf(stderr, "ebpf-tool: %s\n", std::string(r.error().message()).c_str());
            if (!r.error().verifier_log().empty())
                std::fprintf(stderr, "--- verifier log of %s ---\n%s\n--- end of log ---\n", p->name().c_str(),
                             std::string(r.error().verifier_log()).c_str());
            continue;
        }
        auto info = p->info();
        std::printf("%-24s %-16s loaded (id %u, %u instructions verified)\n", p->name().c_str(),
                    std::string(to_string(p->kind())).c_str(), info ? info->id : 0,
                    info ? info->verified_instructions : 0);
        if (opts.log_level && !p->verifier_log().empty())
            std::printf("--- verifier log of %s ---\n%s\n", p->name().c_str(), std::string(p->verifier_log()).c_str());
    }
    return failed ? kExitFail : kExitOk;
}

}  // namespace ebpf::tool
