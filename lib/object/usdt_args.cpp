// SPDX-License-Identifier: MIT
// USDT argument specification decoding per architecture, and the __bpf_usdt_spec encoding of <bpf/usdt.bpf.h>.
// Register offsets are those of struct pt_regs as a BPF program of that architecture reads it (the kernel's own
// pt_regs on x86_64 and 32-bit ARM, struct user_pt_regs on AArch64, struct user_regs_struct on RISC-V).
#include "object/usdt_args.hpp"

#include <cstring>

#include "base/format.hpp"

namespace ebpf::detail {

namespace usdt_args_impl {
namespace {

struct RegName {
    std::string_view name;
    std::int16_t off;
};

// x86_64 struct pt_regs: r15 r14 r13 r12 bp bx r11 r10 r9 r8 ax cx dx si di orig_ax ip cs flags sp ss.
constexpr RegName kX86Regs[] = {
    {"rax", 80}, {"eax", 80}, {"ax", 80}, {"al", 80},       {"rbx", 40}, {"ebx", 40}, {"bx", 40}, {"bl", 40},
    {"rcx", 88}, {"ecx", 88}, {"cx", 88}, {"cl", 88},       {"rdx", 96}, {"edx", 96}, {"dx", 96}, {"dl", 96},
    {"rsi", 104}, {"esi", 104}, {"si", 104}, {"sil", 104}, {"rdi", 112}, {"edi", 112}, {"di", 112}, {"dil", 112},
    {"rbp", 32}, {"ebp", 32}, {"bp", 32}, {"bpl", 32},      {"rsp", 152}, {"esp", 152}, {"sp", 152}, {"spl", 152},
    {"rip", 128}, {"eip", 128},
    {"r8", 72}, {"r8d", 72}, {"r8w", 72}, {"r8b", 72},      {"r9", 64}, {"r9d", 64}, {"r9w", 64}, {"r9b", 64},
    {"r10", 56}, {"r10d", 56}, {"r10w", 56}, {"r10b", 56},  {"r11", 48}, {"r11d", 48}, {"r11w", 48}, {"r11b", 48},
    {"r12", 24}, {"r12d", 24}, {"r12w", 24}, {"r12b", 24},  {"r13", 16}, {"r13d", 16}, {"r13w", 16}, {"r13b", 16},
    {"r14", 8}, {"r14d", 8}, {"r14w", 8}, {"r14b", 8},      {"r15", 0}, {"r15d", 0}, {"r15w", 0}, {"r15b", 0},
};

// 32-bit ARM struct pt_regs: uregs[18], r0..r15 at 4 * N.
constexpr RegName kArmRegs[] = {{"fp", 44}, {"ip", 48}, {"sp", 52}, {"lr", 56}, {"pc", 60}, {"sl", 40}};

// RISC-V struct user_regs_struct: pc, then x1 (ra) .. x31 at 8 * N.
constexpr RegName kRiscvRegs[] = {
    {"ra", 8},   {"sp", 16},  {"gp", 24},  {"tp", 32},  {"t0", 40},   {"t1", 48},   {"t2", 56},  {"s0", 64},
    {"fp", 64},  {"s1", 72},  {"a0", 80},  {"a1", 88},  {"a2", 96},   {"a3", 104},  {"a4", 112}, {"a5", 120},
    {"a6", 128}, {"a7", 136}, {"s2", 144}, {"s3", 152}, {"s4", 160},  {"s5", 168},  {"s6", 176}, {"s7", 184},
    {"s8", 192}, {"s9", 200}, {"s10", 208}, {"s11", 216}, {"t3", 224}, {"t4", 232}, {"t5", 240}, {"t6", 248},
};

std::optional<unsigned> small_number(std::string_view s, unsigned max) {
    if (s.empty() || s.size() > 2) return std::nullopt;
    unsigned v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (s.size() == 2 && s[0] == '0') return std::nullopt;
    return v <= max ? std::optional<unsigned>(v) : std::nullopt;
}

std::optional<std::int16_t> lookup(std::span<const RegName> table, std::string_view name) {
    for (const RegName& r : table)
        if (r.name == name) return r.off;
    return std::nullopt;
}

std::optional<std::int16_t> reg_offset(UsdtArch arch, std::string_view name) {
    switch (arch) {
    case UsdtArch::X86_64: return lookup(kX86Regs, name);
    case UsdtArch::Aarch64:
        if (name == "sp") return std::int16_t{248};
        if (name.size() >= 2 && (name[0] == 'x' || name[0] == 'w'))
            if (auto n = small_number(name.substr(1), 30)) return static_cast<std::int16_t>(*n * 8);
        return std::nullopt;
    case UsdtArch::Arm:
        if (name.size() >= 2 && name[0] == 'r')
            if (auto n = small_number(name.substr(1), 15)) return static_cast<std::int16_t>(*n * 4);
        return lookup(kArmRegs, name);
    case UsdtArch::Riscv64:
        if (name.size() >= 2 && name[0] == 'x')
            if (auto n = small_number(name.substr(1), 31); n && *n > 0) return static_cast<std::int16_t>(*n * 8);
        return lookup(kRiscvRegs, name);
    }
    return std::nullopt;
}

// A signed decimal or 0x hexadecimal number, the whole of `s`.
std::optional<std::int64_t> number(std::string_view s) {
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) return std::nullopt;
    unsigned base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    }
    std::uint64_t v = 0;
    for (char c : s) {
        unsigned d;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
        else return std::nullopt;
        if (v > (UINT64_MAX - d) / base) return std::nullopt;
        v = v * base + d;
    }
    // Values up to 2^64 - 1 are allowed (an unsigned constant); the bits are what the BPF side reads.
    return static_cast<std::int64_t>(neg ? 0 - v : v);
}

std::string_view strip(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

struct Failure {
    std::string why;
};

// The register of an operand; x86 names carry a '%'.
std::optional<std::int16_t> operand_reg(UsdtArch arch, std::string_view s, std::string& why) {
    s = strip(s);
    if (arch == UsdtArch::X86_64) {
        if (s.empty() || s[0] != '%') {
            why = format("'%.*s' is not a register (x86 registers start with %%)", EBPF_SV(s));
            return std::nullopt;
        }
        s.remove_prefix(1);
        if (s == "ah" || s == "bh" || s == "ch" || s == "dh") {
            why = format("high-byte register %%%.*s cannot be read from pt_regs as a value", EBPF_SV(s));
            return std::nullopt;
        }
    }
    auto off = reg_offset(arch, s);
    if (!off) why = format("unknown %.*s register '%.*s'", EBPF_SV(to_string(arch)), EBPF_SV(s));
    return off;
}

// LOCATION for x86_64: %reg, $imm, off(%reg), (%reg), off(%base,%index[,scale]); symbolic offsets are refused.
bool parse_x86(std::string_view loc, UsdtArg& a, std::string& why) {
    if (!loc.empty() && loc[0] == '$') {
        auto v = number(loc.substr(1));
        if (!v) return why = format("constant '%.*s' is not a number", EBPF_SV(loc)), false;
        a.kind = UsdtArgKind::Const;
        a.value = *v;
        return true;
    }
    if (!loc.empty() && loc[0] == '%') {
        auto r = operand_reg(UsdtArch::X86_64, loc, why);
        if (!r) return false;
        a.kind = UsdtArgKind::Reg;
        a.reg_off = *r;
        return true;
    }
    const auto open = loc.find('(');
    if (open == std::string_view::npos || loc.back() != ')')
        return why = "expected %reg, $constant or offset(%reg)", false;
    const std::string_view disp = loc.substr(0, open), inner = loc.substr(open + 1, loc.size() - open - 2);
    std::int64_t off = 0;
    if (!disp.empty()) {
        auto v = number(disp);
        if (!v)
            return why = format("offset '%.*s' is not a number (symbolic and %%rip-relative operands are not "
                                "supported)",
                                EBPF_SV(disp)),
                   false;
        off = *v;
    }
    std::string_view parts[3];
    std::size_t n = 0;
    for (std::string_view rest = inner;;) {
        const auto comma = rest.find(',');
        if (n == 3) return why = "too many operands inside the parentheses", false;
        parts[n++] = strip(rest.substr(0, comma));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    auto base = operand_reg(UsdtArch::X86_64, parts[0], why);
    if (!base) return false;
    if (parts[0] == "%rip") return why = "%rip-relative operands are not supported", false;
    a.value = off;
    a.reg_off = *base;
    if (n == 1) {
        a.kind = UsdtArgKind::RegDeref;
        return true;
    }
    auto index = operand_reg(UsdtArch::X86_64, parts[1], why);
    if (!index) return false;
    a.kind = UsdtArgKind::Sib;
    a.index_reg_off = *index;
    a.scale = 1;
    if (n == 3) {
        auto s = number(parts[2]);
        if (!s || (*s != 1 && *s != 2 && *s != 4 && *s != 8))
            return why = format("scale '%.*s' is not 1, 2, 4 or 8", EBPF_SV(parts[2])), false;
        a.scale = static_cast<std::uint8_t>(*s);
    }
    return true;
}

// LOCATION for aarch64 and arm: reg, imm (arm: #imm), [reg], [reg, off] (arm: [reg, #off]).
bool parse_bracketed(UsdtArch arch, std::string_view loc, UsdtArg& a, std::string& why) {
    const auto imm = [&](std::string_view s) -> std::optional<std::int64_t> {
        s = strip(s);
        if (!s.empty() && s[0] == '#') s.remove_prefix(1);
        return number(s);
    };
    if (!loc.empty() && loc[0] == '[') {
        if (loc.back() != ']') return why = "unterminated '['", false;
        const std::string_view inner = loc.substr(1, loc.size() - 2);
        const auto comma = inner.find(',');
        auto r = operand_reg(arch, inner.substr(0, comma), why);
        if (!r) return false;
        a.kind = UsdtArgKind::RegDeref;
        a.reg_off = *r;
        a.value = 0;
        if (comma != std::string_view::npos) {
            auto v = imm(inner.substr(comma + 1));
            if (!v) return why = format("offset '%.*s' is not a number", EBPF_SV(strip(inner.substr(comma + 1)))), false;
            a.value = *v;
        }
        return true;
    }
    if (!loc.empty() && (loc[0] == '#' || loc[0] == '-' || (loc[0] >= '0' && loc[0] <= '9'))) {
        auto v = imm(loc);
        if (!v) return why = format("constant '%.*s' is not a number", EBPF_SV(loc)), false;
        a.kind = UsdtArgKind::Const;
        a.value = *v;
        return true;
    }
    auto r = operand_reg(arch, loc, why);
    if (!r) return false;
    a.kind = UsdtArgKind::Reg;
    a.reg_off = *r;
    return true;
}

// LOCATION for riscv64: reg, imm, off(reg).
bool parse_riscv(std::string_view loc, UsdtArg& a, std::string& why) {
    const auto open = loc.find('(');
    if (open != std::string_view::npos) {
        if (loc.back() != ')') return why = "unterminated '('", false;
        std::int64_t off = 0;
        if (open > 0) {
            auto v = number(loc.substr(0, open));
            if (!v) return why = format("offset '%.*s' is not a number", EBPF_SV(loc.substr(0, open))), false;
            off = *v;
        }
        auto r = operand_reg(UsdtArch::Riscv64, loc.substr(open + 1, loc.size() - open - 2), why);
        if (!r) return false;
        a.kind = UsdtArgKind::RegDeref;
        a.reg_off = *r;
        a.value = off;
        return true;
    }
    if (auto v = number(loc)) {
        a.kind = UsdtArgKind::Const;
        a.value = *v;
        return true;
    }
    auto r = operand_reg(UsdtArch::Riscv64, loc, why);
    if (!r) return false;
    a.kind = UsdtArgKind::Reg;
    a.reg_off = *r;
    return true;
}

// The next argument's text: up to a blank outside brackets and parentheses.
std::string_view next_arg(std::string_view& rest) {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    int depth = 0;
    std::size_t i = 0;
    for (; i < rest.size(); ++i) {
        const char c = rest[i];
        if (c == '[' || c == '(') ++depth;
        else if ((c == ']' || c == ')') && depth > 0) --depth;
        else if ((c == ' ' || c == '\t') && depth == 0) break;
    }
    const std::string_view arg = rest.substr(0, i);
    rest.remove_prefix(i);
    return arg;
}

void put16(std::byte* p, std::uint16_t v, Endian e) {
    if (e != host_endian()) v = byteswap(v);
    std::memcpy(p, &v, sizeof v);
}
void put32(std::byte* p, std::uint32_t v, Endian e) {
    if (e != host_endian()) v = byteswap(v);
    std::memcpy(p, &v, sizeof v);
}
void put64(std::byte* p, std::uint64_t v, Endian e) {
    if (e != host_endian()) v = byteswap(v);
    std::memcpy(p, &v, sizeof v);
}

}  // namespace
}  // namespace usdt_args_impl

std::optional<UsdtArch> usdt_arch(std::uint16_t machine, bool elf64) noexcept {
    switch (machine) {
    case 62: return elf64 ? std::optional(UsdtArch::X86_64) : std::nullopt;   // EM_X86_64
    case 183: return elf64 ? std::optional(UsdtArch::Aarch64) : std::nullopt;  // EM_AARCH64
    case 40: return elf64 ? std::nullopt : std::optional(UsdtArch::Arm);       // EM_ARM
    case 243: return elf64 ? std::optional(UsdtArch::Riscv64) : std::nullopt;  // EM_RISCV
    default: return std::nullopt;
    }
}

std::string_view to_string(UsdtArch arch) noexcept {
    switch (arch) {
    case UsdtArch::X86_64: return "x86_64";
    case UsdtArch::Aarch64: return "aarch64";
    case UsdtArch::Arm: return "arm";
    case UsdtArch::Riscv64: return "riscv64";
    }
    return "unknown";
}

Result<std::vector<UsdtArg>> parse_usdt_args(std::string_view spec, UsdtArch arch) {
    using namespace usdt_args_impl;
    std::vector<UsdtArg> out;
    std::string_view rest = spec;
    for (;;) {
        const std::string_view text = next_arg(rest);
        if (text.empty()) break;
        const std::size_t n = out.size() + 1;
        const auto fail = [&](const std::string& why) {
            return Error(Errc::InvalidArgument,
                         format("USDT argument %zu '%.*s' (%.*s): %s", n, EBPF_SV(text), EBPF_SV(to_string(arch)),
                                why.c_str()));
        };
        if (out.size() == kUsdtMaxArgs)
            return Error(Errc::InvalidArgument, format("USDT arguments '%.*s': more than %zu arguments",
                                                       EBPF_SV(spec), kUsdtMaxArgs));
        const auto at = text.find('@');
        if (at == std::string_view::npos) return fail("expected SIZE@LOCATION");
        const auto size = number(text.substr(0, at));
        if (!size || (*size != 1 && *size != 2 && *size != 4 && *size != 8 && *size != -1 && *size != -2 &&
                      *size != -4 && *size != -8))
            return fail("the size must be 1, 2, 4 or 8 bytes (negative when signed)");
        UsdtArg a;
        a.text = text;
        a.size = static_cast<std::int8_t>(*size);
        const std::string_view loc = text.substr(at + 1);
        std::string why;
        bool ok = false;
        if (loc.empty()) why = "no location after '@'";
        else if (arch == UsdtArch::X86_64) ok = parse_x86(loc, a, why);
        else if (arch == UsdtArch::Riscv64) ok = parse_riscv(loc, a, why);
        else ok = parse_bracketed(arch, loc, a, why);
        if (!ok) return fail(why);
        out.push_back(a);
    }
    return out;
}

Result<std::array<std::byte, kUsdtSpecSize>> encode_usdt_spec(std::span<const UsdtArg> args, std::uint64_t cookie,
                                                               Endian endian) {
    using namespace usdt_args_impl;
    if (args.size() > kUsdtMaxArgs)
        return Error(Errc::InvalidArgument, format("USDT spec: %zu arguments, at most %zu", args.size(), kUsdtMaxArgs));
    std::array<std::byte, kUsdtSpecSize> out{};
    for (std::size_t i = 0; i < args.size(); ++i) {
        const UsdtArg& a = args[i];
        if (a.kind == UsdtArgKind::Sib)
            return Error(Errc::InvalidArgument,
                         format("USDT argument %zu '%.*s' uses scale-index-base addressing, which struct "
                                "__bpf_usdt_arg_spec of <bpf/usdt.bpf.h> (libbpf 1.6 and older) cannot express",
                                i + 1, EBPF_SV(a.text)));
        std::byte* p = out.data() + i * 16;
        const unsigned bytes = static_cast<unsigned>(a.size < 0 ? -a.size : a.size);
        put64(p, static_cast<std::uint64_t>(a.value), endian);                              // val_off
        put32(p + 8, static_cast<std::uint32_t>(a.kind), endian);                           // arg_type
        put16(p + 12, static_cast<std::uint16_t>(a.reg_off), endian);                       // reg_off
        p[14] = std::byte{a.size < 0 ? std::uint8_t{1} : std::uint8_t{0}};                  // arg_signed
        p[15] = static_cast<std::byte>(64 - 8 * bytes);                                     // arg_bitshift
    }
    put64(out.data() + 192, cookie, endian);
    put16(out.data() + 200, static_cast<std::uint16_t>(args.size()), endian);
    return out;
}

}  // namespace ebpf::detail
