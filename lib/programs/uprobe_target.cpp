// SPDX-License-Identifier: MIT
// Binaries for uprobes: resolution like the dynamic loader (elf/ld_cache.hpp does the searching; this file reads
// the environment, /etc/ld.so.cache and the process's mappings), mapping and parsing.
#include "programs/uprobe_target.hpp"

#include <ebpf/programs/uprobe.hpp>

#include <cstdlib>

#include "base/format.hpp"
#include "sys/file.hpp"
#include "sys/proc.hpp"
#include "sys/proc_maps.hpp"

namespace ebpf::detail {

namespace uprobe_target_impl {
namespace {

// The multiarch directory of this architecture (Debian and Ubuntu) and the ELF machine of its loader.
#if defined(__x86_64__)
constexpr const char* kMultiarch = "x86_64-linux-gnu";
constexpr std::uint16_t kMachine = elf::EM_X86_64;
#elif defined(__aarch64__)
constexpr const char* kMultiarch = "aarch64-linux-gnu";
constexpr std::uint16_t kMachine = elf::EM_AARCH64;
#elif defined(__arm__)
constexpr const char* kMultiarch = "arm-linux-gnueabihf";
constexpr std::uint16_t kMachine = elf::EM_ARM;
#elif defined(__riscv) && __riscv_xlen == 64
constexpr const char* kMultiarch = "riscv64-linux-gnu";
constexpr std::uint16_t kMachine = elf::EM_RISCV;
#elif defined(__i386__)
constexpr const char* kMultiarch = "i386-linux-gnu";
constexpr std::uint16_t kMachine = elf::EM_386;
#else
constexpr const char* kMultiarch = "";
constexpr std::uint16_t kMachine = 0;
#endif
constexpr bool kElf64 = sizeof(void*) == 8;

bool is_library_name(std::string_view name) {
    return name.find(".so") != std::string_view::npos;
}

std::string_view basename(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// The file process `pid` maps under this library name ("libc.so.6", or "libc.so" for "libc.so.6").
std::optional<std::string> mapped_library(std::string_view name, int pid) {
    auto maps = sys::read_proc_maps(pid);
    if (!maps) return std::nullopt;
    for (const sys::MemoryMapping& m : *maps) {
        if (m.path.empty() || m.path[0] != '/' || !m.exec) continue;
        const std::string_view base = basename(m.path);
        if (base == name || (base.size() > name.size() && base.substr(0, name.size()) == name && base[name.size()] == '.'))
            return m.path;
    }
    return std::nullopt;
}

std::vector<std::string> default_dirs() {
    std::vector<std::string> d;
    if (*kMultiarch) {
        d.push_back(std::string("/lib/") + kMultiarch);
        d.push_back(std::string("/usr/lib/") + kMultiarch);
    }
    if (kElf64) {
        d.emplace_back("/lib64");
        d.emplace_back("/usr/lib64");
    }
    d.emplace_back("/lib");
    d.emplace_back("/usr/lib");
    d.emplace_back("/usr/local/lib");
    return d;
}

Result<std::string> find_library(std::string_view name, int pid) {
    if (pid > 0)
        if (auto p = mapped_library(name, pid)) return *p;
    const char* env = std::getenv("LD_LIBRARY_PATH");
    std::vector<LdCacheEntry> cache;
    auto cache_file = sys::read_file("/etc/ld.so.cache", 64u << 20);
    if (cache_file)
        if (auto parsed = parse_ld_cache(*cache_file)) cache = std::move(*parsed);
    const std::vector<std::string> dirs = default_dirs();
    LibrarySearch s;
    s.ld_library_path = env ? env : "";
    s.cache = cache;
    s.machine = kMachine;
    s.elf64 = kElf64;
    s.default_dirs = dirs;
    s.exists = [](const std::string& p) { return sys::path_exists(p.c_str()); };
    auto found = detail::find_library(name, s);
    if (found.path) return *found.path;
    std::string where;
    for (const std::string& w : found.searched) where += (where.empty() ? "" : ", ") + w;
    if (pid > 0) where = format("the mappings of pid %d, ", pid) + where;
    if (!cache_file) where += " (no /etc/ld.so.cache)";
    return Error(Errc::NotFound, format("library '%.*s' not found (searched %s)", EBPF_SV(name), where.c_str()));
}

Result<std::string> find_executable(std::string_view name) {
    const char* env = std::getenv("PATH");
    const std::string_view path = env ? env : "/usr/local/bin:/usr/bin:/bin";
    std::string_view rest = path;
    while (!rest.empty()) {
        const auto colon = rest.find(':');
        std::string dir(rest.substr(0, colon));
        rest.remove_prefix(colon == std::string_view::npos ? rest.size() : colon + 1);
        if (dir.empty()) continue;
        std::string p = dir + "/" + std::string(name);
        if (sys::path_exists(p.c_str())) return p;
    }
    return Error(Errc::NotFound, format("executable '%.*s' not found in PATH (%.*s); give a path, or a library name "
                                        "with .so in it",
                                        EBPF_SV(name), EBPF_SV(path)));
}

}  // namespace
}  // namespace uprobe_target_impl

Result<int> uprobe_pid(int pid) {
    if (pid == -1) return -1;
    if (pid < -1) return Error(Errc::InvalidArgument, format("pid %d: give -1 (every process), 0 (this one) or a pid", pid));
    if (pid == 0) return sys::self_pid();
    if (!sys::path_exists(format("/proc/%d", pid).c_str()))
        return Error(Errc::NotFound, format("no process with pid %d (/proc/%d does not exist)", pid, pid));
    return pid;
}

Result<std::string> resolve_binary(std::string_view binary, int pid) {
    using namespace uprobe_target_impl;
    if (binary.empty()) return Error(Errc::InvalidArgument, "no binary given");
    if (binary.find('\0') != std::string_view::npos) return Error(Errc::InvalidArgument, "binary name with a NUL");
    if (binary.find('/') != std::string_view::npos) {
        std::string p(binary);
        if (!sys::path_exists(p.c_str())) return Error(Errc::NotFound, format("%s: no such file", p.c_str()));
        return p;
    }
    if (is_library_name(binary)) return find_library(binary, pid);
    return find_executable(binary);
}

Result<std::unique_ptr<OpenedBinary>> open_binary(std::string_view binary, int pid) {
    auto path = resolve_binary(binary, pid);
    if (!path) return std::move(path).error();
    auto file = sys::MappedFile::open(path->c_str());
    if (!file) return std::move(file).error();
    auto elf = UprobeBinary::parse(file->bytes(), *path);
    if (!elf) return std::move(elf).error();
    return std::unique_ptr<OpenedBinary>(new OpenedBinary{std::move(*file), std::move(*elf)});
}

std::optional<SectionTarget> split_section_target(std::string_view target) noexcept {
    const auto slash = target.rfind('/');
    const auto colon = target.find(':', slash == std::string_view::npos ? 0 : slash);
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == target.size()) return std::nullopt;
    return SectionTarget{target.substr(0, colon), target.substr(colon + 1)};
}

}  // namespace ebpf::detail

namespace ebpf {

Result<std::string> resolve_uprobe_binary(std::string_view binary, int pid) {
    auto p = detail::uprobe_pid(pid);
    if (!p) return std::move(p).error();
    return detail::resolve_binary(binary, *p);
}

}  // namespace ebpf
