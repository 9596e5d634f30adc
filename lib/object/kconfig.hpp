// SPDX-License-Identifier: MIT
// Kernel configuration values for .kconfig externs: parsing a config file and converting values to the
// extern's C type (bool, char, tristate enum, integers, char arrays), as libbpf does.
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>

#include <ebpf/btf.hpp>
#include <ebpf/error.hpp>
#include <ebpf/spec.hpp>

namespace ebpf::detail {

using KconfigValues = std::map<std::string, std::string, std::less<>>;

// Parses "CONFIG_X=y", "CONFIG_S=\"text\"", "CONFIG_N=0x10" and "# CONFIG_X is not set" (which gives "n").
// Other lines are ignored. Errors: InvalidArgument for a CONFIG_ line that is not NAME=VALUE.
Result<KconfigValues> parse_kconfig(std::string_view text);

// Writes `value` (as it appears in the config file) for extern `e` into `dst` (e.size bytes).
// Errors: Relocation naming the extern when the value does not fit its type.
Result<void> kconfig_encode(const btf::Spec& btf, const ExternSpec& e, std::string_view value, std::span<std::byte> dst);

// KERNEL_VERSION(a, b, c) with c clamped to 255, from a release string such as "6.1.55-cloud-amd64".
std::optional<std::uint32_t> kernel_version_code(std::string_view release);

}  // namespace ebpf::detail
