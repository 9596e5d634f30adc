// SPDX-License-Identifier: MIT
// Output files of ebpf-tool (link, gen skeleton): written whole or not at all.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include <ebpf/error.hpp>

namespace ebpf::tool {

// Writes `bytes` to `path` through a temporary file in the same directory and a rename (mode 0644): a reader never
// sees a partial file, and a failure leaves no file behind. Errors: the failing call's errno, naming `path`.
Result<void> write_file_atomically(const std::string& path, std::span<const std::byte> bytes);

}  // namespace ebpf::tool
