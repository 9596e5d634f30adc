// SPDX-License-Identifier: MIT
// ELF parsing with every offset and count checked against the buffer before use.
#include "elf/file.hpp"

#include <cstring>

#include "base/format.hpp"

namespace ebpf::elf {

namespace {

using detail::ByteView;
using detail::Endian;
using detail::format;

constexpr std::uint32_t SHT_SYMTAB_SHNDX = 18;

Error malformed(std::string msg) { return Error(Errc::MalformedElf, std::move(msg)); }

// Field layout differences between ELFCLASS32 and ELFCLASS64, as offsets into each record.
struct Layout {
    bool is64;
    std::size_t ehdr_size, shoff, shentsize, shnum, shstrndx;
    std::size_t shdr_size;
    std::size_t sym_size;
    std::size_t rel_size, rela_size;
};
constexpr Layout kLayout64{true, 64, 40, 58, 60, 62, 64, 24, 16, 24};
constexpr Layout kLayout32{false, 52, 32, 46, 48, 50, 40, 16, 8, 12};

std::uint64_t word(const ByteView& v, std::size_t off, bool is64) {
    return is64 ? v.load<std::uint64_t>(off) : v.load<std::uint32_t>(off);
}

}  // namespace

Result<File> File::parse(std::span<const std::byte> bytes) {
    if (bytes.size() < 16) return malformed(format("file too short for an ELF header (%zu bytes)", bytes.size()));
    const auto* id = reinterpret_cast<const unsigned char*>(bytes.data());
    if (std::memcmp(id, "\x7f" "ELF", 4) != 0) return malformed("not an ELF file (bad magic)");
    const unsigned cls = id[4], data = id[5];
    if (cls != 1 && cls != 2) return malformed(format("unknown ELF class %u", cls));
    if (data != 1 && data != 2) return malformed(format("unknown ELF data encoding %u", data));
    if (id[6] != 1) return malformed(format("unknown ELF version %u", static_cast<unsigned>(id[6])));

    const Layout& L = cls == 2 ? kLayout64 : kLayout32;
    File f;
    f.is64_ = L.is64;
    f.view_ = ByteView(bytes, data == 1 ? Endian::Little : Endian::Big);
    const ByteView& v = f.view_;
    if (!v.contains(0, L.ehdr_size)) return malformed(format("file too short for an ELF header (%zu bytes)", bytes.size()));
    f.type_ = v.load<std::uint16_t>(16);
    f.machine_ = v.load<std::uint16_t>(18);

    const std::uint64_t shoff = word(v, L.shoff, L.is64);
    const std::uint16_t shentsize = v.load<std::uint16_t>(L.shentsize);
    std::uint64_t shnum = v.load<std::uint16_t>(L.shnum);
    std::uint32_t shstrndx = v.load<std::uint16_t>(L.shstrndx);
    if (shoff == 0) {
        if (shnum != 0) return malformed("section count set but no section header table");
        return f;
    }
    if (shentsize != L.shdr_size)
        return malformed(format("section header entry size %u, expected %zu", shentsize, L.shdr_size));
    if (!v.contains(shoff, L.shdr_size))
        return malformed(format("section header table at offset %llu is outside the file (%zu bytes)",
                                static_cast<unsigned long long>(shoff), bytes.size()));
    // Extended numbering: with more than 0xff00 sections the real counts live in section 0.
    if (shnum == 0) shnum = word(v, shoff + (L.is64 ? 32 : 20), L.is64);
    if (shstrndx == SHN_XINDEX) shstrndx = v.load<std::uint32_t>(shoff + (L.is64 ? 40 : 24));
    if (shnum == 0) return f;
    if (shnum > bytes.size() / L.shdr_size || !v.contains(shoff, shnum * L.shdr_size))
        return malformed(format("section header table (%llu entries at offset %llu) is outside the file (%zu bytes)",
                                static_cast<unsigned long long>(shnum), static_cast<unsigned long long>(shoff),
                                bytes.size()));

    f.sections_.resize(static_cast<std::size_t>(shnum));
    std::vector<std::uint32_t> name_offs(f.sections_.size());
    for (std::size_t i = 0; i < f.sections_.size(); ++i) {
        const std::size_t h = static_cast<std::size_t>(shoff + i * L.shdr_size);
        Section& s = f.sections_[i];
        s.index = static_cast<std::uint32_t>(i);
        name_offs[i] = v.load<std::uint32_t>(h);
        s.type = v.load<std::uint32_t>(h + 4);
        if (L.is64) {
            s.flags = v.load<std::uint64_t>(h + 8);
            s.addr = v.load<std::uint64_t>(h + 16);
            s.offset = v.load<std::uint64_t>(h + 24);
            s.size = v.load<std::uint64_t>(h + 32);
            s.link = v.load<std::uint32_t>(h + 40);
            s.info = v.load<std::uint32_t>(h + 44);
            s.addralign = v.load<std::uint64_t>(h + 48);
            s.entsize = v.load<std::uint64_t>(h + 56);
        } else {
            s.flags = v.load<std::uint32_t>(h + 8);
            s.addr = v.load<std::uint32_t>(h + 12);
            s.offset = v.load<std::uint32_t>(h + 16);
            s.size = v.load<std::uint32_t>(h + 20);
            s.link = v.load<std::uint32_t>(h + 24);
            s.info = v.load<std::uint32_t>(h + 28);
            s.addralign = v.load<std::uint32_t>(h + 32);
            s.entsize = v.load<std::uint32_t>(h + 36);
        }
        if (i == 0 || s.type == SHT_NULL || s.type == SHT_NOBITS) continue;
        if (!v.contains(s.offset, s.size))
            return malformed(format("section %zu: data [%llu, +%llu) is outside the file (%zu bytes)", i,
                                    static_cast<unsigned long long>(s.offset),
                                    static_cast<unsigned long long>(s.size), bytes.size()));
        s.data = bytes.subspan(static_cast<std::size_t>(s.offset), static_cast<std::size_t>(s.size));
    }

    if (shstrndx != SHN_UNDEF) {
        if (shstrndx >= f.sections_.size())
            return malformed(format("section name table index %u out of range (%zu sections)", shstrndx,
                                    f.sections_.size()));
        const Section& strtab = f.sections_[shstrndx];
        if (strtab.type != SHT_STRTAB)
            return malformed(format("section name table (section %u) is not a string table", shstrndx));
        ByteView names(strtab.data, v.endian());
        for (std::size_t i = 1; i < f.sections_.size(); ++i) {
            auto name = names.cstr(name_offs[i]);
            if (!name)
                return malformed(format("section %zu: name offset %u is outside the section name table", i,
                                        name_offs[i]));
            f.sections_[i].name = *name;
        }
    }
    return f;
}

const Section* File::find_section(std::string_view name) const noexcept {
    for (const Section& s : sections_)
        if (s.index != 0 && s.name == name) return &s;
    return nullptr;
}

const Section* File::find_section_by_type(std::uint32_t type) const noexcept {
    for (const Section& s : sections_)
        if (s.index != 0 && s.type == type) return &s;
    return nullptr;
}

Result<std::vector<Symbol>> File::symbols() const {
    const Section* symtab = find_section_by_type(SHT_SYMTAB);
    if (!symtab) return std::vector<Symbol>{};
    return symbols(*symtab);
}

Result<std::vector<Symbol>> File::symbols(const Section& symtab) const {
    const Layout& L = is64_ ? kLayout64 : kLayout32;
    if (symtab.type != SHT_SYMTAB && symtab.type != SHT_DYNSYM)
        return malformed(format("section %.*s is not a symbol table", EBPF_SV(symtab.name)));
    if (symtab.entsize != L.sym_size)
        return malformed(format("symbol table %.*s: entry size %llu, expected %zu", EBPF_SV(symtab.name),
                                static_cast<unsigned long long>(symtab.entsize), L.sym_size));
    if (symtab.data.size() != symtab.size)
        return malformed(format("symbol table %.*s (section %u) has no data in the file", EBPF_SV(symtab.name),
                                symtab.index));
    if (symtab.size % L.sym_size != 0)
        return malformed(format("symbol table %.*s: size %llu is not a multiple of %zu", EBPF_SV(symtab.name),
                                static_cast<unsigned long long>(symtab.size), L.sym_size));
    const Section* strtab = section(symtab.link);
    if (!strtab || strtab->type != SHT_STRTAB)
        return malformed(format("symbol table %.*s: linked string table %u is missing", EBPF_SV(symtab.name),
                                symtab.link));
    // Section indices >= SHN_LORESERVE are looked up in SHT_SYMTAB_SHNDX when the symbol says SHN_XINDEX.
    const Section* xindex = nullptr;
    for (const Section& s : sections_)
        if (s.type == SHT_SYMTAB_SHNDX && s.link == symtab.index) xindex = &s;

    ByteView syms = view(symtab), names = view(*strtab);
    const std::size_t n = static_cast<std::size_t>(symtab.size / L.sym_size);
    std::vector<Symbol> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t o = i * L.sym_size;
        Symbol& s = out[i];
        s.index = static_cast<std::uint32_t>(i);
        const std::uint32_t name_off = syms.load<std::uint32_t>(o);
        std::uint8_t info, other;
        std::uint16_t shndx;
        if (is64_) {
            info = syms.load<std::uint8_t>(o + 4);
            other = syms.load<std::uint8_t>(o + 5);
            shndx = syms.load<std::uint16_t>(o + 6);
            s.value = syms.load<std::uint64_t>(o + 8);
            s.size = syms.load<std::uint64_t>(o + 16);
        } else {
            s.value = syms.load<std::uint32_t>(o + 4);
            s.size = syms.load<std::uint32_t>(o + 8);
            info = syms.load<std::uint8_t>(o + 12);
            other = syms.load<std::uint8_t>(o + 13);
            shndx = syms.load<std::uint16_t>(o + 14);
        }
        s.bind = static_cast<std::uint8_t>(info >> 4);
        s.type = static_cast<std::uint8_t>(info & 0xf);
        s.visibility = static_cast<std::uint8_t>(other & 0x3);
        s.shndx = shndx;
        if (shndx == SHN_XINDEX) {
            auto x = xindex ? view(*xindex).get<std::uint32_t>(i * 4u) : std::nullopt;
            if (!x) return malformed(format("symbol %zu: extended section index is missing", i));
            s.shndx = *x;
        }
        if (name_off != 0) {
            auto name = names.cstr(name_off);
            if (!name)
                return malformed(format("symbol %zu: name offset %u is outside the string table", i, name_off));
            s.name = *name;
        }
    }
    return out;
}

Result<std::vector<Relocation>> File::relocations(const Section& rel) const {
    const Layout& L = is64_ ? kLayout64 : kLayout32;
    const bool rela = rel.type == SHT_RELA;
    if (!rela && rel.type != SHT_REL)
        return malformed(format("section %.*s is not a relocation section", EBPF_SV(rel.name)));
    const std::size_t esz = rela ? L.rela_size : L.rel_size;
    if (rel.entsize != 0 && rel.entsize != esz)
        return malformed(format("relocation section %.*s: entry size %llu, expected %zu", EBPF_SV(rel.name),
                                static_cast<unsigned long long>(rel.entsize), esz));
    if (rel.data.size() != rel.size)
        return malformed(format("relocation section %.*s (section %u) has no data in the file", EBPF_SV(rel.name),
                                rel.index));
    if (rel.size % esz != 0)
        return malformed(format("relocation section %.*s: size %llu is not a multiple of %zu", EBPF_SV(rel.name),
                                static_cast<unsigned long long>(rel.size), esz));
    ByteView v = view(rel);
    const std::size_t n = static_cast<std::size_t>(rel.size / esz);
    std::vector<Relocation> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t o = i * esz;
        Relocation& r = out[i];
        if (is64_) {
            r.offset = v.load<std::uint64_t>(o);
            const std::uint64_t info = v.load<std::uint64_t>(o + 8);
            r.symbol = static_cast<std::uint32_t>(info >> 32);
            r.type = static_cast<std::uint32_t>(info & 0xffffffffu);
            if (rela) r.addend = static_cast<std::int64_t>(v.load<std::uint64_t>(o + 16));
        } else {
            r.offset = v.load<std::uint32_t>(o);
            const std::uint32_t info = v.load<std::uint32_t>(o + 4);
            r.symbol = info >> 8;
            r.type = info & 0xffu;
            if (rela) r.addend = static_cast<std::int32_t>(v.load<std::uint32_t>(o + 8));
        }
    }
    return out;
}

}  // namespace ebpf::elf
