// SPDX-License-Identifier: MIT
// mmap/munmap through the syscall seam, for maps whose memory user space maps (BPF_F_MMAPABLE arrays, arenas).
#pragma once

#include <cstddef>
#include <optional>

#include <ebpf/error.hpp>

namespace ebpf::sys {

enum class MapProt : unsigned char { Read, ReadWrite };

struct MmapRequest {
    void* addr = nullptr;   // hint, or the required address with `fixed`
    std::size_t length = 0;
    MapProt prot = MapProt::Read;
    int fd = -1;
    bool fixed = false;     // MAP_FIXED_NOREPLACE (4.17+): fail instead of clobbering an existing mapping
    bool populate = false;  // MAP_POPULATE: fault every page in now, not on first access
    std::size_t offset = 0;  // page-aligned offset into the file (ring buffers map their producer page at one page)
};

// A shared mapping (MAP_SHARED) of `fd` at `offset`. Uses SYS_mmap2 where the architecture has it (32-bit: arm,
// i386, whose SYS_mmap is the old one-argument call) and SYS_mmap elsewhere.
// Errors: "mmap: <strerror>" with the kernel's errno (EPERM for a writable mapping of a frozen map, EINVAL for a
// map that is not mmapable, EBUSY for an arena already mapped elsewhere).
Result<void*> mmap_shared(const MmapRequest& request) noexcept;
// Never fails for a range mmap_shared() or map_file_read_only() returned.
void munmap(void* addr, std::size_t length) noexcept;

// A whole file, mapped read-only and private; the caller unmaps it with munmap(addr, length). nullopt when it
// cannot be mapped (no such file, an empty file, or a file system without mmap, such as sysfs BTF before 6.16):
// the caller then reads the file instead.
struct FileMapping {
    void* addr = nullptr;
    std::size_t length = 0;
};
std::optional<FileMapping> map_file_read_only(const char* path) noexcept;
// The page size (sysconf(_SC_PAGESIZE), from the auxiliary vector: no system call).
std::size_t page_size() noexcept;

}  // namespace ebpf::sys
