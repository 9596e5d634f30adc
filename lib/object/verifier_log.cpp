// SPDX-License-Identifier: MIT
// Verifier log decoding (see verifier_log.hpp).
#include "object/insn.hpp"
#include "object/verifier_log.hpp"

#include <cstddef>
#include <vector>

#include "base/format.hpp"

namespace ebpf::detail {

namespace {

constexpr std::uint32_t kCorePoison = 0xbad2310;
constexpr std::uint32_t kKfuncPoisonMax = static_cast<std::uint32_t>(kKfuncPoisonBase) + 1000000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A decimal number at the start of `s` (at most 10 digits, so it cannot overflow); advances `s` past it.
std::optional<std::uint32_t> take_number(std::string_view& s) {
    std::size_t n = 0;
    std::uint64_t v = 0;
    while (n < s.size() && n < 10 && is_digit(s[n])) v = v * 10 + static_cast<unsigned>(s[n++] - '0');
    if (n == 0 || v > 0xffffffffu) return std::nullopt;
    s.remove_prefix(n);
    return static_cast<std::uint32_t>(v);
}

// "12: (79) r1 = *(u64 *)(r1 +0)   ; R1_w=..." -> 12 and "r1 = *(u64 *)(r1 +0)".
bool parse_insn_line(std::string_view line, std::uint32_t& insn, std::string_view& text) {
    line = trim(line);
    auto n = take_number(line);
    if (!n || line.size() < 7 || line.substr(0, 3) != ": (" || line[5] != ')') return false;
    line.remove_prefix(6);
    if (const auto semi = line.find(';'); semi != std::string_view::npos) line = line.substr(0, semi);
    insn = *n;
    text = trim(line);
    return true;
}

// Register state dumps: "12: R1=ctx() R10=fp0", "R1_w=scalar()", "from 4 to 6: R0=...", "frame1: ...".
bool is_state_line(std::string_view line) {
    line = trim(line);
    if (line.empty()) return true;
    std::string_view rest = line;
    if (take_number(rest) && rest.substr(0, 3) == ": R") return true;
    if (line.size() > 1 && line[0] == 'R' && is_digit(line[1])) {
        const auto sp = line.find(' ');
        const auto eq = line.find('=');
        return eq != std::string_view::npos && (sp == std::string_view::npos || eq < sp);
    }
    return line.substr(0, 5) == "from " || line.substr(0, 5) == "frame" || line.substr(0, 14) == "verification t" ||
           line.substr(0, 12) == "stack depth " || line.substr(0, 4) == "mark" || line.substr(0, 9) == "last_idx " ||
           line.substr(0, 5) == "regs=" || line.substr(0, 8) == "parent d" || line.substr(0, 5) == "func#";
}

struct Hint {
    std::string_view needle;
    std::string_view text;
};

// The complaints newcomers meet most, in the words of what to change. Matched in order, first wins.
constexpr Hint kHints[] = {
    {"unknown#195896080", "a CO-RE relocation found nothing in this kernel's BTF and the instruction using it was "
                          "reached: guard it with bpf_core_field_exists()/bpf_core_type_exists(), or use a "
                          "___flavor that matches this kernel"},
    {"R0 !read_ok", "the program returns without setting a return value"},
    {"!read_ok", "a register is read before anything was written to it"},
    {"invalid mem access 'scalar'", "a plain number is dereferenced as a pointer: read kernel memory with "
                                    "bpf_probe_read_kernel() or BPF_CORE_READ()"},
    {"_or_null", "a pointer that may be NULL is used: check it against NULL first"},
    {"invalid access to packet", "check that data + offset + size <= data_end before reading the packet"},
    {"invalid indirect read from stack", "a stack buffer is passed to a helper before it was initialised "
                                         "(e.g. declare it with = {})"},
    {"unbounded memory access", "bound the index or length with an explicit check the verifier can see"},
    {"min value is negative", "the offset or length may be negative: check it, or make it unsigned"},
    {"back-edge from insn", "a loop the verifier cannot bound (kernels before 5.3 reject all loops): bound it, "
                            "unroll it, or use bpf_loop()"},
    {"too large", "the program exceeds the verifier's complexity limit: split it (tail calls, subprograms) or "
                  "reduce branches inside loops"},
    {"cannot use helper", "this helper is not allowed in this program type"},
    {"unknown func", "this kernel does not have the helper, or not for this program type"},
    {"invalid func", "this kernel does not have the helper, or not for this program type"},
    {"invalid argument", "an argument has the wrong type for this helper or kfunc"},
    {"unreachable insn", "dead code the compiler left in: rebuild with -O2"},
    {"At program exit the register R0", "the return value is outside what this program type may return"},
    {"invalid stack", "a stack access is out of bounds (the BPF stack is 512 bytes)"},
    {"GPL-compatible", "this helper or kfunc needs a GPL-compatible license (char LICENSE[] SEC(\"license\") = "
                       "\"GPL\")"},
};

}  // namespace

VerifierLogSummary decode_verifier_log(std::string_view log) {
    VerifierLogSummary s;
    std::vector<std::string_view> lines;
    while (!log.empty()) {
        const auto nl = log.find('\n');
        std::string_view line = log.substr(0, nl);
        if (const auto nul = line.find('\0'); nul != std::string_view::npos) {
            lines.push_back(line.substr(0, nul));
            break;
        }
        lines.push_back(line);
        if (nl == std::string_view::npos) break;
        log.remove_prefix(nl + 1);
    }
    // The complaint is the last line before "processed N insns" (or the end) that is neither an instruction,
    // a source annotation nor a register state dump.
    std::size_t end = lines.size();
    for (std::size_t i = 0; i < lines.size(); ++i) {
        std::string_view l = trim(lines[i]);
        if (l.substr(0, 10) == "processed ") {
            l.remove_prefix(10);
            s.processed = take_number(l);
            end = i;
        }
    }
    std::optional<std::size_t> reason_at;
    for (std::size_t i = end; i-- > 0;) {
        std::uint32_t insn = 0;
        std::string_view text;
        const std::string_view l = trim(lines[i]);
        if (l.empty() || l.front() == ';' || parse_insn_line(l, insn, text) || is_state_line(l)) continue;
        reason_at = i;
        s.reason = std::string(l);
        break;
    }
    // The instruction (and its source line) is the last one printed before the complaint.
    const std::size_t upto = reason_at ? *reason_at : end;
    bool have_insn = false;
    for (std::size_t i = upto; i-- > 0;) {
        std::uint32_t insn = 0;
        std::string_view text;
        std::string_view l = trim(lines[i]);
        if (!have_insn && parse_insn_line(l, insn, text)) {
            s.insn = insn;
            s.insn_text = std::string(text);
            have_insn = true;
            continue;
        }
        if (have_insn && !l.empty() && l.front() == ';') {
            l.remove_prefix(1);
            l = trim(l);
            // "<source> @ <file>:<line>" since line info is printed with file names.
            if (const auto at = l.rfind(" @ "); at != std::string_view::npos) {
                s.location = std::string(trim(l.substr(at + 3)));
                l = trim(l.substr(0, at));
            }
            s.source = std::string(l);
            break;
        }
        // Another instruction before any source line: this one has no annotation of its own.
        if (have_insn && parse_insn_line(l, insn, text)) break;
    }
    // Poison markers: the kernel prints them as calls to "unknown#<imm>".
    const std::string_view haystack = !s.insn_text.empty() ? std::string_view(s.insn_text) : std::string_view(s.reason);
    if (const auto u = haystack.find("unknown#"); u != std::string_view::npos) {
        std::string_view num = haystack.substr(u + 8);
        if (auto imm = take_number(num)) {
            if (*imm == kCorePoison) s.reached_core_poison = true;
            else if (*imm >= static_cast<std::uint32_t>(kKfuncPoisonBase) && *imm < kKfuncPoisonMax)
                s.reached_kfunc_poison = *imm - static_cast<std::uint32_t>(kKfuncPoisonBase);
        }
    }
    if (s.reached_kfunc_poison) {
        s.hint = "a weak kfunc this kernel does not have is called: guard the call with bpf_ksym_exists()";
    } else {
        const std::string probe = s.reason + " " + s.insn_text;
        for (const Hint& h : kHints)
            if (probe.find(h.needle) != std::string::npos) {
                s.hint = std::string(h.text);
                break;
            }
    }
    return s;
}

std::string describe(const VerifierLogSummary& s) {
    if (s.reason.empty() && !s.insn) return {};
    std::string out;
    if (s.insn) {
        out = format("instruction %u", *s.insn);
        if (!s.insn_text.empty()) out += " (" + s.insn_text + ")";
        if (!s.location.empty()) out += " at " + s.location;
        if (!s.source.empty()) out += " `" + s.source + "`";
        if (!s.reason.empty()) out += ": ";
    }
    out += s.reason;
    if (!s.hint.empty()) out += " (hint: " + s.hint + ")";
    return out;
}

}  // namespace ebpf::detail
