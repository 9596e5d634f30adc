// SPDX-License-Identifier: MIT
// Internal helpers of the networking views: resolving a NetInterface, turning a LinkOrder into attach flags.
#pragma once

#include <cstdint>
#include <string>

#include <ebpf/link.hpp>
#include <ebpf/program.hpp>
#include <ebpf/programs/net.hpp>
#include <ebpf/programs/tc.hpp>

#include "links/attach.hpp"

namespace ebpf::detail {

struct ResolvedInterface {
    int ifindex = 0;
    std::string name;  // "veth0 (ifindex 5)", for messages
};

// Looks the interface up in the calling thread's network namespace.
// Errors: NoDevice naming it ("no network interface 'veth9' in this network namespace"), and netlink's errors.
Result<ResolvedInterface> resolve_interface(const NetInterface& interface);

// BPF_F_BEFORE/AFTER/ID/LINK and the relative fd or id for `order`.
// Errors: InvalidArgument when the relative program is not loaded or the relative link has no bpf_link.
Result<MultiProgPosition> multiprog_position(const LinkOrder& order, std::uint64_t expected_revision);

// The programs of a multi-program hook (TCX, netkit) of `interface`, in order, with the hook's revision.
// `what` starts the error messages. Errors: as resolve_interface() and query_multiprog().
Result<HookPrograms> hook_programs(const NetInterface& interface, AttachType type, const std::string& what);

// Namespace hooks (flow_dissector.cpp, shared with sk_lookup.cpp): the program on the calling thread's network
// namespace, or on the one open as `netns`; `kind` names the program type in messages.
Result<Link> attach_to_current_netns(const Program& p, AttachType type, const char* kind);
Result<Link> attach_to_netns_fd(const Program& p, FdRef netns, AttachType type, const char* kind);

}  // namespace ebpf::detail
