// SPDX-License-Identifier: MIT
// Whole-file reads with a size cap (sysfs files report st_size 4096 or 0, so read until EOF), through the seam.
#include "sys/proc.hpp"

#include <fcntl.h>

#include <algorithm>
#include <optional>

#include <ebpf/fd.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/file.hpp"

namespace ebpf::sys {

Result<std::vector<std::byte>> read_file(const char* path, std::size_t max_size) {
    EBPF_TRY_ASSIGN(const UniqueFd fd, open_path(path, O_RDONLY));
    std::vector<std::byte> out;
    std::size_t used = 0;
    out.resize(std::min<std::size_t>(64 * 1024, std::max<std::size_t>(max_size, 1)));
    for (;;) {
        if (used == out.size()) {
            if (out.size() >= max_size)
                return Error(Errc::ResourceLimit, detail::format("read %s: larger than %zu bytes", path, max_size));
            out.resize(std::min(out.size() * 2, max_size));
        }
        auto n = read_fd(fd.get(), out.data() + used, out.size() - used, path);
        if (!n) {
            Error e = std::move(n).error();
            // A failed read of a kernel file is an I/O problem unless errno says something more specific.
            if (e.code() == Errc::Syscall || e.code() == Errc::InvalidArgument) e.recode(Errc::Io);
            return e;
        }
        if (*n == 0) break;
        used += *n;
    }
    out.resize(used);
    return out;
}

Result<std::string> read_text(const char* path, std::size_t max_size) {
    auto bytes = read_file(path, max_size);
    if (!bytes) return std::move(bytes).error();
    return std::string(reinterpret_cast<const char*>(bytes->data()), bytes->size());
}

std::optional<std::vector<std::uint32_t>> parse_cpu_ids(std::string_view s) {
    std::vector<std::uint32_t> ids;
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
        if (ids.size() + (hi - lo + 1) > (1u << 16)) return std::nullopt;  // no machine has that many CPUs
        for (std::uint32_t c = lo; c <= hi; ++c) ids.push_back(c);
        if (i < s.size() && s[i] == ',') ++i;
    }
    if (ids.empty()) return std::nullopt;
    return ids;
}

std::optional<std::uint32_t> parse_cpu_list(std::string_view s) {
    auto ids = parse_cpu_ids(s);
    if (!ids) return std::nullopt;
    return static_cast<std::uint32_t>(ids->size());
}

Result<std::vector<std::uint32_t>> read_cpu_ids(const char* path) {
    auto text = read_text(path, 4096);
    if (!text) return std::move(text).error();
    auto ids = parse_cpu_ids(*text);
    if (!ids) return Error(Errc::Io, detail::format("%s: cannot parse CPU list '%s'", path, text->c_str()));
    return std::move(*ids);
}

Result<std::uint32_t> read_cpu_list(const char* path) {
    auto text = read_text(path, 4096);
    if (!text) return std::move(text).error();
    auto n = parse_cpu_list(*text);
    if (!n) return Error(Errc::Io, detail::format("%s: cannot parse CPU list '%s'", path, text->c_str()));
    return *n;
}

}  // namespace ebpf::sys
