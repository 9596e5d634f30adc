// SPDX-License-Identifier: MIT
// Compile-time proof that the constants of uapi.hpp (and the public enums that carry UAPI values) equal the system
// header's, wherever that header has them: #ifdef for macros, LINUX_VERSION_CODE for enumerators (an enumerator
// cannot be tested for existence). Headers older than a constant's release check nothing for it; uapi.hpp then
// stands on the value documented with it.
// <netinet/in.h> first: <linux/netfilter.h> pulls in <linux/in.h>, which yields to glibc's definitions only when
// they come first (linux/libc-compat.h); in a unity build other sources of the library include <arpa/inet.h>.
#include <netinet/in.h>

#include <linux/bpf.h>
#include <linux/if_link.h>
#include <linux/netfilter.h>
#include <linux/perf_event.h>
#include <linux/version.h>
#include <sys/socket.h>

#include <ebpf/types.hpp>

#include "sys/perf.hpp"
#include "sys/uapi.hpp"

namespace ebpf::sys::uapi {

#define EBPF_SAME(ours, theirs) static_assert((ours) == (theirs), #ours " != " #theirs)

// In every header we build against (5.18 and older).
EBPF_SAME(kBpfPerfEvent, BPF_PERF_EVENT);
EBPF_SAME(kBpfTraceKprobeMulti, BPF_TRACE_KPROBE_MULTI);
EBPF_SAME(kBpfLinkTypePerfEvent, BPF_LINK_TYPE_PERF_EVENT);
EBPF_SAME(kBpfLinkTypeKprobeMulti, BPF_LINK_TYPE_KPROBE_MULTI);
EBPF_SAME(kBpfFAllowOverride, BPF_F_ALLOW_OVERRIDE);
EBPF_SAME(kBpfFAllowMulti, BPF_F_ALLOW_MULTI);
EBPF_SAME(kBpfFReplace, BPF_F_REPLACE);
EBPF_SAME(kBpfFKprobeMultiReturn, BPF_F_KPROBE_MULTI_RETURN);
EBPF_SAME(kNfprotoIpv4, NFPROTO_IPV4);
EBPF_SAME(kNfprotoIpv6, NFPROTO_IPV6);
EBPF_SAME(kNfInetPreRouting, NF_INET_PRE_ROUTING);
EBPF_SAME(kNfInetLocalIn, NF_INET_LOCAL_IN);
EBPF_SAME(kNfInetForward, NF_INET_FORWARD);
EBPF_SAME(kNfInetLocalOut, NF_INET_LOCAL_OUT);
EBPF_SAME(kNfInetPostRouting, NF_INET_POST_ROUTING);
EBPF_SAME(static_cast<std::uint32_t>(AttachType::PerfEvent), BPF_PERF_EVENT);

#if defined(BPF_F_LINK)  // a macro since 6.6 ("#define BPF_F_LINK BPF_F_LINK")
EBPF_SAME(kBpfFLink, BPF_F_LINK);
#endif
#if defined(BPF_F_BEFORE)  // 6.6
EBPF_SAME(kBpfFBefore, BPF_F_BEFORE);
EBPF_SAME(kBpfFAfter, BPF_F_AFTER);
EBPF_SAME(kBpfFId, BPF_F_ID);
#endif
#if defined(BPF_F_PREORDER)  // 6.15
EBPF_SAME(kBpfFPreorder, BPF_F_PREORDER);
#endif
EBPF_SAME(kBpfFQueryEffective, BPF_F_QUERY_EFFECTIVE);
#if defined(SO_DETACH_REUSEPORT_BPF) && !defined(__mips__) && !defined(__sparc__) && !defined(__hppa__) && \
    !defined(__alpha__)
EBPF_SAME(kSoDetachReuseportBpf, SO_DETACH_REUSEPORT_BPF);
#endif
#if defined(BPF_F_NETFILTER_IP_DEFRAG)  // 6.6
EBPF_SAME(kBpfFNetfilterIpDefrag, BPF_F_NETFILTER_IP_DEFRAG);
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
EBPF_SAME(kBpfProgTypeNetfilter, BPF_PROG_TYPE_NETFILTER);
EBPF_SAME(kBpfNetfilter, BPF_NETFILTER);
EBPF_SAME(kBpfLinkTypeNetfilter, BPF_LINK_TYPE_NETFILTER);
EBPF_SAME(static_cast<std::uint32_t>(AttachType::Netfilter), BPF_NETFILTER);
EBPF_SAME(static_cast<std::uint32_t>(LinkType::Netfilter), BPF_LINK_TYPE_NETFILTER);
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
EBPF_SAME(kBpfTcxIngress, BPF_TCX_INGRESS);
EBPF_SAME(kBpfTcxEgress, BPF_TCX_EGRESS);
EBPF_SAME(kBpfTraceUprobeMulti, BPF_TRACE_UPROBE_MULTI);
EBPF_SAME(kBpfLinkTypeTcx, BPF_LINK_TYPE_TCX);
EBPF_SAME(kBpfLinkTypeUprobeMulti, BPF_LINK_TYPE_UPROBE_MULTI);
EBPF_SAME(kBpfFUprobeMultiReturn, BPF_F_UPROBE_MULTI_RETURN);
EBPF_SAME(kTcxNext, TCX_NEXT);
EBPF_SAME(kTcxPass, TCX_PASS);
EBPF_SAME(kTcxDrop, TCX_DROP);
EBPF_SAME(kTcxRedirect, TCX_REDIRECT);
EBPF_SAME(static_cast<std::uint32_t>(AttachType::TcxIngress), BPF_TCX_INGRESS);
EBPF_SAME(static_cast<std::uint32_t>(AttachType::TraceUprobeMulti), BPF_TRACE_UPROBE_MULTI);
EBPF_SAME(static_cast<std::uint32_t>(LinkType::UprobeMulti), BPF_LINK_TYPE_UPROBE_MULTI);
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
EBPF_SAME(kBpfNetkitPrimary, BPF_NETKIT_PRIMARY);
EBPF_SAME(kBpfNetkitPeer, BPF_NETKIT_PEER);
EBPF_SAME(kBpfLinkTypeNetkit, BPF_LINK_TYPE_NETKIT);
EBPF_SAME(kIflaNetkitPeerInfo, IFLA_NETKIT_PEER_INFO);
EBPF_SAME(kIflaNetkitPrimary, IFLA_NETKIT_PRIMARY);
EBPF_SAME(kIflaNetkitPolicy, IFLA_NETKIT_POLICY);
EBPF_SAME(kIflaNetkitPeerPolicy, IFLA_NETKIT_PEER_POLICY);
EBPF_SAME(kIflaNetkitMode, IFLA_NETKIT_MODE);
EBPF_SAME(kNetkitL2, NETKIT_L2);
EBPF_SAME(kNetkitL3, NETKIT_L3);
EBPF_SAME(kTcxPass, NETKIT_PASS);
EBPF_SAME(kTcxDrop, NETKIT_DROP);
EBPF_SAME(kTcxRedirect, NETKIT_REDIRECT);
EBPF_SAME(static_cast<std::uint32_t>(AttachType::NetkitPeer), BPF_NETKIT_PEER);
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
EBPF_SAME(kBpfTokenCreate, BPF_TOKEN_CREATE);
EBPF_SAME(kBpfFTokenFd, BPF_F_TOKEN_FD);
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
EBPF_SAME(kBpfTraceKprobeSession, BPF_TRACE_KPROBE_SESSION);
EBPF_SAME(static_cast<std::uint32_t>(LinkType::Sockmap), BPF_LINK_TYPE_SOCKMAP);
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
EBPF_SAME(kBpfTraceUprobeSession, BPF_TRACE_UPROBE_SESSION);
#endif

// The public enums hold the same numbers as uapi.hpp, so code may use either.
static_assert(static_cast<std::uint32_t>(AttachType::TcxEgress) == kBpfTcxEgress);
static_assert(static_cast<std::uint32_t>(AttachType::NetkitPrimary) == kBpfNetkitPrimary);
static_assert(static_cast<std::uint32_t>(AttachType::TraceKprobeSession) == kBpfTraceKprobeSession);
static_assert(static_cast<std::uint32_t>(AttachType::TraceUprobeSession) == kBpfTraceUprobeSession);
static_assert(static_cast<std::uint32_t>(LinkType::Tcx) == kBpfLinkTypeTcx);
static_assert(static_cast<std::uint32_t>(LinkType::Netkit) == kBpfLinkTypeNetkit);
static_assert(static_cast<std::uint32_t>(ProgramType::Netfilter) == kBpfProgTypeNetfilter);

#undef EBPF_SAME

}  // namespace ebpf::sys::uapi

namespace ebpf::sys {

// perf_event_attr: every field but the bit-field word (tests/sys/perf_test.cpp compares that one bit by bit).
#define EBPF_SAME_PERF(ours, theirs) \
    static_assert(offsetof(PerfEventAttr, ours) == offsetof(struct perf_event_attr, theirs), "PerfEventAttr." #ours)
EBPF_SAME_PERF(type, type);
EBPF_SAME_PERF(size, size);
EBPF_SAME_PERF(config, config);
EBPF_SAME_PERF(sample_period, sample_period);
EBPF_SAME_PERF(sample_period, sample_freq);
EBPF_SAME_PERF(sample_type, sample_type);
EBPF_SAME_PERF(read_format, read_format);
EBPF_SAME_PERF(wakeup_events, wakeup_events);
EBPF_SAME_PERF(bp_type, bp_type);
EBPF_SAME_PERF(config1, config1);
EBPF_SAME_PERF(config1, kprobe_func);
EBPF_SAME_PERF(config1, uprobe_path);
EBPF_SAME_PERF(config2, config2);
EBPF_SAME_PERF(config2, probe_offset);
EBPF_SAME_PERF(config2, kprobe_addr);
EBPF_SAME_PERF(branch_sample_type, branch_sample_type);
EBPF_SAME_PERF(sample_regs_user, sample_regs_user);
EBPF_SAME_PERF(sample_stack_user, sample_stack_user);
EBPF_SAME_PERF(clockid, clockid);
EBPF_SAME_PERF(sample_regs_intr, sample_regs_intr);
EBPF_SAME_PERF(aux_watermark, aux_watermark);
EBPF_SAME_PERF(sample_max_stack, sample_max_stack);
EBPF_SAME_PERF(aux_sample_size, aux_sample_size);
EBPF_SAME_PERF(sig_data, sig_data);
// The bit-field word sits between read_format and wakeup_events in both.
static_assert(offsetof(PerfEventAttr, flags) == offsetof(struct perf_event_attr, read_format) + 8);
static_assert(offsetof(struct perf_event_attr, wakeup_events) == offsetof(struct perf_event_attr, read_format) + 16);
static_assert(uapi::kPerfAttrSizeVer7 == PERF_ATTR_SIZE_VER7);
#if defined(PERF_ATTR_SIZE_VER8)  // 6.3
EBPF_SAME_PERF(config3, config3);
static_assert(uapi::kPerfAttrSizeVer8 == PERF_ATTR_SIZE_VER8);
static_assert(sizeof(PerfEventAttr) == sizeof(struct perf_event_attr));
#else
static_assert(sizeof(struct perf_event_attr) == uapi::kPerfAttrSizeVer7);
#endif
static_assert(offsetof(PerfEventAttr, config3) == uapi::kPerfAttrSizeVer7);
static_assert(sizeof(PerfEventAttr) == uapi::kPerfAttrSizeVer8);
#undef EBPF_SAME_PERF

static_assert(kPerfTypeHardware == PERF_TYPE_HARDWARE && kPerfTypeSoftware == PERF_TYPE_SOFTWARE &&
              kPerfTypeTracepoint == PERF_TYPE_TRACEPOINT && kPerfTypeHwCache == PERF_TYPE_HW_CACHE &&
              kPerfTypeRaw == PERF_TYPE_RAW && kPerfTypeBreakpoint == PERF_TYPE_BREAKPOINT);
static_assert(kPerfCountHwCpuCycles == PERF_COUNT_HW_CPU_CYCLES && kPerfCountHwInstructions == PERF_COUNT_HW_INSTRUCTIONS);
static_assert(kPerfCountSwCpuClock == PERF_COUNT_SW_CPU_CLOCK && kPerfCountSwTaskClock == PERF_COUNT_SW_TASK_CLOCK &&
              kPerfCountSwPageFaults == PERF_COUNT_SW_PAGE_FAULTS &&
              kPerfCountSwContextSwitches == PERF_COUNT_SW_CONTEXT_SWITCHES &&
              kPerfCountSwBpfOutput == PERF_COUNT_SW_BPF_OUTPUT);
static_assert(kPerfSampleRaw == PERF_SAMPLE_RAW);

}  // namespace ebpf::sys
