// SPDX-License-Identifier: MIT
// Tracepoint: programs on a kernel tracepoint, reading its fields (struct trace_event_raw_<name>).
#pragma once

#include <cstdint>
#include <string_view>

#include <ebpf/programs/view.hpp>

namespace ebpf {

struct TracepointAttachOptions {
    std::uint64_t cookie = 0;  // bpf_get_attach_cookie(); needs perf_event links (5.15)
};

// A typed view of a tracepoint program (sections tp/<category>/<name>, tracepoint/<category>/<name>, and the
// sleepable tp.s/...). It shares ownership of the Program (see ProgramView).
// The Link owns a perf event on the tracepoint and, where the kernel has them (5.15+), a bpf_link over it.
// Kernel: 4.7+; the tracepoint's id comes from tracefs (mounted if needed).
// Thread safety: as ProgramView.
class Tracepoint : public TypedProgramView<Tracepoint> {
public:
    static constexpr const char* kName = "Tracepoint";
    static constexpr ProgramType kType = ProgramType::Tracepoint;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Tracepoint};

    // Attaches to tracepoint <category>/<name> ("syscalls", "sys_enter_openat").
    // Errors: NotFound (no such tracepoint: tracefs has no events/<category>/<name>), InvalidArgument (not
    //   loaded), NotSupported (a cookie before 5.15), Permission.
    Result<Link> attach(std::string_view category, std::string_view name,
                        const TracepointAttachOptions& options = {}) const;
    // Attaches to the tracepoint its section names (tp/syscalls/sys_enter_openat).
    Result<Link> attach(const TracepointAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<Tracepoint>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
