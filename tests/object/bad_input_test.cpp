// SPDX-License-Identifier: MIT
// ObjectSpec::parse on hostile input: hand-built ELFs that break one rule each, mutated real objects, fuzzed bytes.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/spec.hpp>

#include "elf/file.hpp"
#include "support/expect.hpp"
#include "support/btf_builder.hpp"
#include "support/elf_builder.hpp"
#include "support/objects.hpp"

using ebpf::Errc;
using ebpf::Instruction;
using ebpf::ObjectSpec;
using ebpf::ProgramType;
using ebpf::Result;
using ebpf::detail::Endian;
using ebpf::test::ElfBuilder;
namespace elf = ebpf::elf;
namespace t = ebpf::test;

using ebpf::test::fails_with;

namespace {

constexpr auto& kObjects = ebpf::test::kSweepObjects;
constexpr std::uint64_t kCode = elf::SHF_ALLOC | elf::SHF_EXECINSTR;
constexpr std::uint64_t kData = elf::SHF_ALLOC | elf::SHF_WRITE;

Result<ObjectSpec> parse(const std::vector<std::byte>& bytes) { return ObjectSpec::parse(bytes, {.name = "t.o"}); }
Result<ObjectSpec> parse(const ElfBuilder& b) { return parse(b.build()); }

std::vector<std::byte> text(std::string_view s) {
    std::vector<std::byte> out;
    for (char c : s) out.push_back(std::byte(c));
    return out;
}

std::uint16_t idx(std::uint32_t section) { return static_cast<std::uint16_t>(section); }

// The smallest object that parses: one XDP program "prog" (r0 = 0; exit) and a license.
ElfBuilder minimal(Endian e = ebpf::detail::host_endian()) {
    ElfBuilder b(e);
    const auto sec = b.add_code("xdp", {t::mov64_imm(0, 0), t::exit_insn()});
    b.add_symbol("prog", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
    b.add_section("license", elf::SHT_PROGBITS, kData, text(std::string_view("GPL\0", 4)));
    return b;
}

// A program whose ld_imm64 at instruction 0 is relocated against global `g` in an 8-byte .data; callers add to it.
struct DataProg {
    ElfBuilder b;
    std::uint32_t code, data, g;
};

DataProg data_prog(std::int32_t imm = 0, std::uint32_t data_size = 8) {
    DataProg d{ElfBuilder(), 0, 0, 0};
    d.code = d.b.add_code("xdp", {t::ld_imm64_lo(1, imm), t::ld_imm64_hi(), t::mov64_imm(0, 0), t::exit_insn()});
    d.data = d.b.add_section(".data", elf::SHT_PROGBITS, kData, std::vector<std::byte>(data_size, std::byte{7}));
    d.b.add_symbol("prog", 0, 32, elf::STB_GLOBAL, elf::STT_FUNC, idx(d.code));
    d.g = d.b.add_symbol("g", 0, data_size ? 8 : 0, elf::STB_GLOBAL, elf::STT_OBJECT, idx(d.data));
    return d;
}

// Reads every field of a parsed spec, so sanitizers see any dangling or out-of-range data behind it.
std::uint64_t touch(const ObjectSpec& s) {
    std::uint64_t sink = s.license.size() + s.kern_version;
    for (const ebpf::ProgramSpec& p : s.programs) {
        sink += p.name.size() + p.section.size() + p.attach_to.size();
        for (const Instruction& in : p.instructions) sink += static_cast<std::uint64_t>(in.imm) + in.code;
        for (const auto& r : p.map_relocs) {
            sink += r.map + r.insn + r.offset;
            if (r.insn >= p.instructions.size() || r.map >= s.maps.size()) FAIL("map relocation out of range");
        }
        for (const auto& r : p.extern_relocs)
            if (r.insn >= p.instructions.size() || r.ext >= s.externs.size()) FAIL("extern relocation out of range");
        for (const auto& r : p.core_relocs) sink += r.access.size();
        for (const auto& f : p.func_info)
            if (f.insn_off >= p.instructions.size()) FAIL("func_info past the program");
        for (const auto& l : p.line_info)
            if (l.insn_off >= p.instructions.size()) FAIL("line_info past the program");
    }
    for (const ebpf::MapSpec& m : s.maps) {
        sink += m.name.size() + m.key_size + m.value_size + m.contents.size();
        for (const auto& [slot, name] : m.initial_slots) sink += slot + name.size();
    }
    for (const auto& v : s.variables) sink += v.name.size() + v.offset;
    for (const auto& x : s.externs) sink += x.name.size() + x.size;
    if (s.btf) {
        for (ebpf::btf::TypeId id = 0; id < s.btf->type_count(); ++id) sink += s.btf->type_or_void(id).name().size();
    }
    return sink;
}

std::vector<std::byte> real_object(const std::string& file) {
    auto bytes = t::read_obj(file);
    INFO("object " << file);
    REQUIRE_FALSE(bytes.empty());
    return bytes;
}

// Replaces a NUL-terminated string inside a section's bytes (same length), e.g. to rename a BTF member.
bool rename_in_section(std::vector<std::byte>& bytes, std::string_view section, std::string_view from,
                       std::string_view to) {
    REQUIRE(from.size() == to.size());
    auto f = elf::File::parse(bytes);
    REQUIRE(f);
    const elf::Section* s = f->find_section(section);
    REQUIRE(s);
    const std::size_t begin = s->offset, end = s->offset + s->size;
    std::string needle(from);
    needle.push_back('\0');
    for (std::size_t i = begin; i + needle.size() <= end; ++i) {
        if (std::memcmp(bytes.data() + i, needle.data(), needle.size()) == 0 &&
            (i == begin || bytes[i - 1] == std::byte{0})) {
            std::memcpy(bytes.data() + i, to.data(), to.size());
            return true;
        }
    }
    return false;
}

}  // namespace

TEST_CASE("the minimal hand-built objects parse, in both byte orders", "[object]") {
    for (Endian e : {Endian::Little, Endian::Big}) {
        auto r = parse(minimal(e));
        if (!r) FAIL(r.error().message());
        CHECK(r->big_endian == (e == Endian::Big));
        CHECK(r->license == "GPL");
        REQUIRE(r->programs.size() == 1);
        CHECK(r->programs[0].name == "prog");
        CHECK(r->programs[0].type == ProgramType::Xdp);
        CHECK(r->programs[0].instructions == std::vector<Instruction>{t::mov64_imm(0, 0), t::exit_insn()});
    }
    DataProg d = data_prog();
    d.b.add_reloc(d.code, 0, d.g);
    auto r = parse(d.b);
    if (!r) FAIL(r.error().message());
    REQUIRE(r->programs.size() == 1);
    REQUIRE(r->programs[0].map_relocs.size() == 1);
    CHECK(r->programs[0].map_relocs[0].kind == ebpf::MapReloc::Kind::Value);
    CHECK(r->programs[0].map_relocs[0].symbol == "g");
    CHECK(r->map(".data") != nullptr);
}

TEST_CASE("files that are not eBPF relocatable ELF64 objects", "[object]") {
    SECTION("another machine") {
        ElfBuilder b(ebpf::detail::host_endian(), true, 62);
        b.add_code("xdp", {t::exit_insn()});
        const auto r = parse(b);
        CHECK(fails_with(r, Errc::MalformedObject, "EM_BPF"));
        CHECK(fails_with(r, Errc::MalformedObject, "t.o"));  // the object's name is in the context
    }
    SECTION("executables and shared objects") {
        for (std::uint16_t type : {elf::ET_EXEC, elf::ET_DYN, std::uint16_t{0}}) {
            ElfBuilder b(ebpf::detail::host_endian(), true, elf::EM_BPF, type);
            b.add_code("xdp", {t::exit_insn()});
            CHECK(fails_with(parse(b), Errc::MalformedObject, "relocatable"));
        }
    }
    SECTION("ELF32") {
        for (Endian e : {Endian::Little, Endian::Big}) {
            ElfBuilder b(e, false);
            const auto sec = b.add_code("xdp", {t::exit_insn()});
            b.add_symbol("prog", 0, 8, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
            CHECK(fails_with(parse(b), Errc::MalformedObject, "ELF32"));
        }
    }
    SECTION("not ELF at all") {
        CHECK(fails_with(parse(text("hello, world")), Errc::MalformedElf, "parse t.o"));
        CHECK(fails_with(parse(std::vector<std::byte>{}), Errc::MalformedElf, "too short"));
        CHECK(fails_with(ObjectSpec::parse(text("x")), Errc::MalformedElf, "parse object"));  // the default name
    }
}

TEST_CASE("code sections must hold whole, well-delimited functions", "[object]") {
    SECTION("size not a multiple of 8") {
        ElfBuilder b;
        auto code = b.encode({t::mov64_imm(0, 0), t::exit_insn()});
        code.resize(12);
        const auto sec = b.add_section("xdp", elf::SHT_PROGBITS, kCode, code);
        b.add_symbol("prog", 0, 8, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
        CHECK(fails_with(parse(b), Errc::MalformedObject, "size 12 is not a multiple"));
    }
    SECTION("code without function symbols") {
        ElfBuilder b;
        const auto sec = b.add_code("xdp", {t::mov64_imm(0, 0), t::exit_insn()});
        b.add_symbol("label", 0, 0, elf::STB_LOCAL, elf::STT_NOTYPE, idx(sec));
        CHECK(fails_with(parse(b), Errc::MalformedObject, "no function symbols"));
    }
    SECTION(".text without function symbols") {
        ElfBuilder b = minimal();
        b.add_code(".text", {t::exit_insn()});
        CHECK(fails_with(parse(b), Errc::MalformedObject, "section .text contains code but no function"));
    }
    SECTION("function ranges outside the section or off the instruction grid") {
        struct Range {
            std::uint64_t value, size;
        };
        for (Range r : {Range{8, 16}, Range{16, 8}, Range{0, 0}, Range{4, 8}, Range{0, 12}, Range{24, 8},
                        Range{0xfffffffffffffff8ull, 16}, Range{8, 0xfffffffffffffff8ull}}) {
            INFO("function at " << r.value << " size " << r.size);
            ElfBuilder b;
            const auto sec = b.add_code("xdp", {t::mov64_imm(0, 0), t::exit_insn()});
            b.add_symbol("prog", r.value, r.size, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
            const auto res = parse(b);
            CHECK(fails_with(res, Errc::MalformedObject, "bad range"));
            CHECK(fails_with(res, Errc::MalformedObject, "'prog'"));
        }
    }
    SECTION("overlapping functions") {
        ElfBuilder b;
        const auto sec = b.add_code("xdp", {t::mov64_imm(0, 0), t::mov64_imm(0, 1), t::exit_insn()});
        b.add_symbol("one", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
        b.add_symbol("two", 8, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
        const auto res = parse(b);
        CHECK(fails_with(res, Errc::MalformedObject, "overlap"));
        CHECK(fails_with(res, Errc::MalformedObject, "'one' and 'two'"));
    }
    SECTION("a static program (libbpf rejects these too)") {
        ElfBuilder b;
        const auto sec = b.add_code("xdp", {t::mov64_imm(0, 0), t::exit_insn()});
        b.add_symbol("prog", 0, 16, elf::STB_LOCAL, elf::STT_FUNC, idx(sec));
        CHECK(fails_with(parse(b), Errc::MalformedObject, "static"));
    }
    SECTION("a static subprogram in .text is fine") {
        ElfBuilder b;
        const auto text_sec = b.add_code(".text", {t::mov64_imm(0, 1), t::exit_insn()});
        const auto sec = b.add_code("xdp", {t::call_pseudo(-1), t::exit_insn()});
        b.add_symbol("prog", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
        b.add_symbol("sub", 0, 16, elf::STB_LOCAL, elf::STT_FUNC, idx(text_sec));
        const auto text_sym = b.add_symbol("", 0, 0, elf::STB_LOCAL, elf::STT_SECTION, idx(text_sec));
        b.add_reloc(sec, 0, text_sym, 10);  // static callee: the section symbol, imm = callee index - 1
        auto r = parse(b);
        if (!r) FAIL(r.error().message());
        REQUIRE(r->programs.size() == 1);  // .text holds subprograms, not programs
        CHECK(r->programs[0].name == "prog");
        CHECK(r->programs[0].instructions ==
              std::vector<Instruction>{t::call_pseudo(1), t::exit_insn(), t::mov64_imm(0, 1), t::exit_insn()});
    }
}

TEST_CASE("relocation entries are checked against the code and the symbol table", "[object]") {
    SECTION("offset not on an instruction boundary") {
        DataProg d = data_prog();
        d.b.add_reloc(d.code, 4, d.g);
        CHECK(fails_with(parse(d.b), Errc::MalformedObject, "offset 4 is not on an instruction"));
    }
    SECTION("offset beyond the section") {
        for (std::uint64_t off : {32ull, 40ull, 0xfffffffffffffff8ull}) {
            DataProg d = data_prog();
            d.b.add_reloc(d.code, off, d.g);
            CHECK(fails_with(parse(d.b), Errc::MalformedObject, "not on an instruction"));
        }
    }
    SECTION("symbol index out of range") {
        DataProg d = data_prog();
        d.b.add_reloc(d.code, 0, 99);
        CHECK(fails_with(parse(d.b), Errc::MalformedObject, "symbol 99, which does not exist"));
    }
    SECTION("the null symbol") {
        DataProg d = data_prog();
        d.b.add_reloc(d.code, 0, 0);
        CHECK(fails_with(parse(d.b), Errc::MalformedObject, "symbol 0"));
    }
    SECTION("a relocation section for a section that does not exist") {
        ElfBuilder b = minimal();
        b.add_reloc(77, 0, 1);
        CHECK(fails_with(parse(b), Errc::MalformedElf, "does not exist"));
    }
}

TEST_CASE("relocations that cannot be applied name the instruction and the symbol", "[object]") {
    SECTION("an undefined symbol that is not an extern") {
        DataProg d = data_prog();
        // A local undefined symbol: not an extern candidate (those are global/weak), so nothing can resolve it.
        const auto sym = d.b.add_symbol("missing", 0, 0, elf::STB_LOCAL, elf::STT_NOTYPE, elf::SHN_UNDEF);
        d.b.add_reloc(d.code, 0, sym);
        const auto r = parse(d.b);
        CHECK(fails_with(r, Errc::Relocation, "'missing'"));
        CHECK(fails_with(r, Errc::Relocation, "instruction 0"));
        CHECK(fails_with(r, Errc::Relocation, "undefined"));
        CHECK(fails_with(r, Errc::Relocation, "program 'prog'"));
    }
    SECTION("a global undefined symbol needs BTF to be an extern") {
        DataProg d = data_prog();
        const auto sym = d.b.add_symbol("missing", 0, 0, elf::STB_GLOBAL, elf::STT_NOTYPE, elf::SHN_UNDEF);
        d.b.add_reloc(d.code, 0, sym);
        const auto r = parse(d.b);
        CHECK(fails_with(r, Errc::MalformedObject, "extern 'missing'"));
        CHECK(fails_with(r, Errc::MalformedObject, "BTF"));
    }
    SECTION("a relocation on an instruction that is neither ld_imm64 nor a call") {
        DataProg d = data_prog();
        d.b.add_reloc(d.code, 16, d.g);  // the mov
        const auto r = parse(d.b);
        CHECK(fails_with(r, Errc::Relocation, "opcode 0xb7"));
        CHECK(fails_with(r, Errc::Relocation, "instruction 2"));
        CHECK(fails_with(r, Errc::Relocation, "'g'"));
    }
    SECTION("a relocation on the second half of ld_imm64") {
        DataProg d = data_prog();
        d.b.add_reloc(d.code, 8, d.g);
        CHECK(fails_with(parse(d.b), Errc::Relocation, "opcode 0x00"));
    }
    SECTION("ld_imm64 missing its second half") {
        ElfBuilder b;
        const auto sec = b.add_code("xdp", {t::mov64_imm(0, 0), t::ld_imm64_lo(1, 0)});
        b.add_symbol("prog", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
        CHECK(fails_with(parse(b), Errc::Relocation, "instruction 1: ld_imm64 is missing its second half"));

        ElfBuilder c;
        const auto sec2 = c.add_code("xdp", {t::ld_imm64_lo(1, 0), t::exit_insn()});
        c.add_symbol("prog", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec2));
        CHECK(fails_with(parse(c), Errc::Relocation, "second half"));
    }
    SECTION("ld_imm64 whose second half belongs to the next function") {
        ElfBuilder b;
        const auto sec = b.add_code("xdp", {t::ld_imm64_lo(1, 0), t::ld_imm64_hi(), t::exit_insn()});
        b.add_symbol("one", 0, 8, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
        b.add_symbol("two", 8, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
        CHECK(fails_with(parse(b), Errc::Relocation, "second half"));
    }
    SECTION("data offsets beyond the data section") {
        for (std::int32_t imm : {8, 64, -8, 0x7fffffff}) {
            INFO("imm " << imm);
            DataProg d = data_prog(imm);
            d.b.add_reloc(d.code, 0, d.g);
            const auto r = parse(d.b);
            CHECK(fails_with(r, Errc::Relocation, "offset " + std::to_string(imm) + " is outside .data"));
        }
        // The last byte is still inside.
        DataProg d = data_prog(7);
        d.b.add_reloc(d.code, 0, d.g);
        auto r = parse(d.b);
        REQUIRE(r);
        CHECK(r->programs[0].map_relocs[0].offset == 7);
    }
    SECTION("a relocation into an empty data section") {
        DataProg d = data_prog(0, 0);
        d.b.add_reloc(d.code, 0, d.g);
        CHECK(fails_with(parse(d.b), Errc::Relocation, "section .data is empty"));
    }
    SECTION("a relocation against a section that is no map, data or code") {
        DataProg d = data_prog();
        const auto other = d.b.add_section("notes", elf::SHT_PROGBITS, 0, std::vector<std::byte>(8));
        const auto sym = d.b.add_symbol("note", 0, 8, elf::STB_GLOBAL, elf::STT_OBJECT, idx(other));
        d.b.add_reloc(d.code, 0, sym);
        CHECK(fails_with(parse(d.b), Errc::Relocation, "section notes is neither a map, global data nor code"));
    }
    SECTION("a symbol in a section that does not exist") {
        DataProg d = data_prog();
        const auto sym = d.b.add_symbol("nowhere", 0, 8, elf::STB_GLOBAL, elf::STT_OBJECT, 200);
        d.b.add_reloc(d.code, 0, sym);
        CHECK(fails_with(parse(d.b), Errc::Relocation, "section 200 does not exist"));
    }
    SECTION("a symbol in a special section") {
        DataProg d = data_prog();
        const auto sym = d.b.add_symbol("absolute", 0, 8, elf::STB_GLOBAL, elf::STT_OBJECT, elf::SHN_ABS);
        d.b.add_reloc(d.code, 0, sym);
        CHECK(fails_with(parse(d.b), Errc::Relocation, "special section"));
    }
}

TEST_CASE("BPF-to-BPF calls must land on functions in .text", "[object]") {
    SECTION("a relocated call to a program in another program section") {
        ElfBuilder b;
        const auto a = b.add_code("xdp", {t::call_pseudo(-1), t::exit_insn()});
        const auto c = b.add_code("tc", {t::mov64_imm(0, 0), t::exit_insn()});
        b.add_symbol("caller", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(a));
        const auto callee = b.add_symbol("callee", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(c));
        b.add_reloc(a, 0, callee, 10);
        const auto r = parse(b);
        CHECK(fails_with(r, Errc::Relocation, "subprograms must be in .text"));
        CHECK(fails_with(r, Errc::Relocation, "'callee'"));
    }
    SECTION("an unrelocated call to another program in the same section") {
        ElfBuilder b;
        const auto a = b.add_code("xdp", {t::call_pseudo(1), t::exit_insn(), t::mov64_imm(0, 0), t::exit_insn()});
        b.add_symbol("one", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(a));
        b.add_symbol("two", 16, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(a));
        CHECK(fails_with(parse(b), Errc::Relocation, "subprograms must be in .text"));
    }
    SECTION("a call to an offset no function covers") {
        for (std::int32_t imm : {1, 100, -100, 0x7fffffff, -0x7fffffff}) {
            INFO("imm " << imm);
            ElfBuilder b;
            const auto a = b.add_code("xdp", {t::call_pseudo(imm), t::exit_insn(), t::exit_insn()});
            b.add_symbol("prog", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(a));
            CHECK(fails_with(parse(b), Errc::Relocation, "which is not a function"));
        }
    }
    SECTION("a relocated call whose target is data") {
        DataProg d = data_prog();
        ElfBuilder& b = d.b;
        const auto a = b.add_code("tc", {t::call_pseudo(-1), t::exit_insn()});
        b.add_symbol("caller", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(a));
        b.add_reloc(a, 0, d.g, 10);
        CHECK(fails_with(parse(b), Errc::Relocation, "call target is not code"));
    }
    SECTION("a relocated call before the start of .text") {
        ElfBuilder b;
        const auto text_sec = b.add_code(".text", {t::mov64_imm(0, 1), t::exit_insn()});
        const auto a = b.add_code("xdp", {t::call_pseudo(-5), t::exit_insn()});
        b.add_symbol("sub", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(text_sec));
        b.add_symbol("prog", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(a));
        const auto text_sym = b.add_symbol("", 0, 0, elf::STB_LOCAL, elf::STT_SECTION, idx(text_sec));
        b.add_reloc(a, 0, text_sym, 10);
        CHECK(fails_with(parse(b), Errc::Relocation, "before the section start"));
    }
    SECTION("a good static call through the .text section symbol") {
        ElfBuilder b;
        const auto text_sec = b.add_code(".text", {t::mov64_imm(0, 1), t::exit_insn(), t::mov64_imm(0, 2),
                                                   t::exit_insn()});
        const auto a = b.add_code("xdp", {t::call_pseudo(1), t::exit_insn()});  // .text insn 1 + 1 = insn 2
        b.add_symbol("sub1", 0, 16, elf::STB_LOCAL, elf::STT_FUNC, idx(text_sec));
        b.add_symbol("sub2", 16, 16, elf::STB_LOCAL, elf::STT_FUNC, idx(text_sec));
        b.add_symbol("prog", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(a));
        const auto text_sym = b.add_symbol("", 0, 0, elf::STB_LOCAL, elf::STT_SECTION, idx(text_sec));
        b.add_reloc(a, 0, text_sym, 10);
        auto r = parse(b);
        if (!r) FAIL(r.error().message());
        REQUIRE(r->programs.size() == 1);
        const auto& insns = r->programs[0].instructions;
        REQUIRE(insns.size() == 4);
        CHECK(insns[0].imm == 1);  // sub2 appended right after the entry
        CHECK(insns[2] == t::mov64_imm(0, 2));
        CHECK(r->programs[0].entry_instructions == 2);
    }
}

TEST_CASE("other object-level rules", "[object]") {
    SECTION(".maps without BTF") {
        ElfBuilder b = minimal();
        const auto maps = b.add_section(".maps", elf::SHT_PROGBITS, kData, std::vector<std::byte>(32));
        b.add_symbol("my_map", 0, 32, elf::STB_GLOBAL, elf::STT_OBJECT, idx(maps));
        const auto r = parse(b);
        CHECK(fails_with(r, Errc::MalformedObject, ".maps"));
        CHECK(fails_with(r, Errc::MalformedObject, "BTF"));
    }
    SECTION("an unknown SEC() prefix gives an Unspec program") {
        ElfBuilder b;
        const auto sec = b.add_code("my_custom/thing", {t::mov64_imm(0, 0), t::exit_insn()});
        b.add_symbol("custom", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
        auto r = parse(b);
        REQUIRE(r);
        REQUIRE(r->programs.size() == 1);
        CHECK(r->programs[0].type == ProgramType::Unspec);
        CHECK(r->programs[0].section == "my_custom/thing");
        CHECK_FALSE(r->programs[0].expected_attach_type.has_value());
        CHECK(r->programs[0].autoload);
    }
    SECTION("a '?' prefix disables autoload but keeps the type") {
        ElfBuilder b;
        const auto sec = b.add_code("?xdp", {t::mov64_imm(0, 0), t::exit_insn()});
        b.add_symbol("lazy", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
        auto r = parse(b);
        REQUIRE(r);
        REQUIRE(r->programs.size() == 1);
        CHECK(r->programs[0].type == ProgramType::Xdp);
        CHECK(r->programs[0].section == "xdp");
        CHECK_FALSE(r->programs[0].autoload);
    }
    SECTION("a version section of the wrong size") {
        for (std::size_t n : {0u, 3u, 8u}) {
            ElfBuilder b = minimal();
            b.add_section("version", elf::SHT_PROGBITS, kData, std::vector<std::byte>(n));
            CHECK(fails_with(parse(b), Errc::MalformedObject, "section version has " + std::to_string(n) + " bytes"));
        }
    }
    SECTION("a license section that is not PROGBITS") {
        ElfBuilder b;
        const auto sec = b.add_code("xdp", {t::mov64_imm(0, 0), t::exit_insn()});
        b.add_symbol("prog", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
        b.add_nobits("license", 4);
        CHECK(fails_with(parse(b), Errc::MalformedObject, "license"));
    }
    SECTION("a license without a NUL is taken whole") {
        ElfBuilder b;
        const auto sec = b.add_code("xdp", {t::mov64_imm(0, 0), t::exit_insn()});
        b.add_symbol("prog", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, idx(sec));
        b.add_section("license", elf::SHT_PROGBITS, kData, text("GPL"));
        auto r = parse(b);
        REQUIRE(r);
        CHECK(r->license == "GPL");
        CHECK(r->programs[0].license == "GPL");
    }
    SECTION("a data symbol outside its section") {
        DataProg d = data_prog();
        d.b.add_symbol("past", 4, 8, elf::STB_GLOBAL, elf::STT_OBJECT, idx(d.data));
        CHECK(fails_with(parse(d.b), Errc::MalformedObject, "symbol 'past' lies outside section .data"));
    }
    SECTION("a legacy map definition past the end of its section") {
        ElfBuilder b = minimal();
        const auto maps = b.add_section("maps", elf::SHT_PROGBITS, kData, std::vector<std::byte>(20));
        b.add_symbol("m1", 0, 20, elf::STB_GLOBAL, elf::STT_OBJECT, idx(maps));
        b.add_symbol("m2", 4, 20, elf::STB_GLOBAL, elf::STT_OBJECT, idx(maps));
        CHECK(fails_with(parse(b), Errc::MalformedObject, "legacy map 'm2'"));
    }
    SECTION(".BTF in another byte order than the ELF file") {
        ebpf::test::BtfBuilder bb;
        bb.add_int("int", 4);
        const Endian other = ebpf::detail::host_endian() == Endian::Little ? Endian::Big : Endian::Little;
        ElfBuilder b = minimal();
        b.add_section(".BTF", elf::SHT_PROGBITS, 0, bb.build(other));
        CHECK(fails_with(parse(b), Errc::MalformedBtf, "byte order"));
    }
    SECTION("malformed .BTF") {
        ebpf::test::BtfBuilder bb;
        bb.add_ptr(5);  // refers to a type that does not exist: validate() runs on object BTF
        ElfBuilder b = minimal();
        b.add_section(".BTF", elf::SHT_PROGBITS, 0, bb.build());
        const auto r = parse(b);
        CHECK(fails_with(r, Errc::MalformedBtf, "section .BTF"));
        CHECK(fails_with(r, Errc::MalformedBtf, "type id 5"));
        ElfBuilder c = minimal();
        c.add_section(".BTF", elf::SHT_PROGBITS, 0, text("not btf at all, no no no"));
        CHECK(fails_with(parse(c), Errc::MalformedBtf, "magic"));
    }
    SECTION("malformed .BTF.ext") {
        ebpf::test::BtfBuilder bb;
        bb.add_int("int", 4);
        ElfBuilder b = minimal();
        b.add_section(".BTF", elf::SHT_PROGBITS, 0, bb.build());
        b.add_section(".BTF.ext", elf::SHT_PROGBITS, 0, text("garbage!"));
        CHECK(fails_with(parse(b), Errc::MalformedBtf, ".BTF.ext"));
    }
}

namespace {

// An XDP object with BTF for its function and one CO-RE record (type, access string offset, kind) in .BTF.ext.
ElfBuilder core_object(std::uint32_t type, std::int64_t access_off, std::uint32_t kind) {
    ebpf::test::BtfBuilder bb;
    const auto i = bb.add_int("int", 4, ebpf::btf::kIntSigned);
    const auto proto = bb.add_func_proto(i, {});
    const auto func = bb.add_func("prog", proto);
    bb.add_struct("s", 4, {{"a", i, 0}});
    const std::uint32_t sec = bb.str("xdp"), access = bb.str("0:0");
    const Endian e = ebpf::detail::host_endian();
    const std::uint32_t acc = access_off < 0 ? access : static_cast<std::uint32_t>(access_off);
    const std::vector<std::uint32_t> body{8, sec, 1, 0, func,                // func_info block
                                          16, sec, 1, 0, type, acc, kind};  // core_relo block
    std::vector<std::byte> ext;
    t::put16(ext, 0xeB9F, e);
    ext.push_back(std::byte{1});
    ext.push_back(std::byte{0});
    for (std::uint32_t w : {32u, 0u, 20u, 20u, 0u, 20u, 28u}) t::put32(ext, w, e);  // hdr_len, then off/len x3
    ext.resize(32);
    for (std::uint32_t w : body) t::put32(ext, w, e);
    ElfBuilder b = minimal();
    b.add_section(".BTF", elf::SHT_PROGBITS, 0, bb.build());
    b.add_section(".BTF.ext", elf::SHT_PROGBITS, 0, ext);
    return b;
}

}  // namespace

TEST_CASE("CO-RE records in .BTF.ext are checked before use", "[object]") {
    SECTION("a good record is attached to its program") {
        auto r = parse(core_object(4, -1, 0));
        if (!r) FAIL(r.error().message());
        REQUIRE(r->programs.size() == 1);
        const auto& p = r->programs[0];
        REQUIRE(p.core_relocs.size() == 1);
        CHECK(p.core_relocs[0].insn == 0);
        CHECK(p.core_relocs[0].type == 4);
        CHECK(p.core_relocs[0].access == "0:0");
        CHECK(p.core_relocs[0].kind == ebpf::btf::CoreReloKind::FieldByteOffset);
        REQUIRE(p.func_info.size() == 1);
        CHECK(p.func_info[0].type == 3);
    }
    SECTION("type id 0 or past the end") {
        CHECK(fails_with(parse(core_object(0, -1, 0)), Errc::MalformedBtf, "bad type id 0"));
        CHECK(fails_with(parse(core_object(99, -1, 0)), Errc::MalformedBtf, "bad type id 99"));
    }
    SECTION("access string offset outside the strings") {
        CHECK(fails_with(parse(core_object(4, 9999, 0)), Errc::MalformedBtf, "bad access string offset 9999"));
    }
    SECTION("unknown relocation kind") {
        CHECK(fails_with(parse(core_object(4, -1, 13)), Errc::MalformedBtf, "unknown kind 13"));
        CHECK(fails_with(parse(core_object(4, -1, 0xffffffffu)), Errc::MalformedBtf, "unknown kind"));
    }
}

TEST_CASE("map definitions broken inside a real object's BTF", "[object]") {
    for (const char* obj : {"maps.bpf.o", "maps.bpfeb.o"}) {
        INFO(obj);
        const auto orig = real_object(obj);
        REQUIRE(parse(orig));
        SECTION("an unknown attribute") {
            auto m = orig;
            REQUIRE(rename_in_section(m, ".BTF", "max_entries", "max_entriez"));
            const auto r = parse(m);
            CHECK(fails_with(r, Errc::MalformedObject, "unknown attribute 'max_entriez'"));
            CHECK(fails_with(r, Errc::MalformedObject, "map '"));
        }
        SECTION("a misspelt 'values' on a map-in-map") {
            auto m = orig;
            REQUIRE(rename_in_section(m, ".BTF", "values", "valuez"));
            CHECK(fails_with(parse(m), Errc::MalformedObject, "valuez"));
        }
        SECTION("the .maps DATASEC renamed away") {
            auto m = orig;
            REQUIRE(rename_in_section(m, ".BTF", ".maps", ".mapz"));
            CHECK(fails_with(parse(m), Errc::MalformedBtf, ".map"));
        }
    }
}

TEST_CASE("every truncation of a real object fails cleanly", "[object]") {
    for (const char* name : kObjects) {
        for (const char* suffix : {".bpf.o", ".bpfeb.o"}) {
            const std::string file = std::string(name) + suffix;
            INFO(file);
            const auto bytes = real_object(file);
            REQUIRE(parse(bytes));
            std::size_t ok = 0;
            for (std::size_t n = 0; n < bytes.size(); ++n) {
                auto r = ObjectSpec::parse(std::span<const std::byte>(bytes.data(), n));
                if (r) {
                    ++ok;
                    touch(*r);
                } else if (r.error().message().empty()) {
                    FAIL("empty error message at length " << n);
                }
            }
            CHECK(ok == 0);  // clang puts the section headers last: no prefix is a whole object
        }
    }
}

namespace {

// Which bytes of an object to flip: all of the first 4 KiB (ELF header, code, data, .BTF, .BTF.ext), and beyond that
// every byte the object parser reads (symbols, names, relocations of code and maps, section headers). DWARF and its
// relocations are skipped: nothing reads them, and flipping them only costs time under sanitizers.
std::vector<bool> flip_positions(const std::vector<std::byte>& bytes) {
    std::vector<bool> pick(bytes.size(), false);
    for (std::size_t i = 0; i < bytes.size() && i < 4096; ++i) pick[i] = true;
    auto f = elf::File::parse(bytes);
    REQUIRE(f);
    auto mark = [&](std::uint64_t off, std::uint64_t len) {
        for (std::uint64_t i = off; i < off + len && i < bytes.size(); ++i) pick[static_cast<std::size_t>(i)] = true;
    };
    std::uint64_t shoff = 0;
    std::memcpy(&shoff, bytes.data() + 40, 8);
    if (f->endian() != ebpf::detail::host_endian()) shoff = ebpf::detail::byteswap(shoff);
    mark(shoff, f->sections().size() * 64);
    for (const elf::Section& s : f->sections()) {
        const bool dwarf =
            s.name.starts_with(".debug") || s.name.starts_with(".rel.debug") || s.name.starts_with(".llvm");
        if (!dwarf && s.type != elf::SHT_NOBITS) mark(s.offset, s.size);
    }
    return pick;
}

}  // namespace

TEST_CASE("every single-byte flip of a real object is handled", "[object]") {
    const auto start = std::chrono::steady_clock::now();
    std::size_t parses = 0;
    for (const char* name : kObjects) {
        for (const char* suffix : {".bpf.o", ".bpfeb.o"}) {
            const std::string file = std::string(name) + suffix;
            INFO(file);
            const auto orig = real_object(file);
            auto base = parse(orig);
            REQUIRE(base);
            REQUIRE(orig.size() > 4096);
            const std::vector<bool> pick = flip_positions(orig);
            auto m = orig;
            std::size_t errors = 0, values = 0;
            for (std::size_t i = 0; i < orig.size(); ++i) {
                if (!pick[i]) continue;
                m[i] ^= std::byte{0xff};
                auto r = ObjectSpec::parse(m);
                ++parses;
                if (r) {
                    ++values;
                    touch(*r);
                } else {
                    ++errors;
                    if (r.error().message().empty()) FAIL("empty error message after flipping byte " << i);
                }
                m[i] = orig[i];
            }
            CHECK(errors > 0);
            CHECK(values > 0);
        }
    }
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    INFO(parses << " parses in " << ms << " ms");
    CHECK(parses > 10000);
}
