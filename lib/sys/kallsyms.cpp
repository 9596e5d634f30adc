// SPDX-License-Identifier: MIT
// /proc/kallsyms lines: "ffffffff81234560 T do_unlinkat" or "ffffffffc0a01230 t veth_open\t[veth]".
// available_filter_functions lines: "do_unlinkat" or "veth_open [veth]" (5.x .. 6.18).
#include "sys/kallsyms.hpp"

#include <algorithm>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/proc.hpp"
#include "sys/tracefs.hpp"

namespace ebpf::sys {

namespace {

constexpr std::size_t kMaxSymbolFile = 512u << 20;

struct SymLine {
    std::uint64_t address = 0;
    char type = 0;
    std::string_view name, module;
};

std::optional<SymLine> parse_kallsyms_line(std::string_view line) noexcept {
    const auto sp1 = line.find(' ');
    if (sp1 == std::string_view::npos || sp1 + 3 >= line.size() || line[sp1 + 2] != ' ') return std::nullopt;
    SymLine out;
    for (char c : line.substr(0, sp1)) {
        const int v = c >= '0' && c <= '9' ? c - '0' : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
        if (v < 0) return std::nullopt;
        out.address = out.address << 4 | static_cast<std::uint64_t>(v);
    }
    out.type = line[sp1 + 1];
    std::string_view rest = line.substr(sp1 + 3);
    const auto end = rest.find_first_of(" \t");
    out.name = rest.substr(0, end);
    if (end != std::string_view::npos) {
        std::string_view m = detail::trim(rest.substr(end));
        if (m.size() >= 2 && m.front() == '[' && m.back() == ']') out.module = m.substr(1, m.size() - 2);
    }
    return out;
}

// "name" or "name [module]" (available_filter_functions).
SymLine parse_filter_line(std::string_view line) noexcept {
    SymLine out;
    line = detail::trim(line);
    const auto sp = line.find_first_of(" \t");
    out.name = line.substr(0, sp);
    if (sp != std::string_view::npos) {
        std::string_view m = detail::trim(line.substr(sp));
        if (m.size() >= 2 && m.front() == '[' && m.back() == ']') out.module = m.substr(1, m.size() - 2);
    }
    return out;
}

template <class F>
void for_each_line(std::string_view text, F&& f) {
    while (!text.empty()) {
        const auto nl = text.find('\n');
        f(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    }
}

bool is_text_symbol(char type) noexcept { return type == 't' || type == 'T' || type == 'w' || type == 'W'; }

}  // namespace

bool glob_match(std::string_view p, std::string_view s) noexcept {
    // Iterative matcher with one backtrack point (the last '*'): linear in practice, no recursion.
    std::size_t pi = 0, si = 0, star = std::string_view::npos, mark = 0;
    while (si < s.size()) {
        if (pi < p.size() && (p[pi] == '?' || p[pi] == s[si])) {
            ++pi;
            ++si;
        } else if (pi < p.size() && p[pi] == '*') {
            star = pi++;
            mark = si;
        } else if (star != std::string_view::npos) {
            pi = star + 1;
            si = ++mark;
        } else {
            return false;
        }
    }
    while (pi < p.size() && p[pi] == '*') ++pi;
    return pi == p.size();
}

Result<KsymPresence> kallsyms_find(std::string_view name, std::string_view module) noexcept {
    EBPF_TRY_ASSIGN(const std::string text, read_text("/proc/kallsyms", kMaxSymbolFile));
    KsymPresence out;
    bool module_seen = module.empty();
    for_each_line(text, [&](std::string_view line) {
        if (out.found) return;
        const auto sym = parse_kallsyms_line(line);
        if (!sym) return;
        if (!module.empty()) {
            if (sym->module != module) return;
            module_seen = true;
        }
        if (sym->name == name) {
            out.found = true;
            out.address = sym->address;
        }
    });
    out.module_loaded = module_seen || out.found;
    return out;
}

Result<FunctionMatches> match_kernel_functions(std::string_view pattern, std::string_view module) noexcept {
    FunctionMatches out;
    auto take = [&](const SymLine& s) {
        if (!module.empty() && s.module != module) return;
        if (s.name.empty() || s.name.substr(0, 24) == "__ftrace_invalid_address") return;
        if (glob_match(pattern, s.name)) out.names.emplace_back(s.name);
    };
    std::optional<Error> failed;
    if (auto root = tracefs_root()) {
        out.source = *root + "/available_filter_functions";
        if (auto text = read_text(out.source.c_str(), kMaxSymbolFile))
            for_each_line(*text, [&](std::string_view line) { take(parse_filter_line(line)); });
        else
            failed = std::move(text).error();
    } else {
        failed = std::move(root).error();
    }
    if (failed) {
        // No tracefs, or no ftrace (CONFIG_FUNCTION_TRACER off): every text symbol is a candidate.
        out.source = "/proc/kallsyms";
        auto text = read_text("/proc/kallsyms", kMaxSymbolFile);
        if (!text)
            return std::move(text).error().context(
                detail::format("available_filter_functions: %.*s; and", EBPF_SV(failed->message())));
        for_each_line(*text, [&](std::string_view line) {
            if (auto s = parse_kallsyms_line(line); s && is_text_symbol(s->type)) take(*s);
        });
    }
    std::sort(out.names.begin(), out.names.end());
    out.names.erase(std::unique(out.names.begin(), out.names.end()), out.names.end());
    return out;
}

}  // namespace ebpf::sys
