// SPDX-License-Identifier: MIT
// KernelSymbols: /proc/kallsyms parsed once, text symbols sorted by address, resolved by binary search.
#include <ebpf/maps/symbolize.hpp>

#include <algorithm>

#include "base/format.hpp"
#include "maps/hex.hpp"
#include "sys/proc.hpp"

namespace ebpf {

using detail::format;


Result<KernelSymbols> KernelSymbols::load() {
    auto text = sys::read_file("/proc/kallsyms");
    if (!text) return std::move(text).error().context("kernel symbols");
    auto syms = parse(std::string_view(reinterpret_cast<const char*>(text->data()), text->size()));
    if (!syms) return std::move(syms).error().context("kernel symbols: /proc/kallsyms");
    return syms;
}

Result<KernelSymbols> KernelSymbols::parse(std::string_view text) {
    KernelSymbols k;
    k.modules_.emplace_back();  // 0: the kernel image
    bool any_address = false;
    std::size_t line_no = 0;
    while (!text.empty()) {
        ++line_no;
        const std::size_t eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        if (line.empty()) continue;
        // "<address> <type> <name>[\t[<module>]]"
        const std::size_t sp1 = line.find(' ');
        if (sp1 == std::string_view::npos || sp1 + 3 > line.size() || line[sp1 + 2] != ' ')
            return Error(Errc::InvalidArgument, format("line %zu is not '<address> <type> <name>'", line_no));
        std::uint64_t address = 0;
        if (!detail::parse_hex_u64(line.substr(0, sp1), address))
            return Error(Errc::InvalidArgument, format("line %zu: bad address", line_no));
        const char type = line[sp1 + 1];
        std::string_view name = line.substr(sp1 + 3);
        std::string_view module;
        if (const std::size_t tab = name.find('\t'); tab != std::string_view::npos) {
            module = name.substr(tab + 1);
            name = name.substr(0, tab);
            if (module.size() >= 2 && module.front() == '[' && module.back() == ']')
                module = module.substr(1, module.size() - 2);
        }
        if (address != 0) any_address = true;
        if (type != 't' && type != 'T' && type != 'w' && type != 'W') continue;
        if (name.empty() || name.size() > 0xffff) continue;
        std::uint16_t mod = 0;
        if (!module.empty()) {
            // Modules' symbols come grouped: the last module is almost always the one.
            if (k.modules_.back() != module) {
                auto it = std::find(k.modules_.begin(), k.modules_.end(), module);
                if (it == k.modules_.end()) {
                    if (k.modules_.size() >= 0xffff) continue;
                    k.modules_.emplace_back(module);
                    it = k.modules_.end() - 1;
                }
                mod = static_cast<std::uint16_t>(it - k.modules_.begin());
            } else {
                mod = static_cast<std::uint16_t>(k.modules_.size() - 1);
            }
        }
        k.entries_.push_back({address, static_cast<std::uint32_t>(k.names_.size()),
                              static_cast<std::uint16_t>(name.size()), mod});
        k.names_.append(name);
    }
    if (!any_address && line_no > 0)
        return Error(Errc::Permission, "every address is 0: the kernel hides them (kernel.kptr_restrict, or not "
                                       "root / CAP_SYSLOG)");
    // By address; aliases at one address keep the file's order (name offsets grow with it).
    std::sort(k.entries_.begin(), k.entries_.end(), [](const Entry& a, const Entry& b) {
        return a.address != b.address ? a.address < b.address : a.name_offset < b.name_offset;
    });
    return k;
}

std::optional<SymbolInfo> KernelSymbols::resolve(std::uint64_t address) const {
    auto it = std::upper_bound(entries_.begin(), entries_.end(), address,
                               [](std::uint64_t a, const Entry& e) { return a < e.address; });
    if (it == entries_.begin()) return std::nullopt;
    const Entry& e = *--it;
    SymbolInfo s;
    s.name = std::string_view(names_).substr(e.name_offset, e.name_length);
    s.module = modules_[e.module];
    s.address = e.address;
    s.offset = address - e.address;
    return s;
}

}  // namespace ebpf
