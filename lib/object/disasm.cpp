// SPDX-License-Identifier: MIT
// One eBPF instruction as text (Documentation/bpf/standardization/instruction-set.rst for the encoding), in the
// C-like syntax llvm-objdump and bpftool use. Context (map and function names) comes through DisasmNames.
#include "object/disasm_format.hpp"

#include "base/format.hpp"

namespace ebpf::detail {

namespace disasm_text {

// Instruction classes (code & 0x07).
constexpr std::uint8_t kLd = 0x00, kLdx = 0x01, kSt = 0x02, kStx = 0x03, kAlu = 0x04, kJmp = 0x05, kJmp32 = 0x06,
                       kAlu64 = 0x07;
// Load/store modes (code & 0xe0) and sizes (code & 0x18).
constexpr std::uint8_t kModeImm = 0x00, kModeAbs = 0x20, kModeInd = 0x40, kModeMem = 0x60, kModeMemsx = 0x80,
                       kModeAtomic = 0xc0;
constexpr std::uint8_t kSizeW = 0x00, kSizeH = 0x08, kSizeB = 0x10, kSizeDw = 0x18;
// Source operand bit of ALU and jump instructions: a register rather than the immediate.
constexpr std::uint8_t kSrcReg = 0x08;
// Atomic operations (imm of BPF_STX | BPF_ATOMIC).
constexpr std::int32_t kAtomicFetch = 0x01, kAtomicXchg = 0xe0 | kAtomicFetch, kAtomicCmpxchg = 0xf0 | kAtomicFetch,
                       kAtomicLoadAcquire = 0x100, kAtomicStoreRelease = 0x110;

struct Out {
    std::string text;
    std::string invalid;  // non-empty: why the instruction is not valid
    std::uint32_t slots = 1;
};

const char* size_type(std::uint8_t size, bool sign) {
    switch (size) {
    case kSizeW: return sign ? "s32" : "u32";
    case kSizeH: return sign ? "s16" : "u16";
    case kSizeB: return sign ? "s8" : "u8";
    default: return sign ? "s64" : "u64";
    }
}

std::string reg(unsigned r, bool wide = true) { return format("%c%u", wide ? 'r' : 'w', r); }

// "(r2 + 4)", "(r10 - 8)"
std::string mem(unsigned base, std::int16_t off) {
    return off < 0 ? format("(r%u - %d)", base, -static_cast<int>(off)) : format("(r%u + %d)", base, off);
}

std::string hex(std::int64_t v) {
    return v < 0 ? format("-0x%llx", static_cast<unsigned long long>(-static_cast<unsigned long long>(v)))
                 : format("0x%llx", static_cast<unsigned long long>(v));
}

class Formatter {
public:
    Formatter(std::span<const Instruction> insns, std::size_t index, const DisasmNames* names)
        : insns_(insns), i_(index), in_(insns[index]), names_(names) {}

    Out run() {
        if (in_.dst > 10) return bad(format("destination register r%u does not exist", in_.dst));
        if (in_.src > 10 && !uses_src_as_pseudo()) return bad(format("source register r%u does not exist", in_.src));
        switch (in_.code & 0x07) {
        case kAlu:
        case kAlu64: alu(); break;
        case kJmp:
        case kJmp32: jump(); break;
        case kLd: ld(); break;
        case kLdx: ldx(); break;
        case kSt:
        case kStx: store(); break;
        }
        return std::move(out_);
    }

private:
    // ld_imm64 and calls carry a pseudo source (BPF_PSEUDO_*) in src rather than a register; they stay below 16.
    bool uses_src_as_pseudo() const { return in_.code == 0x18 || in_.code == 0x85; }

    Out bad(std::string why) {
        out_.invalid = std::move(why);
        return std::move(out_);
    }
    void invalid(std::string why) { out_.invalid = std::move(why); }
    void text(std::string t) { out_.text = std::move(t); }

    std::string jump_target(std::int64_t rel) const {
        const std::int64_t target = static_cast<std::int64_t>(i_) + 1 + rel;
        std::string name = names_ ? names_->function_at(target) : std::string();
        return format("pc%+lld <%s>", static_cast<long long>(rel),
                      name.empty() ? std::to_string(target).c_str() : name.c_str());
    }

    void alu() {
        const bool wide = (in_.code & 0x07) == kAlu64;
        const std::uint8_t op = in_.code & 0xf0;
        const bool x = (in_.code & kSrcReg) != 0;
        const std::string d = reg(in_.dst, wide);
        const std::string s = x ? reg(in_.src, wide) : std::to_string(in_.imm);
        const char* sym = nullptr;
        switch (op) {
        case 0x00: sym = "+="; break;
        case 0x10: sym = "-="; break;
        case 0x20: sym = "*="; break;
        case 0x30: sym = in_.off == 1 ? "s/=" : "/="; break;
        case 0x40: sym = "|="; break;
        case 0x50: sym = "&="; break;
        case 0x60: sym = "<<="; break;
        case 0x70: sym = ">>="; break;
        case 0x90: sym = in_.off == 1 ? "s%=" : "%="; break;
        case 0xa0: sym = "^="; break;
        case 0xc0: sym = "s>>="; break;
        case 0x80:  // NEG
            if (x) return invalid("neg takes no source register");
            return text(format("%s = -%s", d.c_str(), d.c_str()));
        case 0xb0: {  // MOV, MOVSX (off = 8, 16, 32: sign-extend the source's low bits)
            if (in_.off == 0) return text(format("%s = %s", d.c_str(), s.c_str()));
            if (!x || !(in_.off == 8 || in_.off == 16 || (wide && in_.off == 32)))
                return invalid(format("mov with offset %d", in_.off));
            return text(format("%s = (s%d)%s", d.c_str(), in_.off, s.c_str()));
        }
        case 0xd0: {  // END: byte swaps
            if (in_.imm != 16 && in_.imm != 32 && in_.imm != 64)
                return invalid(format("byte swap of %d bits", in_.imm));
            const char* what = wide ? (x ? nullptr : "bswap") : (x ? "be" : "le");
            if (!what) return invalid("bswap with a source register");
            return text(format("%s = %s%d %s", reg(in_.dst).c_str(), what, in_.imm, reg(in_.dst).c_str()));
        }
        default: return invalid(format("unknown ALU operation 0x%02x", op));
        }
        if ((op == 0x30 || op == 0x90) ? (in_.off != 0 && in_.off != 1) : in_.off != 0)
            return invalid(format("ALU operation 0x%02x with offset %d", op, in_.off));
        // Bit operations read better in hex.
        std::string rhs = s;
        if (!x && (op == 0x40 || op == 0x50 || op == 0xa0)) rhs = hex(in_.imm);
        text(format("%s %s %s", d.c_str(), sym, rhs.c_str()));
    }

    void jump() {
        const bool j32 = (in_.code & 0x07) == kJmp32;
        const std::uint8_t op = in_.code & 0xf0;
        const bool x = (in_.code & kSrcReg) != 0;
        switch (op) {
        case 0x00:  // JA: goto (off), or gotol (imm) in the JMP32 class
            if (x) return invalid("goto with a source register");
            if (j32) return text("gotol " + jump_target(in_.imm));
            return text("goto " + jump_target(in_.off));
        case 0x80: return call(j32, x);
        case 0x90:
            if (j32 || x) return invalid("exit in the wrong class");
            return text("exit");
        case 0xe0:  // JCOND: may_goto
            if (j32 || x || in_.src != 0) return invalid("unknown conditional pseudo jump");
            return text("may_goto " + jump_target(in_.off));
        default: break;
        }
        const char* cmp = nullptr;
        switch (op) {
        case 0x10: cmp = "=="; break;
        case 0x20: cmp = ">"; break;
        case 0x30: cmp = ">="; break;
        case 0x40: cmp = "&"; break;
        case 0x50: cmp = "!="; break;
        case 0x60: cmp = "s>"; break;
        case 0x70: cmp = "s>="; break;
        case 0xa0: cmp = "<"; break;
        case 0xb0: cmp = "<="; break;
        case 0xc0: cmp = "s<"; break;
        case 0xd0: cmp = "s<="; break;
        default: return invalid(format("unknown jump operation 0x%02x", op));
        }
        const std::string rhs = x ? reg(in_.src, !j32) : hex(in_.imm);
        text(format("if %s %s %s goto %s", reg(in_.dst, !j32).c_str(), cmp, rhs.c_str(), jump_target(in_.off).c_str()));
    }

    void call(bool j32, bool x) {
        if (j32) return invalid("call in the JMP32 class");
        if (x) return text(format("callx %s", reg(in_.dst).c_str()));
        // The object names externs first: clang encodes a call to an extern function as a BPF-to-BPF call.
        if (names_) {
            std::string named = names_->call(static_cast<std::uint32_t>(i_), in_);
            if (!named.empty()) return text(std::move(named));
        }
        if (in_.src == kPseudoCall) return text("call " + jump_target(in_.imm));
        if (in_.src == kPseudoKfuncCall) {
            return text(in_.off ? format("call kfunc#%d (module BTF fd %d)", in_.imm, in_.off)
                                : format("call kfunc#%d", in_.imm));
        }
        if (in_.src != 0) return invalid(format("call with unknown source %u", in_.src));
        const std::string_view h = in_.imm > 0 ? helper_name(static_cast<std::uint32_t>(in_.imm)) : std::string_view();
        if (h.empty()) return text(format("call helper#%d", in_.imm));
        text(format("call bpf_%.*s#%d", EBPF_SV(h), in_.imm));
    }

    void ld() {
        const std::uint8_t mode = in_.code & 0xe0, size = in_.code & 0x18;
        if (mode == kModeImm && size == kSizeDw) return ld_imm64();
        if (mode == kModeAbs || mode == kModeInd) {  // legacy packet access: r0 = skb data
            if (size == kSizeDw) return invalid("packet load of 8 bytes");
            const std::string at = mode == kModeAbs ? std::to_string(in_.imm)
                                                    : format("%s + %d", reg(in_.src).c_str(), in_.imm);
            return text(format("r0 = *(%s *)skb[%s]", size_type(size, false), at.c_str()));
        }
        invalid(format("unknown load opcode 0x%02x", in_.code));
    }

    void ld_imm64() {
        if (i_ + 1 >= insns_.size()) return invalid("ld_imm64 is missing its second half");
        const Instruction& hi = insns_[i_ + 1];
        if (hi.code != 0 || hi.dst != 0 || hi.src != 0 || hi.off != 0)
            return invalid(format("ld_imm64's second half is not empty (code 0x%02x)", hi.code));
        out_.slots = 2;
        const std::string d = reg(in_.dst);
        if (names_) {
            std::string named = names_->ld_imm64_operand(static_cast<std::uint32_t>(i_), in_);
            if (!named.empty()) return text(format("%s = %s ll", d.c_str(), named.c_str()));
        }
        const std::uint64_t value = static_cast<std::uint32_t>(in_.imm) |
                                    static_cast<std::uint64_t>(static_cast<std::uint32_t>(hi.imm)) << 32;
        switch (in_.src) {
        case 0: return text(format("%s = 0x%llx ll", d.c_str(), static_cast<unsigned long long>(value)));
        case kPseudoMapFd: return text(format("%s = map[fd:%d] ll", d.c_str(), in_.imm));
        case kPseudoMapValue:
            return text(format("%s = map_value[fd:%d] + %d ll", d.c_str(), in_.imm, hi.imm));
        case kPseudoBtfId: return text(format("%s = btf_id[%d] ll", d.c_str(), in_.imm));
        case kPseudoFunc: return text(format("%s = func %s ll", d.c_str(), jump_target(in_.imm).c_str()));
        case kPseudoMapIdx: return text(format("%s = map[idx:%d] ll", d.c_str(), in_.imm));
        case kPseudoMapIdxValue:
            return text(format("%s = map_value[idx:%d] + %d ll", d.c_str(), in_.imm, hi.imm));
        default: return invalid(format("ld_imm64 with unknown source %u", in_.src));
        }
    }

    void ldx() {
        const std::uint8_t mode = in_.code & 0xe0, size = in_.code & 0x18;
        if (mode == kModeMem)
            return text(format("%s = *(%s *)%s", reg(in_.dst).c_str(), size_type(size, false),
                               mem(in_.src, in_.off).c_str()));
        if (mode == kModeMemsx) {
            if (size == kSizeDw) return invalid("sign-extending load of 8 bytes");
            return text(format("%s = *(%s *)%s", reg(in_.dst).c_str(), size_type(size, true),
                               mem(in_.src, in_.off).c_str()));
        }
        invalid(format("unknown load opcode 0x%02x", in_.code));
    }

    void store() {
        const std::uint8_t mode = in_.code & 0xe0, size = in_.code & 0x18;
        const bool stx = (in_.code & 0x07) == kStx;
        const std::string at = format("*(%s *)%s", size_type(size, false), mem(in_.dst, in_.off).c_str());
        if (mode == kModeMem)
            return text(format("%s = %s", at.c_str(), stx ? reg(in_.src).c_str() : std::to_string(in_.imm).c_str()));
        if (mode == kModeAtomic && stx) return atomic(size);
        invalid(format("unknown store opcode 0x%02x", in_.code));
    }

    void atomic(std::uint8_t size) {
        const bool wide = size == kSizeDw;
        const char* t = size_type(size, false);
        const std::string addr = mem(in_.dst, in_.off);
        const std::string src = reg(in_.src, wide);
        if (in_.imm == kAtomicLoadAcquire)  // dst and src swap roles: src is the address
            return text(format("%s = load_acquire((%s *)%s)", reg(in_.dst, wide).c_str(), t,
                               mem(in_.src, in_.off).c_str()));
        if (in_.imm == kAtomicStoreRelease)
            return text(format("store_release((%s *)%s, %s)", t, addr.c_str(), src.c_str()));
        if (size != kSizeW && size != kSizeDw) return invalid(format("atomic operation on %s", t));
        if (in_.imm == kAtomicXchg)
            return text(format("%s = atomic_xchg((%s *)%s, %s)", src.c_str(), t, addr.c_str(), src.c_str()));
        if (in_.imm == kAtomicCmpxchg)
            return text(format("%s = atomic_cmpxchg((%s *)%s, %s, %s)", reg(0, wide).c_str(), t, addr.c_str(),
                               reg(0, wide).c_str(), src.c_str()));
        const char* op = nullptr;
        const char* name = nullptr;
        switch (in_.imm & ~kAtomicFetch) {
        case 0x00: op = "+="; name = "add"; break;
        case 0x40: op = "|="; name = "or"; break;
        case 0x50: op = "&="; name = "and"; break;
        case 0xa0: op = "^="; name = "xor"; break;
        default: return invalid(format("unknown atomic operation 0x%x", static_cast<unsigned>(in_.imm)));
        }
        if (in_.imm & kAtomicFetch)
            return text(format("%s = atomic_fetch_%s((%s *)%s, %s)", src.c_str(), name, t, addr.c_str(), src.c_str()));
        text(format("lock *(%s *)%s %s %s", t, addr.c_str(), op, src.c_str()));
    }

    std::span<const Instruction> insns_;
    std::size_t i_;
    const Instruction& in_;
    const DisasmNames* names_;
    Out out_;
};

std::string raw(const Instruction& in) {
    return format(".insn code 0x%02x dst %u src %u off %d imm %d", in.code, in.dst, in.src, in.off, in.imm);
}

}  // namespace disasm_text

DisasmLine format_insn(std::span<const Instruction> insns, std::size_t index, const DisasmNames* names) {
    DisasmLine line;
    line.insn = static_cast<std::uint32_t>(index);
    if (index >= insns.size()) {
        line.valid = false;
        line.text = format("<invalid: instruction %zu is past the end (%zu instructions)>", index, insns.size());
        return line;
    }
    disasm_text::Out out = disasm_text::Formatter(insns, index, names).run();
    line.slots = out.slots;
    if (out.invalid.empty()) {
        line.text = std::move(out.text);
    } else {
        line.valid = false;
        line.slots = 1;
        line.text = disasm_text::raw(insns[index]) + " <invalid: " + out.invalid + ">";
    }
    return line;
}

}  // namespace ebpf::detail

namespace ebpf {

std::string format_instruction(std::span<const Instruction> insns, std::size_t index) {
    return detail::format_insn(insns, index, nullptr).text;
}

}  // namespace ebpf
