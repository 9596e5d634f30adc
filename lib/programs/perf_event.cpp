// SPDX-License-Identifier: MIT
// PerfEvent: one perf event per CPU (or per process), each carrying the program through lib/links/perf_event.cpp.
#include <ebpf/programs/perf_event.hpp>

#include <fcntl.h>

#include <cerrno>
#include <vector>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "sys/file.hpp"
#include "sys/kallsyms.hpp"
#include "sys/proc.hpp"
#include "sys/perf.hpp"

namespace ebpf {

using detail::format;

PerfEventSource PerfEventSource::software(SoftwareEvent e) noexcept {
    PerfEventSource s;
    s.type = sys::kPerfTypeSoftware;
    s.config = static_cast<std::uint64_t>(e);
    return s;
}

PerfEventSource PerfEventSource::hardware(HardwareEvent e) noexcept {
    PerfEventSource s;
    s.type = sys::kPerfTypeHardware;
    s.config = static_cast<std::uint64_t>(e);
    return s;
}

PerfEventSource PerfEventSource::hw_cache(std::uint64_t config) noexcept { return pmu(sys::kPerfTypeHwCache, config); }
PerfEventSource PerfEventSource::raw(std::uint64_t config) noexcept { return pmu(sys::kPerfTypeRaw, config); }

PerfEventSource PerfEventSource::pmu(std::uint32_t type, std::uint64_t config) noexcept {
    PerfEventSource s;
    s.type = type;
    s.config = config;
    return s;
}

namespace {

std::string source_name(const PerfEventSource& s) {
    static constexpr const char* kSoftware[] = {"cpu-clock", "task-clock", "page-faults", "context-switches",
                                                "cpu-migrations", "minor-faults", "major-faults", "alignment-faults",
                                                "emulation-faults", "dummy", "bpf-output", "cgroup-switches"};
    static constexpr const char* kHardware[] = {"cpu-cycles", "instructions", "cache-references", "cache-misses",
                                                "branch-instructions", "branch-misses", "bus-cycles",
                                                "stalled-cycles-frontend", "stalled-cycles-backend", "ref-cycles"};
    if (s.type == sys::kPerfTypeSoftware && s.config < std::size(kSoftware)) return kSoftware[s.config];
    if (s.type == sys::kPerfTypeHardware && s.config < std::size(kHardware)) return kHardware[s.config];
    return format("type %u config 0x%llx", s.type, static_cast<unsigned long long>(s.config));
}

Error explain_perf_open(Error e, const PerfEventSource& s) {
    switch (e.sys_errno()) {
    case ENOENT:
    case EOPNOTSUPP:
        if (s.type == sys::kPerfTypeHardware || s.type == sys::kPerfTypeHwCache || s.type == sys::kPerfTypeRaw)
            return std::move(e.recode(Errc::NotFound))
                .context("the CPU (or the hypervisor) has no such hardware event");
        return std::move(e.recode(Errc::NotFound)).context("no such event");
    case EACCES:
    case EPERM:
        return std::move(e).context("not allowed (perf_event_paranoid; CAP_PERFMON; exclude_kernel may help)");
    default: return e;
    }
}

}  // namespace

Result<LinkGroup> PerfEvent::attach(const PerfEventSource& source, const PerfEventAttachOptions& o) const {
    const std::string name = source_name(source);
    const std::string what = format("attach perf_event program '%s' to %s", prog_.name().c_str(), name.c_str());
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    if (source.type == sys::kPerfTypeTracepoint)
        return Error(Errc::InvalidArgument,
                     what + ": the kernel runs only tracepoint programs on tracepoint events (perf_event_set_bpf_prog);"
                            " attach a SEC(\"tp/...\") program with the Tracepoint view");
    if (o.sample_period && o.sample_frequency)
        return Error(Errc::InvalidArgument, what + ": give a sample period or a sample frequency, not both");
    if (!o.sample_period && !o.sample_frequency)
        return Error(Errc::InvalidArgument, what + ": no sample_period or sample_frequency: the program would never run");
    if (o.pid >= 0 && !o.cgroup.empty())
        return Error(Errc::InvalidArgument, what + ": a process (pid) or a cgroup, not both");
    if (o.inherit && o.pid < 0) return Error(Errc::InvalidArgument, what + ": inherit needs a process (pid >= 0)");

    sys::PerfEventAttr attr{};
    attr.type = source.type;
    attr.config = source.config;
    attr.config1 = source.config1;
    attr.config2 = source.config2;
    attr.sample_period = o.sample_frequency ? o.sample_frequency : o.sample_period;
    if (o.sample_frequency) attr.flags |= sys::kPerfFreq;
    if (o.inherit) attr.flags |= sys::kPerfInherit;
    if (o.exclude_kernel) attr.flags |= sys::kPerfExcludeKernel;
    if (o.exclude_user) attr.flags |= sys::kPerfExcludeUser;
    attr.flags |= sys::kPerfDisabled;  // each event is enabled once the program is on it

    // Where: (pid, cpu) pairs.
    UniqueFd cgroup_fd;
    int target = o.pid;
    unsigned long flags = 0;
    std::string target_name = o.pid < 0 ? "every task" : o.pid == 0 ? "this process" : format("pid %d", o.pid);
    if (!o.cgroup.empty()) {
        const std::string path(o.cgroup);
        auto fd = sys::open_path(path.c_str(), O_RDONLY | O_DIRECTORY);
        if (!fd) return std::move(fd).error().context(what + " (cgroup)");
        cgroup_fd = std::move(*fd);
        target = cgroup_fd.get();
        flags = 1ul << 2;  // PERF_FLAG_PID_CGROUP
        target_name = "cgroup " + path;
    }
    std::vector<int> cpus(o.cpus.begin(), o.cpus.end());
    if (cpus.empty()) {
        if (o.pid >= 0) {
            cpus.push_back(-1);  // one event that follows the process across CPUs
        } else {
            auto online = sys::online_cpus();
            if (!online) return std::move(online).error().context(what);
            cpus.assign(online->begin(), online->end());
        }
    }

    LinkGroup group;  // on any failure, destroying it detaches what was attached
    for (const int cpu : cpus) {
        std::string one = format("%s (%s, %s)", what.c_str(), target_name.c_str(),
                                 cpu < 0 ? "any CPU" : format("CPU %d", cpu).c_str());
        auto event = sys::perf_event_open(attr, target, cpu, -1, flags);
        if (!event && cgroup_fd.valid() && event.error().sys_errno() == ENOENT)
            // perf_cgroup_connect(): the cgroup has no perf_event css. On cgroup v2 the kernel creates the implicit
            // perf_event controller's state only once some controller is enabled in the root's subtree_control
            // (systemd does that; a bare cgroup2 mount may not have).
            return std::move(event.error().recode(Errc::NotFound))
                .context(format("the cgroup has no perf_event controller state (cgroup v2: enable any controller in "
                                "the root's cgroup.subtree_control, e.g. +pids, then make the cgroup)"))
                .context(one);
        if (!event) return explain_perf_open(std::move(event).error(), source).context(one);
        auto link = detail::attach_perf_event(prog_.fd(), std::move(*event), o.cookie, std::move(one));
        if (!link) return std::move(link).error();
        group.add(std::move(*link));
    }
    return group;
}

}  // namespace ebpf
