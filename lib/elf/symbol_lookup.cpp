// SPDX-License-Identifier: MIT
// Function symbol lookup for uprobes: both symbol tables, GNU symbol versions, globs.
// GNU versioning (as glibc's ld.so reads it): .gnu.version holds one u16 per .dynsym entry, its low 15 bits the
// index of a version definition in .gnu.version_d and bit 15 "hidden" (a non-default "name@V" version); indices
// 0 and 1 mean local and unversioned-global. Each definition names its version in its first auxiliary entry.
#include "elf/symbol_lookup.hpp"

#include <algorithm>
#include <map>

#include "base/format.hpp"

namespace ebpf::elf {

using detail::format;

namespace {

constexpr std::uint16_t kVersymHidden = 0x8000, kVersymIndexMask = 0x7fff;

Error malformed_versions(const char* why) { return Error(Errc::MalformedElf, format("symbol versions: %s", why)); }

// Version names by definition index (vd_ndx), from .gnu.version_d.
Result<std::vector<std::string_view>> version_definitions(const File& f) {
    std::vector<std::string_view> names;
    const Section* vd = f.find_section_by_type(SHT_GNU_VERDEF);
    if (!vd) return names;
    const Section* strtab = f.section(vd->link);
    if (!strtab || strtab->type != SHT_STRTAB) return malformed_versions(".gnu.version_d has no string table");
    const detail::ByteView v = f.view(*vd), str = f.view(*strtab);
    std::uint64_t off = 0;
    // sh_info is the number of definitions; bound the walk by it and by the section size.
    for (std::uint32_t i = 0; i < vd->info; ++i) {
        if (!v.contains(off, 20)) return malformed_versions("a definition lies outside .gnu.version_d");
        const std::uint16_t ndx = v.load<std::uint16_t>(static_cast<std::size_t>(off + 4));
        const std::uint16_t cnt = v.load<std::uint16_t>(static_cast<std::size_t>(off + 6));
        const std::uint32_t aux = v.load<std::uint32_t>(static_cast<std::size_t>(off + 12));
        const std::uint32_t next = v.load<std::uint32_t>(static_cast<std::size_t>(off + 16));
        if (cnt > 0) {
            const auto name_off = v.get<std::uint32_t>(off + aux);
            if (!name_off || !v.contains(off + aux, 8)) return malformed_versions("a definition's name lies outside .gnu.version_d");
            const auto name = str.cstr(*name_off);
            if (!name) return malformed_versions("a version name lies outside its string table");
            const std::uint16_t idx = ndx & kVersymIndexMask;
            if (idx >= names.size()) names.resize(idx + 1u);
            names[idx] = *name;
        }
        if (next == 0) break;
        off += next;
    }
    return names;
}

void split_version(std::string_view full, FunctionSymbol& s) {
    const auto at = full.find('@');
    if (at == std::string_view::npos) {
        s.name = full;
        return;
    }
    s.name = full.substr(0, at);
    const bool dflt = at + 1 < full.size() && full[at + 1] == '@';
    s.version = full.substr(at + (dflt ? 2 : 1));
    s.default_version = dflt;
}

Result<void> collect(const File& f, const Section& table, SymbolSource source,
                     const std::vector<std::string_view>& versions, std::vector<FunctionSymbol>& out) {
    auto syms = f.symbols(table);
    if (!syms) return std::move(syms).error();
    // .gnu.version, parallel to .dynsym.
    detail::ByteView versym;
    bool have_versym = false;
    if (source == SymbolSource::Dynsym) {
        for (const Section& s : f.sections()) {
            if (s.type != SHT_GNU_VERSYM || (s.link != 0 && s.link != table.index)) continue;
            if (s.data.size() != s.size || s.size / 2 != syms->size())
                return malformed_versions(".gnu.version does not have one entry per .dynsym symbol");
            versym = f.view(s);
            have_versym = true;
            break;
        }
    }
    for (const Symbol& sym : *syms) {
        if (sym.type != STT_FUNC && sym.type != STT_GNU_IFUNC) continue;
        if (sym.shndx == SHN_UNDEF || sym.value == 0 || sym.name.empty()) continue;
        FunctionSymbol fs;
        split_version(sym.name, fs);
        if (have_versym) {
            const std::uint16_t vs = versym.load<std::uint16_t>(sym.index * 2u);
            const std::uint16_t idx = vs & kVersymIndexMask;
            if (idx >= 2 && idx < versions.size() && !versions[idx].empty()) {
                fs.version = versions[idx];
                fs.default_version = (vs & kVersymHidden) == 0;
            }
        }
        fs.ifunc = sym.type == STT_GNU_IFUNC;
        fs.bind = sym.bind;
        fs.address = sym.value;
        // ARM: bit 0 of a function's address selects Thumb state; the instruction is at the even address.
        if (f.machine() == EM_ARM) fs.address &= ~std::uint64_t{1};
        fs.size = sym.size;
        fs.source = source;
        out.push_back(fs);
    }
    return {};
}

int bind_rank(std::uint8_t bind) { return bind == STB_GLOBAL ? 2 : bind == STB_WEAK ? 1 : 0; }

}  // namespace

std::string FunctionSymbol::display() const {
    if (version.empty()) return std::string(name);
    return format("%.*s%s%.*s", EBPF_SV(name), default_version ? "@@" : "@", EBPF_SV(version));
}

Result<std::vector<FunctionSymbol>> function_symbols(const File& file) {
    std::vector<FunctionSymbol> out;
    auto versions = version_definitions(file);
    if (!versions) return std::move(versions).error();
    if (const Section* t = file.find_section_by_type(SHT_DYNSYM)) {
        auto r = collect(file, *t, SymbolSource::Dynsym, *versions, out);
        if (!r) return std::move(r).error();
    }
    const std::size_t dynamic = out.size();
    if (const Section* t = file.find_section_by_type(SHT_SYMTAB)) {
        std::vector<FunctionSymbol> local;
        auto r = collect(file, *t, SymbolSource::Symtab, *versions, local);
        if (!r) return std::move(r).error();
        // .symtab repeats the exported functions, without their versions (lld) or with them in the name (GNU
        // ld): a function .dynsym has at the same address is already known, with its version.
        std::vector<std::pair<std::string_view, std::uint64_t>> seen;
        seen.reserve(dynamic);
        for (std::size_t i = 0; i < dynamic; ++i) seen.emplace_back(out[i].name, out[i].address);
        std::sort(seen.begin(), seen.end());
        for (const FunctionSymbol& s : local)
            if (!std::binary_search(seen.begin(), seen.end(), std::make_pair(s.name, s.address))) out.push_back(s);
    }
    return out;
}

SymbolName parse_symbol_name(std::string_view text) noexcept {
    SymbolName n;
    const auto at = text.find('@');
    n.name = text.substr(0, at);
    if (at == std::string_view::npos) return n;
    n.default_only = at + 1 < text.size() && text[at + 1] == '@';
    n.version = text.substr(at + (n.default_only ? 2 : 1));
    return n;
}

Result<FunctionSymbol> find_function(std::span<const FunctionSymbol> symbols, std::string_view text,
                                     std::string_view where) {
    const SymbolName want = parse_symbol_name(text);
    std::vector<const FunctionSymbol*> found;
    for (const FunctionSymbol& s : symbols) {
        if (s.name != want.name) continue;
        if (!want.version.empty() && (s.version != want.version || (want.default_only && !s.default_version)))
            continue;
        found.push_back(&s);
    }
    if (found.empty()) {
        std::string also;
        if (!want.version.empty()) {
            for (const FunctionSymbol& s : symbols)
                if (s.name == want.name) also += (also.empty() ? "" : ", ") + s.display();
            if (!also.empty()) also = "; it has " + also;
        }
        return Error(Errc::NotFound, format("function '%.*s' not found in %.*s (.dynsym, .symtab searched)%s",
                                            EBPF_SV(text), EBPF_SV(where), also.c_str()));
    }
    // The winners: the best binding, then the default version; they must agree on the address.
    int best_bind = -1;
    for (const auto* s : found) best_bind = std::max(best_bind, bind_rank(s->bind));
    std::erase_if(found, [&](const FunctionSymbol* s) { return bind_rank(s->bind) != best_bind; });
    if (std::any_of(found.begin(), found.end(), [](const FunctionSymbol* s) { return s->default_version; }))
        std::erase_if(found, [](const FunctionSymbol* s) { return !s->default_version; });
    const FunctionSymbol* pick = found.front();
    for (const auto* s : found) {
        if (s->address == pick->address) continue;
        std::string list;
        for (const auto* c : found)
            list += format("%s%s at 0x%llx", list.empty() ? "" : ", ", c->display().c_str(),
                           static_cast<unsigned long long>(c->address));
        return Error(Errc::InvalidArgument,
                     format("function '%.*s' is ambiguous in %.*s: %s; give a version (name@VERSION) or an "
                            "address",
                            EBPF_SV(text), EBPF_SV(where), list.c_str()));
    }
    if (pick->ifunc)
        return Error(Errc::InvalidArgument,
                     format("function '%.*s' in %.*s is an IFUNC: its symbol is the resolver the dynamic loader runs "
                            "once; probe one of its implementations instead",
                            EBPF_SV(text), EBPF_SV(where)));
    return *pick;
}

bool symbol_glob_match(std::string_view pattern, std::string_view text) noexcept {
    // Iterative matching with one backtrack point (the last '*'): linear in practice, never recursive.
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

std::vector<FunctionSymbol> match_functions(std::span<const FunctionSymbol> symbols, std::string_view pattern) {
    // One entry per address; where several names share it, the best-bound default-version one names it.
    std::map<std::uint64_t, const FunctionSymbol*> by_address;
    for (const FunctionSymbol& s : symbols) {
        if (s.ifunc || !symbol_glob_match(pattern, s.name)) continue;
        auto [it, inserted] = by_address.emplace(s.address, &s);
        if (inserted) continue;
        const FunctionSymbol* cur = it->second;
        const auto key = [](const FunctionSymbol* f) { return std::make_pair(bind_rank(f->bind), f->default_version); };
        if (key(&s) > key(cur)) it->second = &s;
    }
    std::vector<FunctionSymbol> out;
    out.reserve(by_address.size());
    for (const auto& [addr, s] : by_address) out.push_back(*s);
    std::sort(out.begin(), out.end(), [](const FunctionSymbol& a, const FunctionSymbol& b) {
        return a.name != b.name ? a.name < b.name : a.address < b.address;
    });
    return out;
}

}  // namespace ebpf::elf
