// SPDX-License-Identifier: MIT
// Hexadecimal numbers in kernel text files (/proc/kallsyms addresses, /proc/PID/maps ranges).
#pragma once

#include <cstdint>
#include <string_view>

namespace ebpf::detail {

// Up to 16 hex digits, either case; false for anything else (empty, too long, another character).
inline bool parse_hex_u64(std::string_view s, std::uint64_t& out) noexcept {
    if (s.empty() || s.size() > 16) return false;
    std::uint64_t v = 0;
    for (const char c : s) {
        v <<= 4;
        if (c >= '0' && c <= '9') v |= static_cast<std::uint64_t>(c - '0');
        else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint64_t>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint64_t>(c - 'A' + 10);
        else return false;
    }
    out = v;
    return true;
}

}  // namespace ebpf::detail
