// SPDX-License-Identifier: MIT
// Tracing: fentry, fexit and fmod_ret programs (BPF trampolines) on a kernel function or a BPF program's function.
#pragma once

#include <cstdint>

#include <ebpf/programs/view.hpp>

namespace ebpf {

struct TracingAttachOptions {
    std::uint64_t cookie = 0;  // bpf_get_attach_cookie(); needs BPF_LINK_CREATE for tracing programs (5.19)
};

// A typed view of an fentry/<function>, fexit/<function> or fmod_ret/<function> program (also the sleepable .s
// variants). The target is fixed when the program loads: a function of vmlinux or of a loaded module (found in
// their BTF), or, with program().set_attach_target(target_program, "function") before load, a global function of
// another BPF program (which must have BTF). fmod_ret may only target functions the kernel allows to be
// modified (ALLOW_ERROR_INJECTION, or security_* hooks). It shares ownership of the Program (see ProgramView).
// The Link is a bpf_link (BPF_LINK_CREATE on 5.19+, BPF_RAW_TRACEPOINT_OPEN before; chosen by the probe
// link_supported(AttachType::TraceFentry ...)); it cannot be force-detached (detach() says ReferenceClosed).
// Kernel: 5.5+ (fentry/fexit; fmod_ret 5.7; on BPF programs 5.5; sleepable 5.10), BPF trampolines: x86_64, arm64
//   6.0+, s390x, riscv, ... Kernels that refuse trampolines answer Permission or NotSupported.
// Errors: InvalidArgument (not loaded), NotSupported (a cookie before 5.19; no trampolines), Permission.
// Thread safety: as ProgramView.
class Tracing : public TypedProgramView<Tracing> {
public:
    static constexpr const char* kName = "Tracing";
    static constexpr ProgramType kType = ProgramType::Tracing;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Fentry, ProgramKind::Fexit, ProgramKind::FmodRet};

    // Attaches to the target the program was loaded for.
    Result<Link> attach(const TracingAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<Tracing>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
