// SPDX-License-Identifier: MIT
// Attach mechanisms, by fd: what the typed program views (lib/programs) build their attach calls on. Each
// returns a Link that owns everything the attachment needs; each fallback is chosen by a cached probe.
#pragma once

#include <cstdint>
#include <memory>
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

}  // namespace ebpf::detail
