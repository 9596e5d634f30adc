// SPDX-License-Identifier: MIT
// Kernel feature probes: decided by trying (a tiny BTF blob, map or program), never by version numbers,
// and cached for the life of the process.
#pragma once

#include <cstdint>
#include <string_view>

#include <ebpf/error.hpp>
#include <ebpf/types.hpp>

namespace ebpf {

enum class Feature : std::uint8_t {
    Btf,              // BTF_LOAD at all (4.18)
    BtfFunc,          // FUNC / FUNC_PROTO (5.0)
    BtfGlobalFunc,    // FUNC with global linkage (5.6)
    BtfDatasec,       // VAR / DATASEC (5.2)
    BtfQmarkDatasec,  // DATASEC named "?.xxx"
    BtfFloat,         // FLOAT (5.13)
    BtfDeclTag,       // DECL_TAG (5.16)
    BtfTypeTag,       // TYPE_TAG (5.17)
    BtfEnum64,        // ENUM64 and signed enums (6.0)
    ArrayMmap,        // BPF_F_MMAPABLE arrays (5.5)
    BpfCookie,        // bpf_get_attach_cookie() (5.15)
    SyscallWrapper,   // syscalls entered through __<arch>_sys_* wrappers (4.17 on x86)
    Count_,
};

std::string_view to_string(Feature f) noexcept;

// Whether BPF_LINK_CREATE accepts attach type `t` (the bpf_link attach path exists for it). Cached.
// (Interim: decides by whether BPF_LINK_CREATE exists; the per-family probes replace it.)
Result<bool> link_supported(AttachType t);

// Whether the running kernel has `f`. Errors: Permission when the probe cannot run (no CAP_BPF/root).
Result<bool> has(Feature f);

}  // namespace ebpf
