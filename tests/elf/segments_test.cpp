// SPDX-License-Identifier: MIT
// elf::program_headers and vaddr_to_offset on real executables and libraries of several architectures (ELF32 and
// ELF64, both byte orders), checked against the section headers, and on broken program header tables.
#include <catch2/catch.hpp>

#include <cstring>

#include "elf/file.hpp"
#include "elf/segments.hpp"
#include "elf/uprobe_fixtures.hpp"
#include "support/skip.hpp"

namespace elf = ebpf::elf;
using ebpf::Errc;

TEST_CASE("program headers of real binaries translate addresses like the section headers do", "[elf][uprobe]") {
    std::string missing;
    const auto fixtures = ebpf::test::built_fixtures(&missing);
    if (fixtures.empty()) EBPF_SKIP("no uprobe fixtures in this build (needs zig or <sys/sdt.h>): " << missing);
    if (!missing.empty()) WARN("fixtures not built here: " << missing);
    for (const auto& fx : fixtures) {
        INFO(fx.name << ": " << fx.path);
        const auto bytes = ebpf::test::read_fixture(fx.path);
        auto f = elf::File::parse(bytes);
        REQUIRE(f);
        CHECK(f->is64() == fx.elf64);
        CHECK(f->machine() == fx.machine);
        CHECK(f->endian() == fx.endian);
        CHECK(f->type() == (fx.pie ? elf::ET_DYN : elf::ET_EXEC));
        auto segs = elf::program_headers(*f);
        REQUIRE(segs);
        REQUIRE_FALSE(segs->empty());
        bool exec = false;
        for (const auto& s : *segs) exec = exec || (s.type == elf::PT_LOAD && s.executable());
        CHECK(exec);
        // Every allocated section with file bytes: its address maps to its offset, and its last byte too.
        for (const elf::Section& s : f->sections()) {
            if (!(s.flags & elf::SHF_ALLOC) || s.type == elf::SHT_NOBITS || s.size == 0) continue;
            INFO("section " << s.name);
            CHECK(elf::vaddr_to_offset(*segs, s.addr) == s.offset);
            CHECK(elf::vaddr_to_offset(*segs, s.addr + s.size - 1) == s.offset + s.size - 1);
            const elf::Segment* seg = elf::find_load_segment(*segs, s.addr);
            REQUIRE(seg != nullptr);
            if (s.flags & elf::SHF_EXECINSTR) CHECK(seg->executable());
        }
        // .bss has memory but no file bytes; far addresses have neither.
        if (const elf::Section* bss = f->find_section(".bss"); bss && bss->size) {
            CHECK(elf::find_load_segment(*segs, bss->addr) != nullptr);
            CHECK_FALSE(elf::vaddr_to_offset(*segs, bss->addr + bss->size - 1));
        }
        CHECK_FALSE(elf::vaddr_to_offset(*segs, fx.elf64 ? 0xffff'ffff'0000'0000ull : 0xfff0'0000ull));
    }
}

TEST_CASE("broken program header tables are refused, truncated files never read outside", "[elf][uprobe]") {
    const auto fixtures = ebpf::test::built_fixtures();
    if (fixtures.empty()) EBPF_SKIP("no uprobe fixtures in this build (needs zig or <sys/sdt.h>)");
    for (const auto& fx : fixtures) {
        INFO(fx.name);
        const auto bytes = ebpf::test::read_fixture(fx.path);
        auto good = elf::File::parse(bytes);
        REQUIRE(good);
        const std::size_t phoff_at = fx.elf64 ? 32 : 28, phentsize_at = fx.elf64 ? 54 : 42;
        // e_phoff past the end.
        auto far = bytes;
        for (std::size_t i = 0; i < (fx.elf64 ? 8u : 4u); ++i) far[phoff_at + i] = std::byte{0x7f};
        auto f1 = elf::File::parse(far);
        REQUIRE(f1);
        auto r1 = elf::program_headers(*f1);
        REQUIRE_FALSE(r1);
        CHECK(r1.error().code() == Errc::MalformedElf);
        // A wrong entry size.
        auto size = bytes;
        size[phentsize_at] = std::byte{0x11};
        size[phentsize_at + 1] = std::byte{0};
        auto f2 = elf::File::parse(size);
        REQUIRE(f2);
        CHECK_FALSE(elf::program_headers(*f2));
        // Truncations: whatever parses must answer without reading outside the buffer (ASan builds check).
        for (std::size_t len = 0; len < bytes.size(); len += 1 + len / 8) {
            const std::span<const std::byte> cut(bytes.data(), len);
            if (auto f = elf::File::parse(cut)) (void)elf::program_headers(*f);
        }
    }
}
