// SPDX-License-Identifier: MIT
// tracefs: finding (or mounting) it, tracepoint ids, and probe entries in kprobe_events / uprobe_events, the
// attach path for kernels without the kprobe/uprobe PMU (before 4.17) and for kprobes on kernels whose PMU lacks a
// feature. Every entry we add is named after our pid, so a later run can remove the ones a dead process left.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <ebpf/error.hpp>

namespace ebpf::sys {

// The tracefs mount point: /sys/kernel/tracing (4.1+), else /sys/kernel/debug/tracing. When neither is mounted,
// mounts tracefs at /sys/kernel/tracing (needs CAP_SYS_ADMIN). Remembered once found.
// Errors: NotFound or Permission, naming both places and the failed mount.
Result<std::string> tracefs_root() noexcept;

// The id of tracefs events/<category>/<name>/id, for perf_attr_tracepoint().
// Errors: InvalidArgument (a name with '/' or empty), NotFound ("no tracepoint sched/nope: open ...").
Result<std::uint64_t> tracepoint_id(std::string_view category, std::string_view name) noexcept;

// The group of every probe event ebpf-cxx creates, and the prefix of its event names.
inline constexpr std::string_view kProbeEventGroup = "ebpf_cxx";

enum class ProbeEventKind : std::uint8_t { Kprobe, Uprobe };

struct KprobeEventOptions {
    std::string_view symbol = {};  // kernel function (or "module:function")
    std::uint64_t offset = 0;   // from the symbol
    bool retprobe = false;
    unsigned maxactive = 0;     // return probes: instances tracked at once (0: the kernel's default)
    std::string_view name_hint = {};  // appended to the event name for humans (sanitized, truncated)
};

struct UprobeEventOptions {
    std::string_view path = {};        // absolute path of the binary or library (no whitespace)
    std::uint64_t offset = 0;          // file offset of the probed instruction
    std::uint64_t ref_ctr_offset = 0;  // file offset of a USDT semaphore (0: none; 4.20+)
    bool retprobe = false;
    std::string_view name_hint = {};
};

// One entry of kprobe_events or uprobe_events, removed by the destructor.
// Ownership: move-only; release() keeps the entry in the kernel (for a pinned attachment). Close the perf events
// opened on it first: the kernel refuses to remove an entry in use (EBUSY), and a destructor cannot report that
// (remove_stale_probe_events() collects such entries once their process is gone).
class ProbeEvent {
public:
    ProbeEvent() = default;
    ProbeEvent(ProbeEventKind kind, std::string event, std::uint64_t id) noexcept
        : kind_(kind), event_(std::move(event)), id_(id) {}
    ProbeEvent(ProbeEvent&& o) noexcept : kind_(o.kind_), event_(std::move(o.event_)), id_(o.id_) { o.event_.clear(); }
    ProbeEvent& operator=(ProbeEvent&& o) noexcept;
    ProbeEvent(const ProbeEvent&) = delete;
    ProbeEvent& operator=(const ProbeEvent&) = delete;
    ~ProbeEvent();

    bool valid() const noexcept { return !event_.empty(); }
    ProbeEventKind kind() const noexcept { return kind_; }
    std::string_view group() const noexcept { return kProbeEventGroup; }
    const std::string& event() const noexcept { return event_; }
    // The tracepoint id of the new event (tracefs events/<group>/<event>/id).
    std::uint64_t tracepoint_id() const noexcept { return id_; }
    // Writes "-:group/event". Errors: Syscall EBUSY while a perf event still uses it. No-op when not valid().
    Result<void> remove() noexcept;
    void release() noexcept { event_.clear(); }

private:
    ProbeEventKind kind_ = ProbeEventKind::Kprobe;
    std::string event_;
    std::uint64_t id_ = 0;
};

// Adds a probe entry and reads its tracepoint id. Errors name the line written, the file and the kernel's reason
// from tracefs error_log (5.4+) when it gives one:
//   tracefs "p:ebpf_cxx/ebpf_cxx_42_0_nope /nope:0x10": write /sys/kernel/tracing/uprobe_events: No such file or
//   directory (errno 2): kernel says "Failed to find the given file"
// NotFound when the kernel has no kprobe_events/uprobe_events (CONFIG_KPROBE_EVENTS / CONFIG_UPROBE_EVENTS off).
Result<ProbeEvent> add_kprobe_event(const KprobeEventOptions& options) noexcept;
Result<ProbeEvent> add_uprobe_event(const UprobeEventOptions& options) noexcept;

// A fresh event name: "ebpf_cxx_<pid>_<n>" plus "_<hint>" (hint sanitized to [A-Za-z0-9_]), at most 63 characters.
// <n> counts per process, so names never repeat within a process.
std::string probe_event_name(std::string_view hint);
// The pid encoded in an event name made by probe_event_name(), if it is one.
std::optional<int> probe_event_owner(std::string_view event) noexcept;

// The parts of a line of kprobe_events / uprobe_events ("p:group/event target..."), if it has that shape.
struct ProbeEventLine {
    char type = 0;  // 'p' or 'r'
    std::string_view group, event;
};
std::optional<ProbeEventLine> parse_probe_event_line(std::string_view line) noexcept;

struct StaleProbeEvents {
    unsigned removed = 0;  // entries of dead processes removed
    unsigned busy = 0;     // entries of dead processes still in use (EBUSY): a leaked perf event holds them
};
// Removes our group's entries whose owner pid no longer exists, from both files (a missing file is skipped).
// Pids are those of the caller's pid namespace: run it where the processes that created the entries run.
Result<StaleProbeEvents> remove_stale_probe_events() noexcept;

}  // namespace ebpf::sys
