// SPDX-License-Identifier: MIT
// Decoding the kernel verifier's log into the facts a user needs first: which instruction it stopped at, the
// source line the object's line info attached to it, the reason, and a hint in plain words.
//
// The log is text meant for people and its format drifts between kernels (state annotations moved onto the
// instruction line in 5.18/6.x, "@ file:line" arrived with line info in 5.x), so the decoder is tolerant: any
// part it cannot find stays empty and the caller still shows the raw log. Pure: no kernel access, fuzzed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ebpf::detail {

struct VerifierLogSummary {
    std::optional<std::uint32_t> insn;  // the instruction the verifier stopped at
    std::string insn_text;              // its disassembly, e.g. "r0 = r6"
    std::string source;                 // the source line the log attached to it (from BTF line info)
    std::string location;               // "file.bpf.c:10" when the kernel prints it
    std::string reason;                 // the verifier's complaint, e.g. "R6 !read_ok"
    std::string hint;                   // what usually fixes that complaint (empty when there is no rule)
    std::optional<std::uint32_t> processed;  // "processed N insns"
    // A call to the marker libbpf-style loaders put on instructions left unresolved on purpose:
    // an unresolved CO-RE relocation (0xbad2310) or a missing weak kfunc (2002000000 + extern index).
    bool reached_core_poison = false;
    std::optional<std::uint32_t> reached_kfunc_poison;
};

VerifierLogSummary decode_verifier_log(std::string_view log);

// One line for an error message, e.g.
// "instruction 0 (r0 = r6) at bad.bpf.c:10 `y = x`: R6 !read_ok (hint: a register is read before anything was
// written to it)".
// Empty when the log said nothing the decoder recognised.
std::string describe(const VerifierLogSummary& s);

}  // namespace ebpf::detail
