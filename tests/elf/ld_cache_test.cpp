// SPDX-License-Identifier: MIT
// /etc/ld.so.cache in its three shapes (built here byte by byte), the dynamic loader's search order, hostile
// caches, and this machine's own cache where it has one.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

#include "elf/ld_cache.hpp"
#include "elf/symbol_lookup.hpp"
#include "support/expect.hpp"

namespace elf = ebpf::elf;
using ebpf::Errc;
using ebpf::test::fails_with;

namespace {

struct Lib {
    std::string name, path;
    std::int32_t flags;
    std::uint64_t hwcap = 0;
};

void put(std::vector<std::byte>& b, std::size_t off, const void* p, std::size_t n) {
    if (b.size() < off + n) b.resize(off + n);
    std::memcpy(b.data() + off, p, n);
}
template <class T>
void put(std::vector<std::byte>& b, std::size_t off, T v) {
    put(b, off, &v, sizeof v);
}

// The new format at `start` of `b`; strings follow the entries, offsets from `start`.
void write_new(std::vector<std::byte>& b, std::size_t start, const std::vector<Lib>& libs, std::uint8_t flags = 0) {
    put(b, start, "glibc-ld.so.cache1.1", 20);
    put<std::uint32_t>(b, start + 20, static_cast<std::uint32_t>(libs.size()));
    put<std::uint8_t>(b, start + 28, flags);
    std::size_t str = 48 + libs.size() * 24;
    std::string strings;
    for (std::size_t i = 0; i < libs.size(); ++i) {
        const std::size_t e = start + 48 + i * 24;
        put<std::int32_t>(b, e, libs[i].flags);
        put<std::uint32_t>(b, e + 4, static_cast<std::uint32_t>(str + strings.size()));
        strings += libs[i].name + '\0';
        put<std::uint32_t>(b, e + 8, static_cast<std::uint32_t>(str + strings.size()));
        strings += libs[i].path + '\0';
        put<std::uint64_t>(b, e + 16, libs[i].hwcap);
    }
    put<std::uint32_t>(b, start + 24, static_cast<std::uint32_t>(strings.size()));
    put(b, start + str, strings.data(), strings.size());
}

std::vector<std::byte> new_cache(const std::vector<Lib>& libs, std::uint8_t flags = 0) {
    std::vector<std::byte> b;
    write_new(b, 0, libs, flags);
    return b;
}

// The old format; with `compat`, a new table follows at the next 8-byte boundary (glibc 2.2 to 2.31).
std::vector<std::byte> old_cache(const std::vector<Lib>& libs, const std::vector<Lib>* compat = nullptr) {
    std::vector<std::byte> b;
    put(b, 0, "ld.so-1.7.0\0", 12);
    put<std::uint32_t>(b, 12, static_cast<std::uint32_t>(libs.size()));
    const std::size_t end = 16 + libs.size() * 12;
    std::string strings;
    for (std::size_t i = 0; i < libs.size(); ++i) {
        const std::size_t e = 16 + i * 12;
        put<std::int32_t>(b, e, libs[i].flags);
        put<std::uint32_t>(b, e + 4, static_cast<std::uint32_t>(strings.size()));
        strings += libs[i].name + '\0';
        put<std::uint32_t>(b, e + 8, static_cast<std::uint32_t>(strings.size()));
        strings += libs[i].path + '\0';
    }
    if (compat) {
        write_new(b, (end + 7) & ~std::size_t{7}, *compat);
    } else {
        put(b, end, strings.data(), strings.size());
    }
    return b;
}

constexpr std::int32_t kX8664 = 0x0303, kI386 = 0x0003, kAarch64 = 0x0a03;

}  // namespace

TEST_CASE("ld.so.cache: the new, old and compat formats", "[elf][uprobe]") {
    const std::vector<Lib> libs = {{"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", kX8664},
                                   {"libc.so.6", "/lib/i386-linux-gnu/libc.so.6", kI386},
                                   {"libz.so.1", "/lib/x86_64-linux-gnu/libz.so.1", kX8664, 0}};
    for (const auto& [shape, bytes] : {std::pair<const char*, std::vector<std::byte>>{"new", new_cache(libs)},
                                       {"old", old_cache(libs)}}) {
        INFO(shape);
        auto c = elf::parse_ld_cache(bytes);
        REQUIRE(c);
        REQUIRE(c->size() == 3);
        CHECK((*c)[0].name == "libc.so.6");
        CHECK((*c)[1].path == "/lib/i386-linux-gnu/libc.so.6");
        CHECK((*c)[2].flags == kX8664);
    }
    // Compat: the old table is ignored in favour of the new one after it.
    const std::vector<Lib> old_libs = {{"libold.so", "/old/libold.so", 1}};
    const auto compat_bytes = old_cache(old_libs, &libs);  // the entries are views into these bytes
    auto compat = elf::parse_ld_cache(compat_bytes);
    REQUIRE(compat);
    REQUIRE(compat->size() == 3);
    CHECK((*compat)[0].path == "/lib/x86_64-linux-gnu/libc.so.6");
    // A cache that says it has the other byte order (or is invalid) is refused.
    const std::uint8_t other = ebpf::detail::host_endian() == ebpf::detail::Endian::Little ? 3 : 2;
    CHECK(fails_with(elf::parse_ld_cache(new_cache(libs, other)), Errc::MalformedElf, "byte order"));
    CHECK(fails_with(elf::parse_ld_cache(new_cache(libs, 1)), Errc::MalformedElf, "byte order"));
    CHECK(elf::parse_ld_cache(new_cache(libs, other == 3 ? 2 : 3)));
}

TEST_CASE("ld.so.cache: hostile bytes are refused, never read outside", "[elf][uprobe]") {
    CHECK(fails_with(elf::parse_ld_cache({}), Errc::MalformedElf, "unknown format"));
    const std::vector<Lib> libs = {{"libc.so.6", "/lib/libc.so.6", kX8664}, {"libm.so.6", "/lib/libm.so.6", kX8664}};
    for (const auto& bytes : {new_cache(libs), old_cache(libs), old_cache(libs, &libs)}) {
        for (std::size_t len = 0; len < bytes.size(); ++len)
            (void)elf::parse_ld_cache(std::span<const std::byte>(bytes.data(), len));
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            auto flipped = bytes;
            flipped[i] ^= std::byte{0xff};
            (void)elf::parse_ld_cache(flipped);
        }
    }
    auto huge = new_cache(libs);
    const std::uint32_t n = 0x10000000;
    std::memcpy(huge.data() + 20, &n, 4);
    CHECK(fails_with(elf::parse_ld_cache(huge), Errc::MalformedElf, "entries do not fit"));
}

TEST_CASE("library search: LD_LIBRARY_PATH, then the cache, then the default directories", "[elf][uprobe]") {
    const std::vector<Lib> libs = {
        {"libc.so.6", "/lib/i386-linux-gnu/libc.so.6", kI386},
        {"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6", kX8664},
        {"libfoo.so", "/usr/lib/glibc-hwcaps/x86-64-v3/libfoo.so", kX8664, (1ull << 62) | 1},
        {"libfoo.so", "/usr/lib/x86_64-linux-gnu/libfoo.so", kX8664},
        {"libarm.so", "/lib/aarch64-linux-gnu/libarm.so", kAarch64},
    };
    const auto cache_bytes = new_cache(libs);  // the parsed cache views these bytes
    auto parsed = elf::parse_ld_cache(cache_bytes);
    REQUIRE(parsed);
    std::set<std::string> files = {"/lib/i386-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6",
                                   "/usr/lib/x86_64-linux-gnu/libfoo.so", "/usr/lib/glibc-hwcaps/x86-64-v3/libfoo.so",
                                   "/opt/two/libc.so.6", "/usr/lib/libonly.so", "/lib/aarch64-linux-gnu/libarm.so"};
    const std::vector<std::string> dirs = {"/lib/x86_64-linux-gnu", "/usr/lib"};
    elf::LibrarySearch s;
    s.cache = *parsed;
    s.machine = elf::EM_X86_64;
    s.elf64 = true;
    s.default_dirs = dirs;
    s.exists = [&](const std::string& p) { return files.count(p) != 0; };

    auto r = elf::find_library("libc.so.6", s);
    CHECK(r.path == "/lib/x86_64-linux-gnu/libc.so.6");  // the x86_64 entry, not the i386 one

    s.ld_library_path = "/opt/one:/opt/two";
    r = elf::find_library("libc.so.6", s);
    CHECK(r.path == "/opt/two/libc.so.6");
    CHECK(r.searched.at(0) == "LD_LIBRARY_PATH /opt/one");
    s.ld_library_path = "";

    CHECK(elf::find_library("libfoo.so", s).path == "/usr/lib/x86_64-linux-gnu/libfoo.so");  // baseline over hwcaps
    CHECK(elf::find_library("libonly.so", s).path == "/usr/lib/libonly.so");                 // default directory
    CHECK_FALSE(elf::find_library("libarm.so", s).path);  // another architecture's entry
    auto missing = elf::find_library("libnope.so", s);
    CHECK_FALSE(missing.path);
    CHECK(missing.searched == std::vector<std::string>{"ld.so.cache", "/lib/x86_64-linux-gnu", "/usr/lib"});

    s.machine = elf::EM_386;
    s.elf64 = false;
    CHECK(elf::find_library("libc.so.6", s).path == "/lib/i386-linux-gnu/libc.so.6");

    CHECK(elf::ld_cache_flags_match(kAarch64, elf::EM_AARCH64, true));
    CHECK_FALSE(elf::ld_cache_flags_match(kX8664, elf::EM_AARCH64, true));
    CHECK(elf::ld_cache_flags_match(0x0903, elf::EM_ARM, false));
    CHECK(elf::ld_cache_flags_match(0x1003, elf::EM_RISCV, true));
    CHECK_FALSE(elf::ld_cache_flags_match(0x0300, elf::EM_X86_64, true));  // not an ELF library
}

TEST_CASE("this machine's /etc/ld.so.cache parses and names its C library", "[elf][uprobe]") {
    std::ifstream in("/etc/ld.so.cache", std::ios::binary);
    if (!in) {
        WARN("no /etc/ld.so.cache here (a musl or static system): nothing to check");
        return;
    }
    std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> bytes(c.size());
    std::memcpy(bytes.data(), c.data(), c.size());
    auto cache = elf::parse_ld_cache(bytes);
    REQUIRE(cache);
    CHECK_FALSE(cache->empty());
#if defined(__x86_64__) && defined(__GLIBC__)
    bool libc = false;
    for (const auto& e : *cache)
        libc = libc || (e.name == "libc.so.6" && elf::ld_cache_flags_match(e.flags, elf::EM_X86_64, true));
    CHECK(libc);
#endif
}
