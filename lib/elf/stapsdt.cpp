// SPDX-License-Identifier: MIT
// .note.stapsdt parsing (the note layout of <sys/sdt.h>: _SDT_NOTE_NAME "stapsdt", _SDT_NOTE_TYPE 3).
#include "elf/stapsdt.hpp"

#include "base/format.hpp"

namespace ebpf::elf {

using detail::format;

namespace {

constexpr std::string_view kOwner = "stapsdt";

std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

Error bad_note(std::uint64_t off, const char* why) {
    return Error(Errc::MalformedElf, format(".note.stapsdt: note at offset %llu: %s",
                                            static_cast<unsigned long long>(off), why));
}

}  // namespace

Result<std::vector<StapsdtNote>> stapsdt_notes(const File& file) {
    std::vector<StapsdtNote> out;
    const Section* sec = file.find_section(".note.stapsdt");
    if (!sec) return out;
    if (sec->type != SHT_NOTE) return Error(Errc::MalformedElf, ".note.stapsdt is not a note section (SHT_NOTE)");
    if (sec->data.size() != sec->size) return Error(Errc::MalformedElf, ".note.stapsdt has no data in the file");
    const detail::ByteView v = file.view(*sec);
    // Name and description are padded to 4 bytes (8 in the rare notes sections aligned to 8).
    const std::uint64_t align = sec->addralign == 8 ? 8 : 4;
    const std::size_t asize = file.is64() ? 8 : 4;
    std::uint64_t off = 0;
    while (off < v.size()) {
        if (!v.contains(off, 12)) return bad_note(off, "truncated header");
        const std::uint32_t namesz = v.load<std::uint32_t>(static_cast<std::size_t>(off));
        const std::uint32_t descsz = v.load<std::uint32_t>(static_cast<std::size_t>(off + 4));
        const std::uint32_t type = v.load<std::uint32_t>(static_cast<std::size_t>(off + 8));
        const std::uint64_t name_off = off + 12;
        const std::uint64_t desc_off = name_off + align_up(namesz, align);
        const std::uint64_t next = desc_off + align_up(descsz, align);
        if (!v.contains(name_off, namesz) || !v.contains(desc_off, descsz)) return bad_note(off, "overruns the section");
        const std::uint64_t here = off;
        off = next;
        auto owner = v.cstr(name_off);
        if (type != kNtStapsdt || !owner || *owner != kOwner || owner->size() + 1 != namesz) continue;
        if (descsz < 3 * asize) return bad_note(here, "description too short for its three addresses");
        const auto desc = v.sub(desc_off, descsz);
        StapsdtNote n;
        const auto addr = [&](std::size_t i) -> std::uint64_t {
            return asize == 8 ? desc->load<std::uint64_t>(i * 8) : desc->load<std::uint32_t>(i * 4);
        };
        n.pc = addr(0);
        n.base = addr(1);
        n.semaphore = addr(2);
        std::uint64_t s = 3 * asize;
        std::string_view* fields[] = {&n.provider, &n.name, &n.args};
        for (std::string_view* f : fields) {
            const auto str = desc->cstr(s);
            if (!str) return bad_note(here, "provider, name and arguments must be NUL-terminated strings");
            *f = *str;
            s += str->size() + 1;
        }
        if (n.provider.empty() || n.name.empty()) return bad_note(here, "empty provider or probe name");
        out.push_back(n);
    }
    return out;
}

std::optional<std::uint64_t> stapsdt_base(const File& file) noexcept {
    const Section* s = file.find_section(".stapsdt.base");
    if (!s) return std::nullopt;
    return s->addr;
}

std::uint64_t stapsdt_adjust(std::uint64_t addr, const StapsdtNote& note, std::optional<std::uint64_t> base,
                             bool elf64) noexcept {
    if (addr == 0 || !base || note.base == 0) return addr;
    const std::uint64_t moved = addr + (*base - note.base);  // modular: a prelink may move the file either way
    return elf64 ? moved : moved & 0xffffffffu;
}

}  // namespace ebpf::elf
