// SPDX-License-Identifier: MIT
// Finding a shared library by name the way glibc's dynamic loader does, for uprobes on "libc.so.6": the
// directories of LD_LIBRARY_PATH, then /etc/ld.so.cache, then the default directories. Pure: the caller reads
// the cache file and the environment and says which paths exist.
//
// /etc/ld.so.cache (glibc dl-cache.h) comes in three shapes, all read here:
//   old     "ld.so-1.7.0", nlibs, nlibs x {i32 flags; u32 key, value}, strings (offsets from the end of the
//           entries)
//   new     "glibc-ld.so.cache" "1.1", u32 nlibs, u32 len_strings, u8 flags (endianness), 3 pad, u32
//           extension_offset, 3 x u32 unused (48 bytes), nlibs x {i32 flags; u32 key, value, osversion; u64
//           hwcap} (24 bytes), strings (offsets from the start of this header)
//   compat  an old table followed, at the next 8-byte boundary, by a new one (glibc 2.2 to 2.31)
// Entry flags: the low byte is the library type (1 ELF, 3 ELF libc6), the next byte the ABI of 64-bit and
// multilib systems (0x0300 x86_64, 0x0800 x32, 0x0900 ARM hard-float, 0x0a00 AArch64, 0x0b00 ARM soft-float,
// 0x0f00/0x1000 RISC-V soft/double-float).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>

namespace ebpf::elf {

struct LdCacheEntry {
    std::string_view name;  // "libc.so.6"
    std::string_view path;  // "/lib/x86_64-linux-gnu/libc.so.6"
    std::int32_t flags = 0;
    std::uint64_t hwcap = 0;  // bit 62 set: a glibc-hwcaps subdirectory variant (x86-64-v3, ...)
};

// Parses a cache in any of the three shapes (the new table wins in the compat shape), in the byte order of this
// machine (ldconfig writes it so; a cache that says it has the other byte order is refused).
// Errors: MalformedElf naming the problem (bad magic, entries or strings outside the file).
// Lifetime: the entries view `bytes` (their strings point into it): keep the bytes alive while they are used.
Result<std::vector<LdCacheEntry>> parse_ld_cache(std::span<const std::byte> bytes);

// Whether the dynamic loader of `machine` (an ELF e_machine; 64-bit when `elf64`) takes a cache entry with
// these flags.
bool ld_cache_flags_match(std::int32_t flags, std::uint16_t machine, bool elf64) noexcept;

struct LibrarySearch {
    std::string_view ld_library_path;  // the value of LD_LIBRARY_PATH (':' or ';' separated), may be empty
    std::span<const LdCacheEntry> cache;  // parse_ld_cache() of /etc/ld.so.cache, may be empty
    std::uint16_t machine = 0;  // e_machine of the loader whose cache entries count
    bool elf64 = true;
    std::span<const std::string> default_dirs;  // searched last, in order
    std::function<bool(const std::string&)> exists;  // whether a regular file is at this path
};

struct LibraryLookup {
    std::optional<std::string> path;  // the library found
    std::vector<std::string> searched;  // what was tried, in order ("LD_LIBRARY_PATH /opt/x", "ld.so.cache", ...)
};

// Finds `name` ("libc.so.6", "libfoo.so"): the first LD_LIBRARY_PATH directory holding it, else the cache
// entry for this machine (a baseline entry before glibc-hwcaps variants), else the first default directory
// holding it.
LibraryLookup find_library(std::string_view name, const LibrarySearch& search);

}  // namespace ebpf::elf
