// SPDX-License-Identifier: MIT
// USDT argument specifications for x86_64, aarch64, arm and riscv64: real strings (from the fixtures' notes,
// written by GCC and Clang) and known forms of each architecture, every rejection, and the struct
// __bpf_usdt_spec encoding that <bpf/usdt.bpf.h> reads.
#include <catch2/catch.hpp>

#include <cstring>

#include "elf/file.hpp"
#include "elf/stapsdt.hpp"
#include "elf/uprobe_fixtures.hpp"
#include "object/usdt_args.hpp"
#include "support/expect.hpp"
#include "support/skip.hpp"

using ebpf::Errc;
using ebpf::detail::parse_usdt_args;
using ebpf::detail::UsdtArch;
using ebpf::detail::UsdtArg;
using ebpf::detail::UsdtArgKind;
using ebpf::test::fails_with;

namespace {

UsdtArg one(std::string_view spec, UsdtArch arch) {
    auto r = parse_usdt_args(spec, arch);
    INFO(spec);
    if (!r) FAIL(r.error().message());
    REQUIRE(r->size() == 1);
    return (*r)[0];
}

void check(const UsdtArg& a, UsdtArgKind kind, int size, std::int64_t value, int reg) {
    CHECK(a.kind == kind);
    CHECK(a.size == size);
    CHECK(a.value == value);
    if (kind != UsdtArgKind::Const) CHECK(a.reg_off == reg);
}

}  // namespace

TEST_CASE("x86_64 argument specifications", "[object][usdt]") {
    constexpr auto X = UsdtArch::X86_64;
    check(one("-4@%edi", X), UsdtArgKind::Reg, -4, 0, 112);
    check(one("8@%rax", X), UsdtArgKind::Reg, 8, 0, 80);
    check(one("-2@%dx", X), UsdtArgKind::Reg, -2, 0, 96);
    check(one("1@%cl", X), UsdtArgKind::Reg, 1, 0, 88);
    check(one("1@%sil", X), UsdtArgKind::Reg, 1, 0, 104);
    check(one("2@%r8w", X), UsdtArgKind::Reg, 2, 0, 72);
    check(one("4@%r15d", X), UsdtArgKind::Reg, 4, 0, 0);
    check(one("8@%rsp", X), UsdtArgKind::Reg, 8, 0, 152);
    check(one("8@-8(%rbp)", X), UsdtArgKind::RegDeref, 8, -8, 32);
    check(one("-4@-1204(%rbp)", X), UsdtArgKind::RegDeref, -4, -1204, 32);
    check(one("8@(%rsp)", X), UsdtArgKind::RegDeref, 8, 0, 152);
    check(one("-4@16(%r12)", X), UsdtArgKind::RegDeref, -4, 16, 24);
    check(one("4@$5", X), UsdtArgKind::Const, 4, 5, 0);
    check(one("-4@$-9", X), UsdtArgKind::Const, -4, -9, 0);
    check(one("8@$0x10", X), UsdtArgKind::Const, 8, 16, 0);
    const UsdtArg sib = one("-4@-24(%rsp,%rax,4)", X);
    check(sib, UsdtArgKind::Sib, -4, -24, 152);
    CHECK(sib.index_reg_off == 80);
    CHECK(sib.scale == 4);
    CHECK(one("1@(%rbx,%rcx)", X).scale == 1);
    // A whole GCC -O0 / -O2 specification.
    auto all = parse_usdt_args("-4@%edi -8@%rsi -2@%dx 1@%cl -4@-20(%rbp) 8@$42", X);
    REQUIRE(all);
    REQUIRE(all->size() == 6);
    CHECK((*all)[4].text == "-4@-20(%rbp)");
    CHECK(parse_usdt_args("", X)->empty());
    CHECK(parse_usdt_args("   ", X)->empty());

    CHECK(fails_with(parse_usdt_args("4@%xyz", X), Errc::InvalidArgument, "unknown x86_64 register 'xyz'"));
    CHECK(fails_with(parse_usdt_args("1@%ah", X), Errc::InvalidArgument, "high-byte register"));
    CHECK(fails_with(parse_usdt_args("3@%eax", X), Errc::InvalidArgument, "1, 2, 4 or 8"));
    CHECK(fails_with(parse_usdt_args("4@eax", X), Errc::InvalidArgument, "expected %reg"));
    CHECK(fails_with(parse_usdt_args("4@counter(%rip)", X), Errc::InvalidArgument, "symbolic"));
    CHECK(fails_with(parse_usdt_args("4@(%rip)", X), Errc::InvalidArgument, "%rip-relative"));
    CHECK(fails_with(parse_usdt_args("4@(%rax,%rbx,3)", X), Errc::InvalidArgument, "scale '3'"));
    CHECK(fails_with(parse_usdt_args("%eax", X), Errc::InvalidArgument, "SIZE@LOCATION"));
    CHECK(fails_with(parse_usdt_args("4@", X), Errc::InvalidArgument, "no location"));
    CHECK(fails_with(parse_usdt_args("4@%eax 4@%ebx 4@$x", X), Errc::InvalidArgument, "USDT argument 3 '4@$x'"));
}

TEST_CASE("aarch64 argument specifications", "[object][usdt]") {
    constexpr auto A = UsdtArch::Aarch64;
    check(one("-4@x0", A), UsdtArgKind::Reg, -4, 0, 0);
    check(one("8@x30", A), UsdtArgKind::Reg, 8, 0, 240);
    check(one("4@w3", A), UsdtArgKind::Reg, 4, 0, 24);
    check(one("8@sp", A), UsdtArgKind::Reg, 8, 0, 248);
    check(one("8@[sp, 16]", A), UsdtArgKind::RegDeref, 8, 16, 248);
    check(one("-8@[x29, -8]", A), UsdtArgKind::RegDeref, -8, -8, 232);
    check(one("-4@[x13]", A), UsdtArgKind::RegDeref, -4, 0, 104);
    check(one("4@[x1, #12]", A), UsdtArgKind::RegDeref, 4, 12, 8);
    check(one("4@5", A), UsdtArgKind::Const, 4, 5, 0);
    check(one("-4@-42", A), UsdtArgKind::Const, -4, -42, 0);
    auto all = parse_usdt_args("-4@[x11] -8@[x10] -2@[sp, 8] 1@x8", A);
    REQUIRE(all);
    CHECK(all->size() == 4);
    CHECK((*all)[2].value == 8);
    CHECK(fails_with(parse_usdt_args("8@x31", A), Errc::InvalidArgument, "unknown aarch64 register 'x31'"));
    CHECK(fails_with(parse_usdt_args("8@[x1, x2]", A), Errc::InvalidArgument, "offset 'x2'"));
    CHECK(fails_with(parse_usdt_args("8@[x1", A), Errc::InvalidArgument, "unterminated"));
}

TEST_CASE("arm argument specifications", "[object][usdt]") {
    constexpr auto R = UsdtArch::Arm;
    check(one("4@r0", R), UsdtArgKind::Reg, 4, 0, 0);
    check(one("-4@r12", R), UsdtArgKind::Reg, -4, 0, 48);
    check(one("4@fp", R), UsdtArgKind::Reg, 4, 0, 44);
    check(one("4@lr", R), UsdtArgKind::Reg, 4, 0, 56);
    check(one("4@[fp, #-8]", R), UsdtArgKind::RegDeref, 4, -8, 44);
    check(one("-2@[sp]", R), UsdtArgKind::RegDeref, -2, 0, 52);
    check(one("4@#5", R), UsdtArgKind::Const, 4, 5, 0);
    check(one("-4@#-42", R), UsdtArgKind::Const, -4, -42, 0);
    auto all = parse_usdt_args("-4@[r6] -4@[fp, #-12] -2@[lr] 1@r3", R);
    REQUIRE(all);
    CHECK(all->size() == 4);
    CHECK(fails_with(parse_usdt_args("4@r16", R), Errc::InvalidArgument, "unknown arm register 'r16'"));
    CHECK(fails_with(parse_usdt_args("4@x0", R), Errc::InvalidArgument, "unknown arm register"));
}

TEST_CASE("riscv64 argument specifications", "[object][usdt]") {
    constexpr auto V = UsdtArch::Riscv64;
    check(one("8@a0", V), UsdtArgKind::Reg, 8, 0, 80);
    check(one("-4@a7", V), UsdtArgKind::Reg, -4, 0, 136);
    check(one("8@s11", V), UsdtArgKind::Reg, 8, 0, 216);
    check(one("8@x10", V), UsdtArgKind::Reg, 8, 0, 80);
    check(one("4@8(sp)", V), UsdtArgKind::RegDeref, 4, 8, 16);
    check(one("-8@-88(s0)", V), UsdtArgKind::RegDeref, -8, -88, 64);
    check(one("8@(fp)", V), UsdtArgKind::RegDeref, 8, 0, 64);
    check(one("4@5", V), UsdtArgKind::Const, 4, 5, 0);
    CHECK(fails_with(parse_usdt_args("8@zero", V), Errc::InvalidArgument, "unknown riscv64 register 'zero'"));
    CHECK(fails_with(parse_usdt_args("8@x0", V), Errc::InvalidArgument, "unknown riscv64 register 'x0'"));
    CHECK(fails_with(parse_usdt_args("8@8(q9)", V), Errc::InvalidArgument, "'q9'"));
}

TEST_CASE("argument specifications from real compilers (the fixtures' notes)", "[object][usdt]") {
    const auto fixtures = ebpf::test::built_fixtures();
    if (fixtures.empty()) EBPF_SKIP("no uprobe fixtures in this build (needs zig or <sys/sdt.h>)");
    int decoded = 0;
    for (const auto& fx : fixtures) {
        INFO(fx.name);
        const auto bytes = ebpf::test::read_fixture(fx.path);
        auto f = ebpf::elf::File::parse(bytes);
        REQUIRE(f);
        const auto arch = ebpf::detail::usdt_arch(f->machine(), f->is64());
        auto notes = ebpf::elf::stapsdt_notes(*f);
        REQUIRE(notes);
        for (const auto& n : *notes) {
            INFO(n.name << " '" << n.args << "'");
            if (!arch) continue;  // i386, ppc32: no USDT argument support (as in libbpf)
            auto args = parse_usdt_args(n.args, *arch);
            REQUIRE(args);
            ++decoded;
            if (n.name == "args") {
                REQUIRE(args->size() == 4);
                CHECK((*args)[0].size == -4);
                CHECK(((*args)[1].size == -8 || (*args)[1].size == -4));  // long: 8 bytes, 4 on arm
                CHECK((*args)[2].size == -2);
                CHECK((*args)[3].size == 1);
            } else if (n.name == "konst") {
                REQUIRE(args->size() == 1);
                check((*args)[0], UsdtArgKind::Const, -4, 42, 0);
            }
        }
    }
    CHECK(decoded > 0);
    CHECK_FALSE(ebpf::detail::usdt_arch(3, false));   // i386
    CHECK_FALSE(ebpf::detail::usdt_arch(62, false));  // x32
    CHECK(ebpf::detail::usdt_arch(40, false) == UsdtArch::Arm);
}

TEST_CASE("struct __bpf_usdt_spec as usdt.bpf.h lays it out", "[object][usdt]") {
    using ebpf::detail::Endian;
    auto args = parse_usdt_args("-4@%edi 8@-8(%rbp) 2@$7", UsdtArch::X86_64);
    REQUIRE(args);
    auto spec = ebpf::detail::encode_usdt_spec(*args, 0x1122334455667788ull, Endian::Little);
    REQUIRE(spec);
    const auto u64 = [&](std::size_t off) { std::uint64_t v; std::memcpy(&v, spec->data() + off, 8); return v; };
    const auto u32 = [&](std::size_t off) { std::uint32_t v; std::memcpy(&v, spec->data() + off, 4); return v; };
    const auto s16 = [&](std::size_t off) { std::int16_t v; std::memcpy(&v, spec->data() + off, 2); return v; };
    const auto u8 = [&](std::size_t off) { return static_cast<unsigned>(spec->at(off)); };
    if (ebpf::detail::host_endian() == Endian::Little) {
        // arg 0: register %edi, signed 4 bytes
        CHECK(u64(0) == 0);
        CHECK(u32(8) == 1);  // BPF_USDT_ARG_REG
        CHECK(s16(12) == 112);
        CHECK(u8(14) == 1);
        CHECK(u8(15) == 32);
        // arg 1: -8(%rbp), unsigned 8 bytes
        CHECK(u64(16) == static_cast<std::uint64_t>(-8));
        CHECK(u32(24) == 2);  // BPF_USDT_ARG_REG_DEREF
        CHECK(s16(28) == 32);
        CHECK(u8(30) == 0);
        CHECK(u8(31) == 0);
        // arg 2: constant 7, unsigned 2 bytes
        CHECK(u64(32) == 7);
        CHECK(u32(40) == 0);  // BPF_USDT_ARG_CONST
        CHECK(u8(47) == 48);
        CHECK(u64(192) == 0x1122334455667788ull);
        CHECK(s16(200) == 3);
    }
    auto big = ebpf::detail::encode_usdt_spec(*args, 1, Endian::Big);
    REQUIRE(big);
    CHECK(static_cast<unsigned>(big->at(11)) == 1);   // arg_type, big-endian
    CHECK(static_cast<unsigned>(big->at(13)) == 112); // reg_off low byte last
    CHECK(static_cast<unsigned>(big->at(199)) == 1);  // cookie
    CHECK(static_cast<unsigned>(big->at(201)) == 3);  // arg_cnt

    auto sib = parse_usdt_args("-4@-24(%rsp,%rax,4)", UsdtArch::X86_64);
    REQUIRE(sib);
    CHECK(fails_with(ebpf::detail::encode_usdt_spec(*sib, 0, Endian::Little), Errc::InvalidArgument,
                     "scale-index-base"));
    std::string thirteen;
    for (int i = 0; i < 13; ++i) thirteen += "4@%eax ";
    CHECK(fails_with(parse_usdt_args(thirteen, UsdtArch::X86_64), Errc::InvalidArgument, "more than 12"));
    std::string twelve;
    for (int i = 0; i < 12; ++i) twelve += "4@%eax ";
    auto max = parse_usdt_args(twelve, UsdtArch::X86_64);
    REQUIRE(max);
    CHECK(ebpf::detail::encode_usdt_spec(*max, 0, Endian::Little));
}
