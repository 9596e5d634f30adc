// SPDX-License-Identifier: MIT
// The SEC() vocabulary: program section names -> program type, expected attach type and load flags.
// Follows libbpf's section_defs[] table and matching rules, so objects written for libbpf mean the same here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include <ebpf/types.hpp>

namespace ebpf::detail {

enum SectionFlags : std::uint32_t {
    kSecNone = 0,
    kSecExpAttachOpt = 1u << 0,   // expected_attach_type may be dropped on kernels that lack it
    kSecAttachable = 1u << 1,
    kSecAttachBtf = 1u << 2,      // the suffix names a kernel BTF function/tracepoint to attach to
    kSecSleepable = 1u << 3,
    kSecXdpFrags = 1u << 4,
    kSecUsdt = 1u << 5,
};

struct SectionDef {
    std::string_view pattern;  // "kprobe+" (exact or "/..."), "tp/" (must have "/..."), "xdp" (exact)
    ProgramType type;
    ProgramKind kind;
    std::optional<AttachType> attach;
    std::uint32_t flags;
};

struct SectionMatch {
    const SectionDef* def = nullptr;
    std::string_view attach_to;  // text after "<prefix>/", empty if none
};

// Finds the first definition matching a section name (without its '?' prefix); nullopt if none does.
std::optional<SectionMatch> match_section(std::string_view name) noexcept;
std::span<const SectionDef> section_defs() noexcept;

}  // namespace ebpf::detail
