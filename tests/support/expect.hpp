// SPDX-License-Identifier: MIT
// Assertion helpers shared by the suites.
#pragma once

#include <catch2/catch.hpp>

#include <string_view>

#include <ebpf/error.hpp>

namespace ebpf::test {

// True when `r` failed with `code` and a message containing `word`; logs the message so failures explain themselves.
template <class T>
bool fails_with(const Result<T>& r, Errc code, std::string_view word) {
    if (r.has_value()) {
        UNSCOPED_INFO("expected an error containing '" << word << "', but the call succeeded");
        return false;
    }
    UNSCOPED_INFO("error (code " << static_cast<int>(r.error().code()) << "): " << r.error().message());
    return r.error().code() == code && r.error().message().find(word) != std::string_view::npos;
}

}  // namespace ebpf::test
