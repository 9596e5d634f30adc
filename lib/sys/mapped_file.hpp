// SPDX-License-Identifier: MIT
// A whole file mapped read-only (executables and shared libraries that uprobes read symbols and notes from),
// through the syscall seam; read into memory instead where the file cannot be mapped.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include <ebpf/error.hpp>

namespace ebpf::sys {

// Ownership: move-only; unmaps (or frees) on destruction. bytes() stays valid while the MappedFile lives.
// Caveat: a mapped file truncated by someone else while mapped makes reads of the lost pages fault (SIGBUS), as
// with any mapping; replacing a file by rename (what package managers and linkers do) is harmless.
class MappedFile {
public:
    // Errors: "open <path>: ..." (NotFound, Permission, ...), "mmap <path>: ...".
    static Result<MappedFile> open(const char* path);
    MappedFile(MappedFile&& o) noexcept;
    MappedFile& operator=(MappedFile&& o) noexcept;
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    ~MappedFile();

    std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }

private:
    MappedFile() = default;
    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    bool mapped_ = false;
    std::vector<std::byte> copy_;  // when the file could not be mapped
};

}  // namespace ebpf::sys
