// SPDX-License-Identifier: MIT
// A whole file mapped read-only (executables and shared libraries that uprobes read symbols and notes from),
// through the syscall seam; read into memory instead where the file cannot be mapped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <ebpf/error.hpp>

namespace ebpf::sys {

// Which file an fd or a mapping is: device and inode (what /proc/PID/maps lists for a mapped file).
struct FileId {
    std::uint64_t inode = 0;
    std::uint32_t dev_major = 0, dev_minor = 0;
    bool known = false;  // false: the kernel could not say (statx is 4.11+)
};

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
    // The file's device and inode, as statx(2) gave them when it was opened.
    const FileId& id() const noexcept { return id_; }

private:
    MappedFile() = default;
    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    bool mapped_ = false;
    std::vector<std::byte> copy_;  // when the file could not be mapped
    FileId id_;
};

}  // namespace ebpf::sys
