// SPDX-License-Identifier: MIT
// Kernel version, config and kallsyms, read the way libbpf reads them.
#include "features/kernel_info.hpp"

#include <sys/utsname.h>

#include <cstring>
#include <set>

#include "base/format.hpp"
#include "base/inflate.hpp"
#include "object/kconfig.hpp"
#include "sys/proc.hpp"

namespace ebpf::detail {

Result<std::uint32_t> running_kernel_version() {
    // Ubuntu: "Ubuntu 5.15.0-58.64-generic 5.15.74": the last field is the upstream version.
    if (auto sig = sys::read_text("/proc/version_signature", 4096)) {
        std::string_view s = *sig;
        while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
        const auto sp = s.rfind(' ');
        if (sp != std::string_view::npos)
            if (auto v = kernel_version_code(s.substr(sp + 1))) return *v;
    }
    utsname u{};
    if (::uname(&u) != 0) return Error(Errc::Syscall, "uname failed");
    // Debian: uname -v holds "... Debian 6.1.55-1 ..." while the release says 6.1.0-13.
    const std::string_view version = u.version;
    if (const auto pos = version.find("Debian "); pos != std::string_view::npos)
        if (auto v = kernel_version_code(version.substr(pos + 7))) return *v;
    if (auto v = kernel_version_code(u.release)) return *v;
    return Error(Errc::NotSupported, format("cannot parse kernel release '%s'", u.release));
}

Result<std::string> running_kernel_config() {
    if (auto gz = sys::read_file("/proc/config.gz", 16u << 20)) {
        auto text = maybe_gunzip(*gz, 64u << 20);
        if (!text) return std::move(text).error().context("/proc/config.gz");
        return std::string(reinterpret_cast<const char*>(text->data()), text->size());
    }
    utsname u{};
    ::uname(&u);
    const std::string boot = std::string("/boot/config-") + u.release;
    auto text = sys::read_text(boot.c_str(), 64u << 20);
    if (text) return text;
    return Error(Errc::NotFound,
                 format("kernel config not found in /proc/config.gz (CONFIG_IKCONFIG_PROC) nor %s", boot.c_str()));
}

Result<std::map<std::string, std::uint64_t, std::less<>>> kallsyms_lookup(std::span<const std::string> names) {
    std::map<std::string, std::uint64_t, std::less<>> out;
    if (names.empty()) return out;
    const std::set<std::string_view> want(names.begin(), names.end());
    auto text = sys::read_text("/proc/kallsyms", 512u << 20);
    if (!text) return std::move(text).error();
    std::string_view s = *text;
    bool any_nonzero = false;
    while (!s.empty()) {
        const auto nl = s.find('\n');
        std::string_view line = s.substr(0, nl);
        s = nl == std::string_view::npos ? std::string_view() : s.substr(nl + 1);
        // "ffffffff81000000 T _stext [module]"
        const auto sp1 = line.find(' ');
        if (sp1 == std::string_view::npos || sp1 + 3 > line.size()) continue;
        std::string_view name = line.substr(sp1 + 3);
        name = name.substr(0, name.find_first_of(" \t"));
        std::uint64_t addr = 0;
        for (char c : line.substr(0, sp1)) {
            addr <<= 4;
            addr |= static_cast<std::uint64_t>(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
        }
        any_nonzero = any_nonzero || addr != 0;
        if (want.count(name) && !out.count(name)) out.emplace(std::string(name), addr);
    }
    if (!any_nonzero)
        return Error(Errc::Permission, "/proc/kallsyms shows no addresses (kptr_restrict; needs CAP_SYSLOG / root)");
    return out;
}

std::string syscall_prefix() {
    utsname u{};
    if (::uname(&u) != 0) return {};
    const std::string_view m = u.machine;
    if (m == "x86_64") return "__x64_sys_";
    if (m == "aarch64") return "__arm64_sys_";
    if (m.substr(0, 3) == "arm") return "__arm_sys_";
    if (m == "s390x") return "__s390x_sys_";
    if (m.substr(0, 5) == "riscv") return "__riscv_sys_";
    if (m.substr(0, 3) == "ppc") return "__powerpc_sys_";
    if (m.substr(0, 9) == "loongarch") return "__loongarch_sys_";
    return {};
}

Result<bool> kernel_has_syscall_wrapper() {
    const std::string prefix = syscall_prefix();
    if (prefix.empty()) return false;
    const std::string name = prefix + "bpf";
    auto syms = kallsyms_lookup(std::span<const std::string>(&name, 1));
    if (!syms) {
        // Names are listed even when addresses are hidden; fall back to a presence check.
        if (syms.error().code() != Errc::Permission) return std::move(syms).error();
        auto text = sys::read_text("/proc/kallsyms", 512u << 20);
        if (!text) return std::move(text).error();
        return text->find(" " + name + "\n") != std::string::npos;
    }
    return syms->count(name) != 0;
}

}  // namespace ebpf::detail
