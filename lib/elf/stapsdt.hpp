// SPDX-License-Identifier: MIT
// SystemTap SDT notes (.note.stapsdt), the USDT probes that <sys/sdt.h> (STAP_PROBE, DTRACE_PROBE) leaves in an
// executable or shared library. Each note (type 3, owner "stapsdt") describes one probe site:
//   desc: pc, base, semaphore (one address each, 4 or 8 bytes as the ELF class), then three NUL-terminated
//   strings: provider, name, argument specification ("-4@%edi 8@-8(%rbp)").
// `base` is the address of .stapsdt.base as the assembler saw it: when the file was prelinked (moved), the
// section's sh_addr differs and every pc and semaphore moves by the same amount.
// Pure: views into the bytes File::parse() was given.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>

#include "elf/file.hpp"

namespace ebpf::elf {

inline constexpr std::uint32_t SHT_NOTE = 7;
inline constexpr std::uint32_t kNtStapsdt = 3;

struct StapsdtNote {
    std::string_view provider, name, args;
    std::uint64_t pc = 0;         // address of the probe's nop, as recorded
    std::uint64_t base = 0;       // address of .stapsdt.base, as recorded
    std::uint64_t semaphore = 0;  // address of the 2-byte semaphore, 0 when the probe has none
};

// Every stapsdt note of .note.stapsdt, in file order; empty when there is no such section.
// Errors: MalformedElf (a note that overruns the section, a description too short for three addresses, strings
//   without their terminating NUL).
Result<std::vector<StapsdtNote>> stapsdt_notes(const File& file);

// sh_addr of .stapsdt.base, if the file has that section.
std::optional<std::uint64_t> stapsdt_base(const File& file) noexcept;

// The address of a recorded pc or semaphore after prelink adjustment: addr + (actual base - recorded base), or
// addr unchanged when the file has no .stapsdt.base (or the note records none). 0 stays 0. The arithmetic wraps
// at the address size of the file (32 bits for ELF32).
std::uint64_t stapsdt_adjust(std::uint64_t addr, const StapsdtNote& note, std::optional<std::uint64_t> base,
                             bool elf64) noexcept;

}  // namespace ebpf::elf
