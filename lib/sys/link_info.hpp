// SPDX-License-Identifier: MIT
// Offsets inside struct bpf_link_info's per-type union (LinkInfoRaw::extra), for decoding link info.
// Checked against the system's <linux/bpf.h> in link_info.cpp where it has the member; the kernel version that
// added each of the others is noted.
#pragma once

#include <cstddef>

namespace ebpf::sys::link_info {

// raw_tracepoint (5.8)
inline constexpr std::size_t kRawTpName = 0, kRawTpNameLen = 8;
// tracing (5.8)
inline constexpr std::size_t kTracingAttachType = 0, kTracingTargetObjId = 4, kTracingTargetBtfId = 8;
// cgroup (5.8)
inline constexpr std::size_t kCgroupId = 0, kCgroupAttachType = 8;
// netns (5.8)
inline constexpr std::size_t kNetnsIno = 0, kNetnsAttachType = 4;
// xdp (5.9)
inline constexpr std::size_t kXdpIfindex = 0;
// struct_ops (6.4): map_id
inline constexpr std::size_t kStructOpsMapId = 0;
// netfilter (6.4): pf, hooknum, priority, flags
inline constexpr std::size_t kNfPf = 0, kNfHooknum = 4, kNfPriority = 8, kNfFlags = 12;
// kprobe_multi (6.6): addrs, count, flags
inline constexpr std::size_t kKmultiCount = 8;
// perf_event (6.6): type, then a union at 8 (kprobe: func_name, name_len, offset, addr, missed(6.7), cookie(6.9);
// uprobe: file_name, name_len, offset, cookie(6.9); tracepoint: tp_name, name_len, cookie(6.9))
inline constexpr std::size_t kPerfType = 0, kPerfName = 8, kPerfNameLen = 16, kPerfOffset = 20, kPerfAddr = 24;
inline constexpr std::size_t kPerfKprobeCookie = 40, kPerfUprobeCookie = 24, kPerfTracepointCookie = 24;
// tcx (6.6), netkit (6.7), sockmap (6.10): ifindex or map_id, then attach_type
inline constexpr std::size_t kIfindexOrMap = 0, kIfindexOrMapAttachType = 4;

}  // namespace ebpf::sys::link_info
