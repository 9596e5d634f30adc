// SPDX-License-Identifier: MIT
// Attach mechanisms, by fd: what the typed program views (lib/programs) build their attach calls on. Each
// returns a Link that owns everything the attachment needs; each fallback is chosen by a cached probe.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <string>
#include <vector>

#include <ebpf/link.hpp>

namespace ebpf::detail {

// A program (fd) on a cgroup v2 directory (fd): a bpf_link where the kernel has cgroup links (5.7+, probed),
// else BPF_PROG_ATTACH with `prog_attach_flags` (BPF_F_ALLOW_OVERRIDE / BPF_F_ALLOW_MULTI).
// `what` describes the attachment for errors and Link::description().
Result<Link> attach_cgroup(FdRef prog, FdRef cgroup, AttachType type, std::uint32_t prog_attach_flags,
                           std::string what);

// A raw tracepoint program on tracepoint `name` (BPF_RAW_TRACEPOINT_OPEN, 4.17+; a bpf_link since 5.8; a cookie
// needs 6.10).
Result<Link> attach_raw_tracepoint(FdRef prog, const std::string& name, std::uint64_t cookie, std::string what);

// A program (fd) on a perf event (kprobe/uprobe/tracepoint PMU event, software or hardware counter): a bpf_link
// over the event where the kernel has perf_event links (5.15+, probed; needed for a cookie), else
// PERF_EVENT_IOC_SET_BPF. The event is enabled once the program is on it. The Link owns the event and, after it,
// `extra` resources (e.g. the tracefs probe entry the event was opened on), undone after the event is closed.
Result<Link> attach_perf_event(FdRef prog, UniqueFd event, std::uint64_t cookie, std::string what,
                               std::vector<std::unique_ptr<LinkResource>> extra = {});

// --- Tracing (lib/links/kprobe.cpp, kprobe_multi.cpp, tracing.cpp, iter.cpp) ---

// Where a kprobe goes: a function ("do_unlinkat", or "module:function") plus an offset, or an absolute address.
struct KprobeTarget {
    std::string function;       // empty: `address`
    std::uint64_t offset = 0;   // from the function
    std::uint64_t address = 0;  // with no function
    bool retprobe = false;
    unsigned maxactive = 0;     // kretprobe instances (tracefs only: the PMU has no such parameter)
    std::uint64_t cookie = 0;   // bpf_get_attach_cookie(): needs perf_event links (5.15)
};
// A kprobe program on a kprobe perf event: from the kprobe PMU (4.17+, probed: Feature::KprobePmu), else from a
// tracefs kprobe_events entry that the Link owns (removed after the event is closed). A maxactive asks for
// tracefs (the PMU cannot take one). The program goes on the event as attach_perf_event() does.
// Errors: NotFound naming the function (or module) when /proc/kallsyms has no such symbol; the kernel's refusal.
Result<Link> attach_kprobe(FdRef prog, const KprobeTarget& target, std::string what);

// The kernel function a system call enters through: __<arch>_sys_<name> where the kernel has syscall wrappers
// (Feature::SyscallWrapper, x86_64 4.17+, arm64 4.19+, ...), else __se_sys_<name> or sys_<name> (whichever
// /proc/kallsyms lists; __se_sys_ when it cannot be read).
// Errors: NotSupported on an architecture whose wrapper prefix we do not know; the probe's error.
Result<std::string> syscall_function(std::string_view syscall);

// A kprobe.multi / kretprobe.multi (type TraceKprobeMulti; 5.18) or kprobe.session (TraceKprobeSession; 6.10)
// link over functions given by name or by address (one of the two), with optional cookies (one per function).
// Errors: NotSupported (probe link:<type> = false: no such link, or no CONFIG_FPROBE), InvalidArgument (counts),
// the kernel's refusal (ESRCH/ENOENT: a function ftrace cannot find).
Result<Link> attach_kprobe_multi(FdRef prog, AttachType type, bool retprobe, std::span<const std::string> symbols,
                                 std::span<const std::uint64_t> addresses, std::span<const std::uint64_t> cookies,
                                 std::string what);

// A BTF-attached program (fentry, fexit, fmod_ret, lsm, tp_btf: `type` is its expected attach type) on the target
// it was loaded for: BPF_LINK_CREATE where the kernel attaches these types with it (5.19+, probed:
// link_supported(type)), else BPF_RAW_TRACEPOINT_OPEN with no name (5.5+). A cookie needs the first path (and
// for tp_btf, Feature::RawTpCookie, 6.10).
Result<Link> attach_tracing(FdRef prog, AttachType type, std::uint64_t cookie, std::string what);

// An iterator link (BPF_LINK_CREATE with BPF_TRACE_ITER, 5.8+), with its union bpf_iter_link_info (empty: none).
Result<Link> attach_iter(FdRef prog, std::span<const std::byte> link_info, std::string what);

}  // namespace ebpf::detail
