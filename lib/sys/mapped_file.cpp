// SPDX-License-Identifier: MIT
#include "sys/mapped_file.hpp"

#include <fcntl.h>
#include <linux/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "base/format.hpp"
#include "sys/file.hpp"
#include "sys/mmap.hpp"
#include "sys/proc.hpp"
#include "sys/syscall.hpp"

namespace ebpf::sys {

namespace mapped_file_impl {
namespace {

// statx(fd, "", AT_EMPTY_PATH): 4.11+; an unknown id otherwise (callers fall back to comparing paths).
FileId file_id(int fd) noexcept {
    FileId id;
#if defined(SYS_statx) && defined(STATX_INO)
    struct statx sx {};
    if (syscall_entry(SYS_statx, fd, reinterpret_cast<long>(""), AT_EMPTY_PATH, STATX_INO,
                      reinterpret_cast<long>(&sx)) == 0 &&
        (sx.stx_mask & STATX_INO)) {
        id.inode = sx.stx_ino;
        id.dev_major = sx.stx_dev_major;
        id.dev_minor = sx.stx_dev_minor;
        id.known = true;
    }
#else
    (void)fd;
#endif
    return id;
}

}  // namespace
}  // namespace mapped_file_impl

Result<MappedFile> MappedFile::open(const char* path) {
    auto fd = open_path(path, O_RDONLY);
    if (!fd) return std::move(fd).error();
    const long size = syscall_entry(SYS_lseek, fd->get(), 0, SEEK_END, 0, 0);
    if (size < 0) return Error::from_errno(errno, detail::format("lseek %s", path));
    MappedFile m;
    m.id_ = mapped_file_impl::file_id(fd->get());
    if (size == 0) return m;
    MmapRequest rq;
    rq.length = static_cast<std::size_t>(size);
    rq.prot = MapProt::Read;
    rq.fd = fd->get();
    auto p = mmap_shared(rq);
    if (p) {
        m.data_ = static_cast<const std::byte*>(*p);
        m.size_ = static_cast<std::size_t>(size);
        m.mapped_ = true;
        return m;
    }
    // Not mappable (a FUSE or proc file, say): read it.
    auto bytes = read_file(path);
    if (!bytes) return std::move(bytes).error();
    m.copy_ = std::move(*bytes);
    m.data_ = m.copy_.data();
    m.size_ = m.copy_.size();
    return m;
}

MappedFile::MappedFile(MappedFile&& o) noexcept
    : data_(std::exchange(o.data_, nullptr)),
      size_(std::exchange(o.size_, 0)),
      mapped_(std::exchange(o.mapped_, false)),
      copy_(std::move(o.copy_)),
      id_(o.id_) {
    if (!mapped_) data_ = copy_.data();
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
    if (this != &o) {
        MappedFile old(std::move(*this));
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
        mapped_ = std::exchange(o.mapped_, false);
        copy_ = std::move(o.copy_);
        id_ = o.id_;
        if (!mapped_) data_ = copy_.data();
    }
    return *this;
}

MappedFile::~MappedFile() {
    if (mapped_) munmap(const_cast<std::byte*>(data_), size_);
}

}  // namespace ebpf::sys
