// SPDX-License-Identifier: MIT
// Uprobe targets inside an ELF file: functions, addresses and USDT sites as file offsets.
#include "object/uprobe_binary.hpp"

#include <algorithm>


#include "base/format.hpp"
#include "elf/stapsdt.hpp"

namespace ebpf::detail {

std::optional<FunctionAndOffset> split_function_offset(std::string_view text) noexcept {
    FunctionAndOffset out{text, 0};
    const auto plus = text.rfind('+');
    if (plus == std::string_view::npos) return out;
    std::string_view num = text.substr(plus + 1);
    unsigned base = 10;
    if (num.size() > 2 && num[0] == '0' && (num[1] == 'x' || num[1] == 'X')) {
        base = 16;
        num.remove_prefix(2);
    }
    // A suffix that is not a number belongs to the name (C++ "operator+" demangled, say).
    if (num.empty() || plus == 0) return out;
    std::uint64_t v = 0;
    for (char c : num) {
        unsigned d;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
        else return out;
        if (v > (UINT64_MAX - d) / base) return std::nullopt;  // a number too large for an offset
        v = v * base + d;
    }
    out.function = text.substr(0, plus);
    out.offset = v;
    return out;
}

Result<UprobeBinary> UprobeBinary::parse(std::span<const std::byte> bytes, std::string path) {
    auto file = elf::File::parse(bytes);
    if (!file) return std::move(file).error().context(path);
    if (file->type() != elf::ET_EXEC && file->type() != elf::ET_DYN)
        return Error(Errc::InvalidArgument,
                     format("%s: ELF type %u is neither an executable nor a shared library", path.c_str(),
                            file->type()));
    auto segs = elf::program_headers(*file);
    if (!segs) return std::move(segs).error().context(path);
    UprobeBinary b;
    b.file_ = std::move(*file);
    b.segments_ = std::move(*segs);
    b.path_ = std::move(path);
    return b;
}

Result<std::span<const elf::FunctionSymbol>> UprobeBinary::symbols() const {
    if (!symbols_) {
        auto s = elf::function_symbols(file_);
        if (!s) return std::move(s).error().context(path_);
        symbols_ = std::move(*s);
    }
    return std::span<const elf::FunctionSymbol>(*symbols_);
}

Result<std::uint64_t> UprobeBinary::exec_offset(std::uint64_t vaddr, std::string_view what) const {
    const elf::Segment* seg = elf::find_load_segment(segments_, vaddr);
    const auto off = elf::vaddr_to_offset(segments_, vaddr);
    if (!seg || !off)
        return Error(Errc::NotFound, format("%.*s at 0x%llx is in no loadable segment of %s", EBPF_SV(what),
                                            static_cast<unsigned long long>(vaddr), path_.c_str()));
    if (!seg->executable())
        return Error(Errc::NotFound, format("%.*s at 0x%llx is in a segment of %s that is not executable",
                                            EBPF_SV(what), static_cast<unsigned long long>(vaddr), path_.c_str()));
    return *off;
}

Result<UprobeFunction> UprobeBinary::function(std::string_view text) const {
    const auto split = split_function_offset(text);
    if (!split || split->function.empty())
        return Error(Errc::InvalidArgument, format("'%.*s' is not FUNCTION or FUNCTION+OFFSET", EBPF_SV(text)));
    auto syms = symbols();
    if (!syms) return std::move(syms).error();
    auto sym = elf::find_function(*syms, split->function, path_);
    if (!sym) return std::move(sym).error();
    if (split->offset != 0 && sym->size != 0 && split->offset >= sym->size)
        return Error(Errc::InvalidArgument,
                     format("'%.*s': offset %llu is beyond the end of %s (%llu bytes) in %s", EBPF_SV(text),
                            static_cast<unsigned long long>(split->offset), sym->display().c_str(),
                            static_cast<unsigned long long>(sym->size), path_.c_str()));
    const std::uint64_t vaddr = sym->address + split->offset;
    auto off = exec_offset(vaddr, format("function '%.*s'", EBPF_SV(text)));
    if (!off) return std::move(off).error();
    return UprobeFunction{sym->display(), vaddr, *off};
}

Result<std::uint64_t> UprobeBinary::address_offset(std::uint64_t vaddr) const { return exec_offset(vaddr, "address"); }

Result<std::vector<UprobeFunction>> UprobeBinary::match(std::string_view pattern) const {
    auto syms = symbols();
    if (!syms) return std::move(syms).error();
    std::vector<UprobeFunction> out;
    for (const elf::FunctionSymbol& s : elf::match_functions(*syms, pattern)) {
        // Symbols outside executable segments (rare: data marked as functions) are left out, not fatal.
        const elf::Segment* seg = elf::find_load_segment(segments_, s.address);
        const auto off = elf::vaddr_to_offset(segments_, s.address);
        if (!seg || !seg->executable() || !off) continue;
        out.push_back({s.display(), s.address, *off});
    }
    if (out.empty())
        return Error(Errc::NotFound, format("no function matching '%.*s' in %s (.dynsym, .symtab searched)",
                                            EBPF_SV(pattern), path_.c_str()));
    return out;
}

bool UprobeBinary::loader_applies_relro() const noexcept {
    return position_independent() ||
           std::any_of(segments_.begin(), segments_.end(), [](const elf::Segment& g) { return g.type == elf::PT_INTERP; });
}

// The kernel turns a ref_ctr_offset into an address through the first writable private mapping of the file, in
// address order, whose file range holds that offset (find_ref_ctr_vma in kernel/events/uprobes.c). The loader
// maps whole pages, so a page shared by two writable segments resolves through the lower one.
void UprobeBinary::semaphore_alias(UsdtSite& s, const elf::Segment& own) const noexcept {
    constexpr std::uint64_t kPage = 4096;  // the smallest page size: larger pages only widen the overlap
    const std::uint64_t page = s.semaphore_offset & ~(kPage - 1);
    for (const elf::Segment& g : segments_) {
        if (g.type != elf::PT_LOAD || !(g.flags & elf::PF_W) || &g == &own || g.vaddr >= own.vaddr) continue;
        const std::uint64_t first = g.offset & ~(kPage - 1);
        const std::uint64_t end = (g.offset + g.filesz + kPage - 1) & ~(kPage - 1);
        if (page < first || page >= end) continue;
        s.semaphore_alias = (g.vaddr & ~(kPage - 1)) + (s.semaphore_offset - first);
        // The loader protects [page_down(start), page_down(end)) of PT_GNU_RELRO; the alias page must be inside.
        const std::uint64_t alias_page = s.semaphore_alias & ~(kPage - 1);
        s.semaphore_alias_relro = std::any_of(segments_.begin(), segments_.end(), [&](const elf::Segment& r) {
            return r.type == elf::PT_GNU_RELRO && alias_page >= (r.vaddr & ~(kPage - 1)) &&
                   alias_page + kPage <= ((r.vaddr + r.memsz) & ~(kPage - 1));
        });
        return;
    }
}

Result<std::vector<UsdtSite>> UprobeBinary::usdt_sites() const {
    auto notes = elf::stapsdt_notes(file_);
    if (!notes) return std::move(notes).error().context(path_);
    const auto base = elf::stapsdt_base(file_);
    std::vector<UsdtSite> out;
    out.reserve(notes->size());
    for (const elf::StapsdtNote& n : *notes) {
        UsdtSite s;
        s.provider = std::string(n.provider);
        s.name = std::string(n.name);
        s.args = std::string(n.args);
        s.address = elf::stapsdt_adjust(n.pc, n, base, file_.is64());
        const std::string what = format("USDT probe %s:%s", s.provider.c_str(), s.name.c_str());
        auto off = exec_offset(s.address, what);
        if (!off) return Error(Errc::MalformedElf, std::string(off.error().message()));
        s.offset = *off;
        if (n.semaphore != 0) {
            s.semaphore_address = elf::stapsdt_adjust(n.semaphore, n, base, file_.is64());
            const elf::Segment* seg = elf::find_load_segment(segments_, s.semaphore_address);
            const auto soff = elf::vaddr_to_offset(segments_, s.semaphore_address);
            if (!seg || !soff || seg->executable())
                return Error(Errc::MalformedElf,
                             format("%s: the semaphore of %s at 0x%llx is not in a file-backed data segment",
                                    path_.c_str(), what.c_str(),
                                    static_cast<unsigned long long>(s.semaphore_address)));
            s.semaphore_offset = *soff;
            semaphore_alias(s, *seg);
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace ebpf::detail
