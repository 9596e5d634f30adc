// SPDX-License-Identifier: MIT
// SkMsg and SkSkb: programs on a sockmap or sockhash that see the data of the sockets in it and may redirect it to
// another socket of a map (bpf_msg_redirect_map, bpf_sk_redirect_map, ... _hash).
#pragma once

#include <cstdint>

#include <ebpf/fd.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

// A typed view of a BPF_PROG_TYPE_SK_MSG program (section sk_msg): it runs on every sendmsg(2)/sendfile(2) of a
// socket in the map it is attached to, sees struct sk_msg_md, and returns SK_PASS (1) or SK_DROP (0), after
// bpf_msg_redirect_map/_hash to send the data to another socket's receive (or send) queue instead.
// Attach before putting sockets in the map: a socket takes the map's programs when it is added. The map is given by
// its fd (Map::fd(), or a view's map().fd()): the kernel says its type and name.
// The Link is a sockmap bpf_link (6.10, probe link_supported(AttachType::SkMsgVerdict)), or a BPF_PROG_ATTACH
// registration on the map before.
// Kernel: 4.17.
// Requires: CAP_NET_ADMIN (or CAP_SYS_ADMIN) and CAP_BPF.
// Errors: InvalidArgument (not loaded; the fd is not a BPF map, or the map is not a sockmap or sockhash, naming it),
//   Busy (a link already holds this hook of the map), and the kernel's refusal, naming the program and the map.
// Ownership: the view shares the Program; the Link owns the bpf_link, or duplicates of the map and program fds to
//   detach with (BPF_PROG_DETACH leaves a program that replaced ours meanwhile alone).
// Thread safety: as ProgramView.
class SkMsg : public TypedProgramView<SkMsg> {
public:
    static constexpr const char* kName = "SkMsg";
    static constexpr ProgramType kType = ProgramType::SkMsg;
    static constexpr ProgramKind kKinds[] = {ProgramKind::SkMsg};

    Result<Link> attach(FdRef sockmap) const;

private:
    friend class TypedProgramView<SkMsg>;
    using TypedProgramView::TypedProgramView;
};

enum class SkSkbHook : std::uint8_t {
    StreamParser,   // sk_skb/stream_parser (4.14): returns the length of the next message of a TCP stream
    StreamVerdict,  // sk_skb/stream_verdict (4.14): SK_PASS / SK_DROP / redirect each parsed message
    Verdict,        // sk_skb/verdict (5.15): verdict on each skb without a parser (TCP, UDP, unix)
};

// A typed view of a BPF_PROG_TYPE_SK_SKB program (sections sk_skb/stream_parser, sk_skb/stream_verdict,
// sk_skb/verdict, sk_skb): it runs on the data a socket of the map receives, sees struct __sk_buff and decides
// with SK_PASS, SK_DROP or bpf_sk_redirect_map/_hash (to another socket's send queue, or with BPF_F_INGRESS to
// its receive queue).
// The Link is a sockmap bpf_link (6.10, probe link_supported(<hook's attach type>)), or a BPF_PROG_ATTACH
// registration on the map before.
// Kernel: see SkSkbHook. Requires, Errors, Ownership, Thread safety: as SkMsg; InvalidArgument when the section
//   names no hook (sk_skb) and none is given, or another hook than the one the program was loaded for.
class SkSkb : public TypedProgramView<SkSkb> {
public:
    static constexpr const char* kName = "SkSkb";
    static constexpr ProgramType kType = ProgramType::SkSkb;
    static constexpr ProgramKind kKinds[] = {ProgramKind::SkSkb};

    // Attaches at the hook its section names.
    Result<Link> attach(FdRef sockmap) const;
    Result<Link> attach(FdRef sockmap, SkSkbHook hook) const;

private:
    friend class TypedProgramView<SkSkb>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
