// SPDX-License-Identifier: MIT
#include "output_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace ebpf::tool {

Result<void> write_file_atomically(const std::string& path, std::span<const std::byte> bytes) {
    std::string tmp = path + ".tmp.XXXXXX";
    const int fd = ::mkstemp(tmp.data());
    if (fd < 0) return Error::from_errno(errno, "mkstemp").context("write " + path);
    auto give_up = [&](const char* step, bool close_fd) -> Result<void> {
        const int e = errno;
        if (close_fd) ::close(fd);
        ::unlink(tmp.c_str());
        return Error::from_errno(e, step).context("write " + path);
    };
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return give_up("write", true);
        }
        done += static_cast<std::size_t>(n);
    }
    ::fchmod(fd, 0644);
    if (::close(fd) != 0) return give_up("close", false);
    if (::rename(tmp.c_str(), path.c_str()) != 0) return give_up("rename", false);
    return {};
}

}  // namespace ebpf::tool
