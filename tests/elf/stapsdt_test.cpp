// SPDX-License-Identifier: MIT
// elf::stapsdt_notes on real binaries of several architectures and ELF classes (the notes <sys/sdt.h> leaves),
// .stapsdt.base adjustment, and hostile note sections.
#include <catch2/catch.hpp>

#include <map>

#include "elf/file.hpp"
#include "elf/stapsdt.hpp"
#include "elf/uprobe_fixtures.hpp"
#include "support/skip.hpp"

namespace elf = ebpf::elf;
using ebpf::Errc;

namespace {

bool inside(const elf::Section* s, std::uint64_t addr) { return s && addr >= s->addr && addr - s->addr < s->size; }

}  // namespace

TEST_CASE("SDT notes of real binaries: providers, names, sites, semaphores, arguments", "[elf][uprobe]") {
    const auto fixtures = ebpf::test::built_fixtures();
    if (fixtures.empty()) EBPF_SKIP("no uprobe fixtures in this build (needs zig or <sys/sdt.h>)");
    // The argument strings zig 0.11's clang 16 writes at -O2 (what a real compiler emits, pinned by the zig
    // version tools/cross/setup-zig.sh installs).
    const std::map<std::string, std::string> clang_args = {
        {"aarch64", "-4@[x11] -8@[x10] -2@[x9] 1@[x8]"},
        {"riscv64", "-4@a0 -8@a1 -2@a2 1@a3"},
    };
    for (const auto& fx : fixtures) {
        INFO(fx.name << ": " << fx.path);
        const auto bytes = ebpf::test::read_fixture(fx.path);
        auto f = elf::File::parse(bytes);
        REQUIRE(f);
        auto notes = elf::stapsdt_notes(*f);
        REQUIRE(notes);
        REQUIRE(notes->size() == 4);  // args, konst, twice (two sites)
        std::map<std::string, int> count;
        const elf::Section* probes = f->find_section(".probes");
        const auto base = elf::stapsdt_base(*f);
        for (const auto& n : *notes) {
            INFO(n.provider << ":" << n.name << " args '" << n.args << "'");
            CHECK(n.provider == "ebpf_fixture");
            ++count[std::string(n.name)];
            const std::uint64_t pc = elf::stapsdt_adjust(n.pc, n, base, f->is64());
            // The site is inside a function's code: an executable section.
            bool in_text = false;
            for (const auto& s : f->sections())
                in_text = in_text || ((s.flags & elf::SHF_EXECINSTR) && inside(&s, pc));
            CHECK(in_text);
            // Every probe of the fixture has a semaphore in .probes.
            CHECK(inside(probes, elf::stapsdt_adjust(n.semaphore, n, base, f->is64())));
            if (n.name == "konst") CHECK(n.args.find("42") != std::string_view::npos);
            if (n.name == "args") {
                CHECK(std::count(n.args.begin(), n.args.end(), '@') == 4);
                const std::string arch = fx.name;
                if (auto it = clang_args.find(arch); it != clang_args.end()) CHECK(n.args == it->second);
            }
        }
        CHECK(count["args"] == 1);
        CHECK(count["konst"] == 1);
        CHECK(count["twice"] == 2);
        // Not prelinked: where a base is recorded, it is the section's address (nothing moves).
        for (const auto& n : *notes)
            if (base && n.base) CHECK(n.base == *base);
    }
}

TEST_CASE("stapsdt addresses move with a prelinked .stapsdt.base, wrapping at the address size", "[elf][uprobe]") {
    elf::StapsdtNote n;
    n.base = 0x1000;
    CHECK(elf::stapsdt_adjust(0x1234, n, 0x5000, true) == 0x5234);
    CHECK(elf::stapsdt_adjust(0x5234, n, 0x1000, true) == 0x5234);  // same base
    n.base = 0x5000;
    CHECK(elf::stapsdt_adjust(0x5234, n, 0x1000, true) == 0x1234);  // moved down
    CHECK(elf::stapsdt_adjust(0, n, 0x1000, true) == 0);            // no semaphore stays none
    CHECK(elf::stapsdt_adjust(0x5234, n, std::nullopt, true) == 0x5234);
    n.base = 0xfffff000;
    CHECK(elf::stapsdt_adjust(0xfffff010, n, 0x1000, false) == 0x1010);  // ELF32 wraps at 32 bits
    n.base = 0;
    CHECK(elf::stapsdt_adjust(0x1234, n, 0x9000, true) == 0x1234);  // nothing recorded: nothing to adjust
}

TEST_CASE("hostile .note.stapsdt sections are refused without reading outside", "[elf][uprobe]") {
    const auto fixtures = ebpf::test::built_fixtures();
    if (fixtures.empty()) EBPF_SKIP("no uprobe fixtures in this build (needs zig or <sys/sdt.h>)");
    for (const auto& fx : fixtures) {
        INFO(fx.name);
        const auto bytes = ebpf::test::read_fixture(fx.path);
        auto f = elf::File::parse(bytes);
        REQUIRE(f);
        const elf::Section* sec = f->find_section(".note.stapsdt");
        REQUIRE(sec);
        const std::size_t at = static_cast<std::size_t>(sec->offset);
        const auto put32 = [&](std::vector<std::byte>& b, std::size_t off, std::uint32_t v) {
            for (int i = 0; i < 4; ++i) {
                const int shift = fx.endian == ebpf::detail::Endian::Little ? 8 * i : 8 * (3 - i);
                b[off + i] = std::byte(static_cast<std::uint8_t>(v >> shift));
            }
        };
        // A description size running past the section.
        auto big = bytes;
        put32(big, at + 4, 0x7fffffff);
        auto fb = elf::File::parse(big);
        REQUIRE(fb);
        auto rb = elf::stapsdt_notes(*fb);
        REQUIRE_FALSE(rb);
        CHECK(rb.error().code() == Errc::MalformedElf);
        // A description too short for its three addresses.
        auto small = bytes;
        put32(small, at + 4, 4);
        if (auto fs = elf::File::parse(small)) CHECK_FALSE(elf::stapsdt_notes(*fs));
        // Every byte of the section flipped in turn: an answer or an error, never a crash.
        for (std::size_t i = 0; i < sec->size; ++i) {
            auto flipped = bytes;
            flipped[at + i] ^= std::byte{0xff};
            if (auto ff = elf::File::parse(flipped)) (void)elf::stapsdt_notes(*ff);
        }
    }
}
