// SPDX-License-Identifier: MIT
// elf::File: real objects of both byte orders, hand-built ELF32/ELF64 files, every rejection, and hostile bytes.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "elf/file.hpp"
#include "support/expect.hpp"
#include "support/elf_builder.hpp"
#include "support/objects.hpp"

using ebpf::Errc;
using ebpf::Result;
using ebpf::detail::Endian;
namespace elf = ebpf::elf;

using ebpf::test::fails_with;

namespace {

constexpr auto& kObjects = ebpf::test::kSweepObjects;
constexpr std::uint32_t SHT_SYMTAB_SHNDX = 18;

std::uint64_t get_uint(const std::vector<std::byte>& b, std::size_t off, std::size_t width, Endian e) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) {
        const std::size_t at = e == Endian::Little ? off + width - 1 - i : off + i;
        v = v << 8 | static_cast<std::uint8_t>(b.at(at));
    }
    return v;
}

void put_uint(std::vector<std::byte>& b, std::size_t off, std::size_t width, std::uint64_t v, Endian e) {
    for (std::size_t i = 0; i < width; ++i) {
        const std::size_t at = e == Endian::Little ? off + i : off + width - 1 - i;
        b.at(at) = std::byte(static_cast<std::uint8_t>(v >> (8 * i)));
    }
}

// ELF header and section header fields, by class, so one test body can corrupt ELF32 and ELF64 alike.
enum class Eh { Type, Machine, Shoff, Shentsize, Shnum, Shstrndx };
enum class Sh { Name, Type, Flags, Addr, Offset, Size, Link, Info, Align, Entsize };

struct Field {
    std::size_t off, width;
};

Field eh_field(Eh f, bool is64) {
    switch (f) {
    case Eh::Type: return {16, 2};
    case Eh::Machine: return {18, 2};
    case Eh::Shoff: return is64 ? Field{40, 8} : Field{32, 4};
    case Eh::Shentsize: return {is64 ? 58u : 46u, 2};
    case Eh::Shnum: return {is64 ? 60u : 48u, 2};
    case Eh::Shstrndx: return {is64 ? 62u : 50u, 2};
    }
    return {0, 0};
}

Field sh_field(Sh f, bool is64) {
    // In the order of Sh: name, type, flags, addr, offset, size, link, info, addralign, entsize.
    static constexpr Field k64[] = {{0, 4},  {4, 4},  {8, 8},  {16, 8}, {24, 8},
                                    {32, 8}, {40, 4}, {44, 4}, {48, 8}, {56, 8}};
    static constexpr Field k32[] = {{0, 4},  {4, 4},  {8, 4},  {12, 4}, {16, 4},
                                    {20, 4}, {24, 4}, {28, 4}, {32, 4}, {36, 4}};
    return (is64 ? k64 : k32)[static_cast<int>(f)];
}

// An ELF image plus the knowledge needed to poke at its headers.
struct Image {
    std::vector<std::byte> bytes;
    Endian endian;
    bool is64;

    std::size_t shdr_size() const { return is64 ? 64 : 40; }
    std::uint64_t eh(Eh f) const {
        const Field x = eh_field(f, is64);
        return get_uint(bytes, x.off, x.width, endian);
    }
    void set_eh(Eh f, std::uint64_t v) {
        const Field x = eh_field(f, is64);
        put_uint(bytes, x.off, x.width, v, endian);
    }
    std::size_t shdr(std::uint32_t i) const { return static_cast<std::size_t>(eh(Eh::Shoff)) + i * shdr_size(); }
    std::uint64_t sh(std::uint32_t i, Sh f) const {
        const Field x = sh_field(f, is64);
        return get_uint(bytes, shdr(i) + x.off, x.width, endian);
    }
    void set_sh(std::uint32_t i, Sh f, std::uint64_t v) {
        const Field x = sh_field(f, is64);
        put_uint(bytes, shdr(i) + x.off, x.width, v, endian);
    }
    Result<elf::File> parse() const { return elf::File::parse(bytes); }
};

// Section indices of sample(): the builder puts .rel.text, .symtab, .strtab and .shstrtab after the user sections.
constexpr std::uint32_t kText = 1, kData = 2, kBss = 3, kRelText = 4, kSymtab = 5, kStrtab = 6, kShstrtab = 7;
constexpr std::uint32_t kSymFunc = 1, kSymVar = 2, kSymUndef = 3;

// A small relocatable file: code with a relocation, data with a hidden local variable, bss and an undefined symbol.
Image sample(Endian e, bool is64) {
    ebpf::test::ElfBuilder b(e, is64);
    const auto text = b.add_code(".text", {ebpf::test::ld_imm64_lo(1, 0), ebpf::test::ld_imm64_hi(),
                                           ebpf::test::exit_insn()});
    std::vector<std::byte> data(16);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = std::byte(0xa0 + i);
    const auto dsec = b.add_section(".data", elf::SHT_PROGBITS, elf::SHF_WRITE | elf::SHF_ALLOC, data);
    b.add_nobits(".bss", 32);
    b.add_symbol("func", 0, 24, elf::STB_GLOBAL, elf::STT_FUNC, static_cast<std::uint16_t>(text));
    const auto var = b.add_symbol("var", 8, 4, elf::STB_LOCAL, elf::STT_OBJECT, static_cast<std::uint16_t>(dsec),
                                  elf::STV_HIDDEN);
    b.add_symbol("undef", 0, 0, elf::STB_WEAK, elf::STT_NOTYPE, elf::SHN_UNDEF);
    b.add_reloc(text, 0, var, 1);
    return Image{b.build(), e, is64};
}

// The byte offset of symbol `i` inside an image (through the parsed .symtab).
std::size_t symbol_offset(const Image& img, std::uint32_t i) {
    return static_cast<std::size_t>(img.sh(kSymtab, Sh::Offset)) + i * (img.is64 ? 24u : 16u);
}

// Everything the reader exposes, touched once, so ASan sees any out-of-bounds view.
void exercise(const elf::File& f) {
    std::uint64_t sink = 0;
    for (const elf::Section& s : f.sections()) {
        for (std::byte b : s.data) sink += static_cast<std::uint8_t>(b);
        sink += s.name.size();
        if (s.type == elf::SHT_SYMTAB || s.type == elf::SHT_DYNSYM) {
            if (auto syms = f.symbols(s))
                for (const elf::Symbol& y : *syms) sink += y.name.size() + y.value;
        }
        if (s.type == elf::SHT_REL || s.type == elf::SHT_RELA) {
            if (auto rels = f.relocations(s))
                for (const elf::Relocation& r : *rels) sink += r.offset + r.symbol;
        }
    }
    (void)f.symbols();
    (void)sink;
}

std::vector<std::byte> real_object(const std::string& name, bool big) {
    auto bytes = ebpf::test::read_obj(name + (big ? ".bpfeb.o" : ".bpf.o"));
    INFO("object " << name << (big ? ".bpfeb.o" : ".bpf.o") << " at " << ebpf::test::obj_path(name + ".bpf.o"));
    REQUIRE_FALSE(bytes.empty());
    return bytes;
}

}  // namespace

TEST_CASE("real objects decode the same sections, symbols and relocations in both byte orders", "[elf]") {
    for (const char* name : kObjects) {
        INFO("object " << name);
        const auto el_bytes = real_object(name, false), eb_bytes = real_object(name, true);
        auto el = elf::File::parse(el_bytes);
        auto eb = elf::File::parse(eb_bytes);
        REQUIRE(el);
        REQUIRE(eb);
        CHECK(el->endian() == Endian::Little);
        CHECK(eb->endian() == Endian::Big);
        for (const elf::File* f : {&*el, &*eb}) {
            CHECK(f->is64());
            CHECK(f->machine() == elf::EM_BPF);
            CHECK(f->type() == elf::ET_REL);
            CHECK(f->bytes().size() == (f == &*el ? el_bytes.size() : eb_bytes.size()));
        }

        REQUIRE(el->sections().size() == eb->sections().size());
        REQUIRE(el->sections().size() > 5);
        for (std::size_t i = 0; i < el->sections().size(); ++i) {
            const elf::Section &a = el->sections()[i], &b = eb->sections()[i];
            INFO("section " << i << " " << a.name);
            CHECK(a.index == i);
            CHECK(a.name == b.name);
            CHECK(a.type == b.type);
            CHECK(a.flags == b.flags);
            CHECK(a.size == b.size);
            CHECK(a.link == b.link);
            CHECK(a.info == b.info);
            CHECK(a.entsize == b.entsize);
            CHECK(a.addralign == b.addralign);
            if (a.type != elf::SHT_NOBITS) CHECK(a.data.size() == a.size);
            else CHECK(a.data.empty());
            // Byte-order independent contents must be bit-identical.
            if (a.type == elf::SHT_STRTAB || a.name == "license")
                CHECK(std::vector<std::byte>(a.data.begin(), a.data.end()) ==
                      std::vector<std::byte>(b.data.begin(), b.data.end()));
        }
        CHECK(el->find_section("license") != nullptr);
        CHECK(el->find_section(".BTF") != nullptr);
        CHECK(el->find_section("no such section") == nullptr);
        CHECK(el->find_section_by_type(elf::SHT_SYMTAB) != nullptr);
        CHECK(el->section(static_cast<std::uint32_t>(el->sections().size())) == nullptr);

        auto sa = el->symbols(), sb = eb->symbols();
        REQUIRE(sa);
        REQUIRE(sb);
        REQUIRE(sa->size() == sb->size());
        REQUIRE(sa->size() > 1);
        CHECK((*sa)[0].name.empty());
        for (std::size_t i = 0; i < sa->size(); ++i) {
            const elf::Symbol &a = (*sa)[i], &b = (*sb)[i];
            INFO("symbol " << i << " " << a.name);
            CHECK(a.index == i);
            CHECK(a.name == b.name);
            CHECK(a.value == b.value);
            CHECK(a.size == b.size);
            CHECK(a.bind == b.bind);
            CHECK(a.type == b.type);
            CHECK(a.visibility == b.visibility);
            CHECK(a.shndx == b.shndx);
        }

        for (const elf::Section& s : el->sections()) {
            if (s.type != elf::SHT_REL) continue;
            INFO("relocation section " << s.name);
            auto ra = el->relocations(s), rb = eb->relocations(eb->sections()[s.index]);
            REQUIRE(ra);
            REQUIRE(rb);
            REQUIRE(ra->size() == rb->size());
            CHECK(ra->size() == s.size / 16);
            for (std::size_t i = 0; i < ra->size(); ++i) {
                CHECK((*ra)[i].offset == (*rb)[i].offset);
                CHECK((*ra)[i].symbol == (*rb)[i].symbol);
                CHECK((*ra)[i].type == (*rb)[i].type);
                CHECK((*ra)[i].addend == 0);
                CHECK((*ra)[i].symbol < sa->size());
                CHECK((*ra)[i].offset < el->sections()[s.info].size);
            }
        }
    }
}

TEST_CASE("calls.bpf.o decodes to the values readelf shows", "[elf]") {
    for (bool big : {false, true}) {
        INFO((big ? "big" : "little") << " endian");
        const auto bytes = real_object("calls", big);
        auto f = elf::File::parse(bytes);
        REQUIRE(f);
        const elf::Section* text = f->find_section(".text");
        const elf::Section* prog = f->find_section("syscall");
        const elf::Section* rel = f->find_section(".relsyscall");
        const elf::Section* lic = f->find_section("license");
        REQUIRE(text);
        REQUIRE(prog);
        REQUIRE(rel);
        REQUIRE(lic);
        CHECK(text->flags == (elf::SHF_ALLOC | elf::SHF_EXECINSTR));
        CHECK(text->size == 0xb0);
        CHECK(prog->size == 0x108);
        CHECK(rel->type == elf::SHT_REL);
        CHECK(rel->info == prog->index);
        CHECK(std::string_view(reinterpret_cast<const char*>(lic->data.data()), lic->data.size()) ==
              std::string_view("GPL\0", 4));
        const elf::Section* bss = f->find_section(".bss");
        REQUIRE(bss);
        CHECK(bss->type == elf::SHT_NOBITS);
        CHECK(bss->size == 8);
        CHECK(bss->data.empty());

        auto syms = f->symbols();
        REQUIRE(syms);
        auto find = [&](std::string_view n) -> const elf::Symbol* {
            for (const elf::Symbol& s : *syms)
                if (s.name == n) return &s;
            return nullptr;
        };
        const elf::Symbol* add_square = find("add_square");
        const elf::Symbol* square = find("square");
        const elf::Symbol* second = find("second");
        const elf::Symbol* file = find("calls.bpf.c");
        REQUIRE(add_square);
        REQUIRE(square);
        REQUIRE(second);
        REQUIRE(file);
        CHECK(add_square->bind == elf::STB_GLOBAL);
        CHECK(add_square->type == elf::STT_FUNC);
        CHECK(add_square->shndx == text->index);
        CHECK(add_square->size == 96);
        CHECK(square->bind == elf::STB_LOCAL);
        CHECK(square->value == 0x60);
        CHECK(square->size == 24);
        CHECK(second->shndx == prog->index);
        CHECK(second->value == 0x48);
        CHECK(second->size == 192);
        CHECK(file->type == elf::STT_FILE);
        CHECK(file->shndx == elf::SHN_ABS);

        auto rels = f->relocations(*rel);
        REQUIRE(rels);
        REQUIRE(rels->size() == 4);
        const std::uint64_t offsets[] = {0x18, 0x78, 0xa8, 0xd0};
        const std::uint32_t types[] = {10, 1, 10, 10};
        for (std::size_t i = 0; i < 4; ++i) {
            CHECK((*rels)[i].offset == offsets[i]);
            CHECK((*rels)[i].type == types[i]);
        }
        CHECK((*syms)[(*rels)[0].symbol].name == "add_square");
        CHECK((*syms)[(*rels)[1].symbol].type == elf::STT_SECTION);
        CHECK((*syms)[(*rels)[1].symbol].shndx == text->index);
    }
}

TEST_CASE("hand-built ELF32 and ELF64 files decode in both byte orders", "[elf]") {
    for (bool is64 : {true, false}) {
        for (Endian e : {Endian::Little, Endian::Big}) {
            INFO((is64 ? "ELF64 " : "ELF32 ") << (e == Endian::Little ? "little" : "big") << " endian");
            const Image img = sample(e, is64);
            auto f = img.parse();
            REQUIRE(f);
            CHECK(f->is64() == is64);
            CHECK(f->endian() == e);
            CHECK(f->machine() == elf::EM_BPF);
            CHECK(f->type() == elf::ET_REL);
            REQUIRE(f->sections().size() == 8);
            const char* names[] = {"", ".text", ".data", ".bss", ".rel.text", ".symtab", ".strtab", ".shstrtab"};
            for (std::uint32_t i = 0; i < 8; ++i) CHECK(f->sections()[i].name == names[i]);
            CHECK(f->section(kText)->size == 24);
            CHECK(f->section(kText)->flags == (elf::SHF_ALLOC | elf::SHF_EXECINSTR));
            CHECK(f->section(kData)->data.size() == 16);
            CHECK(f->section(kData)->data[3] == std::byte{0xa3});
            CHECK(f->section(kBss)->type == elf::SHT_NOBITS);
            CHECK(f->section(kBss)->size == 32);
            CHECK(f->section(kBss)->data.empty());
            CHECK(f->section(kSymtab)->link == kStrtab);
            CHECK(f->section(kRelText)->info == kText);
            CHECK(f->find_section_by_type(elf::SHT_REL) == f->section(kRelText));
            // view() reads in the file's byte order: the second instruction's imm is 0 and the first opcode 0x18.
            CHECK(f->view(*f->section(kText)).load<std::uint8_t>(0) == 0x18);
            CHECK(f->view(*f->section(kData)).load<std::uint16_t>(0) ==
                  (e == Endian::Little ? 0xa1a0 : 0xa0a1));

            auto syms = f->symbols();
            REQUIRE(syms);
            REQUIRE(syms->size() == 4);
            const elf::Symbol &fn = (*syms)[kSymFunc], &var = (*syms)[kSymVar], &und = (*syms)[kSymUndef];
            CHECK(fn.name == "func");
            CHECK(fn.value == 0);
            CHECK(fn.size == 24);
            CHECK(fn.bind == elf::STB_GLOBAL);
            CHECK(fn.type == elf::STT_FUNC);
            CHECK(fn.shndx == kText);
            CHECK(var.name == "var");
            CHECK(var.value == 8);
            CHECK(var.size == 4);
            CHECK(var.bind == elf::STB_LOCAL);
            CHECK(var.type == elf::STT_OBJECT);
            CHECK(var.visibility == elf::STV_HIDDEN);
            CHECK(var.shndx == kData);
            CHECK(und.bind == elf::STB_WEAK);
            CHECK(und.shndx == elf::SHN_UNDEF);

            auto rels = f->relocations(*f->section(kRelText));
            REQUIRE(rels);
            REQUIRE(rels->size() == 1);
            CHECK((*rels)[0].offset == 0);
            CHECK((*rels)[0].symbol == kSymVar);
            CHECK((*rels)[0].type == 1);
            CHECK((*rels)[0].addend == 0);
        }
    }
}

TEST_CASE("SHT_RELA entries carry their signed addend in both classes", "[elf]") {
    for (bool is64 : {true, false}) {
        for (Endian e : {Endian::Little, Endian::Big}) {
            INFO((is64 ? "ELF64 " : "ELF32 ") << (e == Endian::Little ? "little" : "big"));
            ebpf::test::ElfBuilder b(e, is64);
            const auto text = b.add_code(".text", {ebpf::test::exit_insn(), ebpf::test::exit_insn()});
            b.add_symbol("f", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, static_cast<std::uint16_t>(text));
            std::vector<std::byte> d;
            if (is64) {
                ebpf::test::put64(d, 8, e);
                ebpf::test::put64(d, std::uint64_t{1} << 32 | 10, e);
                ebpf::test::put64(d, static_cast<std::uint64_t>(-16), e);
            } else {
                ebpf::test::put32(d, 8, e);
                ebpf::test::put32(d, 1u << 8 | 10, e);
                ebpf::test::put32(d, static_cast<std::uint32_t>(-16), e);
            }
            const auto rela = b.add_section(".rela.text", elf::SHT_RELA, 0, d, 3, text, is64 ? 24 : 12);
            const auto bytes = b.build();
            auto f = elf::File::parse(bytes);
            REQUIRE(f);
            auto rels = f->relocations(*f->section(rela));
            REQUIRE(rels);
            REQUIRE(rels->size() == 1);
            CHECK((*rels)[0].offset == 8);
            CHECK((*rels)[0].symbol == 1);
            CHECK((*rels)[0].type == 10);
            CHECK((*rels)[0].addend == -16);
        }
    }
}

TEST_CASE("a file without a section header table parses with no sections", "[elf]") {
    Image img = sample(Endian::Little, true);
    img.set_eh(Eh::Shoff, 0);
    img.set_eh(Eh::Shnum, 0);
    auto f = img.parse();
    REQUIRE(f);
    CHECK(f->sections().empty());
    CHECK(f->find_section(".text") == nullptr);
    auto syms = f->symbols();
    REQUIRE(syms);
    CHECK(syms->empty());
}

TEST_CASE("extended section numbering reads counts from section 0", "[elf]") {
    for (bool is64 : {true, false}) {
        for (Endian e : {Endian::Little, Endian::Big}) {
            INFO((is64 ? "ELF64 " : "ELF32 ") << (e == Endian::Little ? "little" : "big"));
            Image img = sample(e, is64);
            const auto shnum = img.eh(Eh::Shnum), shstrndx = img.eh(Eh::Shstrndx);
            // e_shnum = 0 and e_shstrndx = SHN_XINDEX: the real values live in section 0's sh_size and sh_link.
            img.set_sh(0, Sh::Size, shnum);
            img.set_sh(0, Sh::Link, shstrndx);
            img.set_eh(Eh::Shnum, 0);
            img.set_eh(Eh::Shstrndx, elf::SHN_XINDEX);
            auto f = img.parse();
            REQUIRE(f);
            CHECK(f->sections().size() == shnum);
            CHECK(f->section(kShstrtab)->name == ".shstrtab");
            CHECK(f->section(kText)->name == ".text");

            SECTION("a bogus extended name table index is still range-checked") {
                img.set_sh(0, Sh::Link, 1000);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "name table index 1000"));
            }
            SECTION("a huge extended count cannot overflow the table size check") {
                img.set_sh(0, Sh::Size, is64 ? 0x0400000000000001ull : 0xffffffffull);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "section header table"));
            }
            SECTION("an extended count of zero means no sections") {
                img.set_sh(0, Sh::Size, 0);
                auto g = img.parse();
                REQUIRE(g);
                CHECK(g->sections().empty());
            }
        }
    }
}

TEST_CASE("SHN_XINDEX symbols are resolved through SHT_SYMTAB_SHNDX", "[elf]") {
    for (Endian e : {Endian::Little, Endian::Big}) {
        ebpf::test::ElfBuilder b(e);
        const auto text = b.add_code("prog", {ebpf::test::exit_insn()});
        b.add_symbol("far", 0, 8, elf::STB_GLOBAL, elf::STT_FUNC, elf::SHN_XINDEX);
        // No relocations: .symtab is the section right after the user sections (here: prog and .symtab_shndx).
        const std::uint32_t symtab = 3;
        std::vector<std::byte> shndx;
        ebpf::test::put32(shndx, 0, e);
        ebpf::test::put32(shndx, text, e);
        b.add_section(".symtab_shndx", SHT_SYMTAB_SHNDX, 0, shndx, symtab, 0, 4);
        const auto bytes = b.build();
        auto f = elf::File::parse(bytes);
        REQUIRE(f);
        REQUIRE(f->section(symtab)->type == elf::SHT_SYMTAB);
        auto syms = f->symbols();
        REQUIRE(syms);
        REQUIRE(syms->size() == 2);
        CHECK((*syms)[1].name == "far");
        CHECK((*syms)[1].shndx == text);
    }
    SECTION("a too short SYMTAB_SHNDX is an error, not a read past its end") {
        ebpf::test::ElfBuilder b;
        b.add_code("prog", {ebpf::test::exit_insn()});
        b.add_symbol("far", 0, 8, elf::STB_GLOBAL, elf::STT_FUNC, elf::SHN_XINDEX);
        std::vector<std::byte> shndx;
        ebpf::test::put32(shndx, 0, Endian::Little);  // entry for the null symbol only
        b.add_section(".symtab_shndx", SHT_SYMTAB_SHNDX, 0, shndx, 3, 0, 4);
        const auto bytes = b.build();
        auto f = elf::File::parse(bytes);
        REQUIRE(f);
        CHECK(fails_with(f->symbols(), Errc::MalformedElf, "extended section index"));
    }
}

TEST_CASE("the ELF identification is checked", "[elf]") {
    const Image good = sample(Endian::Little, true);
    SECTION("empty and short files") {
        for (std::size_t n : {0u, 1u, 4u, 15u}) {
            const std::vector<std::byte> cut(good.bytes.begin(), good.bytes.begin() + n);
            CHECK(fails_with(elf::File::parse(cut), Errc::MalformedElf, "too short"));
        }
    }
    SECTION("shorter than the class's header") {
        for (bool is64 : {true, false}) {
            const Image img = sample(Endian::Big, is64);
            const std::vector<std::byte> cut(img.bytes.begin(), img.bytes.begin() + (is64 ? 63 : 51));
            CHECK(fails_with(elf::File::parse(cut), Errc::MalformedElf, "too short"));
        }
    }
    SECTION("bad magic") {
        for (std::size_t i = 0; i < 4; ++i) {
            Image img = good;
            img.bytes[i] ^= std::byte{0x20};
            CHECK(fails_with(img.parse(), Errc::MalformedElf, "magic"));
        }
    }
    SECTION("bad class") {
        for (int cls : {0, 3, 0xff}) {
            Image img = good;
            img.bytes[4] = std::byte(cls);
            CHECK(fails_with(img.parse(), Errc::MalformedElf, "class"));
        }
    }
    SECTION("bad data encoding") {
        for (int data : {0, 3, 0x80}) {
            Image img = good;
            img.bytes[5] = std::byte(data);
            CHECK(fails_with(img.parse(), Errc::MalformedElf, "data encoding"));
        }
    }
    SECTION("bad version") {
        for (int version : {0, 2}) {
            Image img = good;
            img.bytes[6] = std::byte(version);
            CHECK(fails_with(img.parse(), Errc::MalformedElf, "version"));
        }
    }
    SECTION("not ELF at all") {
        const std::string text = "#!/bin/sh\necho this is not an object file at all, just text\n";
        std::vector<std::byte> b;
        for (char c : text) b.push_back(std::byte(c));
        CHECK(fails_with(elf::File::parse(b), Errc::MalformedElf, "magic"));
    }
}

TEST_CASE("the section header table is bounds-checked", "[elf]") {
    for (bool is64 : {true, false}) {
        for (Endian e : {Endian::Little, Endian::Big}) {
            INFO((is64 ? "ELF64 " : "ELF32 ") << (e == Endian::Little ? "little" : "big"));
            Image img = sample(e, is64);
            const std::uint64_t size = img.bytes.size();
            SECTION("table offset past the end of the file") {
                img.set_eh(Eh::Shoff, size + 8);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "section header table"));
            }
            SECTION("table offset near the top of the address space") {
                img.set_eh(Eh::Shoff, is64 ? ~std::uint64_t{0} - 8 : 0xfffffff8u);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "section header table"));
            }
            SECTION("table that starts inside the file but runs past its end") {
                img.set_eh(Eh::Shoff, size - img.shdr_size() * 2);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "section header table"));
            }
            SECTION("more entries than the file holds") {
                img.set_eh(Eh::Shnum, 0xfeff);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "entries"));
            }
            SECTION("wrong entry size") {
                for (std::uint64_t es : {0u, 1u, 32u, 63u, 65u, 0xffffu}) {
                    if (es == img.shdr_size()) continue;
                    Image m = img;
                    m.set_eh(Eh::Shentsize, es);
                    CHECK(fails_with(m.parse(), Errc::MalformedElf, "entry size"));
                }
                // The other class's size is wrong too.
                img.set_eh(Eh::Shentsize, is64 ? 40 : 64);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "entry size"));
            }
            SECTION("a section count without a table") {
                img.set_eh(Eh::Shoff, 0);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "no section header table"));
            }
        }
    }
}

TEST_CASE("section data ranges are bounds-checked", "[elf]") {
    for (bool is64 : {true, false}) {
        for (Endian e : {Endian::Little, Endian::Big}) {
            INFO((is64 ? "ELF64 " : "ELF32 ") << (e == Endian::Little ? "little" : "big"));
            Image img = sample(e, is64);
            const std::uint64_t size = img.bytes.size();
            const std::uint64_t top = is64 ? ~std::uint64_t{0} : 0xffffffffu;
            SECTION("offset past the end") {
                img.set_sh(kData, Sh::Offset, size + 1);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "section 2"));
            }
            SECTION("size past the end") {
                img.set_sh(kData, Sh::Size, size);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "outside the file"));
            }
            SECTION("offset + size wrapping around") {
                img.set_sh(kData, Sh::Offset, top - 7);
                img.set_sh(kData, Sh::Size, 16);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "outside the file"));
            }
            SECTION("a huge size of a lying string table") {
                img.set_sh(kShstrtab, Sh::Size, top);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "section 7"));
            }
            SECTION("NOBITS sizes are not file ranges") {
                img.set_sh(kBss, Sh::Size, top);
                img.set_sh(kBss, Sh::Offset, top);
                auto f = img.parse();
                REQUIRE(f);
                CHECK(f->section(kBss)->size == top);
                CHECK(f->section(kBss)->data.empty());
            }
            SECTION("a section ending exactly at the end of the file is fine") {
                img.set_sh(kData, Sh::Offset, size - 16);
                auto f = img.parse();
                REQUIRE(f);
                CHECK(f->section(kData)->data.size() == 16);
                CHECK(f->section(kData)->data.data() == f->bytes().data() + size - 16);
            }
        }
    }
}

TEST_CASE("section names are checked against the name table", "[elf]") {
    for (bool is64 : {true, false}) {
        for (Endian e : {Endian::Little, Endian::Big}) {
            INFO((is64 ? "ELF64 " : "ELF32 ") << (e == Endian::Little ? "little" : "big"));
            Image img = sample(e, is64);
            SECTION("name table index out of range") {
                img.set_eh(Eh::Shstrndx, 8);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "name table index 8"));
            }
            SECTION("name table index far out of range") {
                img.set_eh(Eh::Shstrndx, 0xfeff);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "out of range"));
            }
            SECTION("name table is not a string table") {
                img.set_eh(Eh::Shstrndx, kData);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "not a string table"));
            }
            SECTION("name table is NOBITS") {
                img.set_sh(kShstrtab, Sh::Type, elf::SHT_NOBITS);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "not a string table"));
            }
            SECTION("name offset past the table") {
                img.set_sh(kData, Sh::Name, img.sh(kShstrtab, Sh::Size));
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "section 2: name offset"));
            }
            SECTION("huge name offset") {
                img.set_sh(kBss, Sh::Name, 0xffffffffu);
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "name offset 4294967295"));
            }
            SECTION("name table without a final NUL") {
                const std::size_t last = img.sh(kShstrtab, Sh::Offset) + img.sh(kShstrtab, Sh::Size) - 1;
                img.bytes[last] = std::byte{'x'};
                CHECK(fails_with(img.parse(), Errc::MalformedElf, "name offset"));
            }
            SECTION("no name table: sections are nameless") {
                img.set_eh(Eh::Shstrndx, 0);
                auto f = img.parse();
                REQUIRE(f);
                CHECK(f->sections().size() == 8);
                for (const elf::Section& s : f->sections()) CHECK(s.name.empty());
                CHECK(f->find_section(".text") == nullptr);
            }
        }
    }
}

TEST_CASE("symbol tables are validated", "[elf]") {
    for (bool is64 : {true, false}) {
        for (Endian e : {Endian::Little, Endian::Big}) {
            INFO((is64 ? "ELF64 " : "ELF32 ") << (e == Endian::Little ? "little" : "big"));
            Image img = sample(e, is64);
            auto symbols_of = [](const Image& m) -> Result<std::vector<elf::Symbol>> {
                auto f = m.parse();
                REQUIRE(f);
                return f->symbols(*f->section(kSymtab));
            };
            SECTION("wrong entry size") {
                img.set_sh(kSymtab, Sh::Entsize, is64 ? 16 : 24);
                CHECK(fails_with(symbols_of(img), Errc::MalformedElf, "entry size"));
            }
            SECTION("size not a multiple of the entry size") {
                img.set_sh(kSymtab, Sh::Size, img.sh(kSymtab, Sh::Size) - 1);
                CHECK(fails_with(symbols_of(img), Errc::MalformedElf, "not a multiple"));
            }
            SECTION("linked string table missing") {
                for (std::uint64_t link : {0u, 99u, 0xffffffffu}) {
                    Image m = img;
                    m.set_sh(kSymtab, Sh::Link, link);
                    CHECK(fails_with(symbols_of(m), Errc::MalformedElf, "string table"));
                }
            }
            SECTION("linked section is not a string table") {
                img.set_sh(kSymtab, Sh::Link, kSymtab);
                CHECK(fails_with(symbols_of(img), Errc::MalformedElf, "string table"));
            }
            SECTION("not a symbol table at all") {
                auto f = img.parse();
                REQUIRE(f);
                CHECK(fails_with(f->symbols(*f->section(kData)), Errc::MalformedElf, "not a symbol table"));
            }
            SECTION("symbol name offset outside the string table") {
                put_uint(img.bytes, symbol_offset(img, kSymVar), 4, img.sh(kStrtab, Sh::Size), e);
                CHECK(fails_with(symbols_of(img), Errc::MalformedElf, "symbol 2: name offset"));
            }
            SECTION("SHN_XINDEX without SYMTAB_SHNDX") {
                put_uint(img.bytes, symbol_offset(img, kSymFunc) + (is64 ? 6 : 14), 2, elf::SHN_XINDEX, e);
                CHECK(fails_with(symbols_of(img), Errc::MalformedElf, "extended section index"));
            }
            SECTION("the default symbols() reports the same errors") {
                img.set_sh(kSymtab, Sh::Entsize, 1);
                auto f = img.parse();
                REQUIRE(f);
                CHECK(fails_with(f->symbols(), Errc::MalformedElf, "entry size"));
            }
        }
    }
}

TEST_CASE("relocation sections are validated", "[elf]") {
    for (bool is64 : {true, false}) {
        for (Endian e : {Endian::Little, Endian::Big}) {
            INFO((is64 ? "ELF64 " : "ELF32 ") << (e == Endian::Little ? "little" : "big"));
            Image img = sample(e, is64);
            auto relocs_of = [](const Image& m, std::uint32_t idx) -> Result<std::vector<elf::Relocation>> {
                auto f = m.parse();
                REQUIRE(f);
                return f->relocations(*f->section(idx));
            };
            SECTION("wrong entry size") {
                img.set_sh(kRelText, Sh::Entsize, is64 ? 24 : 12);  // the RELA size on a REL section
                CHECK(fails_with(relocs_of(img, kRelText), Errc::MalformedElf, "entry size"));
            }
            SECTION("entry size 0 is tolerated") {
                img.set_sh(kRelText, Sh::Entsize, 0);
                auto r = relocs_of(img, kRelText);
                REQUIRE(r);
                CHECK(r->size() == 1);
            }
            SECTION("size not a multiple of the entry size") {
                img.set_sh(kRelText, Sh::Size, img.sh(kRelText, Sh::Size) - 4);
                CHECK(fails_with(relocs_of(img, kRelText), Errc::MalformedElf, "not a multiple"));
            }
            SECTION("RELA type with a REL-sized body") {
                img.set_sh(kRelText, Sh::Type, elf::SHT_RELA);
                img.set_sh(kRelText, Sh::Entsize, 0);
                CHECK(fails_with(relocs_of(img, kRelText), Errc::MalformedElf, "not a multiple"));
            }
            SECTION("not a relocation section") {
                CHECK(fails_with(relocs_of(img, kSymtab), Errc::MalformedElf, "not a relocation section"));
            }
        }
    }
}

TEST_CASE("section 0 posing as a symbol or relocation table has no data to read", "[elf]") {
    // parse() never gives section 0 a data view; the table readers must not trust its size instead.
    for (bool is64 : {true, false}) {
        INFO((is64 ? "ELF64" : "ELF32"));
        Image img = sample(Endian::Little, is64);
        img.set_sh(0, Sh::Size, img.sh(kSymtab, Sh::Size));
        img.set_sh(0, Sh::Link, kStrtab);
        SECTION("as SHT_SYMTAB") {
            img.set_sh(0, Sh::Type, elf::SHT_SYMTAB);
            img.set_sh(0, Sh::Entsize, is64 ? 24 : 16);
            auto f = img.parse();
            REQUIRE(f);
            CHECK(f->sections()[0].data.empty());
            CHECK_FALSE(f->symbols(f->sections()[0]));
            CHECK(f->symbols());  // the real .symtab is still found
        }
        SECTION("as SHT_REL") {
            img.set_sh(0, Sh::Type, elf::SHT_REL);
            img.set_sh(0, Sh::Entsize, is64 ? 16 : 8);
            auto f = img.parse();
            REQUIRE(f);
            CHECK_FALSE(f->relocations(f->sections()[0]));
        }
    }
}

TEST_CASE("every truncation of a real object is an error or a value, never a crash", "[elf]") {
    for (const char* name : kObjects) {
        for (bool big : {false, true}) {
            INFO("object " << name << (big ? " (eb)" : " (el)"));
            const auto bytes = real_object(name, big);
            std::size_t ok = 0;
            for (std::size_t n = 0; n < bytes.size(); ++n) {
                auto f = elf::File::parse(std::span<const std::byte>(bytes.data(), n));
                if (!f) {
                    CHECK(f.error().code() == Errc::MalformedElf);
                    continue;
                }
                ++ok;
                exercise(*f);
            }
            // The section header table sits at the end of clang's output: only the whole file is complete.
            CHECK(ok == 0);
            auto whole = elf::File::parse(bytes);
            REQUIRE(whole);
            exercise(*whole);
        }
    }
}

TEST_CASE("every single-byte change to the ELF header and section table is handled", "[elf]") {
    for (const char* name : kObjects) {
        for (bool big : {false, true}) {
            INFO("object " << name << (big ? " (eb)" : " (el)"));
            const auto orig = real_object(name, big);
            auto f0 = elf::File::parse(orig);
            REQUIRE(f0);
            const Image base{orig, big ? Endian::Big : Endian::Little, true};
            const std::size_t shoff = static_cast<std::size_t>(base.eh(Eh::Shoff));
            std::vector<std::size_t> positions;
            for (std::size_t i = 0; i < 64; ++i) positions.push_back(i);
            for (std::size_t i = shoff; i < orig.size(); ++i) positions.push_back(i);
            // Symbol table entries too: names, section indices and values are all taken from the file.
            const elf::Section* symtab = f0->find_section(".symtab");
            REQUIRE(symtab);
            for (std::size_t i = symtab->offset; i < symtab->offset + symtab->size; ++i) positions.push_back(i);

            std::size_t errors = 0, values = 0;
            std::vector<std::byte> m = orig;
            for (std::size_t pos : positions) {
                // 0x02 and 0x04 turn a NULL section type into SYMTAB or RELA; 0xff makes offsets huge.
                for (int mask : {0xff, 0x01, 0x02, 0x04, 0x80}) {
                    m[pos] ^= std::byte(mask);
                    auto f = elf::File::parse(m);
                    if (f) {
                        ++values;
                        exercise(*f);
                    } else {
                        ++errors;
                        if (f.error().code() != Errc::MalformedElf)
                            FAIL("unexpected error code: " << f.error().message());
                        if (f.error().message().empty()) FAIL("empty error message");
                    }
                    m[pos] = orig[pos];
                }
            }
            CHECK(errors > 0);
            CHECK(values > 0);
        }
    }
}
