// SPDX-License-Identifier: MIT
#include "support/elf_builder.hpp"

#include <cstring>
#include <map>

namespace ebpf::test {

using detail::Endian;

void put16(std::vector<std::byte>& out, std::uint16_t v, Endian e) {
    for (int i = 0; i < 2; ++i)
        out.push_back(std::byte((e == Endian::Little ? v >> (8 * i) : v >> (8 * (1 - i))) & 0xff));
}
void put32(std::vector<std::byte>& out, std::uint32_t v, Endian e) {
    for (int i = 0; i < 4; ++i)
        out.push_back(std::byte((e == Endian::Little ? v >> (8 * i) : v >> (8 * (3 - i))) & 0xff));
}
void put64(std::vector<std::byte>& out, std::uint64_t v, Endian e) {
    for (int i = 0; i < 8; ++i)
        out.push_back(std::byte((e == Endian::Little ? v >> (8 * i) : v >> (8 * (7 - i))) & 0xff));
}

Instruction ld_imm64_lo(std::uint8_t dst, std::int32_t imm, std::uint8_t src) { return {0x18, dst, src, 0, imm}; }
Instruction ld_imm64_hi(std::int32_t imm) { return {0, 0, 0, 0, imm}; }
Instruction mov64_imm(std::uint8_t dst, std::int32_t imm) { return {0xb7, dst, 0, 0, imm}; }
Instruction call_helper(std::int32_t id) { return {0x85, 0, 0, 0, id}; }
Instruction call_pseudo(std::int32_t imm) { return {0x85, 0, 1, 0, imm}; }
Instruction exit_insn() { return {0x95, 0, 0, 0, 0}; }

ElfBuilder::ElfBuilder(Endian e, bool is64, std::uint16_t machine, std::uint16_t type)
    : endian_(e), is64_(is64), machine_(machine), type_(type) {
    syms_.push_back({});  // the null symbol
}

std::uint32_t ElfBuilder::add_section(std::string name, std::uint32_t type, std::uint64_t flags,
                                      std::vector<std::byte> data, std::uint32_t link, std::uint32_t info,
                                      std::uint64_t entsize) {
    const std::uint64_t size = data.size();
    secs_.push_back({std::move(name), type, flags, std::move(data), link, info, entsize, size});
    return static_cast<std::uint32_t>(secs_.size());  // index 0 is the null section
}

std::uint32_t ElfBuilder::add_nobits(std::string name, std::uint64_t size, std::uint64_t flags) {
    secs_.push_back({std::move(name), 8, flags, {}, 0, 0, 0, size});
    return static_cast<std::uint32_t>(secs_.size());
}

std::vector<std::byte> ElfBuilder::encode(const std::vector<Instruction>& insns) const {
    std::vector<std::byte> out;
    for (const Instruction& in : insns) {
        out.push_back(std::byte{in.code});
        out.push_back(endian_ == Endian::Little ? std::byte((in.src << 4) | (in.dst & 0xf))
                                                : std::byte((in.dst << 4) | (in.src & 0xf)));
        put16(out, static_cast<std::uint16_t>(in.off), endian_);
        put32(out, static_cast<std::uint32_t>(in.imm), endian_);
    }
    return out;
}

std::uint32_t ElfBuilder::add_code(std::string name, const std::vector<Instruction>& insns) {
    return add_section(std::move(name), 1, 6, encode(insns));
}

std::uint32_t ElfBuilder::add_symbol(std::string name, std::uint64_t value, std::uint64_t size, std::uint8_t bind,
                                     std::uint8_t type, std::uint16_t shndx, std::uint8_t visibility) {
    syms_.push_back({std::move(name), value, size, static_cast<std::uint8_t>(bind << 4 | (type & 0xf)), visibility,
                     shndx});
    return static_cast<std::uint32_t>(syms_.size() - 1);
}

void ElfBuilder::add_reloc(std::uint32_t section, std::uint64_t offset, std::uint32_t symbol, std::uint32_t type) {
    rels_.push_back({section, offset, symbol, type});
}

std::vector<std::byte> ElfBuilder::build() const {
    const Endian e = endian_;
    // Final section list: user sections, one .rel per relocated section, .symtab, .strtab, .shstrtab.
    std::vector<Sec> all = secs_;
    std::map<std::uint32_t, std::vector<const Rel*>> by_sec;
    for (const Rel& r : rels_) by_sec[r.section].push_back(&r);
    const std::uint32_t symtab_idx = static_cast<std::uint32_t>(all.size() + by_sec.size() + 1);
    for (const auto& [sec, rels] : by_sec) {
        std::vector<std::byte> d;
        for (const Rel* r : rels) {
            if (is64_) {
                put64(d, r->offset, e);
                put64(d, static_cast<std::uint64_t>(r->symbol) << 32 | r->type, e);
            } else {
                put32(d, static_cast<std::uint32_t>(r->offset), e);
                put32(d, r->symbol << 8 | (r->type & 0xff), e);
            }
        }
        const std::string target = sec >= 1 && sec <= secs_.size() ? secs_[sec - 1].name : "bad";
        all.push_back({".rel" + target, 9, 0, d, symtab_idx, sec, is64_ ? 16u : 8u, d.size()});
    }
    std::vector<std::byte> strtab{std::byte{0}}, symtab;
    for (const Sym& s : syms_) {
        std::uint32_t name = 0;
        if (!s.name.empty()) {
            name = static_cast<std::uint32_t>(strtab.size());
            for (char c : s.name) strtab.push_back(std::byte(c));
            strtab.push_back(std::byte{0});
        }
        if (is64_) {
            put32(symtab, name, e);
            symtab.push_back(std::byte{s.info});
            symtab.push_back(std::byte{s.other});
            put16(symtab, s.shndx, e);
            put64(symtab, s.value, e);
            put64(symtab, s.size, e);
        } else {
            put32(symtab, name, e);
            put32(symtab, static_cast<std::uint32_t>(s.value), e);
            put32(symtab, static_cast<std::uint32_t>(s.size), e);
            symtab.push_back(std::byte{s.info});
            symtab.push_back(std::byte{s.other});
            put16(symtab, s.shndx, e);
        }
    }
    // sh_info of a symbol table: index of the first non-local symbol.
    std::uint32_t first_global = static_cast<std::uint32_t>(syms_.size());
    for (std::size_t i = 1; i < syms_.size(); ++i)
        if ((syms_[i].info >> 4) != 0) {
            first_global = static_cast<std::uint32_t>(i);
            break;
        }
    all.push_back({".symtab", 2, 0, symtab, symtab_idx + 1, first_global, is64_ ? 24u : 16u, symtab.size()});
    all.push_back({".strtab", 3, 0, strtab, 0, 0, 0, strtab.size()});
    std::vector<std::byte> shstr{std::byte{0}};
    std::vector<std::uint32_t> names;
    for (const Sec& s : all) {
        names.push_back(static_cast<std::uint32_t>(shstr.size()));
        for (char c : s.name) shstr.push_back(std::byte(c));
        shstr.push_back(std::byte{0});
    }
    names.push_back(static_cast<std::uint32_t>(shstr.size()));
    for (char c : std::string(".shstrtab")) shstr.push_back(std::byte(c));
    shstr.push_back(std::byte{0});
    all.push_back({".shstrtab", 3, 0, shstr, 0, 0, 0, shstr.size()});

    const std::size_t ehdr = is64_ ? 64 : 52, shdr = is64_ ? 64 : 40;
    std::vector<std::byte> out(ehdr);
    std::vector<std::uint64_t> offsets;
    for (const Sec& s : all) {
        while (out.size() % 8) out.push_back(std::byte{0});
        offsets.push_back(out.size());
        if (s.type != 8) out.insert(out.end(), s.data.begin(), s.data.end());
    }
    while (out.size() % 8) out.push_back(std::byte{0});
    const std::uint64_t shoff = out.size();
    std::vector<std::byte> sh(shdr, std::byte{0});  // null section header
    for (std::size_t i = 0; i < all.size(); ++i) {
        const Sec& s = all[i];
        put32(sh, names[i], e);
        put32(sh, s.type, e);
        if (is64_) {
            put64(sh, s.flags, e);
            put64(sh, 0, e);
            put64(sh, offsets[i], e);
            put64(sh, s.size, e);
            put32(sh, s.link, e);
            put32(sh, s.info, e);
            put64(sh, 8, e);
            put64(sh, s.entsize, e);
        } else {
            put32(sh, static_cast<std::uint32_t>(s.flags), e);
            put32(sh, 0, e);
            put32(sh, static_cast<std::uint32_t>(offsets[i]), e);
            put32(sh, static_cast<std::uint32_t>(s.size), e);
            put32(sh, s.link, e);
            put32(sh, s.info, e);
            put32(sh, 8, e);
            put32(sh, static_cast<std::uint32_t>(s.entsize), e);
        }
    }
    out.insert(out.end(), sh.begin(), sh.end());

    std::vector<std::byte> h;
    const unsigned char ident[16] = {0x7f, 'E', 'L', 'F', static_cast<unsigned char>(is64_ ? 2 : 1),
                                     static_cast<unsigned char>(e == Endian::Little ? 1 : 2), 1};
    for (unsigned char c : ident) h.push_back(std::byte{c});
    put16(h, type_, e);
    put16(h, machine_, e);
    put32(h, 1, e);
    if (is64_) {
        put64(h, 0, e);
        put64(h, 0, e);
        put64(h, shoff, e);
    } else {
        put32(h, 0, e);
        put32(h, 0, e);
        put32(h, static_cast<std::uint32_t>(shoff), e);
    }
    put32(h, 0, e);
    put16(h, static_cast<std::uint16_t>(ehdr), e);
    put16(h, 0, e);
    put16(h, 0, e);
    put16(h, static_cast<std::uint16_t>(shdr), e);
    put16(h, static_cast<std::uint16_t>(all.size() + 1), e);
    put16(h, static_cast<std::uint16_t>(all.size()), e);  // .shstrtab is last
    std::memcpy(out.data(), h.data(), h.size());
    return out;
}

}  // namespace ebpf::test
