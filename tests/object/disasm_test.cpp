// SPDX-License-Identifier: MIT
// The disassembler (lib/object/disasm.cpp, disasm_program.cpp): every instruction class on hand-made arrays,
// invalid instructions as <invalid: ...> lines, and real objects named from their spec (maps, helpers,
// subprograms, kfuncs, line_info, CO-RE access strings); problems collected instead of refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include <ebpf/disasm.hpp>
#include <ebpf/spec.hpp>

#include "support/objects.hpp"

using namespace ebpf;

namespace {

Instruction I(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
    return {code, dst, src, off, imm};
}

std::string one(std::vector<Instruction> insns, std::size_t i = 0) { return format_instruction(insns, i); }

bool has_line(const std::vector<DisasmLine>& lines, const std::string& needle) {
    return std::any_of(lines.begin(), lines.end(),
                       [&](const DisasmLine& l) { return l.text.find(needle) != std::string::npos; });
}

ObjectSpec parse_obj(const char* file, bool collect = false) {
    const auto bytes = test::read_obj(file);
    REQUIRE_FALSE(bytes.empty());
    auto spec = ObjectSpec::parse(bytes, {.name = file, .collect_problems = collect});
    if (!spec) FAIL(std::string(spec.error().message()));
    return std::move(*spec);
}

}  // namespace

TEST_CASE("ALU instructions, 64- and 32-bit", "[object][disasm]") {
    CHECK(one({I(0xbf, 1, 2, 0, 0)}) == "r1 = r2");
    CHECK(one({I(0xbc, 1, 2, 0, 0)}) == "w1 = w2");
    CHECK(one({I(0xb7, 0, 0, 0, -1)}) == "r0 = -1");
    CHECK(one({I(0x07, 10, 0, 0, -8)}) == "r10 += -8");
    CHECK(one({I(0x04, 3, 0, 0, 5)}) == "w3 += 5");
    CHECK(one({I(0x1f, 1, 2, 0, 0)}) == "r1 -= r2");
    CHECK(one({I(0x27, 1, 0, 0, 3)}) == "r1 *= 3");
    CHECK(one({I(0x37, 1, 0, 0, 3)}) == "r1 /= 3");
    CHECK(one({I(0x37, 1, 0, 1, 3)}) == "r1 s/= 3");
    CHECK(one({I(0x97, 1, 0, 1, 3)}) == "r1 s%= 3");
    CHECK(one({I(0x57, 1, 0, 0, 0xff)}) == "r1 &= 0xff");
    CHECK(one({I(0x47, 1, 0, 0, 0x10)}) == "r1 |= 0x10");
    CHECK(one({I(0xa7, 1, 0, 0, 1)}) == "r1 ^= 0x1");
    CHECK(one({I(0x67, 1, 0, 0, 32)}) == "r1 <<= 32");
    CHECK(one({I(0x77, 1, 0, 0, 32)}) == "r1 >>= 32");
    CHECK(one({I(0xc7, 1, 0, 0, 32)}) == "r1 s>>= 32");
    CHECK(one({I(0x87, 1, 0, 0, 0)}) == "r1 = -r1");
    // Sign-extending moves (movsx) and byte swaps.
    CHECK(one({I(0xbf, 1, 2, 8, 0)}) == "r1 = (s8)r2");
    CHECK(one({I(0xbf, 1, 2, 32, 0)}) == "r1 = (s32)r2");
    CHECK(one({I(0xbc, 1, 2, 16, 0)}) == "w1 = (s16)w2");
    CHECK(one({I(0xdc, 1, 0, 0, 16)}) == "r1 = be16 r1");
    CHECK(one({I(0xd4, 1, 0, 0, 32)}) == "r1 = le32 r1");
    CHECK(one({I(0xd7, 1, 0, 0, 64)}) == "r1 = bswap64 r1");
}

TEST_CASE("jumps, calls and exit", "[object][disasm]") {
    std::vector<Instruction> insns = {I(0x25, 1, 0, 3, 0x10), I(0x05, 0, 0, -2, 0), I(0x1d, 1, 2, 0, 0),
                                      I(0xa6, 1, 0, 1, 7),   I(0x95, 0, 0, 0, 0),  I(0x06, 0, 0, 0, -5),
                                      I(0xe5, 0, 0, 1, 0)};
    CHECK(format_instruction(insns, 0) == "if r1 > 0x10 goto pc+3 <4>");
    CHECK(format_instruction(insns, 1) == "goto pc-2 <0>");
    CHECK(format_instruction(insns, 2) == "if r1 == r2 goto pc+0 <3>");
    CHECK(format_instruction(insns, 3) == "if w1 < 0x7 goto pc+1 <5>");
    CHECK(format_instruction(insns, 4) == "exit");
    CHECK(format_instruction(insns, 5) == "gotol pc-5 <1>");
    CHECK(format_instruction(insns, 6) == "may_goto pc+1 <8>");
    CHECK(one({I(0x6d, 1, 2, 1, 0)}) == "if r1 s> r2 goto pc+1 <2>");
    CHECK(one({I(0x45, 1, 0, 1, 8)}) == "if r1 & 0x8 goto pc+1 <2>");
    CHECK(one({I(0x85, 0, 0, 0, 1)}) == "call bpf_map_lookup_elem#1");
    CHECK(one({I(0x85, 0, 0, 0, 14)}) == "call bpf_get_current_pid_tgid#14");
    CHECK(one({I(0x85, 0, 0, 0, 99999)}) == "call helper#99999");
    CHECK(one({I(0x85, 0, 1, 0, 2)}) == "call pc+2 <3>");
    CHECK(one({I(0x85, 0, 2, 0, 1234)}) == "call kfunc#1234");
    CHECK(one({I(0x8d, 3, 0, 0, 0)}) == "callx r3");
}

TEST_CASE("loads, stores and atomics", "[object][disasm]") {
    CHECK(one({I(0x61, 1, 2, 4, 0)}) == "r1 = *(u32 *)(r2 + 4)");
    CHECK(one({I(0x79, 1, 10, -8, 0)}) == "r1 = *(u64 *)(r10 - 8)");
    CHECK(one({I(0x71, 1, 2, 0, 0)}) == "r1 = *(u8 *)(r2 + 0)");
    CHECK(one({I(0x91, 1, 2, 2, 0)}) == "r1 = *(s8 *)(r2 + 2)");
    CHECK(one({I(0x81, 1, 2, 2, 0)}) == "r1 = *(s32 *)(r2 + 2)");
    CHECK(one({I(0x6b, 10, 1, -2, 0)}) == "*(u16 *)(r10 - 2) = r1");
    CHECK(one({I(0x7a, 10, 0, -8, 42)}) == "*(u64 *)(r10 - 8) = 42");
    CHECK(one({I(0x30, 0, 0, 0, 12)}) == "r0 = *(u8 *)skb[12]");
    CHECK(one({I(0x48, 0, 3, 0, 2)}) == "r0 = *(u16 *)skb[r3 + 2]");
    CHECK(one({I(0xdb, 1, 2, 0, 0x00)}) == "lock *(u64 *)(r1 + 0) += r2");
    CHECK(one({I(0xc3, 1, 2, 8, 0x50)}) == "lock *(u32 *)(r1 + 8) &= w2");
    CHECK(one({I(0xdb, 1, 2, 0, 0x01)}) == "r2 = atomic_fetch_add((u64 *)(r1 + 0), r2)");
    CHECK(one({I(0xdb, 1, 2, 0, 0xa1)}) == "r2 = atomic_fetch_xor((u64 *)(r1 + 0), r2)");
    CHECK(one({I(0xdb, 1, 2, 0, 0xe1)}) == "r2 = atomic_xchg((u64 *)(r1 + 0), r2)");
    CHECK(one({I(0xdb, 1, 2, 0, 0xf1)}) == "r0 = atomic_cmpxchg((u64 *)(r1 + 0), r0, r2)");
    CHECK(one({I(0xc3, 1, 2, 0, 0xf1)}) == "w0 = atomic_cmpxchg((u32 *)(r1 + 0), w0, w2)");
}

TEST_CASE("ld_imm64 spans two slots", "[object][disasm]") {
    CHECK(one({I(0x18, 1, 0, 0, 0x5678), I(0, 0, 0, 0, 0x1234)}) == "r1 = 0x123400005678 ll");
    CHECK(one({I(0x18, 1, 1, 0, 7), I(0, 0, 0, 0, 0)}) == "r1 = map[fd:7] ll");
    CHECK(one({I(0x18, 2, 2, 0, 7), I(0, 0, 0, 0, 16)}) == "r2 = map_value[fd:7] + 16 ll");
    CHECK(one({I(0x18, 1, 5, 0, 0), I(0, 0, 0, 0, 0)}) == "r1 = map[idx:0] ll");
    CHECK(one({I(0x18, 1, 3, 0, 99), I(0, 0, 0, 0, 0)}) == "r1 = btf_id[99] ll");
    // A listing of a hand-made program: one line per ld_imm64.
    ProgramSpec p;
    p.name = "prog";
    p.instructions = {I(0x18, 1, 0, 0, 1), I(0, 0, 0, 0, 0), I(0x95, 0, 0, 0, 0)};
    const auto lines = disassemble(p, ObjectSpec{});
    REQUIRE(lines.size() == 2);
    CHECK(lines[0].insn == 0);
    CHECK(lines[0].slots == 2);
    CHECK(lines[0].function == "prog");
    CHECK(lines[1].insn == 2);
    CHECK(lines[1].text == "exit");
    CHECK(format_listing(lines) == "prog:\n     0: r1 = 0x1 ll\n     2: exit\n");
}

TEST_CASE("invalid instructions are marked, never refused", "[object][disasm]") {
    const auto check_invalid = [](std::vector<Instruction> insns, const char* why) {
        const std::string s = format_instruction(insns, 0);
        INFO(s);
        CHECK(s.rfind(".insn code 0x", 0) == 0);
        CHECK(s.find(std::string("<invalid: ") + why) != std::string::npos);
    };
    check_invalid({I(0x18, 1, 0, 0, 1)}, "ld_imm64 is missing its second half");
    check_invalid({I(0x18, 1, 0, 0, 1), I(0x07, 0, 0, 0, 0)}, "ld_imm64's second half");
    check_invalid({I(0xf7, 1, 0, 0, 0)}, "unknown ALU operation");
    check_invalid({I(0xbf, 12, 0, 0, 0)}, "destination register r12");
    check_invalid({I(0xdb, 1, 2, 0, 0x33)}, "unknown atomic operation");
    check_invalid({I(0x00, 0, 0, 0, 0)}, "unknown load opcode");
    check_invalid({I(0xf5, 0, 0, 0, 0)}, "unknown jump operation");
    check_invalid({I(0xdc, 1, 0, 0, 8)}, "byte swap of 8 bits");
    CHECK(format_instruction(std::vector<Instruction>{}, 3).find("<invalid: ") != std::string::npos);
    // Every possible opcode with arbitrary fields: no crash, always some text.
    for (unsigned code = 0; code < 256; ++code)
        for (std::uint8_t regs : {0x00, 0x21, 0xff}) {
            const auto c = static_cast<std::uint8_t>(code);
            std::vector<Instruction> insns = {I(c, regs & 0xf, regs >> 4, -3, 0x7fffffff)};
            CHECK_FALSE(format_instruction(insns, 0).empty());
        }
}

TEST_CASE("real objects: map names, helpers, subprograms, line_info", "[object][disasm]") {
    for (const char* file : {"calls.bpf.o", "calls.bpfeb.o"}) {
        INFO(file);
        const ObjectSpec spec = parse_obj(file);
        bool subprogram_call = false, label = false, source = false;
        for (const ProgramSpec& p : spec.programs) {
            const auto lines = disassemble(p, spec);
            REQUIRE_FALSE(lines.empty());
            CHECK(lines.front().function == p.name);
            for (const DisasmLine& l : lines) {
                CHECK(l.valid);
                if (l.text.find("call pc") == 0 && l.text.find("<add_square>") != std::string::npos)
                    subprogram_call = true;
                if (!l.function.empty() && l.function != p.name) label = true;
                if (!l.source.empty()) source = true;
            }
        }
        CHECK(subprogram_call);
        CHECK(label);
        CHECK(source);
    }
    for (const char* file : {"maps.bpf.o", "maps.bpfeb.o"}) {
        INFO(file);
        const ObjectSpec spec = parse_obj(file);
        bool map_load = false, helper = false;
        for (const ProgramSpec& p : spec.programs) {
            const auto lines = disassemble(p, spec);
            for (const MapReloc& r : p.map_relocs)
                if (r.kind == MapReloc::Kind::Fd)
                    map_load = map_load || has_line(lines, "= map[" + spec.maps[r.map].name + "] ll");
            helper = helper || has_line(lines, "call bpf_map_lookup_elem#1") ||
                     has_line(lines, "call bpf_map_update_elem#2");
            for (const DisasmLine& l : lines) CHECK(l.valid);
        }
        CHECK(map_load);
        CHECK(helper);
    }
}

TEST_CASE("real objects: kfunc calls and CO-RE access spellings", "[object][disasm]") {
    const ObjectSpec ext = parse_obj("externs.bpf.o");
    bool kfunc = false;
    for (const ProgramSpec& p : ext.programs) kfunc = kfunc || has_line(disassemble(p, ext), "call kfunc bpf_");
    CHECK(kfunc);

    const ObjectSpec core = parse_obj("core_task.bpf.o");
    REQUIRE(core.btf);
    bool spelled = false;
    for (const ProgramSpec& p : core.programs)
        for (const CoreReloc& r : p.core_relocs) {
            const std::string s = core_access_spelling(*core.btf, r.type, r.access, r.kind);
            INFO(s);
            CHECK(s.find('?') == std::string::npos);
            if (s.rfind("struct task_struct.", 0) == 0) spelled = true;
        }
    CHECK(spelled);
    CHECK(core_access_spelling(*core.btf, 1, "x:y", btf::CoreReloKind::FieldByteOffset).find("<bad access") !=
          std::string::npos);
}

TEST_CASE("unresolvable externs: refused by default, listed with collect_problems", "[object][disasm]") {
    for (const char* file : {"inspect_problems.bpf.o", "inspect_problems.bpfeb.o"}) {
        INFO(file);
        const auto bytes = test::read_obj(file);
        REQUIRE_FALSE(bytes.empty());
        auto strict = ObjectSpec::parse(bytes, {.name = "inspect_problems"});
        REQUIRE_FALSE(strict);
        CHECK(strict.error().code() == Errc::MalformedObject);
        CHECK(strict.error().message().find("is not declared in .kconfig or .ksyms") != std::string::npos);

        const ObjectSpec spec = parse_obj(file, true);
        REQUIRE(spec.problems.size() == 2);
        std::vector<std::string> subjects;
        for (const ObjectProblem& pr : spec.problems) subjects.push_back(pr.subject);
        std::sort(subjects.begin(), subjects.end());
        CHECK(subjects == std::vector<std::string>{"extern 'something_unresolvable'", "extern 'unresolvable_func'"});
        const ProgramSpec* p = spec.program("uses_externs");
        REQUIRE(p);
        const auto lines = disassemble(*p, spec);
        CHECK(has_line(lines, "call extern unresolvable_func <unresolved>"));
        CHECK(has_line(lines, "= extern[something_unresolvable] <unresolved> ll"));
    }
}
