// SPDX-License-Identifier: MIT
// uprobe attach mechanisms, by fd (what UProbe, UProbeMulti and Usdt build on): one uprobe on a perf event from
// the uprobe PMU or a tracefs uprobe_events entry; many through one uprobe_multi link or, where the kernel has
// none, one perf event per offset grouped in one Link. Each fallback is chosen here by a cached probe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <ebpf/link.hpp>

namespace ebpf::detail {

// One uprobe: a file (the kernel resolves the path when it attaches), a file offset, optionally a reference
// counter (a USDT semaphore, by file offset), for every process or one.
struct UprobeTarget {
    std::string path;
    std::uint64_t offset = 0;
    std::uint64_t ref_ctr_offset = 0;  // 0: none
    bool retprobe = false;
    std::uint64_t cookie = 0;  // bpf_get_attach_cookie(): needs perf_event links (5.15)
    int pid = -1;              // -1: every process
};

// A program on a uprobe perf event: from the uprobe PMU (4.17+, probed: Feature::UprobePmu), else from a
// tracefs uprobe_events entry that the Link owns (named ebpf_cxx_<pid>_<n>_<hint>, removed after the event is
// closed; entries of dead processes are removed before the first tracefs attach of a process). The program goes
// on the event as attach_perf_event() does (bpf_link 5.15+, PERF_EVENT_IOC_SET_BPF before).
// Errors: the kernel's, with what it means for a uprobe (ENOENT: no such file; EINVAL: offset outside the file
//   or not an instruction; ESRCH: no such process; EOPNOTSUPP: a ref_ctr_offset the kernel cannot take).
Result<Link> attach_uprobe(FdRef prog, const UprobeTarget& target, std::string hint, std::string what);

// Many offsets in one file, with optional per-offset reference counters and cookies (empty, or one per offset).
struct UprobeMultiTarget {
    std::string path;
    std::span<const std::uint64_t> offsets;
    std::span<const std::uint64_t> ref_ctr_offsets;
    std::span<const std::uint64_t> cookies;
    int pid = -1;
    bool retprobe = false;
    bool session = false;  // uprobe.session: entry and return in one program (BPF_TRACE_UPROBE_SESSION)
};

// One uprobe_multi (6.6+) or uprobe_session (6.13+) bpf_link over every offset, where
// link_supported(TraceUprobeMulti / TraceUprobeSession) says the kernel has it; else (uprobe_multi only) one
// attach_uprobe() per offset, grouped in one Link that detaches them all (all or nothing: a failing offset
// detaches the ones made before). `extra` resources (USDT spec entries) are undone after the probes.
// Kernel: the program must be loaded with expected attach type trace_uprobe_multi (or trace_uprobe_session) for
//   the link; kernels before 6.6 ignore that type for kprobe programs, so the same program works per offset
//   there. A kernel that has the links refuses such a program on single perf events: forcing the fallback there
//   (probe override) needs a program loaded without the type.
// Errors: NotSupported (sessions without the link; a per-offset fallback for a program loaded for the link on a
//   kernel that has it), InvalidArgument (counts), the kernel's refusal.
Result<Link> attach_uprobe_multi(FdRef prog, std::optional<AttachType> expected_attach_type,
                                 const UprobeMultiTarget& target, std::string what,
                                 std::vector<std::unique_ptr<LinkResource>> extra = {});

// One attach_uprobe() per offset, grouped in one Link (all or nothing), whatever the kernel has.
Result<Link> attach_uprobe_group(FdRef prog, const UprobeMultiTarget& target, std::string what,
                                 std::vector<std::unique_ptr<LinkResource>> extra = {});

// Whether a uprobe_multi link can be made here (link_supported(TraceUprobeMulti); false when undecidable).
bool uprobe_multi_links() noexcept;
// Whether BPF programs here read a cookie with bpf_get_attach_cookie() (Feature::BpfCookie, 5.15): the value
// the loader gives the LINUX_HAS_BPF_COOKIE kconfig extern, so USDT attach and usdt.bpf.h agree.
Result<bool> bpf_cookies() noexcept;

// A Link owned by another Link (one attachment of a group): undone by detaching it. When the owning Link is
// released, the nested one is released too and its fd deliberately left open (the attachment stays for the
// life of the process); the first one's fd is what Link::release() returns.
std::unique_ptr<LinkResource> nested_link_resource(Link link);

}  // namespace ebpf::detail
