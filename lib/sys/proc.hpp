// SPDX-License-Identifier: MIT
// Reading small kernel-provided files (/sys, /proc) into memory.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include <ebpf/error.hpp>

namespace ebpf::sys {

// Reads a whole file. Errors: NotFound, Permission, Io, ResourceLimit (larger than max_size).
Result<std::vector<std::byte>> read_file(const char* path, std::size_t max_size = 256u << 20);
Result<std::string> read_text(const char* path, std::size_t max_size = 1u << 20);
// Parses a CPU list such as "0-3,5" and returns the number of CPUs in it.
Result<std::uint32_t> read_cpu_list(const char* path);
std::optional<std::uint32_t> parse_cpu_list(std::string_view text);
// The CPU numbers in such a list ("0-2,5" -> 0, 1, 2, 5), e.g. of /sys/devices/system/cpu/online.
std::optional<std::vector<std::uint32_t>> parse_cpu_ids(std::string_view text);
Result<std::vector<std::uint32_t>> read_cpu_ids(const char* path);

}  // namespace ebpf::sys
