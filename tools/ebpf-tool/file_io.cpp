// SPDX-License-Identifier: MIT
#include "file_io.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace ebpf::tool {

Result<std::vector<std::byte>> read_whole_file(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return Error::from_errno(errno, "open").context("read " + path);
    std::vector<std::byte> out;
    std::byte buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
    const bool bad = std::ferror(f) != 0;
    std::fclose(f);
    if (bad) return Error(Errc::Io, "read " + path + ": read error");
    return out;
}

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
