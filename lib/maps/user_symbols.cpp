// SPDX-License-Identifier: MIT
// UserSymbols: a process's executable mappings (/proc/PID/maps) and the function symbols of the mapped files
// (their ELF .symtab, or .dynsym), resolved by binary search.
#include <ebpf/maps/symbolize.hpp>

#include <algorithm>

#include "base/format.hpp"
#include "maps/hex.hpp"
#include "elf/file.hpp"
#include "sys/mapped_file.hpp"
#include "sys/proc.hpp"

namespace ebpf {

using detail::format;

namespace {

constexpr std::uint8_t kSttGnuIfunc = 10;


// The next whitespace-separated field of `line`.
std::string_view next_field(std::string_view& line) {
    const std::size_t b = line.find_first_not_of(' ');
    if (b == std::string_view::npos) {
        line = {};
        return {};
    }
    line = line.substr(b);
    const std::size_t e = line.find(' ');
    std::string_view f = line.substr(0, e);
    line = e == std::string_view::npos ? std::string_view{} : line.substr(e);
    return f;
}

// Reads one ELF file's allocated sections and function symbols. Errors are the caller's to skip.
Result<UserSymbols::File> read_elf(const std::string& path) {
    // Mapped, not read: binaries can be hundreds of megabytes (sanitizer builds, debug info), and only the
    // section headers and the symbol table are touched.
    auto mapped = sys::MappedFile::open(path.c_str());
    if (!mapped) return std::move(mapped).error();
    auto elf = elf::File::parse(mapped->bytes());
    if (!elf) return std::move(elf).error();
    UserSymbols::File f;
    f.path = path;
    for (const elf::Section& s : elf->sections())
        if ((s.flags & elf::SHF_ALLOC) && s.type != elf::SHT_NOBITS && s.size != 0)
            f.sections.push_back({s.offset, s.size, s.addr});
    const elf::Section* table = elf->find_section_by_type(elf::SHT_SYMTAB);
    if (!table) table = elf->find_section_by_type(elf::SHT_DYNSYM);
    if (!table) return f;  // no symbols: addresses resolve to nothing in this file
    auto syms = elf->symbols(*table);
    if (!syms) return std::move(syms).error();
    for (const elf::Symbol& s : *syms) {
        if ((s.type != elf::STT_FUNC && s.type != kSttGnuIfunc) || s.value == 0 || s.name.empty()) continue;
        if (s.name.size() > 0xffffffffu || f.names.size() > 0xffffffffu) continue;
        f.functions.push_back({s.value, s.size, static_cast<std::uint32_t>(f.names.size()),
                               static_cast<std::uint32_t>(s.name.size())});
        f.names.append(s.name);
    }
    std::sort(f.functions.begin(), f.functions.end(),
              [](const UserSymbols::Function& a, const UserSymbols::Function& b) {
                  return a.address != b.address ? a.address < b.address : a.size > b.size;
              });
    return f;
}

}  // namespace

Result<UserSymbols> UserSymbols::load(int pid) {
    const std::string maps_path = pid == 0 ? std::string("/proc/self/maps") : format("/proc/%d/maps", pid);
    auto text = sys::read_text(maps_path.c_str(), 64u << 20);
    if (!text) return std::move(text).error().context("user symbols");
    UserSymbols u;
    std::string_view rest = *text;
    while (!rest.empty()) {
        const std::size_t eol = rest.find('\n');
        std::string_view line = rest.substr(0, eol);
        rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
        // "start-end perms offset dev inode [path]"
        const std::string_view range = next_field(line), perms = next_field(line), offset = next_field(line);
        (void)next_field(line);  // dev
        (void)next_field(line);  // inode
        const std::size_t p = line.find_first_not_of(' ');
        std::string_view path = p == std::string_view::npos ? std::string_view{} : line.substr(p);
        if (perms.size() < 3 || perms[2] != 'x' || path.empty() || path.front() != '/') continue;
        if (path.size() > 10 && path.substr(path.size() - 10) == " (deleted)") path.remove_suffix(10);
        const std::size_t dash = range.find('-');
        std::uint64_t start = 0, end = 0, off = 0;
        if (dash == std::string_view::npos || !detail::parse_hex_u64(range.substr(0, dash), start) ||
            !detail::parse_hex_u64(range.substr(dash + 1), end) || !detail::parse_hex_u64(offset, off))
            continue;
        std::uint32_t file = 0;
        while (file < u.files_.size() && u.files_[file].path != path) ++file;
        if (file == u.files_.size()) {
            if (std::find(u.skipped_.begin(), u.skipped_.end(), path) != u.skipped_.end()) continue;
            auto f = read_elf(std::string(path));
            if (!f) {
                u.skipped_.push_back(format("%.*s: %.*s", EBPF_SV(path), EBPF_SV(f.error().message())));
                continue;
            }
            u.files_.push_back(std::move(*f));
        }
        u.regions_.push_back({start, end, off, file});
    }
    std::sort(u.regions_.begin(), u.regions_.end(),
              [](const Region& a, const Region& b) { return a.start < b.start; });
    return u;
}

std::optional<SymbolInfo> UserSymbols::resolve(std::uint64_t address) const {
    auto r = std::upper_bound(regions_.begin(), regions_.end(), address,
                              [](std::uint64_t a, const Region& reg) { return a < reg.start; });
    if (r == regions_.begin()) return std::nullopt;
    --r;
    if (address >= r->end) return std::nullopt;
    const File& f = files_[r->file];
    // Address -> file offset (through the mapping) -> ELF address (through the section holding that offset).
    const std::uint64_t file_offset = address - r->start + r->file_offset;
    std::optional<std::uint64_t> elf_address;
    for (const FileSection& s : f.sections)
        if (file_offset >= s.offset && file_offset < s.offset + s.size) elf_address = s.address + (file_offset - s.offset);
    if (!elf_address) return std::nullopt;
    auto it = std::upper_bound(f.functions.begin(), f.functions.end(), *elf_address,
                               [](std::uint64_t a, const Function& fn) { return a < fn.address; });
    if (it == f.functions.begin()) return std::nullopt;
    const Function& fn = *--it;
    SymbolInfo s;
    s.name = std::string_view(f.names).substr(fn.name_offset, fn.name_length);
    s.module = f.path;
    s.address = fn.address;
    s.offset = *elf_address - fn.address;
    return s;
}

}  // namespace ebpf
