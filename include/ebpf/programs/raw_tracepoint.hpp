// SPDX-License-Identifier: MIT
// RawTracepoint: programs on a kernel tracepoint with the raw arguments (struct bpf_raw_tracepoint_args).
#pragma once

#include <cstdint>
#include <string_view>

#include <ebpf/programs/view.hpp>

namespace ebpf {

struct RawTracepointAttachOptions {
    std::uint64_t cookie = 0;  // bpf_get_attach_cookie() (6.10+); 0 sends none, so older kernels accept the call
};

// A typed view of a raw tracepoint program (sections raw_tp/<name>, raw_tracepoint/<name>, and the writable
// raw_tp.w/<name>). It shares ownership of the Program (see ProgramView).
// Kernel: BPF_RAW_TRACEPOINT_OPEN 4.17+ (the fd is a bpf_link from 5.8); writable 5.2+; sleepable 6.x.
// Thread safety: as ProgramView.
class RawTracepoint : public TypedProgramView<RawTracepoint> {
public:
    static constexpr const char* kName = "RawTracepoint";
    static constexpr ProgramType kType = ProgramType::RawTracepoint;
    static constexpr ProgramKind kKinds[] = {ProgramKind::RawTracepoint, ProgramKind::RawTracepointWritable};

    // Attaches to tracepoint `name` ("sys_enter", "sched_switch": the name without its category).
    // Errors: NotFound (no such tracepoint), InvalidArgument (not loaded), the kernel's refusal.
    Result<Link> attach(std::string_view name, const RawTracepointAttachOptions& options = {}) const;
    // Attaches to the tracepoint its section names (raw_tp/sys_enter). Errors: InvalidArgument when it names none.
    Result<Link> attach(const RawTracepointAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<RawTracepoint>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
