// SPDX-License-Identifier: MIT
// BTF fixups before load (lib/object/btf_fixup.cpp): global .text functions with hidden or internal visibility get
// static FUNC linkage, as libbpf does, so the verifier checks them in their caller's context. Entry programs,
// local functions and default-visibility globals keep their linkage.
#include <catch2/catch.hpp>

#include <string>

#include <ebpf/spec.hpp>

#include "elf/file.hpp"
#include "support/btf_builder.hpp"
#include "support/elf_builder.hpp"
#include "support/objects.hpp"

using namespace ebpf;
using namespace ebpf::test;
namespace E = ebpf::elf;

namespace {

ObjectSpec parse_file(const std::string& file) {
    const auto bytes = read_obj(file);
    REQUIRE_FALSE(bytes.empty());
    auto spec = ObjectSpec::parse(bytes, {.name = file});
    if (!spec) FAIL(std::string(spec.error().message()));
    return std::move(*spec);
}

// Linkage of the (only) BTF FUNC with this name in the spec's fixed-up BTF.
std::uint32_t func_linkage(const ObjectSpec& s, std::string_view name) {
    REQUIRE(s.btf);
    std::optional<std::uint32_t> linkage;
    for (btf::TypeId id = 1; id < s.btf->type_count(); ++id) {
        const btf::Type t = s.btf->type_or_void(id);
        if (t.kind() != btf::Kind::Func || t.name() != name) continue;
        REQUIRE_FALSE(linkage);
        linkage = t.linkage();
    }
    INFO("FUNC " << std::string(name));
    REQUIRE(linkage);
    return *linkage;
}

}  // namespace

TEST_CASE("hidden global subprograms get static BTF linkage (clang-built object)", "[object]") {
    for (const char* file : {"hidden_subprog.bpf.o", "hidden_subprog.bpfeb.o"}) {
        INFO(file);
        const ObjectSpec s = parse_file(file);
        CHECK(func_linkage(s, "scale_into") == btf::kFuncStatic);  // GLOBAL HIDDEN in .text
        CHECK(func_linkage(s, "add_into") == btf::kFuncStatic);    // WEAK HIDDEN in .text
        CHECK(func_linkage(s, "checked_add") == btf::kFuncGlobal);  // GLOBAL DEFAULT: verified on its own
        CHECK(func_linkage(s, "hidden_calls") == btf::kFuncGlobal);
        CHECK(func_linkage(s, "hidden_entry") == btf::kFuncGlobal);  // hidden, but an entry program
        // The func_info of the program still names the (now static) FUNCs of its subprograms.
        const ProgramSpec* p = s.program("hidden_calls");
        REQUIRE(p);
        CHECK(p->func_info.size() == 4);
        REQUIRE(s.program("hidden_entry"));
        CHECK(s.programs.size() == 2);
    }
}

TEST_CASE("usdt.bpf.h's hidden helpers get static BTF linkage", "[object]") {
    if (read_obj("usdt_args.bpf.o").empty()) {
        WARN("usdt_args.bpf.o was not built (no <bpf/usdt.bpf.h>): skipped");
        return;
    }
    const ObjectSpec s = parse_file("usdt_args.bpf.o");
    for (const char* f : {"bpf_usdt_arg", "bpf_usdt_arg_cnt", "bpf_usdt_cookie"})
        CHECK(func_linkage(s, f) == btf::kFuncStatic);
    CHECK(func_linkage(s, "on_usdt") == btf::kFuncGlobal);
}

TEST_CASE("which functions count as hidden subprograms (hand-built object)", "[object]") {
    for (const auto endian : {detail::Endian::Little, detail::Endian::Big}) {
        INFO((endian == detail::Endian::Big ? "big" : "little") << "-endian");
        BtfBuilder bb;
        const auto i32 = bb.add_int("int", 4, btf::kIntSigned);
        const auto proto = bb.add_func_proto(i32, {});
        // clang writes the C linkage into BTF: every one of these is global there.
        const auto f_hidden = bb.add_func("f_hidden", proto);
        const auto f_internal = bb.add_func("f_internal", proto);
        const auto f_local = bb.add_func("f_local", proto);
        const auto f_default = bb.add_func("f_default", proto);
        const auto f_protected = bb.add_func("f_protected", proto);
        const auto prog_hidden = bb.add_func("prog_hidden", proto);
        const auto f_static = bb.add_func("f_static", proto, btf::kFuncStatic);

        ElfBuilder b(endian);
        const std::vector<Instruction> ret0{mov64_imm(0, 0), exit_insn()};
        std::vector<Instruction> text;
        for (int i = 0; i < 6; ++i) text.insert(text.end(), ret0.begin(), ret0.end());
        const auto t = static_cast<std::uint16_t>(b.add_code(".text", text));
        const auto x = static_cast<std::uint16_t>(b.add_code("xdp", ret0));
        b.add_section("license", E::SHT_PROGBITS, E::SHF_ALLOC | E::SHF_WRITE,
                      {std::byte{'G'}, std::byte{'P'}, std::byte{'L'}, std::byte{0}});
        b.add_section(".BTF", E::SHT_PROGBITS, 0, bb.build(endian));
        b.add_symbol("f_hidden", 0, 16, E::STB_GLOBAL, E::STT_FUNC, t, E::STV_HIDDEN);
        b.add_symbol("f_internal", 16, 16, E::STB_GLOBAL, E::STT_FUNC, t, E::STV_INTERNAL);
        b.add_symbol("f_local", 32, 16, E::STB_LOCAL, E::STT_FUNC, t, E::STV_HIDDEN);
        b.add_symbol("f_default", 48, 16, E::STB_GLOBAL, E::STT_FUNC, t, E::STV_DEFAULT);
        b.add_symbol("f_protected", 64, 16, E::STB_GLOBAL, E::STT_FUNC, t, E::STV_PROTECTED);
        b.add_symbol("f_static", 80, 16, E::STB_WEAK, E::STT_FUNC, t, E::STV_HIDDEN);
        b.add_symbol("prog_hidden", 0, 16, E::STB_GLOBAL, E::STT_FUNC, x, E::STV_HIDDEN);
        auto spec = ObjectSpec::parse(b.build(), {.name = "hand-built"});
        if (!spec) FAIL(std::string(spec.error().message()));
        REQUIRE(spec->btf);
        auto linkage = [&](btf::TypeId id) { return spec->btf->type_or_void(id).linkage(); };
        CHECK(linkage(f_hidden) == btf::kFuncStatic);
        CHECK(linkage(f_internal) == btf::kFuncStatic);
        CHECK(linkage(f_local) == btf::kFuncGlobal);      // a local symbol is not rewritten (libbpf: sym_global)
        CHECK(linkage(f_default) == btf::kFuncGlobal);
        CHECK(linkage(f_protected) == btf::kFuncGlobal);  // only hidden and internal visibility count
        CHECK(linkage(prog_hidden) == btf::kFuncGlobal);  // entry programs keep their linkage
        CHECK(linkage(f_static) == btf::kFuncStatic);     // already static: unchanged
        // Only the linkage changes: kind, name and prototype stay.
        const btf::Type h = spec->btf->type_or_void(f_hidden);
        CHECK(h.kind() == btf::Kind::Func);
        CHECK(h.name() == "f_hidden");
        CHECK(h.type() == proto);
        CHECK_FALSE(h.kind_flag());
    }
}

TEST_CASE("a DATASEC that claims more than its ELF section cannot stretch a variable past it", "[object]") {
    // A linked object states its DATASEC sizes; a lying one (the linker fuzzer's 64 MiB .bss around a 268-byte
    // section) must not let a variable reach past the section's bytes, here or in what the linker writes.
    auto build = [](std::uint32_t datasec_size, std::uint32_t var_size) {
        BtfBuilder bb;
        const auto i32 = bb.add_int("int", 4, btf::kIntSigned);
        const auto x = bb.add_var("x", i32);
        bb.add_datasec(".data", datasec_size, {{x, 0, var_size}});
        ElfBuilder b;
        const auto d = static_cast<std::uint16_t>(
            b.add_section(".data", E::SHT_PROGBITS, E::SHF_ALLOC | E::SHF_WRITE, std::vector<std::byte>(16)));
        b.add_section("license", E::SHT_PROGBITS, E::SHF_ALLOC | E::SHF_WRITE,
                      {std::byte{'G'}, std::byte{'P'}, std::byte{'L'}, std::byte{0}});
        b.add_section(".BTF", E::SHT_PROGBITS, 0, bb.build());
        b.add_symbol("x", 8, 4, E::STB_GLOBAL, E::STT_OBJECT, d);
        return ObjectSpec::parse(b.build(), {.name = "datasec.o"});
    };
    CHECK(build(0, 4));    // clang's: size and offsets left to the loader
    CHECK(build(16, 8));   // a linked object's: [8, +8) fits the 16 bytes
    auto lying = build(64u << 20, 64);
    REQUIRE_FALSE(lying);
    CHECK(lying.error().code() == Errc::MalformedBtf);
    CHECK(std::string(lying.error().message()).find("BTF DATASEC .data: variable 0 [8, +64) exceeds the section "
                                                     "(16 bytes)") != std::string::npos);
    auto smaller = build(12, 8);  // the DATASEC's own size bounds the variable too
    REQUIRE_FALSE(smaller);
    CHECK(std::string(smaller.error().message()).find("[8, +8) exceeds the section (12 bytes)") != std::string::npos);
}
