// SPDX-License-Identifier: MIT
#include "sys/proc_maps.hpp"

#include <sys/syscall.h>

#include "base/format.hpp"
#include "sys/proc.hpp"
#include "sys/syscall.hpp"

namespace ebpf::sys {

namespace proc_maps_impl {
namespace {

// A hex number up to `end` (or, with `to_end`, the whole of `s`); consumes it and the terminator.
bool hex_field(std::string_view& s, char end, std::uint64_t& out, bool to_end = false) {
    std::size_t i = 0;
    std::uint64_t v = 0;
    for (; i < s.size() && s[i] != end; ++i) {
        const char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else return false;
        if (i >= 16) return false;
        v = v * 16 + d;
    }
    if (i == 0 || (i == s.size() && !to_end)) return false;
    s.remove_prefix(i == s.size() ? i : i + 1);
    out = v;
    return true;
}

std::string_view word(std::string_view& s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    const auto sp = s.find(' ');
    const std::string_view w = s.substr(0, sp);
    s.remove_prefix(sp == std::string_view::npos ? s.size() : sp);
    return w;
}

}  // namespace
}  // namespace proc_maps_impl

std::vector<MemoryMapping> parse_proc_maps(std::string_view text) {
    using namespace proc_maps_impl;
    std::vector<MemoryMapping> out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        // 7f5c6f5d8000-7f5c6f5d9000 r-xp 00001000 103:01 362990598    /usr/lib/libfoo.so
        MemoryMapping m;
        if (!hex_field(line, '-', m.start) || !hex_field(line, ' ', m.end)) continue;
        const std::string_view perms = word(line);
        if (perms.size() < 3) continue;
        m.read = perms[0] == 'r';
        m.write = perms[1] == 'w';
        m.exec = perms[2] == 'x';
        std::string_view off = word(line);
        if (!hex_field(off, ' ', m.offset, true)) continue;
        std::string_view dev = word(line);  // "fd:01": major and minor in hex
        std::uint64_t major = 0, minor = 0;
        if (hex_field(dev, ':', major) && hex_field(dev, ' ', minor, true)) {
            m.dev_major = static_cast<std::uint32_t>(major);
            m.dev_minor = static_cast<std::uint32_t>(minor);
        }
        const std::string_view inode = word(line);
        for (char c : inode) {
            if (c < '0' || c > '9') break;
            m.inode = m.inode * 10 + static_cast<std::uint64_t>(c - '0');
        }
        while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
        m.path = std::string(line);
        out.push_back(std::move(m));
    }
    return out;
}

int self_pid() noexcept { return static_cast<int>(syscall_entry(SYS_getpid, 0, 0, 0, 0, 0)); }

Result<std::vector<MemoryMapping>> read_proc_maps(int pid) {
    const std::string path = pid == 0 ? std::string("/proc/self/maps") : detail::format("/proc/%d/maps", pid);
    auto text = read_text(path.c_str(), 64u << 20);
    if (!text) {
        Error e = std::move(text).error();
        if (e.code() == Errc::NotFound) return std::move(e).context(detail::format("no process with pid %d", pid));
        return e;
    }
    return parse_proc_maps(*text);
}

}  // namespace ebpf::sys
