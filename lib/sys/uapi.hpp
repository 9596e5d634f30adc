// SPDX-License-Identifier: MIT
// UAPI constants newer than the oldest Linux headers we build against (Debian 12 ships 6.1 UAPI headers; zig's
// musl toolchain ships 6.3). Each names the kernel release that introduced it. uapi_check.cpp compares every one
// with the system header when that header has it (#ifdef for macros, LINUX_VERSION_CODE for enumerators).
// Names are the kernel's, spelled as constants: BPF_TCX_INGRESS -> kBpfTcxIngress.
// Layouts of bpf_attr parts (link_create.tcx, .uprobe_multi, ...) are in attr.hpp; perf_event_attr is in perf.hpp.
#pragma once

#include <cstdint>

namespace ebpf::sys::uapi {

// bpf(2) commands (enum bpf_cmd).
inline constexpr int kBpfTokenCreate = 36;  // BPF_TOKEN_CREATE, 6.9

// enum bpf_prog_type.
inline constexpr std::uint32_t kBpfProgTypeNetfilter = 32;  // BPF_PROG_TYPE_NETFILTER, 6.4

// enum bpf_attach_type.
inline constexpr std::uint32_t kBpfPerfEvent = 41;            // BPF_PERF_EVENT, 5.15
inline constexpr std::uint32_t kBpfTraceKprobeMulti = 42;     // BPF_TRACE_KPROBE_MULTI, 5.18
inline constexpr std::uint32_t kBpfNetfilter = 45;            // BPF_NETFILTER, 6.4
inline constexpr std::uint32_t kBpfTcxIngress = 46;           // BPF_TCX_INGRESS, 6.6
inline constexpr std::uint32_t kBpfTcxEgress = 47;            // BPF_TCX_EGRESS, 6.6
inline constexpr std::uint32_t kBpfTraceUprobeMulti = 48;     // BPF_TRACE_UPROBE_MULTI, 6.6
inline constexpr std::uint32_t kBpfNetkitPrimary = 54;        // BPF_NETKIT_PRIMARY, 6.7
inline constexpr std::uint32_t kBpfNetkitPeer = 55;           // BPF_NETKIT_PEER, 6.7
inline constexpr std::uint32_t kBpfTraceKprobeSession = 56;   // BPF_TRACE_KPROBE_SESSION, 6.10
inline constexpr std::uint32_t kBpfTraceUprobeSession = 57;   // BPF_TRACE_UPROBE_SESSION, 6.13

// enum bpf_link_type.
inline constexpr std::uint32_t kBpfLinkTypePerfEvent = 7;     // BPF_LINK_TYPE_PERF_EVENT, 5.15
inline constexpr std::uint32_t kBpfLinkTypeKprobeMulti = 8;   // BPF_LINK_TYPE_KPROBE_MULTI, 5.18
inline constexpr std::uint32_t kBpfLinkTypeNetfilter = 10;    // BPF_LINK_TYPE_NETFILTER, 6.4
inline constexpr std::uint32_t kBpfLinkTypeTcx = 11;          // BPF_LINK_TYPE_TCX, 6.6
inline constexpr std::uint32_t kBpfLinkTypeUprobeMulti = 12;  // BPF_LINK_TYPE_UPROBE_MULTI, 6.6
inline constexpr std::uint32_t kBpfLinkTypeNetkit = 13;       // BPF_LINK_TYPE_NETKIT, 6.7

// Attach flags (BPF_PROG_ATTACH, BPF_PROG_DETACH, BPF_LINK_CREATE for tcx/netkit).
inline constexpr std::uint32_t kBpfFAllowOverride = 1u << 0;  // BPF_F_ALLOW_OVERRIDE, 4.10
inline constexpr std::uint32_t kBpfFAllowMulti = 1u << 1;     // BPF_F_ALLOW_MULTI, 4.15
inline constexpr std::uint32_t kBpfFReplace = 1u << 2;        // BPF_F_REPLACE, 5.6
inline constexpr std::uint32_t kBpfFBefore = 1u << 3;         // BPF_F_BEFORE, 6.6 (multi-prog API: tcx, netkit)
inline constexpr std::uint32_t kBpfFAfter = 1u << 4;          // BPF_F_AFTER, 6.6
inline constexpr std::uint32_t kBpfFId = 1u << 5;             // BPF_F_ID, 6.6: relative_id instead of relative_fd
inline constexpr std::uint32_t kBpfFLink = 1u << 13;          // BPF_F_LINK: map flag 6.4 (struct_ops), attach flag 6.6

// link_create per-type flags.
inline constexpr std::uint32_t kBpfFKprobeMultiReturn = 1u << 0;  // BPF_F_KPROBE_MULTI_RETURN, 5.18
inline constexpr std::uint32_t kBpfFUprobeMultiReturn = 1u << 0;  // BPF_F_UPROBE_MULTI_RETURN, 6.6
inline constexpr std::uint32_t kBpfFNetfilterIpDefrag = 1u << 0;  // BPF_F_NETFILTER_IP_DEFRAG, 6.6

// BPF token: the *_token_fd fields of map_create/prog_load/btf_load are read only with this flag.
inline constexpr std::uint32_t kBpfFTokenFd = 1u << 16;  // BPF_F_TOKEN_FD, 6.9

// Program return codes of tcx (enum tcx_action_base, 6.6) and netkit (enum netkit_action, 6.7); same values.
inline constexpr std::int32_t kTcxNext = -1;     // TCX_NEXT / NETKIT_NEXT: run the next program
inline constexpr std::int32_t kTcxPass = 0;      // TCX_PASS / NETKIT_PASS
inline constexpr std::int32_t kTcxDrop = 2;      // TCX_DROP / NETKIT_DROP
inline constexpr std::int32_t kTcxRedirect = 7;  // TCX_REDIRECT / NETKIT_REDIRECT

// Netfilter hooks for BPF_NETFILTER links (linux/netfilter.h; stable since 2.6, listed for the link API).
inline constexpr std::uint32_t kNfprotoIpv4 = 2;   // NFPROTO_IPV4
inline constexpr std::uint32_t kNfprotoIpv6 = 10;  // NFPROTO_IPV6
inline constexpr std::uint32_t kNfInetPreRouting = 0, kNfInetLocalIn = 1, kNfInetForward = 2, kNfInetLocalOut = 3,
                               kNfInetPostRouting = 4;  // NF_INET_*

// netkit devices over rtnetlink (linux/if_link.h, 6.7): IFLA_INFO_KIND "netkit", IFLA_INFO_DATA holds these.
inline constexpr std::uint16_t kIflaNetkitPeerInfo = 1;    // IFLA_NETKIT_PEER_INFO: struct ifinfomsg + attributes
inline constexpr std::uint16_t kIflaNetkitPrimary = 2;     // IFLA_NETKIT_PRIMARY (u8, reported)
inline constexpr std::uint16_t kIflaNetkitPolicy = 3;      // IFLA_NETKIT_POLICY (u32: kNetkitPass or kNetkitDrop)
inline constexpr std::uint16_t kIflaNetkitPeerPolicy = 4;  // IFLA_NETKIT_PEER_POLICY (u32)
inline constexpr std::uint16_t kIflaNetkitMode = 5;        // IFLA_NETKIT_MODE (u32: kNetkitL2 or kNetkitL3)
inline constexpr std::uint32_t kNetkitL2 = 0, kNetkitL3 = 1;  // enum netkit_mode

// perf_event_attr sizes (perf.hpp defines the layout).
inline constexpr std::uint32_t kPerfAttrSizeVer7 = 128;  // PERF_ATTR_SIZE_VER7: up to sig_data, 5.13
inline constexpr std::uint32_t kPerfAttrSizeVer8 = 136;  // PERF_ATTR_SIZE_VER8: adds config3, 6.3

}  // namespace ebpf::sys::uapi
