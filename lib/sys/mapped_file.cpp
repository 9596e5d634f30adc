// SPDX-License-Identifier: MIT
#include "sys/mapped_file.hpp"

#include <fcntl.h>
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

Result<MappedFile> MappedFile::open(const char* path) {
    auto fd = open_path(path, O_RDONLY);
    if (!fd) return std::move(fd).error();
    const long size = syscall_entry(SYS_lseek, fd->get(), 0, SEEK_END, 0, 0);
    if (size < 0) return Error::from_errno(errno, detail::format("lseek %s", path));
    MappedFile m;
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
      copy_(std::move(o.copy_)) {
    if (!mapped_) data_ = copy_.data();
}

MappedFile& MappedFile::operator=(MappedFile&& o) noexcept {
    if (this != &o) {
        MappedFile old(std::move(*this));
        data_ = std::exchange(o.data_, nullptr);
        size_ = std::exchange(o.size_, 0);
        mapped_ = std::exchange(o.mapped_, false);
        copy_ = std::move(o.copy_);
        if (!mapped_) data_ = copy_.data();
    }
    return *this;
}

MappedFile::~MappedFile() {
    if (mapped_) munmap(const_cast<std::byte*>(data_), size_);
}

}  // namespace ebpf::sys
