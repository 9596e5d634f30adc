// SPDX-License-Identifier: MIT
// Names of kernel enumerations, as bpftool prints them.
#include <ebpf/types.hpp>

#include <iterator>

namespace ebpf {

namespace {
template <std::size_t N>
std::string_view lookup(const std::string_view (&names)[N], std::uint32_t v) noexcept {
    return v < N && !names[v].empty() ? names[v] : std::string_view("unknown");
}

constexpr std::string_view kProgNames[] = {
    "unspec",         "socket_filter", "kprobe",       "sched_cls",        "sched_act",
    "tracepoint",     "xdp",           "perf_event",   "cgroup_skb",       "cgroup_sock",
    "lwt_in",         "lwt_out",       "lwt_xmit",     "sock_ops",         "sk_skb",
    "cgroup_device",  "sk_msg",        "raw_tracepoint", "cgroup_sock_addr", "lwt_seg6local",
    "lirc_mode2",     "sk_reuseport",  "flow_dissector", "cgroup_sysctl",  "raw_tracepoint_writable",
    "cgroup_sockopt", "tracing",       "struct_ops",   "ext",              "lsm",
    "sk_lookup",      "syscall",       "netfilter"};

constexpr std::string_view kAttachNames[] = {
    "cgroup_inet_ingress",      "cgroup_inet_egress",      "cgroup_inet_sock_create", "cgroup_sock_ops",
    "sk_skb_stream_parser",     "sk_skb_stream_verdict",   "cgroup_device",           "sk_msg_verdict",
    "cgroup_inet4_bind",        "cgroup_inet6_bind",       "cgroup_inet4_connect",    "cgroup_inet6_connect",
    "cgroup_inet4_post_bind",   "cgroup_inet6_post_bind",  "cgroup_udp4_sendmsg",     "cgroup_udp6_sendmsg",
    "lirc_mode2",               "flow_dissector",          "cgroup_sysctl",           "cgroup_udp4_recvmsg",
    "cgroup_udp6_recvmsg",      "cgroup_getsockopt",       "cgroup_setsockopt",       "trace_raw_tp",
    "trace_fentry",             "trace_fexit",             "modify_return",           "lsm_mac",
    "trace_iter",               "cgroup_inet4_getpeername", "cgroup_inet6_getpeername", "cgroup_inet4_getsockname",
    "cgroup_inet6_getsockname", "xdp_devmap",              "cgroup_inet_sock_release", "xdp_cpumap",
    "sk_lookup",                "xdp",                     "sk_skb_verdict",          "sk_reuseport_select",
    "sk_reuseport_select_or_migrate", "perf_event",        "trace_kprobe_multi",      "lsm_cgroup",
    "struct_ops",               "netfilter",               "tcx_ingress",             "tcx_egress",
    "trace_uprobe_multi",       "cgroup_unix_connect",     "cgroup_unix_sendmsg",     "cgroup_unix_recvmsg",
    "cgroup_unix_getpeername",  "cgroup_unix_getsockname", "netkit_primary",          "netkit_peer",
    "trace_kprobe_session",     "trace_uprobe_session",    "trace_fsession",          "trace_fentry_multi",
    "trace_fexit_multi",        "trace_fsession_multi"};

constexpr std::string_view kMapNames[] = {
    "unspec",        "hash",         "array",         "prog_array",   "perf_event_array", "percpu_hash",
    "percpu_array",  "stack_trace",  "cgroup_array",  "lru_hash",     "lru_percpu_hash",  "lpm_trie",
    "array_of_maps", "hash_of_maps", "devmap",        "sockmap",      "cpumap",           "xskmap",
    "sockhash",      "cgroup_storage", "reuseport_sockarray", "percpu_cgroup_storage", "queue", "stack",
    "sk_storage",    "devmap_hash",  "struct_ops",    "ringbuf",      "inode_storage",    "task_storage",
    "bloom_filter",  "user_ringbuf", "cgrp_storage",  "arena"};

constexpr std::string_view kKindNames[] = {
    "unknown",     "socket",         "sk_reuseport",  "kprobe",        "kretprobe",      "kprobe.multi",
    "kretprobe.multi", "kprobe.session", "ksyscall",  "kretsyscall",   "uprobe",         "uretprobe",
    "uprobe.multi", "uretprobe.multi", "uprobe.session", "usdt",       "tracepoint",     "raw_tracepoint",
    "raw_tracepoint.w", "tp_btf",    "fentry",        "fexit",         "fmod_ret",       "fsession",
    "fentry.multi", "fexit.multi",   "fsession.multi", "freplace",     "lsm",            "lsm_cgroup",
    "iter",        "syscall",        "perf_event",    "xdp",           "xdp/devmap",     "xdp/cpumap",
    "tc",          "action",         "tcx",           "netkit",        "lwt_in",         "lwt_out",
    "lwt_xmit",    "lwt_seg6local",  "sockops",       "sk_skb",        "sk_msg",         "lirc_mode2",
    "flow_dissector", "cgroup_skb",  "cgroup_sock",   "cgroup_sock_addr", "cgroup_sysctl", "cgroup_sockopt",
    "cgroup_dev",  "struct_ops",     "sk_lookup",     "netfilter"};
static_assert(std::size(kKindNames) == static_cast<std::size_t>(ProgramKind::Netfilter) + 1);

constexpr std::string_view kLinkNames[] = {"unspec",     "raw_tracepoint", "tracing", "cgroup", "iter",
                                           "netns",      "xdp",            "perf_event", "kprobe_multi",
                                           "struct_ops", "netfilter",      "tcx",     "uprobe_multi", "netkit",
                                           "sockmap"};
}  // namespace

std::string_view to_string(ProgramType t) noexcept { return lookup(kProgNames, static_cast<std::uint32_t>(t)); }
std::string_view to_string(AttachType t) noexcept { return lookup(kAttachNames, static_cast<std::uint32_t>(t)); }
std::string_view to_string(MapType t) noexcept { return lookup(kMapNames, static_cast<std::uint32_t>(t)); }
std::string_view to_string(LinkType t) noexcept { return lookup(kLinkNames, static_cast<std::uint32_t>(t)); }
std::string_view to_string(ProgramKind k) noexcept { return lookup(kKindNames, static_cast<std::uint32_t>(k)); }

std::optional<MapType> map_type_from_string(std::string_view name) noexcept {
    for (std::size_t i = 0; i < std::size(kMapNames); ++i)
        if (kMapNames[i] == name) return static_cast<MapType>(i);
    return std::nullopt;
}

}  // namespace ebpf
