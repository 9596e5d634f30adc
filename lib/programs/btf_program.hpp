// SPDX-License-Identifier: MIT
// Attaching a BTF-attached program (fentry, fexit, fmod_ret, tp_btf, lsm) to the target it was loaded for: shared
// by the Tracing, BtfTracepoint and Lsm views.
#pragma once

#include <cstdint>

#include <ebpf/link.hpp>
#include <ebpf/program.hpp>

namespace ebpf::detail {

// `kind` names the program kind in messages ("fentry"). Errors: InvalidArgument (not loaded, no attach type).
Result<Link> attach_btf_program(const Program& p, const char* kind, std::uint64_t cookie);

}  // namespace ebpf::detail
