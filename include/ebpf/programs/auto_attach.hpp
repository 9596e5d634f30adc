// SPDX-License-Identifier: MIT
// Attaching a program as its section says (libbpf's auto-attach rules), from one table: kind -> attach.
// Thread safety: as the attach calls it makes: distinct loaded programs may be attached concurrently.
#pragma once

#include <optional>
#include <string>

#include <ebpf/link.hpp>
#include <ebpf/program.hpp>

namespace ebpf {

// Targets that sections cannot name (libbpf does not auto-attach these kinds; we do when given the target).
struct AutoAttachOptions {
    std::string cgroup{};     // cgroup v2 directory for cgroup programs (cgroup_skb/ingress, ...)
    std::string interface{};  // network interface for XDP / TC / netkit programs
};

// Attaches a loaded program to the target its section names: raw_tp/<name>, freplace (the target given at
// load), cgroup_skb/<direction> with options.cgroup, ... The rows are in lib/programs/auto_attach.cpp.
// Errors: NotSupported for kinds that are never auto-attached (the message says how to attach them),
//   InvalidArgument when the section names no target or a needed option is empty, and the attach's own errors.
Result<Link> auto_attach(const Program& program, const AutoAttachOptions& options = {});

// Why auto_attach() would not try to attach this program (without calling the kernel), or nullopt if it would.
std::optional<std::string> auto_attach_blocker(const Program& program, const AutoAttachOptions& options = {});

}  // namespace ebpf
