// SPDX-License-Identifier: MIT
// PerfEvent: programs run on perf event overflows (sampling): CPU clocks, hardware counters, cache and raw PMU
// events, per CPU or for one process or cgroup.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include <ebpf/programs/link_group.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

// PERF_COUNT_SW_* (enum perf_sw_ids).
enum class SoftwareEvent : std::uint64_t {
    CpuClock = 0, TaskClock = 1, PageFaults = 2, ContextSwitches = 3, CpuMigrations = 4, PageFaultsMin = 5,
    PageFaultsMaj = 6, AlignmentFaults = 7, EmulationFaults = 8, Dummy = 9, BpfOutput = 10, CgroupSwitches = 11,
};
// PERF_COUNT_HW_* (enum perf_hw_id).
enum class HardwareEvent : std::uint64_t {
    CpuCycles = 0, Instructions = 1, CacheReferences = 2, CacheMisses = 3, BranchInstructions = 4, BranchMisses = 5,
    BusCycles = 6, StalledCyclesFrontend = 7, StalledCyclesBackend = 8, RefCpuCycles = 9,
};

// What to sample: perf_event_attr's type and config.
struct PerfEventSource {
    // PERF_TYPE_* (0 hardware, 1 software, 3 hw cache, 4 raw, 5 breakpoint) or a dynamic PMU's type. Not 2
    // (tracepoint): the kernel runs only tracepoint programs on tracepoint events (use the Tracepoint view).
    std::uint32_t type = 1;
    std::uint64_t config = 0;
    std::uint64_t config1 = 0, config2 = 0;  // PMU-specific extensions

    static PerfEventSource software(SoftwareEvent event) noexcept;
    static PerfEventSource hardware(HardwareEvent event) noexcept;
    // PERF_TYPE_HW_CACHE: cache id | (op << 8) | (result << 16).
    static PerfEventSource hw_cache(std::uint64_t config) noexcept;
    // PERF_TYPE_RAW: a CPU-specific event code.
    static PerfEventSource raw(std::uint64_t config) noexcept;
    // A dynamic PMU: type from /sys/bus/event_source/devices/<pmu>/type.
    static PerfEventSource pmu(std::uint32_t type, std::uint64_t config) noexcept;
};

struct PerfEventAttachOptions {
    // How often the program runs: every `sample_period` events (for clocks: nanoseconds), or about
    // `sample_frequency` times a second. One of the two.
    std::uint64_t sample_period = 0;
    std::uint64_t sample_frequency = 0;
    // Whose events: -1, every task (one event per CPU); 0, this process; > 0, that process (one event following
    // it across CPUs, unless `cpus` names some).
    int pid = -1;
    bool inherit = false;  // with pid >= 0: also the tasks it creates later
    // Only the tasks of this cgroup v2 directory (one event per CPU; pid must stay -1).
    std::string_view cgroup = {};
    // The CPUs to sample on; empty: every online CPU (per-CPU targets) or any CPU (one process).
    std::span<const std::uint32_t> cpus = {};
    bool exclude_kernel = false;  // count only user-space events (needed under perf_event_paranoid >= 2)
    bool exclude_user = false;
    std::uint64_t cookie = 0;  // bpf_get_attach_cookie(); needs perf_event links (5.15)
};

// A typed view of a SEC("perf_event") program. Its context is struct bpf_perf_event_data (the sample's registers
// and period). A perf event names no target in its section, so it is never auto-attached.
// attach() opens one perf event per CPU (or one per process) and puts the program on each: the LinkGroup owns
// every event and its bpf_link (5.15+) and detaches all of them together; the attach is all or nothing.
// Kernel: 4.9+; bpf_link and cookies 5.15+ (PERF_EVENT_IOC_SET_BPF before, probed). Hardware events need a PMU
//   (none in most VMs); perf_event_paranoid may restrict unprivileged use.
// Errors: InvalidArgument (not loaded; sampling not set; pid with cgroup; a tracepoint event, which takes a
//   Tracepoint program), NotFound (no such event or cgroup; ENOENT from perf_event_open), Permission
//   (perf_event_paranoid, CAP_PERFMON), NoDevice (an offline CPU).
// Thread safety: as ProgramView.
class PerfEvent : public TypedProgramView<PerfEvent> {
public:
    static constexpr const char* kName = "PerfEvent";
    static constexpr ProgramType kType = ProgramType::PerfEvent;
    static constexpr ProgramKind kKinds[] = {ProgramKind::PerfEvent};

    Result<LinkGroup> attach(const PerfEventSource& source, const PerfEventAttachOptions& options) const;

private:
    friend class TypedProgramView<PerfEvent>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
