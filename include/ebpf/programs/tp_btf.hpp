// SPDX-License-Identifier: MIT
// BtfTracepoint: tp_btf programs, raw tracepoints with typed (BTF) arguments.
#pragma once

#include <cstdint>

#include <ebpf/programs/view.hpp>

namespace ebpf {

struct BtfTracepointAttachOptions {
    std::uint64_t cookie = 0;  // bpf_get_attach_cookie(); needs Linux 6.10 (Feature::RawTpCookie)
};

// A typed view of a tp_btf/<tracepoint> program (also tp_btf.s): BPF_PROG_TYPE_TRACING with expected attach type
// trace_raw_tp, whose target (btf_trace_<tracepoint> in vmlinux or module BTF) is fixed when it loads (set it with
// program().set_attach_target("sched_switch") before load for a section without one). Its arguments are the
// tracepoint's, typed, read directly (BPF_PROG(...)). It shares ownership of the Program (see ProgramView).
// The Link is a bpf_link (BPF_LINK_CREATE where the kernel takes tp_btf there, 5.19+; BPF_RAW_TRACEPOINT_OPEN
// before), which cannot be force-detached. Unlike fentry it needs no BPF trampoline.
// Kernel: 5.5+ (vmlinux BTF); module tracepoints 5.11+; cookies 6.10.
// Errors: InvalidArgument (not loaded), NotSupported (a cookie before 6.10), Permission.
// Thread safety: as ProgramView.
class BtfTracepoint : public TypedProgramView<BtfTracepoint> {
public:
    static constexpr const char* kName = "BtfTracepoint";
    static constexpr ProgramType kType = ProgramType::Tracing;
    static constexpr ProgramKind kKinds[] = {ProgramKind::TpBtf};

    // Attaches to the tracepoint the program was loaded for.
    Result<Link> attach(const BtfTracepointAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<BtfTracepoint>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
