// SPDX-License-Identifier: MIT
// Early-return helpers for Result<T>. Macros because C++ has no `?` operator and we build without exceptions.
#pragma once

#include <ebpf/error.hpp>

#define EBPF_CONCAT_INNER(a, b) a##b
#define EBPF_CONCAT(a, b) EBPF_CONCAT_INNER(a, b)

// EBPF_TRY(expr): evaluate a Result<void> (or any Result) and return its error from the enclosing function.
#define EBPF_TRY(expr)                                            \
    do {                                                          \
        auto ebpf_try_r_ = (expr);                                \
        if (!ebpf_try_r_.has_value()) return std::move(ebpf_try_r_).error(); \
    } while (0)

// EBPF_TRY_ASSIGN(decl, expr): `decl = value of expr`, or return its error.
#define EBPF_TRY_ASSIGN(decl, expr) EBPF_TRY_ASSIGN_IMPL(EBPF_CONCAT(ebpf_try_tmp_, __LINE__), decl, expr)
#define EBPF_TRY_ASSIGN_IMPL(tmp, decl, expr)              \
    auto tmp = (expr);                                      \
    if (!tmp.has_value()) return std::move(tmp).error();    \
    decl = std::move(tmp).value()
