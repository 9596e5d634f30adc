// SPDX-License-Identifier: MIT
// Program headers (segments) of an ELF executable or shared library, and the file offset of a virtual address:
// uprobes are placed by file offset, while symbols and USDT notes give virtual addresses.
// Pure: reads the bytes File::parse() was given; nothing here trusts an offset or a count from the file.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <ebpf/error.hpp>

#include "elf/file.hpp"

namespace ebpf::elf {

inline constexpr std::uint32_t PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4;
inline constexpr std::uint32_t PT_GNU_RELRO = 0x6474e552;
inline constexpr std::uint32_t PF_X = 1, PF_W = 2, PF_R = 4;

struct Segment {
    std::uint32_t type = 0;
    std::uint32_t flags = 0;  // PF_X | PF_W | PF_R
    std::uint64_t offset = 0;
    std::uint64_t vaddr = 0;
    std::uint64_t filesz = 0;
    std::uint64_t memsz = 0;
    bool executable() const noexcept { return (flags & PF_X) != 0; }
};

// The program header table (every entry, in file order; empty for a file without one, e.g. a relocatable object).
// Errors: MalformedElf when the table lies outside the file or has an unexpected entry size.
Result<std::vector<Segment>> program_headers(const File& file);

// The PT_LOAD segment whose memory image [vaddr, vaddr + memsz) contains `vaddr`, if any.
const Segment* find_load_segment(std::span<const Segment> segments, std::uint64_t vaddr) noexcept;

// The file offset of virtual address `vaddr` through its PT_LOAD segment (vaddr - p_vaddr + p_offset), if the
// address lies in the part of a segment backed by the file (below p_vaddr + p_filesz).
std::optional<std::uint64_t> vaddr_to_offset(std::span<const Segment> segments, std::uint64_t vaddr) noexcept;

}  // namespace ebpf::elf
