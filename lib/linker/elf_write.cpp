// SPDX-License-Identifier: MIT
// Static linker: writing the output ELF64 relocatable object (the inputs' byte order).
#include <algorithm>

#include "linker/linker_impl.hpp"

namespace ebpf::linker_impl {

namespace {

class Writer {
public:
    explicit Writer(detail::Endian e) : e_(e) {}
    void u8(std::uint8_t v) { out.push_back(std::byte{v}); }
    void u16(std::uint16_t v) { put(v, 2); }
    void u32(std::uint32_t v) { put(v, 4); }
    void u64(std::uint64_t v) { put(v, 8); }
    void bytes(std::span<const std::byte> b) { out.insert(out.end(), b.begin(), b.end()); }
    void align(std::uint64_t a) {
        while (a > 1 && out.size() % a != 0) out.push_back(std::byte{0});
    }
    std::vector<std::byte> out;

private:
    void put(std::uint64_t v, int n) {
        for (int i = 0; i < n; ++i) out.push_back(std::byte(v >> (8 * (e_ == detail::Endian::Little ? i : n - 1 - i))));
    }
    detail::Endian e_;
};

struct Shdr {
    std::uint32_t name = 0, type = 0;
    std::uint64_t flags = 0, offset = 0, size = 0;
    std::uint32_t link = 0, info = 0;
    std::uint64_t align = 1, entsize = 0;
    std::span<const std::byte> data;
    std::vector<std::byte> owned;
};

}  // namespace

std::vector<std::byte> write_elf(const Linker& l, const std::vector<std::byte>& btf, const std::vector<std::byte>& ext) {
    const detail::Endian e = l.endian;
    btf::StringTable strtab;  // section and symbol names (one table, as clang writes it)
    std::vector<Shdr> sh(1);
    std::vector<std::uint32_t> elf_index(l.secs.size(), 0);
    for (std::uint32_t i = 0; i < l.secs.size(); ++i) {
        const OutSec& s = l.secs[i];
        if (s.type == 0) continue;  // BTF-only (.kconfig, .ksyms)
        Shdr h;
        h.name = strtab.add(s.name);
        h.type = s.type;
        h.flags = s.flags;
        h.size = s.size;
        h.align = s.align;
        h.entsize = s.entsize;
        h.data = s.data;
        elf_index[i] = static_cast<std::uint32_t>(sh.size());
        sh.push_back(std::move(h));
    }
    // Symbols: locals first, as ELF requires.
    std::vector<std::uint32_t> order, new_index(l.syms.size(), 0);
    for (int pass = 0; pass < 2; ++pass)
        for (std::uint32_t i = 1; i < l.syms.size(); ++i)
            if (((l.syms[i].info >> 4) == elf::STB_LOCAL) == (pass == 0)) order.push_back(i);
    std::uint32_t first_global = 1;
    for (std::size_t k = 0; k < order.size(); ++k) {
        new_index[order[k]] = static_cast<std::uint32_t>(k + 1);
        if ((l.syms[order[k]].info >> 4) == elf::STB_LOCAL) first_global = static_cast<std::uint32_t>(k + 2);
    }
    const auto symtab_index = static_cast<std::uint32_t>(sh.size() +
        std::count_if(l.secs.begin(), l.secs.end(), [](const OutSec& s) { return s.type != 0 && !s.rel.empty(); }) +
        (btf.empty() ? 0 : 1) + (ext.empty() ? 0 : 1));
    for (std::uint32_t i = 0; i < l.secs.size(); ++i) {
        const OutSec& s = l.secs[i];
        if (s.type == 0 || s.rel.empty()) continue;
        Shdr h;
        h.name = strtab.add(".rel" + s.name);
        h.type = elf::SHT_REL;
        h.link = symtab_index;
        h.info = elf_index[i];
        h.align = 8;
        h.entsize = 16;
        Writer w(e);
        const detail::ByteView v(s.rel, e);
        for (std::size_t o = 0; o + 16 <= s.rel.size(); o += 16) {
            const std::uint64_t info = v.load<std::uint64_t>(o + 8);
            const auto sym = static_cast<std::uint32_t>(info >> 32);
            w.u64(v.load<std::uint64_t>(o));
            w.u64(std::uint64_t{sym < new_index.size() ? new_index[sym] : 0} << 32 | (info & 0xffffffffu));
        }
        h.owned = std::move(w.out);
        h.size = h.owned.size();
        sh.push_back(std::move(h));
    }
    auto add_blob = [&](const char* name, const std::vector<std::byte>& b) {
        if (b.empty()) return;
        Shdr h;
        h.name = strtab.add(name);
        h.type = elf::SHT_PROGBITS;
        h.align = 4;
        h.data = b;
        h.size = b.size();
        sh.push_back(std::move(h));
    };
    add_blob(".BTF", btf);
    add_blob(".BTF.ext", ext);
    {
        Writer w(e);
        for (int k = 0; k < 24; ++k) w.u8(0);
        for (std::uint32_t i : order) {
            const OutSym& s = l.syms[i];
            w.u32(s.name.empty() ? 0 : strtab.add(s.name));
            w.u8(s.info);
            w.u8(s.other);
            std::uint16_t shndx = 0;
            if (s.sec == kAbs) shndx = elf::SHN_ABS;
            else if (s.sec != kNone && s.sec < elf_index.size()) shndx = static_cast<std::uint16_t>(elf_index[s.sec]);
            w.u16(shndx);
            w.u64(s.value);
            w.u64(s.size);
        }
        Shdr h;
        h.name = strtab.add(".symtab");
        h.type = elf::SHT_SYMTAB;
        h.link = symtab_index + 1;
        h.info = first_global;
        h.align = 8;
        h.entsize = 24;
        h.owned = std::move(w.out);
        h.size = h.owned.size();
        sh.push_back(std::move(h));
    }
    {
        Shdr h;
        h.name = strtab.add(".strtab");
        h.type = elf::SHT_STRTAB;
        const std::string& d = strtab.data();
        h.owned.assign(reinterpret_cast<const std::byte*>(d.data()), reinterpret_cast<const std::byte*>(d.data()) + d.size());
        h.size = h.owned.size();
        sh.push_back(std::move(h));
    }
    Writer w(e);
    w.out.resize(64);
    for (std::size_t i = 1; i < sh.size(); ++i) {
        Shdr& h = sh[i];
        w.align(std::max<std::uint64_t>(h.align, 1));
        h.offset = w.out.size();
        if (h.type != elf::SHT_NOBITS) w.bytes(h.owned.empty() ? h.data : std::span<const std::byte>(h.owned));
    }
    w.align(8);
    const std::uint64_t shoff = w.out.size();
    for (const Shdr& h : sh) {
        w.u32(h.name);
        w.u32(h.type);
        w.u64(h.flags);
        w.u64(0);
        w.u64(h.offset);
        w.u64(h.size);
        w.u32(h.link);
        w.u32(h.info);
        w.u64(h.type == 0 ? 0 : h.align);
        w.u64(h.entsize);
    }
    Writer hdr(e);
    const std::uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, static_cast<std::uint8_t>(e == detail::Endian::Little ? 1 : 2), 1};
    for (std::uint8_t b : ident) hdr.u8(b);
    hdr.u16(elf::ET_REL);
    hdr.u16(elf::EM_BPF);
    hdr.u32(1);
    hdr.u64(0);
    hdr.u64(0);
    hdr.u64(shoff);
    hdr.u32(0);
    hdr.u16(64);
    hdr.u16(0);
    hdr.u16(0);
    hdr.u16(64);
    hdr.u16(static_cast<std::uint16_t>(sh.size()));
    hdr.u16(static_cast<std::uint16_t>(sh.size() - 1));
    std::copy(hdr.out.begin(), hdr.out.end(), w.out.begin());
    return std::move(w.out);
}

}  // namespace ebpf::linker_impl
