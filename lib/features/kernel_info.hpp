// SPDX-License-Identifier: MIT
// Facts about the running kernel read from /proc and /sys: version, config, kallsyms.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include <ebpf/error.hpp>

namespace ebpf::detail {

inline bool host_is_little() {
    const std::uint16_t one = 1;
    return *reinterpret_cast<const unsigned char*>(&one) == 1;
}

// LINUX_VERSION_CODE of the running kernel. Distribution kernels whose uname release differs from the upstream
// version they are built from (Ubuntu, Debian) are handled as libbpf does.
Result<std::uint32_t> running_kernel_version();

// The running kernel's config text: /proc/config.gz (gunzipped) or /boot/config-$(uname -r).
// Errors: NotFound with both places named.
Result<std::string> running_kernel_config();

// Addresses of the named symbols from /proc/kallsyms (absent names are missing from the result).
// Errors: Permission when kptr_restrict hides addresses (all zero).
Result<std::map<std::string, std::uint64_t, std::less<>>> kallsyms_lookup(std::span<const std::string> names);

// Whether syscalls enter through __<arch>_sys_<name> wrappers (decides the ksyscall attach name).
Result<bool> kernel_has_syscall_wrapper();
// The wrapper prefix for this architecture ("__x64_sys_", "__arm64_sys_", ...), or "" if unknown.
std::string syscall_prefix();

}  // namespace ebpf::detail
