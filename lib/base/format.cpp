// SPDX-License-Identifier: MIT
#include "base/format.hpp"

#include <cstdarg>
#include <cstdio>

namespace ebpf::detail {

std::string format(const char* fmt, ...) {
    char stack[256];
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = std::vsnprintf(stack, sizeof stack, fmt, ap);
    va_end(ap);
    std::string out;
    if (n < 0) {
        va_end(ap2);
        return out;
    }
    if (static_cast<size_t>(n) < sizeof stack) {
        va_end(ap2);
        out.assign(stack, static_cast<size_t>(n));
        return out;
    }
    out.resize(static_cast<size_t>(n) + 1);
    std::vsnprintf(out.data(), out.size(), fmt, ap2);
    va_end(ap2);
    out.resize(static_cast<size_t>(n));
    return out;
}

std::string_view trim(std::string_view s) noexcept {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!s.empty() && blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && blank(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace ebpf::detail
