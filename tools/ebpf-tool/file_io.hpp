// SPDX-License-Identifier: MIT
// Whole files in and out for ebpf-tool (link, gen skeleton): read completely, written whole or not at all.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <ebpf/error.hpp>

namespace ebpf::tool {

// The whole contents of `path`. Errors: the open failure's errno, or Io for a read error; both name "read PATH".
Result<std::vector<std::byte>> read_whole_file(const std::string& path);

// Writes `bytes` to `path` through a temporary file in the same directory and a rename (mode 0644): a reader never
// sees a partial file, and a failure leaves no file behind. Errors: the failing call's errno, naming `path`.
Result<void> write_file_atomically(const std::string& path, std::span<const std::byte> bytes);

}  // namespace ebpf::tool
