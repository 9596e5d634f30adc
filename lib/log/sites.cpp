// SPDX-License-Identifier: MIT
// LogSites: the call-site table ebpf_log.h puts in .rodata.ebpf_log (one entry per log call: id, line, level,
// argument count, file, format), parsed and checked once.
#include <ebpf/log.hpp>

#include <algorithm>
#include <cstring>

#include "base/format.hpp"

namespace ebpf {

using detail::format;

namespace {

constexpr std::uint32_t kSiteMagic = 0x53474c45;  // "ELGS"
constexpr std::size_t kSiteHeader = 20;

template <class T>
T site_load(std::span<const std::byte> b, std::size_t off) noexcept {
    T v;
    std::memcpy(&v, b.data() + off, sizeof v);
    return v;
}

Error bad(std::size_t off, const std::string& what) {
    return Error(Errc::InvalidArgument, format("log sites: entry at offset %zu: %s", off, what.c_str()));
}

// A NUL-terminated string of `len` bytes (NUL included), cut at its first NUL as C would read it.
std::string c_string(std::span<const std::byte> b, std::size_t off, std::size_t len) {
    const char* p = reinterpret_cast<const char*>(b.data() + off);
    const void* nul = std::memchr(p, 0, len);
    return std::string(p, nul ? static_cast<std::size_t>(static_cast<const char*>(nul) - p) : len);
}

}  // namespace

std::string_view to_string(LogLevel level) noexcept {
    switch (level) {
    case LogLevel::Off: return "OFF";
    case LogLevel::Error: return "ERROR";
    case LogLevel::Warn: return "WARN";
    case LogLevel::Info: return "INFO";
    case LogLevel::Debug: return "DEBUG";
    case LogLevel::Trace: return "TRACE";
    }
    return "?";
}

Result<LogSites> LogSites::parse(std::span<const std::byte> section) {
    LogSites out;
    std::size_t pos = 0;
    while (pos + 4 <= section.size()) {
        const std::uint32_t magic = site_load<std::uint32_t>(section, pos);
        if (magic == 0) {  // alignment padding between entries
            pos += 4;
            continue;
        }
        if (magic != kSiteMagic)
            return bad(pos, format("starts with 0x%08x, not the site magic 0x%08x", magic, kSiteMagic));
        if (section.size() - pos < kSiteHeader)
            return bad(pos, format("truncated: %zu bytes left, the entry header is %zu", section.size() - pos,
                                   kSiteHeader));
        LogSite s;
        s.id = site_load<std::uint32_t>(section, pos + 4);
        s.line = site_load<std::uint32_t>(section, pos + 8);
        const auto level = site_load<std::uint8_t>(section, pos + 12);
        s.nargs = site_load<std::uint8_t>(section, pos + 13);
        const auto file_len = site_load<std::uint16_t>(section, pos + 14);
        const auto fmt_len = site_load<std::uint16_t>(section, pos + 16);
        if (level < 1 || level > 5) return bad(pos, format("site %u: level %u is not 1 (error) to 5 (trace)", s.id, level));
        s.level = static_cast<LogLevel>(level);
        if (file_len == 0 || fmt_len == 0)
            return bad(pos, format("site %u: empty file name or format (lengths %u and %u, NUL included)", s.id,
                                   file_len, fmt_len));
        const std::size_t end = pos + kSiteHeader + file_len + fmt_len;
        if (end > section.size())
            return bad(pos, format("site %u: truncated: %u + %u bytes of text, %zu left", s.id, file_len, fmt_len,
                                   section.size() - pos - kSiteHeader));
        if (section[pos + kSiteHeader + file_len - 1] != std::byte{0} || section[end - 1] != std::byte{0})
            return bad(pos, format("site %u: file name or format is not NUL-terminated", s.id));
        s.file = c_string(section, pos + kSiteHeader, file_len);
        s.format = c_string(section, pos + kSiteHeader + file_len, fmt_len);
        out.sites_.push_back(std::move(s));
        pos = (end + 3) & ~std::size_t{3};
    }
    for (std::size_t i = pos; i < section.size(); ++i)
        if (section[i] != std::byte{0})
            return bad(pos, format("%zu trailing bytes that are not an entry", section.size() - pos));
    std::sort(out.sites_.begin(), out.sites_.end(), [](const LogSite& a, const LogSite& b) { return a.id < b.id; });
    for (std::size_t i = 1; i < out.sites_.size(); ++i)
        if (out.sites_[i].id == out.sites_[i - 1].id)
            return Error(Errc::InvalidArgument, format("log sites: site id %u appears twice (%s:%u and %s:%u)",
                                                       out.sites_[i].id, out.sites_[i - 1].file.c_str(),
                                                       out.sites_[i - 1].line, out.sites_[i].file.c_str(),
                                                       out.sites_[i].line));
    return out;
}

const LogSite* LogSites::find(std::uint32_t id) const noexcept {
    auto it = std::lower_bound(sites_.begin(), sites_.end(), id, [](const LogSite& s, std::uint32_t v) { return s.id < v; });
    return it != sites_.end() && it->id == id ? &*it : nullptr;
}

}  // namespace ebpf
