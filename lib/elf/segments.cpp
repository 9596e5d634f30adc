// SPDX-License-Identifier: MIT
// Program header parsing: ELF32 and ELF64, both byte orders, every offset checked against the buffer.
#include "elf/segments.hpp"

#include "base/format.hpp"

namespace ebpf::elf {

using detail::format;

Result<std::vector<Segment>> program_headers(const File& file) {
    const detail::ByteView v(file.bytes(), file.endian());
    const bool is64 = file.is64();
    // e_phoff, e_phentsize, e_phnum: (32, 54, 56) in ELF64, (28, 42, 44) in ELF32.
    const std::size_t ehdr = is64 ? 64 : 52;
    if (!v.contains(0, ehdr)) return Error(Errc::MalformedElf, "file too short for an ELF header");
    const std::uint64_t phoff = is64 ? v.load<std::uint64_t>(32) : v.load<std::uint32_t>(28);
    const std::uint16_t phentsize = v.load<std::uint16_t>(is64 ? 54 : 42);
    std::uint64_t phnum = v.load<std::uint16_t>(is64 ? 56 : 44);
    const std::size_t esz = is64 ? 56 : 32;
    std::vector<Segment> out;
    if (phoff == 0 || phnum == 0) return out;
    // PN_XNUM: more than 0xfffe entries; the real count is section 0's sh_info.
    if (phnum == 0xffff) {
        const Section* s0 = file.section(0);
        if (!s0) return Error(Errc::MalformedElf, "program header count PN_XNUM without section 0");
        phnum = s0->info;
    }
    if (phentsize != esz)
        return Error(Errc::MalformedElf, format("program header entry size %u, expected %zu", phentsize, esz));
    if (phnum > v.size() / esz || !v.contains(phoff, phnum * esz))
        return Error(Errc::MalformedElf,
                     format("program header table (%llu entries at offset %llu) is outside the file (%zu bytes)",
                            static_cast<unsigned long long>(phnum), static_cast<unsigned long long>(phoff), v.size()));
    out.resize(static_cast<std::size_t>(phnum));
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::size_t h = static_cast<std::size_t>(phoff + i * esz);
        Segment& s = out[i];
        s.type = v.load<std::uint32_t>(h);
        if (is64) {
            s.flags = v.load<std::uint32_t>(h + 4);
            s.offset = v.load<std::uint64_t>(h + 8);
            s.vaddr = v.load<std::uint64_t>(h + 16);
            s.filesz = v.load<std::uint64_t>(h + 32);
            s.memsz = v.load<std::uint64_t>(h + 40);
        } else {
            s.offset = v.load<std::uint32_t>(h + 4);
            s.vaddr = v.load<std::uint32_t>(h + 8);
            s.filesz = v.load<std::uint32_t>(h + 16);
            s.memsz = v.load<std::uint32_t>(h + 20);
            s.flags = v.load<std::uint32_t>(h + 24);
        }
    }
    return out;
}

const Segment* find_load_segment(std::span<const Segment> segments, std::uint64_t vaddr) noexcept {
    for (const Segment& s : segments)
        if (s.type == PT_LOAD && vaddr >= s.vaddr && vaddr - s.vaddr < s.memsz) return &s;
    return nullptr;
}

std::optional<std::uint64_t> vaddr_to_offset(std::span<const Segment> segments, std::uint64_t vaddr) noexcept {
    const Segment* s = find_load_segment(segments, vaddr);
    if (!s || vaddr - s->vaddr >= s->filesz) return std::nullopt;
    const std::uint64_t off = s->offset + (vaddr - s->vaddr);
    if (off < s->offset) return std::nullopt;  // wrapped
    return off;
}

}  // namespace ebpf::elf
