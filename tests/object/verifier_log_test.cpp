// SPDX-License-Identifier: MIT
// Verifier log decoding on logs in the formats of several kernels (copied from real failures), and on garbage.
#include <catch2/catch.hpp>

#include <string>

#include "object/verifier_log.hpp"

using namespace ebpf::detail;

TEST_CASE("verifier log: 6.x format with state on the instruction line and file:line", "[object]") {
    const char* log =
        "func#0 @0\n"
        "0: R1=ctx() R10=fp0\n"
        "; asm volatile(\"%0 = r6\" : \"=r\"(y)); @ bad_verifier.bpf.c:10\n"
        "0: (bf) r0 = r6\n"
        "R6 !read_ok\n"
        "processed 1 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n";
    const VerifierLogSummary s = decode_verifier_log(log);
    REQUIRE(s.insn == 0u);
    CHECK(s.insn_text == "r0 = r6");
    CHECK(s.source == "asm volatile(\"%0 = r6\" : \"=r\"(y));");
    CHECK(s.location == "bad_verifier.bpf.c:10");
    CHECK(s.reason == "R6 !read_ok");
    CHECK(s.processed == 1u);
    CHECK(s.hint == "a register is read before anything was written to it");
    CHECK(describe(s) == "instruction 0 (r0 = r6) at bad_verifier.bpf.c:10 `asm volatile(\"%0 = r6\" : \"=r\"(y));`: "
                         "R6 !read_ok (hint: a register is read before anything was written to it)");
}

TEST_CASE("verifier log: 5.x format, state lines between instructions, no file names", "[object]") {
    const char* log =
        "0: (b7) r2 = 0\n"
        "1: R1=ctx(id=0,off=0,imm=0) R2_w=inv0 R10=fp0\n"
        "; return *(int *)(long)skb->len;\n"
        "1: (61) r1 = *(u32 *)(r1 +0)\n"
        "2: R1_w=inv(id=0,umax_value=4294967295,var_off=(0x0; 0xffffffff)) R2_w=inv0 R10=fp0\n"
        "2: (61) r0 = *(u32 *)(r1 +0)\n"
        "R1 invalid mem access 'inv'\n"
        "processed 3 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0\n";
    const VerifierLogSummary s = decode_verifier_log(log);
    REQUIRE(s.insn == 2u);
    CHECK(s.insn_text == "r0 = *(u32 *)(r1 +0)");
    // Instruction 2 has no source line of its own: the one before belongs to instruction 1.
    CHECK(s.source.empty());
    CHECK(s.location.empty());
    CHECK(s.reason == "R1 invalid mem access 'inv'");
    CHECK(s.processed == 3u);
}

TEST_CASE("verifier log: reached poison and helper errors get their hints", "[object]") {
    auto core = decode_verifier_log("; return task->x; @ a.c:3\n1: (85) call unknown#195896080\n"
                                    "invalid func unknown#195896080\nprocessed 2 insns\n");
    CHECK(core.reached_core_poison);
    CHECK(core.insn == 1u);
    CHECK(core.hint.find("bpf_core_field_exists") != std::string::npos);

    auto kfunc = decode_verifier_log("7: (85) call unknown#2002000003\ninvalid func unknown#2002000003\n");
    CHECK(kfunc.reached_kfunc_poison == 3u);
    CHECK(kfunc.hint.find("bpf_ksym_exists") != std::string::npos);

    auto ret = decode_verifier_log("0: (95) exit\nR0 !read_ok\nprocessed 1 insns\n");
    CHECK(ret.hint == "the program returns without setting a return value");

    auto big = decode_verifier_log("BPF program is too large. Processed 1000001 insn\n"
                                   "processed 1000001 insns (limit 1000000) max_states_per_insn 4\n");
    CHECK(!big.insn);
    CHECK(big.reason == "BPF program is too large. Processed 1000001 insn");
    CHECK(big.hint.find("complexity limit") != std::string::npos);
    CHECK(big.processed == 1000001u);

    auto pkt = decode_verifier_log("12: (71) r3 = *(u8 *)(r2 +23)\ninvalid access to packet, off=23 size=1, "
                                   "R2(id=0,off=23,r=0)\nR2 offset is outside of the packet\n");
    CHECK(pkt.reason == "R2 offset is outside of the packet");
    // The rule matches on the complaint; the last line here is the one the kernel prints last.
    CHECK(pkt.insn == 12u);
}

TEST_CASE("verifier log: empty, truncated and hostile text decode to nothing or something bounded", "[object]") {
    CHECK(describe(decode_verifier_log("")).empty());
    CHECK(describe(decode_verifier_log("\n\n\n")).empty());
    auto nul = decode_verifier_log(std::string_view("0: (bf) r0 = r6\nR6 !read_ok\0garbage\n", 37));
    CHECK(nul.reason == "R6 !read_ok");
    auto huge = decode_verifier_log("99999999999999999999: (bf) r0 = r6\nprocessed 99999999999 insns\n");
    CHECK(!huge.insn);  // not a number that fits: no instruction rather than a wrapped one
    CHECK(!huge.processed);
    auto only_state = decode_verifier_log("0: R1=ctx() R10=fp0\nR1_w=1\nfrom 4 to 6: R0=0\n");
    CHECK(only_state.reason.empty());
    auto short_lines = decode_verifier_log("1:\n1: (\n1: (85\n;\n; @ \n");
    CHECK(!short_lines.insn);
}
