// SPDX-License-Identifier: MIT
// The names the kernel keeps for programs, maps and links (bpf_attr prog_name / map_name).
#pragma once

#include <string>
#include <string_view>

namespace ebpf::detail {

// At most 15 characters, each from [A-Za-z0-9_.]; anything else becomes '_'. The kernel refuses other names
// with EINVAL (BPF_OBJ_NAME_LEN is 16 with the terminating NUL).
std::string kernel_object_name(std::string_view name);

}  // namespace ebpf::detail
