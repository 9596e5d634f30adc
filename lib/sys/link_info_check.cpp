// SPDX-License-Identifier: MIT
// Compile-time checks of sys/link_info.hpp against the system's UAPI header (members it has).
#include <linux/bpf.h>

#include <cstddef>

#include "sys/info.hpp"
#include "sys/link_info.hpp"

namespace ebpf::sys::link_info {

#define EBPF_UNION_OFF(member) (offsetof(struct bpf_link_info, member) - offsetof(struct bpf_link_info, raw_tracepoint))
static_assert(offsetof(struct bpf_link_info, raw_tracepoint) == offsetof(LinkInfoRaw, extra));
static_assert(EBPF_UNION_OFF(raw_tracepoint.tp_name) == kRawTpName);
static_assert(EBPF_UNION_OFF(raw_tracepoint.tp_name_len) == kRawTpNameLen);
static_assert(EBPF_UNION_OFF(tracing.attach_type) == kTracingAttachType);
static_assert(EBPF_UNION_OFF(tracing.target_obj_id) == kTracingTargetObjId);
static_assert(EBPF_UNION_OFF(tracing.target_btf_id) == kTracingTargetBtfId);
static_assert(EBPF_UNION_OFF(cgroup.cgroup_id) == kCgroupId);
static_assert(EBPF_UNION_OFF(cgroup.attach_type) == kCgroupAttachType);
static_assert(EBPF_UNION_OFF(netns.netns_ino) == kNetnsIno);
static_assert(EBPF_UNION_OFF(netns.attach_type) == kNetnsAttachType);
static_assert(EBPF_UNION_OFF(xdp.ifindex) == kXdpIfindex);
#undef EBPF_UNION_OFF
static_assert(sizeof(LinkInfoRaw::extra) >= 48, "room for the perf_event kprobe member (6.9: 48 bytes)");

}  // namespace ebpf::sys::link_info
