// SPDX-License-Identifier: MIT
// UprobeBinary: file offsets of functions, addresses and USDT sites in real executables and libraries (ELF32 and
// ELF64, PIE and fixed-address, both byte orders), checked against the section headers.
#include <catch2/catch.hpp>

#include "elf/file.hpp"
#include "elf/uprobe_fixtures.hpp"
#include "object/uprobe_binary.hpp"
#include "support/expect.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"

namespace elf = ebpf::elf;
using ebpf::Errc;
using ebpf::detail::UprobeBinary;
using ebpf::test::fails_with;

namespace {

// The file offset of a virtual address through the section that holds it (not the program headers).
std::optional<std::uint64_t> by_section(const elf::File& f, std::uint64_t addr) {
    for (const auto& s : f.sections())
        if ((s.flags & elf::SHF_ALLOC) && s.type != elf::SHT_NOBITS && addr >= s.addr && addr - s.addr < s.size)
            return s.offset + (addr - s.addr);
    return std::nullopt;
}

}  // namespace

TEST_CASE("uprobe offsets of functions and USDT sites in real binaries", "[object][uprobe]") {
    const auto fixtures = ebpf::test::built_fixtures();
    if (fixtures.empty()) EBPF_SKIP("no uprobe fixtures in this build (needs zig or <sys/sdt.h>)");
    for (const auto& fx : fixtures) {
        INFO(fx.name << ": " << fx.path);
        const auto bytes = ebpf::test::read_fixture(fx.path);
        auto b = UprobeBinary::parse(bytes, fx.path);
        REQUIRE(b);
        auto f = elf::File::parse(bytes);
        REQUIRE(f);
        CHECK(b->position_independent() == fx.pie);
        CHECK(b->elf64() == fx.elf64);

        auto fire = b->function("ebpf_fixture_fire");
        REQUIRE(fire);
        CHECK(fire->name == "ebpf_fixture_fire");
        CHECK(by_section(*f, fire->address) == fire->offset);
        auto plus = b->function("ebpf_fixture_fire+0x4");
        REQUIRE(plus);
        CHECK(plus->offset == fire->offset + 4);
        CHECK(fails_with(b->function("ebpf_fixture_fire+100000"), Errc::InvalidArgument, "beyond the end"));
        CHECK(fails_with(b->function("nope"), Errc::NotFound, "(.dynsym, .symtab searched)"));
        CHECK(b->address_offset(fire->address).value_or(0) == fire->offset);
        CHECK(fails_with(b->address_offset(1), Errc::NotFound, "address at 0x1"));
        if (fx.pie) {
            auto v = b->function("ebpf_fixture_versioned");
            REQUIRE(v);
            CHECK(v->name == "ebpf_fixture_versioned@@EBPF_2");
        }

        auto matched = b->match("ebpf_fixture_*");
        REQUIRE(matched);
        CHECK(matched->size() >= 5);
        for (const auto& m : *matched) CHECK(by_section(*f, m.address) == m.offset);
        CHECK(fails_with(b->match("zzz*"), Errc::NotFound, "no function matching 'zzz*'"));

        auto sites = b->usdt_sites();
        REQUIRE(sites);
        REQUIRE(sites->size() == 4);
        const elf::Section* probes = f->find_section(".probes");
        REQUIRE(probes);
        for (const auto& s : *sites) {
            INFO(s.provider << ":" << s.name);
            CHECK(by_section(*f, s.address) == s.offset);
            REQUIRE(s.semaphore_address != 0);
            CHECK(s.semaphore_address >= probes->addr);
            CHECK(s.semaphore_offset == probes->offset + (s.semaphore_address - probes->addr));
            // The site lies inside ebpf_fixture_fire or ebpf_fixture_twice.
            if (s.name == "args" || s.name == "konst") {
                CHECK(s.address >= fire->address);
                CHECK(s.address < fire->address + 4096);
            }
        }
    }
}

TEST_CASE("uprobe binaries: what is refused", "[object][uprobe]") {
    // A relocatable object (a BPF object here) has no program headers to place uprobes with.
    const auto obj = ebpf::test::read_obj("globals.bpf.o");
    CHECK(fails_with(UprobeBinary::parse(obj, "globals.bpf.o"), Errc::InvalidArgument,
                     "neither an executable nor a shared library"));
    const std::vector<std::byte> junk(100, std::byte{0x41});
    CHECK(fails_with(UprobeBinary::parse(junk, "junk"), Errc::MalformedElf, "junk"));
    // Function+offset splitting.
    using ebpf::detail::split_function_offset;
    CHECK(split_function_offset("main")->offset == 0);
    CHECK(split_function_offset("main+16")->offset == 16);
    CHECK(split_function_offset("main+0x10")->function == "main");
    CHECK(split_function_offset("operator+")->function == "operator+");
    CHECK(split_function_offset("f+zz")->function == "f+zz");
    CHECK_FALSE(split_function_offset("f+0x1ffffffffffffffff"));
}

// lld (zig) gives RELRO its own writable PT_LOAD segment whose last file page is also the first page of the data
// segment holding .probes; the kernel resolves a ref_ctr_offset through the first writable mapping of the page, so
// it would raise the counter inside the RELRO segment. GNU ld puts both in one segment: no alias.
TEST_CASE("USDT semaphores in a file page that an earlier writable segment also maps", "[object][uprobe][usdt]") {
    const auto fixtures = ebpf::test::built_fixtures();
    if (fixtures.empty()) EBPF_SKIP("no uprobe fixtures in this build (needs zig or <sys/sdt.h>)");
    for (const auto& fx : fixtures) {
        INFO(fx.name << ": " << fx.path);
        const auto bytes = ebpf::test::read_fixture(fx.path);
        auto b = UprobeBinary::parse(bytes, fx.path);
        REQUIRE(b);
        CHECK(b->loader_applies_relro() == fx.pie);  // the fixtures: shared objects, or one static executable
        auto sites = b->usdt_sites();
        REQUIRE(sites);
        // Independently: the writable PT_LOAD segments below the semaphore's own, by file page.
        for (const auto& s : *sites) {
            INFO(s.provider << ":" << s.name);
            std::uint64_t expected = 0;
            bool relro = false;
            for (const auto& g : b->segments()) {
                if (g.type != elf::PT_LOAD || !(g.flags & elf::PF_W) || g.vaddr >= s.semaphore_address) continue;
                if (s.semaphore_address < g.vaddr + g.memsz) continue;  // its own segment
                const std::uint64_t first = g.offset / 4096 * 4096, end = (g.offset + g.filesz + 4095) / 4096 * 4096;
                if (s.semaphore_offset >= first && s.semaphore_offset < end)
                    expected = g.vaddr / 4096 * 4096 + (s.semaphore_offset - first);
            }
            for (const auto& r : b->segments())
                if (expected && r.type == elf::PT_GNU_RELRO && expected >= r.vaddr / 4096 * 4096 &&
                    expected / 4096 * 4096 + 4096 <= (r.vaddr + r.memsz) / 4096 * 4096)
                    relro = true;
            CHECK(s.semaphore_alias == expected);
            CHECK(s.semaphore_alias_relro == relro);
            if (std::string_view(fx.name).find("GNU ld") != std::string_view::npos) CHECK(s.semaphore_alias == 0);
            if (std::string_view(fx.name) == "x86_64 (zig)") {
                CHECK(s.semaphore_alias != 0);  // lld's layout: the case this check exists for
                CHECK(s.semaphore_alias_relro);
            }
        }
    }
}
