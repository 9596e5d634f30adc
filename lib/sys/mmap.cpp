// SPDX-License-Identifier: MIT
// mmap/munmap through the syscall seams (syscall_entry6 for mmap, syscall_entry for munmap), so fault injection
// covers them.
#include "sys/mmap.hpp"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fcntl.h>
#include <linux/stat.h>

#include <cerrno>

#include "sys/file.hpp"
#include "sys/syscall.hpp"
#include "sys/syscall6.hpp"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

namespace ebpf::sys {

Result<void*> mmap_shared(const MmapRequest& rq) noexcept {
    const int prot = rq.prot == MapProt::ReadWrite ? PROT_READ | PROT_WRITE : PROT_READ;
    const int flags = MAP_SHARED | (rq.fixed ? MAP_FIXED_NOREPLACE : 0) | (rq.populate ? MAP_POPULATE : 0);
#if defined(SYS_mmap2)
    // 32-bit: mmap2 takes the offset in 4096-byte units (whatever the page size).
    const long nr = SYS_mmap2;
    const long offset = static_cast<long>(rq.offset / 4096);
#else
    const long nr = SYS_mmap;
    const long offset = static_cast<long>(rq.offset);
#endif
    const long r = syscall_entry6(nr, reinterpret_cast<long>(rq.addr), static_cast<long>(rq.length), prot, flags,
                                  rq.fd, offset);
    // syscall() returns -1 only for errors (-4095..-1): a page-aligned address is never -1.
    if (r == -1) return Error::from_errno(errno, "mmap");
    void* p = reinterpret_cast<void*>(r);
    // Kernels before 4.17 ignore MAP_FIXED_NOREPLACE and treat the address as a hint.
    if (rq.fixed && p != rq.addr) {
        munmap(p, rq.length);
        return Error(Errc::Exists, "mmap: the requested address is already in use");
    }
    return p;
}

std::optional<FileMapping> map_file_read_only(const char* path) noexcept {
    auto fd = open_path(path, O_RDONLY);
    if (!fd) return std::nullopt;
    // statx (4.11) has one struct layout on every architecture, unlike fstat/fstat64.
    struct statx stx {};
    if (syscall_entry(SYS_statx, fd->get(), reinterpret_cast<long>(""), AT_EMPTY_PATH, STATX_SIZE,
                      reinterpret_cast<long>(&stx)) != 0 ||
        !(stx.stx_mask & STATX_SIZE) || stx.stx_size == 0 || stx.stx_size > SIZE_MAX / 2)
        return std::nullopt;
    const auto length = static_cast<std::size_t>(stx.stx_size);
#if defined(SYS_mmap2)
    const long nr = SYS_mmap2;
#else
    const long nr = SYS_mmap;
#endif
    const long r = syscall_entry6(nr, 0, static_cast<long>(length), PROT_READ, MAP_PRIVATE, fd->get(), 0);
    if (r == -1) return std::nullopt;
    return FileMapping{reinterpret_cast<void*>(r), length};
}

void munmap(void* addr, std::size_t length) noexcept {
    (void)syscall_entry(SYS_munmap, reinterpret_cast<long>(addr), static_cast<long>(length), 0, 0, 0);
}

std::size_t page_size() noexcept {
    const long p = ::sysconf(_SC_PAGESIZE);
    return p > 0 ? static_cast<std::size_t>(p) : 4096;
}

}  // namespace ebpf::sys
