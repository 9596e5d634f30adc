// SPDX-License-Identifier: MIT
// A process's memory mappings (/proc/PID/maps): where a mapped file's pages are, for the absolute addresses of
// USDT probes in position-independent code (kernels without BPF cookies) and for finding the library a process
// has loaded under a name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>

namespace ebpf::sys {

struct MemoryMapping {
    std::uint64_t start = 0, end = 0;  // [start, end)
    std::uint64_t offset = 0;          // file offset of `start`
    bool read = false, write = false, exec = false;
    std::uint32_t dev_major = 0, dev_minor = 0;
    std::uint64_t inode = 0;
    std::string path;  // empty for anonymous mappings; "[stack]" and such for special ones
};

// Parses the text of a maps file (pure). Lines that do not have the maps shape are skipped.
std::vector<MemoryMapping> parse_proc_maps(std::string_view text);

// This process's pid (getpid(2) through the syscall seam).
int self_pid() noexcept;

// Reads /proc/<pid>/maps (pid 0: /proc/self/maps).
// Errors: NotFound "no process with pid N (/proc/N/maps: ...)", Permission.
Result<std::vector<MemoryMapping>> read_proc_maps(int pid);

}  // namespace ebpf::sys
