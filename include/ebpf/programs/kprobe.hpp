// SPDX-License-Identifier: MIT
// KProbe: programs on the entry (kprobe) or the return (kretprobe) of a kernel function.
#pragma once

#include <cstdint>
#include <string_view>

#include <ebpf/programs/view.hpp>

namespace ebpf {

struct KProbeAttachOptions {
    std::uint64_t offset = 0;  // bytes from the function's start (kprobes only; must be an instruction boundary)
    std::uint64_t cookie = 0;  // bpf_get_attach_cookie(); needs perf_event links (5.15)
    // kretprobes: how many calls of the function may be in flight at once (the kernel's default is small, so
    // return probes of a busy or sleeping function can be missed). Only tracefs kprobe_events takes it: a
    // maxactive makes the attachment go through tracefs even where the kprobe PMU exists.
    unsigned maxactive = 0;
    // Programs without a section (from a pin or an id): attach as a return probe. kretprobe/ sections always are.
    bool retprobe = false;
};

// A typed view of a kprobe program (sections kprobe/<function>[+<offset>], kretprobe/<function>, where the
// function may be "module:function"). It shares ownership of the Program (see ProgramView).
// The Link owns a kprobe perf event and, where the kernel has them (5.15+), a bpf_link over it; without the kprobe
// PMU (before 4.17, or when the probe feature:kprobe_pmu is forced off) also a tracefs kprobe_events entry, named
// ebpf_cxx_<pid>_<n>_<function>, removed on detach after the event is closed (entries of dead processes are
// removed by the first tracefs attach of a later process, or by remove_stale_probe_events()).
// Kernel: 4.1+ (tracefs), kprobe PMU 4.17+, bpf_link and cookies 5.15+. Needs CONFIG_KPROBES (and
//   CONFIG_KPROBE_EVENTS for tracefs and the PMU).
// Errors: NotFound names the function or module when /proc/kallsyms does not list it; NotSupported without the
//   kprobe PMU and tracefs kprobe_events; InvalidArgument (not loaded, no target); Permission.
// Thread safety: as ProgramView.
class KProbe : public TypedProgramView<KProbe> {
public:
    static constexpr const char* kName = "KProbe";
    static constexpr ProgramType kType = ProgramType::Kprobe;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Kprobe, ProgramKind::Kretprobe};

    // Attaches to `function` ("do_unlinkat", "veth:veth_open", or "function+0x10" for an offset).
    Result<Link> attach(std::string_view function, const KProbeAttachOptions& options = {}) const;
    // Attaches at an absolute kernel address (from /proc/kallsyms).
    Result<Link> attach_address(std::uint64_t address, const KProbeAttachOptions& options = {}) const;
    // Attaches to the function its section names (kprobe/do_unlinkat). Errors: InvalidArgument when it names none.
    Result<Link> attach(const KProbeAttachOptions& options = {}) const;
    // True for kretprobe/ sections.
    bool is_retprobe() const noexcept { return prog_.kind() == ProgramKind::Kretprobe; }

private:
    friend class TypedProgramView<KProbe>;
    using TypedProgramView::TypedProgramView;
};

// Removes the tracefs kprobe and uprobe entries that processes which no longer exist left behind (entries are
// named after the pid that made them; a process killed before its Links were destroyed leaves its entries).
// Returns how many were removed. Entries still held by a leaked perf event stay (the kernel refuses, EBUSY).
// Errors: NotFound (no tracefs), Permission.
Result<unsigned> remove_stale_probe_events();

}  // namespace ebpf
