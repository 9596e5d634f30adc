// SPDX-License-Identifier: MIT
// ebpf-tool load: create an object's maps and load its programs, printing the verifier log on failure.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <ebpf/ebpf.hpp>

#include "commands.hpp"

namespace ebpf::tool {

int cmd_load(std::span<const std::string_view> args) {
    std::vector<std::string> programs;
    LoadOptions opts;
    std::string path;
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
        } else if (a == "--pin-root") {
            const auto v = next();
            if (v.empty()) return usage_error("load: --pin-root needs a DIR");
            opts.pin_root = std::string(v);
        } else if (!a.empty() && a[0] == '-') {
            return usage_error("load: unknown option " + std::string(a));
        } else if (path.empty()) {
            path = a;
        } else {
            return usage_error("load: more than one OBJECT");
        }
    }
    if (path.empty()) return usage_error("load: missing OBJECT");

    auto obj = Object::load_file(path.c_str(), opts);
    if (!obj) return fail(obj.error().message());
    for (const std::string& w : obj->warnings()) std::fprintf(stderr, "ebpf-tool: warning: %s\n", w.c_str());

    std::vector<Program*> todo;
    if (programs.empty()) {
        for (std::size_t i = 0; i < obj->programs().size(); ++i)
            if (obj->spec().programs[i].autoload) todo.push_back(&obj->programs()[i]);
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
                    std::string(to_string(p->type())).c_str(), info ? info->id : 0,
                    info ? info->verified_instructions : 0);
        if (opts.log_level && !p->verifier_log().empty())
            std::printf("--- verifier log of %s ---\n%s\n", p->name().c_str(), std::string(p->verifier_log()).c_str());
    }
    return failed ? kExitFail : kExitOk;
}

}  // namespace ebpf::tool
