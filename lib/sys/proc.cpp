// SPDX-License-Identifier: MIT
// Whole-file reads with a size cap (sysfs files report st_size 4096 or 0, so read until EOF).
#include "sys/proc.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

#include <ebpf/fd.hpp>

#include "base/format.hpp"

namespace ebpf::sys {

Result<std::vector<std::byte>> read_file(const char* path, std::size_t max_size) {
    const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error::from_errno(errno, "open").context(path);
    UniqueFd closer(fd);
    std::vector<std::byte> out;
    std::size_t used = 0;
    out.resize(64 * 1024);
    for (;;) {
        if (used == out.size()) {
            if (out.size() >= max_size)
                return Error(Errc::ResourceLimit, detail::format("%s: larger than %zu bytes", path, max_size));
            out.resize(std::min(out.size() * 2, max_size));
        }
        const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error::from_errno(errno, "read").context(path);
        }
        if (n == 0) break;
        used += static_cast<std::size_t>(n);
    }
    out.resize(used);
    return out;
}

Result<std::string> read_text(const char* path, std::size_t max_size) {
    auto bytes = read_file(path, max_size);
    if (!bytes) return std::move(bytes).error();
    return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

std::optional<std::uint32_t> parse_cpu_list(std::string_view s) {
    std::uint32_t count = 0;
    std::size_t i = 0;
    auto number = [&](std::uint32_t& v) {
        if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
        v = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            v = v * 10 + static_cast<std::uint32_t>(s[i] - '0');
            if (v > 1u << 20) return false;
            ++i;
        }
        return true;
    };
    while (i < s.size() && s[i] != '\n') {
        std::uint32_t lo, hi;
        if (!number(lo)) return std::nullopt;
        hi = lo;
        if (i < s.size() && s[i] == '-') {
            ++i;
            if (!number(hi) || hi < lo) return std::nullopt;
        }
        count += hi - lo + 1;
        if (i < s.size() && s[i] == ',') ++i;
    }
    if (count == 0) return std::nullopt;
    return count;
}

Result<std::uint32_t> read_cpu_list(const char* path) {
    auto text = read_text(path, 4096);
    if (!text) return std::move(text).error();
    auto n = parse_cpu_list(*text);
    if (!n) return Error(Errc::Io, detail::format("%s: cannot parse CPU list '%s'", path, text->c_str()));
    return *n;
}

}  // namespace ebpf::sys
