// SPDX-License-Identifier: MIT
// printf-style formatting into std::string (no iostreams: they would triple the size of a static binary).
#pragma once

#include <string>
#include <string_view>

namespace ebpf::detail {

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
std::string format(const char* fmt, ...);

// `s` without leading and trailing blanks (spaces, tabs, carriage returns).
std::string_view trim(std::string_view s) noexcept;

// "%.*s" needs an int length; this keeps call sites short: format("%.*s", SV(name)).
#define EBPF_SV(s) static_cast<int>((s).size()), (s).data()

}  // namespace ebpf::detail
