// SPDX-License-Identifier: MIT
// Relocation rules on hand-built objects, checked instruction by instruction: BPF-to-BPF calls (global, static
// via the section symbol, and relative calls with no relocation), callbacks, global data and the layout order.
#include <catch2/catch.hpp>

#include <ebpf/spec.hpp>

#include "elf/file.hpp"
#include "support/elf_builder.hpp"

using namespace ebpf;
using namespace ebpf::test;
namespace E = ebpf::elf;

namespace {

// Builds the object described in the test below, in the given byte order.
std::vector<std::byte> sample_object(detail::Endian endian) {
    ElfBuilder b(endian);
    const auto text = b.add_code(".text", {
        mov64_imm(0, 1), call_pseudo(1), exit_insn(),     // A (global): calls B with a relative immediate
        mov64_imm(0, 2), exit_insn(),                     // B (static)
        ld_imm64_lo(1, 8), ld_imm64_hi(), exit_insn(),    // C (global): &.data + 8 via the section symbol
    });
    const auto prog = b.add_code("syscall", {
        call_pseudo(-1),                                  // -> A (global symbol)
        call_pseudo(4),                                   // -> C (section symbol, imm = index - 1)
        ld_imm64_lo(2, 0), ld_imm64_hi(),                 // &counter
        ld_imm64_lo(3, 24), ld_imm64_hi(),                // callback: B's byte offset in .text
        exit_insn(),
    });
    std::vector<std::byte> data(32, std::byte{0});
    const auto data_sec = b.add_section(".data", E::SHT_PROGBITS, E::SHF_ALLOC | E::SHF_WRITE, data);
    const auto lic = b.add_section("license", E::SHT_PROGBITS, E::SHF_ALLOC | E::SHF_WRITE,
                                   {std::byte{'G'}, std::byte{'P'}, std::byte{'L'}, std::byte{0}});
    (void)lic;
    const auto text_sym = b.add_symbol("", 0, 0, E::STB_LOCAL, E::STT_SECTION, static_cast<std::uint16_t>(text));
    const auto data_sym = b.add_symbol("", 0, 0, E::STB_LOCAL, E::STT_SECTION, static_cast<std::uint16_t>(data_sec));
    b.add_symbol("B", 24, 16, E::STB_LOCAL, E::STT_FUNC, static_cast<std::uint16_t>(text));
    const auto a_sym = b.add_symbol("A", 0, 24, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(text));
    b.add_symbol("C", 40, 24, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(text));
    b.add_symbol("P", 0, 56, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(prog));
    const auto counter = b.add_symbol("counter", 16, 8, E::STB_GLOBAL, E::STT_OBJECT,
                                      static_cast<std::uint16_t>(data_sec));
    b.add_reloc(text, 5 * 8, data_sym);
    b.add_reloc(prog, 0 * 8, a_sym, 10);
    b.add_reloc(prog, 1 * 8, text_sym, 10);
    b.add_reloc(prog, 2 * 8, counter);
    b.add_reloc(prog, 4 * 8, text_sym);
    return b.build();
}

}  // namespace

TEST_CASE("calls, callbacks and data relocations are resolved like libbpf", "[object][relocation]") {
    for (auto endian : {detail::Endian::Little, detail::Endian::Big}) {
        INFO((endian == detail::Endian::Little ? "little-endian" : "big-endian"));
        const auto bytes = sample_object(endian);
        auto spec = ObjectSpec::parse(bytes);
        REQUIRE(spec);
        REQUIRE(spec->programs.size() == 1);
        const ProgramSpec& p = spec->programs[0];
        CHECK(p.name == "P");
        CHECK(p.type == ProgramType::Syscall);
        CHECK(p.license == "GPL");
        // Depth-first layout: P [0,7), A [7,10), B [10,12) (called from A), C [12,15).
        CHECK(p.entry_instructions == 7);
        REQUIRE(p.instructions.size() == 15);
        CHECK(p.instructions[0].imm == 7 - 0 - 1);     // P -> A
        CHECK(p.instructions[8].imm == 10 - 8 - 1);    // A -> B, originally relative
        CHECK(p.instructions[1].imm == 12 - 1 - 1);    // P -> C
        CHECK(p.instructions[4].src == kPseudoFunc);   // callback to B
        CHECK(p.instructions[4].imm == 10 - 4 - 1);
        CHECK(p.instructions[5].imm == 0);
        REQUIRE(p.map_relocs.size() == 2);
        // C is placed (and its relocation recorded) before P's own ld_imm64 is visited.
        const MapReloc& in_c = p.map_relocs[0];
        const MapReloc& in_p = p.map_relocs[1];
        CHECK(spec->maps.at(in_p.map).name == ".data");
        CHECK(in_p.insn == 2);
        CHECK(in_p.kind == MapReloc::Kind::Value);
        CHECK(in_p.offset == 16);
        CHECK(in_c.insn == 12);  // C's ld_imm64, relocated in C's new place
        CHECK(in_c.offset == 8);
        REQUIRE(spec->variables.size() == 1);
        CHECK(spec->variables[0].name == "counter");
        CHECK(spec->variables[0].offset == 16);
    }
}

TEST_CASE("a subprogram is copied into every program that uses it", "[object][relocation]") {
    ElfBuilder b;
    const auto text = b.add_code(".text", {mov64_imm(0, 5), exit_insn()});
    const auto prog = b.add_code("xdp", {call_pseudo(-1), exit_insn(), call_pseudo(-1), exit_insn()});
    const auto s = b.add_symbol("sub", 0, 16, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(text));
    b.add_symbol("one", 0, 16, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(prog));
    b.add_symbol("two", 16, 16, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(prog));
    b.add_reloc(prog, 0, s, 10);
    b.add_reloc(prog, 16, s, 10);
    auto spec = ObjectSpec::parse(b.build());
    REQUIRE(spec);
    REQUIRE(spec->programs.size() == 2);
    for (const ProgramSpec& p : spec->programs) {
        INFO(p.name);
        CHECK(p.type == ProgramType::Xdp);
        REQUIRE(p.instructions.size() == 4);
        CHECK(p.instructions[0].imm == 1);
        CHECK(p.instructions[2].imm == 5);
    }
}

TEST_CASE("recursive subprograms are placed once", "[object][relocation]") {
    ElfBuilder b;
    // rec: r0 = 1; call rec (relative -2 -> itself); exit
    const auto text = b.add_code(".text", {mov64_imm(0, 1), call_pseudo(-2), exit_insn()});
    const auto prog = b.add_code("socket", {call_pseudo(-1), exit_insn()});
    const auto rec = b.add_symbol("rec", 0, 24, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(text));
    b.add_symbol("main_prog", 0, 16, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(prog));
    b.add_reloc(prog, 0, rec, 10);
    auto spec = ObjectSpec::parse(b.build());
    REQUIRE(spec);
    const ProgramSpec& p = spec->programs.at(0);
    REQUIRE(p.instructions.size() == 5);
    CHECK(p.instructions[3].imm == 2 - 3 - 1);  // back to rec at index 2
}

TEST_CASE("relocation errors name the program, instruction and symbol", "[object][relocation]") {
    SECTION("call into another program's section") {
        ElfBuilder b;
        const auto a = b.add_code("xdp", {mov64_imm(0, 0), exit_insn()});
        const auto c = b.add_code("socket", {call_pseudo(-1), exit_insn()});
        const auto target = b.add_symbol("xdp_prog", 0, 16, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(a));
        b.add_symbol("sock_prog", 0, 16, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(c));
        b.add_reloc(c, 0, target, 10);
        auto spec = ObjectSpec::parse(b.build());
        REQUIRE_FALSE(spec);
        CHECK(spec.error().code() == Errc::Relocation);
        const std::string m(spec.error().message());
        CHECK(m.find("sock_prog") != std::string::npos);
        CHECK(m.find(".text") != std::string::npos);
    }
    SECTION("extern without BTF") {
        ElfBuilder b;
        const auto c = b.add_code("socket", {ld_imm64_lo(1, 0), ld_imm64_hi(), exit_insn()});
        b.add_symbol("prog", 0, 24, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(c));
        const auto ext = b.add_symbol("some_extern", 0, 0, E::STB_GLOBAL, E::STT_NOTYPE, 0);
        b.add_reloc(c, 0, ext);
        auto spec = ObjectSpec::parse(b.build());
        REQUIRE_FALSE(spec);
        const std::string m(spec.error().message());
        CHECK(m.find("some_extern") != std::string::npos);
        CHECK(m.find("BTF") != std::string::npos);
    }
    SECTION("data relocation past the end of the section") {
        ElfBuilder b;
        const auto c = b.add_code("socket", {ld_imm64_lo(1, 64), ld_imm64_hi(), exit_insn()});
        const auto d = b.add_section(".data", E::SHT_PROGBITS, 3, std::vector<std::byte>(8));
        b.add_symbol("prog", 0, 24, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(c));
        const auto ds = b.add_symbol("", 0, 0, E::STB_LOCAL, E::STT_SECTION, static_cast<std::uint16_t>(d));
        b.add_reloc(c, 0, ds);
        auto spec = ObjectSpec::parse(b.build());
        REQUIRE_FALSE(spec);
        CHECK(spec.error().code() == Errc::Relocation);
        const std::string m(spec.error().message());
        CHECK(m.find("instruction 0") != std::string::npos);
        CHECK(m.find(".data") != std::string::npos);
    }
    SECTION("relocation on an instruction that cannot take one") {
        ElfBuilder b;
        const auto c = b.add_code("socket", {mov64_imm(0, 0), exit_insn()});
        const auto d = b.add_section(".data", E::SHT_PROGBITS, 3, std::vector<std::byte>(8));
        b.add_symbol("prog", 0, 16, E::STB_GLOBAL, E::STT_FUNC, static_cast<std::uint16_t>(c));
        const auto ds = b.add_symbol("", 0, 0, E::STB_LOCAL, E::STT_SECTION, static_cast<std::uint16_t>(d));
        b.add_reloc(c, 0, ds);
        auto spec = ObjectSpec::parse(b.build());
        REQUIRE_FALSE(spec);
        CHECK(std::string(spec.error().message()).find("opcode 0xb7") != std::string::npos);
    }
}
