// SPDX-License-Identifier: MIT
// elf::function_symbols / find_function / match_functions on real libraries of several architectures (GNU
// versions from .gnu.version_d, local symbols, IFUNCs, ARM Thumb addresses), and the choice rules on hand-made
// symbol lists.
#include <catch2/catch.hpp>

#include <algorithm>

#include "elf/file.hpp"
#include "elf/symbol_lookup.hpp"
#include "elf/uprobe_fixtures.hpp"
#include "support/expect.hpp"
#include "support/skip.hpp"

namespace elf = ebpf::elf;
using ebpf::Errc;
using ebpf::test::fails_with;

namespace {

// The .symtab value of a symbol by its exact name (independent of the code under test).
std::optional<std::uint64_t> raw_symbol(const elf::File& f, std::string_view name) {
    auto syms = f.symbols();
    if (!syms) return std::nullopt;
    for (const auto& s : *syms)
        if (s.name == name) return s.value;
    return std::nullopt;
}

}  // namespace

TEST_CASE("functions of real libraries: versions, locals, IFUNCs, Thumb", "[elf][uprobe]") {
    const auto fixtures = ebpf::test::built_fixtures();
    if (fixtures.empty()) EBPF_SKIP("no uprobe fixtures in this build (needs zig or <sys/sdt.h>)");
    for (const auto& fx : fixtures) {
        INFO(fx.name << ": " << fx.path);
        const auto bytes = ebpf::test::read_fixture(fx.path);
        auto f = elf::File::parse(bytes);
        REQUIRE(f);
        auto syms = elf::function_symbols(*f);
        REQUIRE(syms);

        auto fire = elf::find_function(*syms, "ebpf_fixture_fire", fx.path);
        REQUIRE(fire);
        CHECK(fire->name == "ebpf_fixture_fire");
        CHECK(fire->version.empty());
        const auto raw = raw_symbol(*f, "ebpf_fixture_fire");
        REQUIRE(raw);
        CHECK(fire->address == (fx.machine == elf::EM_ARM ? (*raw & ~1ull) : *raw));
        if (fx.machine == elf::EM_ARM) CHECK((*raw & 1) == 1);  // a Thumb function
        CHECK(fire->size > 0);

        // A local function is found through .symtab.
        auto local = elf::find_function(*syms, "ebpf_fixture_local", fx.path);
        REQUIRE(local);
        CHECK(local->bind == elf::STB_LOCAL);
        CHECK(local->source == elf::SymbolSource::Symtab);

        // The IFUNC's symbol is its resolver.
        CHECK(fails_with(elf::find_function(*syms, "ebpf_fixture_ifunc", fx.path), Errc::InvalidArgument, "IFUNC"));

        // Missing: the message names the function, the file and the tables.
        auto none = elf::find_function(*syms, "no_such_function", fx.path);
        CHECK(fails_with(none, Errc::NotFound, "function 'no_such_function' not found in"));
        CHECK(fails_with(none, Errc::NotFound, "(.dynsym, .symtab searched)"));

        if (fx.pie) {
            // Two versions of one name: the default wins, either can be asked for.
            auto dflt = elf::find_function(*syms, "ebpf_fixture_versioned", fx.path);
            REQUIRE(dflt);
            CHECK(dflt->version == "EBPF_2");
            CHECK(dflt->default_version);
            CHECK(dflt->display() == "ebpf_fixture_versioned@@EBPF_2");
            auto v1 = elf::find_function(*syms, "ebpf_fixture_versioned@EBPF_1", fx.path);
            REQUIRE(v1);
            CHECK_FALSE(v1->default_version);
            CHECK(v1->address != dflt->address);
            auto v2 = elf::find_function(*syms, "ebpf_fixture_versioned@@EBPF_2", fx.path);
            REQUIRE(v2);
            CHECK(v2->address == dflt->address);
            auto wrong = elf::find_function(*syms, "ebpf_fixture_versioned@@EBPF_1", fx.path);
            CHECK(fails_with(wrong, Errc::NotFound, "; it has "));  // what the file has instead
            CHECK(fails_with(wrong, Errc::NotFound, "ebpf_fixture_versioned@EBPF_1"));
            CHECK(fails_with(wrong, Errc::NotFound, "ebpf_fixture_versioned@@EBPF_2"));
            CHECK(fails_with(elf::find_function(*syms, "ebpf_fixture_versioned@EBPF_9", fx.path), Errc::NotFound,
                             "ebpf_fixture_versioned@EBPF_9"));
        }

        // Globs: every fixture function by address, the IFUNC left out.
        const auto all = elf::match_functions(*syms, "ebpf_fixture_*");
        std::vector<std::string> names;
        for (const auto& s : all) names.push_back(s.display());
        INFO("matched: " << [&] { std::string j; for (auto& n : names) j += n + " "; return j; }());
        CHECK(std::count(names.begin(), names.end(), "ebpf_fixture_fire") == 1);
        CHECK(std::count(names.begin(), names.end(), "ebpf_fixture_local") == 1);
        CHECK(std::count(names.begin(), names.end(), "ebpf_fixture_ifunc") == 0);
        CHECK(std::is_sorted(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.name < b.name; }));
        CHECK(elf::match_functions(*syms, "nothing_*").empty());
        CHECK(elf::match_functions(*syms, "ebpf_fixture_fir?").size() == 1);
    }
}

TEST_CASE("symbol choice: binding, versions, ambiguity", "[elf][uprobe]") {
    auto sym = [](std::string_view name, std::uint64_t addr, std::uint8_t bind, std::string_view ver = {},
                  bool dflt = true) {
        elf::FunctionSymbol s;
        s.name = name;
        s.address = addr;
        s.bind = bind;
        s.version = ver;
        s.default_version = dflt;
        return s;
    };
    const std::vector<elf::FunctionSymbol> syms = {
        sym("f", 0x100, elf::STB_LOCAL),  sym("f", 0x200, elf::STB_GLOBAL),          // global beats local
        sym("g", 0x300, elf::STB_WEAK),   sym("g", 0x400, elf::STB_LOCAL),           // weak beats local
        sym("h", 0x500, elf::STB_GLOBAL), sym("h", 0x600, elf::STB_GLOBAL),          // two globals: ambiguous
        sym("k", 0x700, elf::STB_LOCAL),  sym("k", 0x700, elf::STB_LOCAL),           // same address: fine
        sym("v", 0x800, elf::STB_GLOBAL, "V1", false), sym("v", 0x900, elf::STB_GLOBAL, "V2", true),
    };
    CHECK(elf::find_function(syms, "f", "t")->address == 0x200);
    CHECK(elf::find_function(syms, "g", "t")->address == 0x300);
    auto h = elf::find_function(syms, "h", "lib.so");
    CHECK(fails_with(h, Errc::InvalidArgument, "ambiguous in lib.so"));
    CHECK(fails_with(h, Errc::InvalidArgument, "h at 0x500, h at 0x600"));
    CHECK(elf::find_function(syms, "k", "t")->address == 0x700);
    CHECK(elf::find_function(syms, "v", "t")->address == 0x900);
    CHECK(elf::find_function(syms, "v@V1", "t")->address == 0x800);
    CHECK(elf::find_function(syms, "v@V2", "t")->address == 0x900);
    CHECK_FALSE(elf::find_function(syms, "v@@V1", "t"));
    CHECK_FALSE(elf::find_function(syms, "", "t"));

    const auto n = elf::parse_symbol_name("malloc@@GLIBC_2.2.5");
    CHECK(n.name == "malloc");
    CHECK(n.version == "GLIBC_2.2.5");
    CHECK(n.default_only);
    CHECK_FALSE(elf::parse_symbol_name("malloc@GLIBC_2.2.5").default_only);
    CHECK(elf::parse_symbol_name("malloc").version.empty());
}

TEST_CASE("globs match like libbpf's", "[elf][uprobe]") {
    using elf::symbol_glob_match;
    CHECK(symbol_glob_match("*", ""));
    CHECK(symbol_glob_match("*", "anything"));
    CHECK(symbol_glob_match("ab*", "abc"));
    CHECK(symbol_glob_match("*bc", "abc"));
    CHECK(symbol_glob_match("a*c", "abbbc"));
    CHECK(symbol_glob_match("a?c", "abc"));
    CHECK_FALSE(symbol_glob_match("a?c", "ac"));
    CHECK(symbol_glob_match("*a*b*", "xxaxxbxx"));
    CHECK_FALSE(symbol_glob_match("*a*b", "xxaxxbxx"));
    CHECK(symbol_glob_match("exact", "exact"));
    CHECK_FALSE(symbol_glob_match("exact", "exactly"));
    CHECK_FALSE(symbol_glob_match("", "x"));
    // Backtracking stays linear enough for long names.
    const std::string long_name(5000, 'a');
    CHECK_FALSE(symbol_glob_match("*a*a*a*a*b", long_name));
}
