// SPDX-License-Identifier: MIT
// /etc/ld.so.cache parsing and the dynamic loader's search order for a library name.
#include "elf/ld_cache.hpp"

#include <cstring>

#include "base/bytes.hpp"
#include "base/format.hpp"
#include "elf/symbol_lookup.hpp"

namespace ebpf::elf {

using detail::format;

namespace {

constexpr std::string_view kOldMagic = "ld.so-1.7.0";          // 11 bytes, then u32 nlibs
constexpr std::string_view kNewMagic = "glibc-ld.so.cache1.1";  // 20 bytes
constexpr std::size_t kOldHeader = 16, kOldEntry = 12, kNewHeader = 48, kNewEntry = 24;
constexpr std::uint64_t kHwcapExtension = std::uint64_t{1} << 62;
constexpr std::uint8_t kEndianMask = 3, kEndianLittle = 2, kEndianBig = 3;

Error bad_cache(const std::string& why) { return Error(Errc::MalformedElf, "ld.so.cache: " + why); }

bool starts_with(const detail::ByteView& v, std::uint64_t off, std::string_view magic) {
    return v.contains(off, magic.size()) && std::memcmp(v.data() + off, magic.data(), magic.size()) == 0;
}

Result<std::vector<LdCacheEntry>> parse_new(const detail::ByteView& v, std::uint64_t start) {
    if (!v.contains(start, kNewHeader)) return bad_cache("truncated header");
    const std::uint32_t n = v.load<std::uint32_t>(static_cast<std::size_t>(start + 20));
    const std::uint8_t flags = v.load<std::uint8_t>(static_cast<std::size_t>(start + 28));
    const std::uint8_t host = detail::host_endian() == detail::Endian::Little ? kEndianLittle : kEndianBig;
    if ((flags & kEndianMask) == 1 || ((flags & kEndianMask) != 0 && (flags & kEndianMask) != host))
        return bad_cache("written for the other byte order (or marked invalid)");
    if (n > v.size() / kNewEntry || !v.contains(start + kNewHeader, std::uint64_t{n} * kNewEntry))
        return bad_cache(format("%u entries do not fit in the file", n));
    // Strings are addressed from the start of the new header.
    const auto strings = v.sub(start, v.size() - start);
    std::vector<LdCacheEntry> out;
    out.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::size_t e = static_cast<std::size_t>(start + kNewHeader + std::uint64_t{i} * kNewEntry);
        LdCacheEntry entry;
        entry.flags = static_cast<std::int32_t>(v.load<std::uint32_t>(e));
        const auto key = strings->cstr(v.load<std::uint32_t>(e + 4));
        const auto value = strings->cstr(v.load<std::uint32_t>(e + 8));
        if (!key || !value) return bad_cache(format("entry %u: a name outside the string table", i));
        entry.name = *key;
        entry.path = *value;
        entry.hwcap = v.load<std::uint64_t>(e + 16);
        out.push_back(entry);
    }
    return out;
}

Result<std::vector<LdCacheEntry>> parse_old(const detail::ByteView& v) {
    if (!v.contains(0, kOldHeader)) return bad_cache("truncated header");
    const std::uint32_t n = v.load<std::uint32_t>(12);
    if (n > v.size() / kOldEntry || !v.contains(kOldHeader, std::uint64_t{n} * kOldEntry))
        return bad_cache(format("%u entries do not fit in the file", n));
    const std::uint64_t end = kOldHeader + std::uint64_t{n} * kOldEntry;
    // A new table after the old entries (the compat shape) is the one to use: it has the ABI flags of today.
    const std::uint64_t aligned = (end + 7) & ~std::uint64_t{7};
    if (starts_with(v, aligned, kNewMagic)) return parse_new(v, aligned);
    const auto strings = v.sub(end, v.size() - end);
    std::vector<LdCacheEntry> out;
    out.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        const std::size_t e = static_cast<std::size_t>(kOldHeader + std::uint64_t{i} * kOldEntry);
        LdCacheEntry entry;
        entry.flags = static_cast<std::int32_t>(v.load<std::uint32_t>(e));
        const auto key = strings->cstr(v.load<std::uint32_t>(e + 4));
        const auto value = strings->cstr(v.load<std::uint32_t>(e + 8));
        if (!key || !value) return bad_cache(format("entry %u: a name outside the string table", i));
        entry.name = *key;
        entry.path = *value;
        out.push_back(entry);
    }
    return out;
}

// The ABI byte a loader of this machine expects (glibc's FLAG_*_LIB64 and friends); -1: any.
int expected_abi(std::uint16_t machine, bool elf64) {
    switch (machine) {
    case EM_X86_64: return elf64 ? 0x03 : 0x08;
    case EM_AARCH64: return 0x0a;
    case EM_386: return 0x00;
    case 21: return 0x05;     // EM_PPC64
    case 22: return 0x04;     // EM_S390 (64-bit)
    case EM_ARM: return -1;   // hard-float 0x09, soft-float 0x0b, or unmarked
    case EM_RISCV: return -1; // soft-float 0x0f, double-float 0x10, or unmarked
    default: return elf64 ? -1 : 0x00;
    }
}

void split_dirs(std::string_view list, std::vector<std::string_view>& out) {
    while (!list.empty()) {
        const auto sep = list.find_first_of(":;");
        const std::string_view dir = list.substr(0, sep);
        // An empty element means the current directory to ld.so; uprobes need a path the kernel can open, so
        // it stays "." (resolved by the kernel against the caller's working directory).
        out.push_back(dir.empty() ? std::string_view(".") : dir);
        if (sep == std::string_view::npos) break;
        list.remove_prefix(sep + 1);
    }
}

std::string join(std::string_view dir, std::string_view name) {
    std::string p(dir);
    if (p.empty() || p.back() != '/') p += '/';
    p += name;
    return p;
}

}  // namespace

Result<std::vector<LdCacheEntry>> parse_ld_cache(std::span<const std::byte> bytes) {
    const detail::ByteView v(bytes, detail::host_endian());
    if (starts_with(v, 0, kOldMagic)) return parse_old(v);
    if (starts_with(v, 0, kNewMagic)) return parse_new(v, 0);
    return bad_cache("unknown format (neither \"ld.so-1.7.0\" nor \"glibc-ld.so.cache1.1\")");
}

bool ld_cache_flags_match(std::int32_t flags, std::uint16_t machine, bool elf64) noexcept {
    const int type = flags & 0xff, abi = (flags >> 8) & 0xff;
    if (type != 1 && type != 3) return false;  // FLAG_ELF, FLAG_ELF_LIBC6
    const int want = expected_abi(machine, elf64);
    if (want >= 0) return abi == want;
    if (machine == EM_ARM) return abi == 0 || abi == 0x09 || abi == 0x0b;
    if (machine == EM_RISCV) return abi == 0 || abi == 0x0f || abi == 0x10;
    return true;
}

LibraryLookup find_library(std::string_view name, const LibrarySearch& s) {
    LibraryLookup out;
    const auto exists = [&](const std::string& p) { return s.exists && s.exists(p); };
    std::vector<std::string_view> dirs;
    split_dirs(s.ld_library_path, dirs);
    for (std::string_view d : dirs) {
        std::string p = join(d, name);
        out.searched.push_back("LD_LIBRARY_PATH " + std::string(d));
        if (exists(p)) {
            out.path = std::move(p);
            return out;
        }
    }
    if (!s.cache.empty()) {
        out.searched.push_back("ld.so.cache");
        const LdCacheEntry* pick = nullptr;
        for (const LdCacheEntry& e : s.cache) {
            if (e.name != name || !ld_cache_flags_match(e.flags, s.machine, s.elf64)) continue;
            const bool variant = (e.hwcap & kHwcapExtension) != 0;
            if (!pick || ((pick->hwcap & kHwcapExtension) != 0 && !variant)) pick = &e;
        }
        if (pick && exists(std::string(pick->path))) {
            out.path = std::string(pick->path);
            return out;
        }
    }
    for (const std::string& d : s.default_dirs) {
        std::string p = join(d, name);
        out.searched.push_back(d);
        if (exists(p)) {
            out.path = std::move(p);
            return out;
        }
    }
    return out;
}

}  // namespace ebpf::elf
