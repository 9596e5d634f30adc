// SPDX-License-Identifier: MIT
#include "object/core_patch.hpp"

#include "base/format.hpp"

namespace ebpf::detail {

namespace {
constexpr std::uint8_t kClassLd = 0x00, kClassLdx = 0x01, kClassSt = 0x02, kClassStx = 0x03, kClassAlu = 0x04,
                       kClassAlu64 = 0x07;
constexpr std::uint8_t kSrcK = 0x00;

int size_bytes(std::uint8_t code) {
    switch (code & 0x18) {
    case 0x00: return 4;   // BPF_W
    case 0x08: return 2;   // BPF_H
    case 0x10: return 1;   // BPF_B
    default: return 8;     // BPF_DW
    }
}
int size_code(std::uint32_t bytes) {
    switch (bytes) {
    case 1: return 0x10;
    case 2: return 0x08;
    case 4: return 0x00;
    case 8: return 0x18;
    default: return -1;
    }
}
Error bad(std::uint32_t idx, std::string msg) {
    return Error(Errc::Relocation, format("instruction %u: %s", idx, msg.c_str()));
}
}  // namespace

void core_poison(std::vector<Instruction>& insns, std::uint32_t idx) {
    auto poison_one = [&](std::uint32_t i) { insns[i] = Instruction{0x85, 0, 0, 0, btf::kCorePoisonImm}; };
    // Poison the second half of an ld_imm64 too, so the verifier does not trip on an "unknown opcode 00" first.
    if (insns[idx].is_ld_imm64() && idx + 1 < insns.size()) poison_one(idx + 1);
    poison_one(idx);
}

Result<void> core_patch(std::vector<Instruction>& insns, std::uint32_t idx, const btf::CoreResult& r) {
    if (idx >= insns.size()) return bad(idx, "is outside the program");
    Instruction& in = insns[idx];
    if (r.poison) {
        core_poison(insns, idx);
        return {};
    }
    const std::uint8_t cls = in.code & 0x07;
    switch (cls) {
    case kClassAlu:
    case kClassAlu64: {
        if ((in.code & 0x08) != kSrcK) return bad(idx, "CO-RE relocation on an ALU instruction with a register source");
        if (r.validate && static_cast<std::uint64_t>(static_cast<std::int64_t>(in.imm)) != r.orig_val)
            return bad(idx, format("holds %d, but the local type gives %llu", in.imm,
                                   static_cast<unsigned long long>(r.orig_val)));
        in.imm = static_cast<std::int32_t>(r.new_val);
        return {};
    }
    case kClassLdx:
    case kClassSt:
    case kClassStx: {
        if (r.validate && static_cast<std::uint64_t>(static_cast<std::int64_t>(in.off)) != r.orig_val)
            return bad(idx, format("offset %d, but the local type gives %llu", in.off,
                                   static_cast<unsigned long long>(r.orig_val)));
        if (r.new_val > 0x7fff)
            return bad(idx, format("field offset %llu does not fit a load/store offset",
                                   static_cast<unsigned long long>(r.new_val)));
        if (r.fail_memsz_adjust) {
            // The field changed size in a way a resized load would read wrongly: fail only if reached.
            core_poison(insns, idx);
            return {};
        }
        in.off = static_cast<std::int16_t>(r.new_val);
        if (r.new_size != r.orig_size) {
            if (size_bytes(in.code) != static_cast<int>(r.orig_size))
                return bad(idx, format("accesses %d bytes, but the field has %u", size_bytes(in.code), r.orig_size));
            const int sz = size_code(r.new_size);
            if (sz < 0) return bad(idx, format("field of %u bytes cannot be loaded in one instruction", r.new_size));
            in.code = static_cast<std::uint8_t>((in.code & 0xe7) | sz);
        }
        return {};
    }
    case kClassLd: {
        if (!in.is_ld_imm64() || in.src != 0 || in.off != 0 || idx + 1 >= insns.size() || insns[idx + 1].code != 0 ||
            insns[idx + 1].dst != 0 || insns[idx + 1].src != 0 || insns[idx + 1].off != 0)
            return bad(idx, "ld_imm64 has an unexpected form for a CO-RE relocation");
        const std::uint64_t imm =
            static_cast<std::uint32_t>(in.imm) | static_cast<std::uint64_t>(static_cast<std::uint32_t>(insns[idx + 1].imm))
                                                     << 32;
        if (r.validate && imm != r.orig_val)
            return bad(idx, format("holds %llu, but the local type gives %llu", static_cast<unsigned long long>(imm),
                                   static_cast<unsigned long long>(r.orig_val)));
        in.imm = static_cast<std::int32_t>(static_cast<std::uint32_t>(r.new_val));
        insns[idx + 1].imm = static_cast<std::int32_t>(static_cast<std::uint32_t>(r.new_val >> 32));
        return {};
    }
    default: return bad(idx, format("opcode 0x%02x cannot carry a CO-RE relocation", in.code));
    }
}

}  // namespace ebpf::detail
