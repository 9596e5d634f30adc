// SPDX-License-Identifier: MIT
// The log record decoder and the call-site table on hand-built bytes (no kernel): formatting, and every way a
// record or table can be wrong, each reported with what is wrong.
#include <catch2/catch.hpp>

#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include <ebpf/log.hpp>

using namespace ebpf;

namespace {

enum : std::uint8_t { I32 = 1, U32 = 2, I64 = 3, U64 = 4, PTR = 5, STR = 6, HEX = 7, IP4 = 8, IP6 = 9, MAC = 10 };

struct SiteDef {
    std::uint32_t id;
    std::string format;
    std::uint8_t nargs;
    std::uint8_t level = 3;
    std::string file = "prog.bpf.c";
    std::uint32_t line = 7;
};

template <class T>
void put(std::vector<std::byte>& b, T v) {
    const auto* p = reinterpret_cast<const std::byte*>(&v);
    b.insert(b.end(), p, p + sizeof v);
}

// .rodata.ebpf_log as ebpf_log.h lays it out.
std::vector<std::byte> table(std::initializer_list<SiteDef> sites) {
    std::vector<std::byte> b;
    for (const SiteDef& s : sites) {
        put<std::uint32_t>(b, 0x53474c45);
        put<std::uint32_t>(b, s.id);
        put<std::uint32_t>(b, s.line);
        put<std::uint8_t>(b, s.level);
        put<std::uint8_t>(b, s.nargs);
        put<std::uint16_t>(b, static_cast<std::uint16_t>(s.file.size() + 1));
        put<std::uint16_t>(b, static_cast<std::uint16_t>(s.format.size() + 1));
        put<std::uint16_t>(b, 0);
        for (char c : s.file) b.push_back(static_cast<std::byte>(c));
        b.push_back(std::byte{0});
        for (char c : s.format) b.push_back(static_cast<std::byte>(c));
        b.push_back(std::byte{0});
        while (b.size() % 4) b.push_back(std::byte{0});
    }
    return b;
}

struct Arg {
    std::uint8_t tag;
    std::uint64_t value = 0;
    std::vector<std::byte> data{};  // for blobs: value becomes offset | len << 16 (unless `raw`)
    bool raw = false;
};

Arg i32(std::int32_t v) { return {I32, static_cast<std::uint64_t>(static_cast<std::int64_t>(v))}; }
Arg u32(std::uint32_t v) { return {U32, v}; }
Arg i64(std::int64_t v) { return {I64, static_cast<std::uint64_t>(v)}; }
Arg u64(std::uint64_t v) { return {U64, v}; }
Arg bytes(std::uint8_t tag, std::initializer_list<int> v) {
    Arg a{tag};
    for (int x : v) a.data.push_back(static_cast<std::byte>(x));
    return a;
}
Arg str(const std::string& s) {
    Arg a{STR};
    for (char c : s) a.data.push_back(static_cast<std::byte>(c));
    return a;
}

// A record as ebpf_log.h writes it: header, tags padded to 8, values, then blob data.
std::vector<std::byte> record(std::uint32_t site, const std::vector<Arg>& args) {
    const std::size_t n = args.size();
    const std::size_t data = 16 + ((n + 7) & ~std::size_t{7}) + 8 * n;
    std::vector<std::byte> b(data);
    std::size_t end = data;
    std::vector<std::uint64_t> values;
    for (const Arg& a : args) {
        std::uint64_t v = a.value;
        if (!a.data.empty() || (!a.raw && (a.tag == STR || a.tag == HEX || a.tag == IP6 || a.tag == MAC))) {
            v = end | (a.data.size() << 16);
            b.insert(b.end(), a.data.begin(), a.data.end());
            end += a.data.size();
        }
        values.push_back(v);
    }
    const std::uint16_t magic = 0xEB10;
    std::memcpy(b.data(), &magic, 2);
    b[2] = std::byte{1};
    b[3] = static_cast<std::byte>(n);
    std::memcpy(b.data() + 4, &site, 4);
    const auto size = static_cast<std::uint32_t>(b.size());
    std::memcpy(b.data() + 8, &size, 4);
    for (std::size_t i = 0; i < n; ++i) {
        b[16 + i] = static_cast<std::byte>(args[i].tag);
        std::memcpy(b.data() + 16 + ((n + 7) & ~std::size_t{7}) + 8 * i, &values[i], 8);
    }
    return b;
}

// Formats `args` with `format` through a one-site table.
Result<std::string> fmt(const std::string& format, const std::vector<Arg>& args) {
    auto sites = LogSites::parse(table({{1, format, static_cast<std::uint8_t>(args.size())}}));
    REQUIRE(sites);
    std::string out = "stale";
    auto r = format_log_record(record(1, args), *sites, out);
    if (!r) {
        CHECK(out.empty());
        return std::move(r).error();
    }
    return out;
}

std::string error_of(const Result<std::string>& r) {
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::InvalidArgument);
    return std::string(r.error().message());
}

}  // namespace

TEST_CASE("integers: conversions, length modifiers, flags, width and precision", "[log]") {
    CHECK(*fmt("%d %i %u %x %X", {i32(-42), i32(7), u32(42), u32(0xbeef), u32(0xbeef)}) == "-42 7 42 beef BEEF");
    CHECK(*fmt("%ld %lu %lld %llx", {i64(-5000000000), u64(18000000000000000000u), i64(-1), u64(0xf00)}) ==
          "-5000000000 18000000000000000000 -1 f00");
    CHECK(*fmt("%hd %hu %hhd %hhx %hhu", {i32(-3), u32(70000), i32(200), u32(0x1ff), i32(258)}) == "-3 4464 -56 ff 2");
    CHECK(*fmt("%d %u", {u32(4000000000u), i32(-1)}) == "-294967296 4294967295");  // as printf reinterprets
    CHECK(*fmt("[%5d] [%-5d] [%05d] [%#x] [%#X] [%+d] [% d] [%.3d] [%8.3x]",
               {i32(42), i32(42), i32(42), u32(255), u32(255), i32(7), i32(7), i32(5), u32(10)}) ==
          "[   42] [42   ] [00042] [0xff] [0XFF] [+7] [ 7] [005] [     00a]");
    CHECK(*fmt("%c%c%c [%3c] [%-3c]", {i32('a'), i32('b'), i32('c'), i32('x'), i32('y')}) == "abc [  x] [y  ]");
    CHECK(*fmt("100%% %d%%", {i32(5)}) == "100% 5%");
    CHECK(*fmt("no conversions", {}) == "no conversions");
    CHECK(*fmt("", {}) == "");
}

TEST_CASE("strings, pointers, addresses and bytes", "[log]") {
    CHECK(*fmt("'%s' '%.2s' '%6s' '%-6s' '%s'", {str("ebpf"), str("ebpf"), str("ebpf"), str("ebpf"), str("")}) ==
          "'ebpf' 'eb' '  ebpf' 'ebpf  ' ''");
    CHECK(*fmt("%s", {str(std::string("ab\0cd", 5))}) == "ab");  // stops at a NUL, as C does
    CHECK(*fmt("%p %p %10p", {{PTR, 0x1234}, {PTR, 0}, {PTR, 0xff}}) == "0x1234 0x0       0xff");
    std::uint32_t ip;
    const unsigned char raw_ip[4] = {192, 168, 0, 1};
    std::memcpy(&ip, raw_ip, 4);
    CHECK(*fmt("%pI4 [%-12pI4]", {{IP4, ip}, {IP4, ip}}) == "192.168.0.1 [192.168.0.1 ]");
    CHECK(*fmt("%pM", {bytes(MAC, {0x02, 0, 0x5e, 0x10, 0xaa, 0xff})}) == "02:00:5e:10:aa:ff");
    CHECK(*fmt("%ph|%phC|%phD|%phN|%ph", {bytes(HEX, {0xde, 0xad}), bytes(HEX, {0xde, 0xad}), bytes(HEX, {0xde, 0xad}),
                                          bytes(HEX, {0xde, 0xad}), bytes(HEX, {})}) ==
          "de ad|de:ad|de-ad|dead|");
    // A string or bytes the BPF side could not read.
    CHECK(*fmt("'%s' '%ph'", {{STR, 1ull << 32, {}, true}, {HEX, 1ull << 32, {}, true}}) == "'(fault)' '(fault)'");
}

TEST_CASE("IPv6: all groups, and the RFC 5952 form", "[log]") {
    auto v6 = [](std::initializer_list<int> b) { return bytes(IP6, b); };
    const auto doc = v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1});
    CHECK(*fmt("%pI6", {doc}) == "2001:0db8:0000:0000:0000:0000:0000:0001");
    CHECK(*fmt("%pI6c", {doc}) == "2001:db8::1");
    CHECK(*fmt("%pI6c", {v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})}) == "::");
    CHECK(*fmt("%pI6c", {v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})}) == "::1");
    CHECK(*fmt("%pI6c", {v6({0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})}) == "1::");
    // The longest run wins; on a tie the first; a single zero group stays.
    CHECK(*fmt("%pI6c", {v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1})}) == "2001:db8::1:0:0:1");
    CHECK(*fmt("%pI6c", {v6({0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1})}) == "2001::1:0:0:1:1");
    CHECK(*fmt("%pI6c", {v6({0x20, 0x01, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1})}) == "2001:0:0:1::1");
    CHECK(*fmt("%pI6c", {v6({0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1})}) == "2001:db8:0:1:1:1:1:1");
    CHECK(*fmt("%pI6c", {v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4})}) == "::ffff:1.2.3.4");
}

TEST_CASE("arguments that do not fit their conversion", "[log]") {
    CHECK(error_of(fmt("%d", {i64(5)})).find("argument 1: %d takes a 32-bit integer, the record has a 64-bit "
                                             "integer (use %ld)") != std::string::npos);
    CHECK(error_of(fmt("%lx", {u32(5)})).find("argument 1: %lx takes a 64-bit integer, the record has an unsigned "
                                              "32-bit integer (use %x)") != std::string::npos);
    CHECK(error_of(fmt("%s", {i32(5)})).find("%s takes a string, the record has a 32-bit integer") != std::string::npos);
    CHECK(error_of(fmt("%p", {str("x")})).find("cast it to void * for %p") != std::string::npos);
    CHECK(error_of(fmt("%pM", {bytes(HEX, {1, 2, 3, 4, 5, 6})})).find("wrap the pointer in EBPF_MAC()") != std::string::npos);
    CHECK(error_of(fmt("%pM", {bytes(MAC, {1, 2, 3})})).find("a MAC address (EBPF_MAC) must be 6 bytes, the record "
                                                              "has 3") != std::string::npos);
    CHECK(error_of(fmt("%pI6", {bytes(IP6, {1, 2})})).find("must be 16 bytes") != std::string::npos);
    CHECK(error_of(fmt("%d", {{99, 0}})).find("argument 1: unknown type tag 99") != std::string::npos);
    // Values the BPF side cannot have written.
    CHECK(error_of(fmt("%d", {{I32, 0x100000000ull}})).find("a 32-bit integer holding 0x100000000") != std::string::npos);
    CHECK(error_of(fmt("%u", {{U32, ~0ull}})).find("holding 0xffffffffffffffff") != std::string::npos);
    CHECK(error_of(fmt("%pI4", {{IP4, 1ull << 40}})).find("an IPv4 address holding") != std::string::npos);
    CHECK(error_of(fmt("%s", {{STR, 1ull << 40, {}, true}})).find("has unknown bits set") != std::string::npos);
    // Counts.
    CHECK(error_of(fmt("%d", {i32(1), i32(2)})).find("1 conversion, the record has 2 arguments") != std::string::npos);
    CHECK(error_of(fmt("%d %d", {i32(1)})).find("%d is conversion 2, the record has 1 argument") != std::string::npos);
    CHECK(error_of(fmt("x %d", {})).find("%d is conversion 1, the record has 0 arguments") != std::string::npos);
}

TEST_CASE("formats the decoder refuses", "[log]") {
    CHECK(error_of(fmt("%q", {i32(1)})).find("unknown conversion '%q' at offset 0") != std::string::npos);
    CHECK(error_of(fmt("a %", {i32(1)})).find("a conversion cut off by the end of the format at offset 2") !=
          std::string::npos);
    CHECK(error_of(fmt("%*d", {i32(1)})).find("'*'") != std::string::npos);
    CHECK(error_of(fmt("%zu", {u64(1)})).find("length modifier 'z'") != std::string::npos);
    CHECK(error_of(fmt("%999d", {i32(1)})).find("a field width above 255") != std::string::npos);
    CHECK(error_of(fmt("%.999s", {str("x")})).find("a precision above 255") != std::string::npos);
    CHECK(error_of(fmt("%#d", {i32(1)})).find("the '#' flag only applies to %x and %X") != std::string::npos);
    CHECK(error_of(fmt("%+u", {u32(1)})).find("'+' and ' ' flags only apply to %d and %i") != std::string::npos);
    CHECK(error_of(fmt("%05s", {str("x")})).find("the '0' flag only applies to integer conversions") != std::string::npos);
    CHECK(error_of(fmt("%lc", {i64(1)})).find("length modifiers only apply") != std::string::npos);
    CHECK(error_of(fmt("%.2p", {{PTR, 1}})).find("a precision only applies") != std::string::npos);
    CHECK(error_of(fmt("%pX", {{PTR, 1}})).find("unknown pointer extension '%pX'") != std::string::npos);
    CHECK(error_of(fmt("%pI5", {{IP4, 1}})).find("%pI not followed by 4 or 6") != std::string::npos);
    CHECK(*fmt("%p.", {{PTR, 1}}) == "0x1.");
}

TEST_CASE("records with a broken header or layout", "[log]") {
    auto sites = LogSites::parse(table({{1, "%s %d", 2}, {2, "none", 0}}));
    REQUIRE(sites);
    std::string out;
    auto err = [&](const std::vector<std::byte>& rec) {
        auto r = format_log_record(rec, *sites, out);
        REQUIRE_FALSE(r);
        CHECK(out.empty());
        return std::string(r.error().message());
    };
    const std::vector<std::byte> good = record(1, {str("ab"), i32(3)});
    REQUIRE(format_log_record(good, *sites, out));
    CHECK(out == "ab 3");

    CHECK(err(std::vector<std::byte>(good.begin(), good.begin() + 10)) ==
          "malformed log record: truncated: 10 bytes, the header alone is 16");
    auto bad_magic = good;
    bad_magic[0] = std::byte{0};
    CHECK(err(bad_magic).find("magic 0xeb00, expected 0xeb10: not a log record") != std::string::npos);
    auto bad_version = good;
    bad_version[2] = std::byte{2};
    CHECK(err(bad_version).find("version 2; this decoder reads version 1") != std::string::npos);
    // The header claims more than the record holds: cut the record, keep the header.
    const std::vector<std::byte> cut(good.begin(), good.end() - 1);
    CHECK(err(cut).find("the header says 42 bytes, the record has 41") != std::string::npos);
    auto many = good;
    many[3] = std::byte{200};
    CHECK(err(many).find("200 arguments need") != std::string::npos);
    auto unknown = good;
    unknown[4] = std::byte{9};
    CHECK(err(unknown).find("unknown call site 9 (the object has 2 log sites") != std::string::npos);
    CHECK(err(record(2, {i32(1)})).find("call site 2 (prog.bpf.c:7) passes 0 arguments, the record has 1") !=
          std::string::npos);
    // A string that points outside the record, or into the tags and values.
    auto outside = good;
    const std::uint64_t far = 40 | (20ull << 16);
    std::memcpy(outside.data() + 24, &far, 8);
    CHECK(err(outside).find("argument 1 (a string) for %s: 20 bytes at offset 40 are outside the record's data") !=
          std::string::npos);
    auto overlap = good;
    const std::uint64_t low = 8 | (2ull << 16);
    std::memcpy(overlap.data() + 24, &low, 8);
    CHECK(err(overlap).find("outside the record's data (offsets 40 to 42)") != std::string::npos);
    // Trailing bytes after the used size are ignored (the BPF side reserves room for the longest strings).
    auto longer = good;
    longer.resize(good.size() + 64);
    REQUIRE(format_log_record(longer, *sites, out));
    CHECK(out == "ab 3");
}

TEST_CASE("call-site tables: parsing and what is wrong with a bad one", "[log]") {
    auto t = table({{5, "b %d", 1, 4}, {2, "a", 0, 1, "x.c", 99}});
    auto sites = LogSites::parse(t);
    REQUIRE(sites);
    REQUIRE(sites->sites().size() == 2);
    CHECK(sites->sites()[0].id == 2);  // sorted by id
    const LogSite* s = sites->find(5);
    REQUIRE(s);
    CHECK(s->format == "b %d");
    CHECK(s->level == LogLevel::Debug);
    CHECK(s->nargs == 1);
    CHECK(sites->find(2)->file == "x.c");
    CHECK(sites->find(2)->line == 99);
    CHECK(sites->find(3) == nullptr);
    // Empty and padding-only tables have no sites.
    CHECK(LogSites::parse({})->sites().empty());
    CHECK(LogSites::parse(std::vector<std::byte>(12))->sites().empty());

    auto err = [](const std::vector<std::byte>& b) {
        auto r = LogSites::parse(b);
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == Errc::InvalidArgument);
        return std::string(r.error().message());
    };
    auto junk = t;
    junk[0] = std::byte{1};
    CHECK(err(junk) == "log sites: entry at offset 0: starts with 0x53474c01, not the site magic 0x53474c45");
    CHECK(err(std::vector<std::byte>(t.begin(), t.begin() + 12)).find("truncated: 12 bytes left") != std::string::npos);
    CHECK(err(std::vector<std::byte>(t.begin(), t.begin() + 24)).find("site 5: truncated") != std::string::npos);
    auto level = t;
    level[12] = std::byte{9};
    CHECK(err(level).find("site 5: level 9 is not 1 (error) to 5 (trace)") != std::string::npos);
    auto no_nul = t;
    no_nul[20 + 10] = std::byte{'x'};  // the file name's NUL ("prog.bpf.c" is 10 characters)
    CHECK(err(no_nul).find("not NUL-terminated") != std::string::npos);
    CHECK(err(table({{1, "a", 0}, {1, "b", 0}})).find("site id 1 appears twice") != std::string::npos);
    auto trailing = t;
    trailing.push_back(std::byte{7});
    CHECK(err(trailing).find("trailing bytes") != std::string::npos);
}

TEST_CASE("log levels have names", "[log]") {
    CHECK(to_string(LogLevel::Error) == "ERROR");
    CHECK(to_string(LogLevel::Trace) == "TRACE");
    CHECK(to_string(static_cast<LogLevel>(9)) == "?");
}
