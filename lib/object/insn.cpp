// SPDX-License-Identifier: MIT
#include "object/insn.hpp"

#include <cstring>

#include "base/bytes.hpp"

namespace ebpf::detail {

std::vector<std::uint64_t> encode_instructions(std::span<const Instruction> insns) {
    std::vector<std::uint64_t> out(insns.size());
    const bool little = host_endian() == Endian::Little;
    for (std::size_t i = 0; i < insns.size(); ++i) {
        const Instruction& in = insns[i];
        unsigned char b[8];
        b[0] = in.code;
        b[1] = little ? static_cast<unsigned char>((in.src & 0xf) << 4 | (in.dst & 0xf))
                      : static_cast<unsigned char>((in.dst & 0xf) << 4 | (in.src & 0xf));
        std::memcpy(b + 2, &in.off, 2);
        std::memcpy(b + 4, &in.imm, 4);
        std::memcpy(&out[i], b, 8);
    }
    return out;
}

}  // namespace ebpf::detail
