// SPDX-License-Identifier: MIT
// Netfilter view: checks the program and the hook, links/netfilter.cpp attaches.
#include <ebpf/programs/netfilter.hpp>

#include <limits>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "sys/uapi.hpp"

namespace ebpf {

using detail::format;

namespace {

const char* nf_hook_name(NetfilterHook h) {
    switch (h) {
    case NetfilterHook::PreRouting: return "prerouting";
    case NetfilterHook::LocalIn: return "input";
    case NetfilterHook::Forward: return "forward";
    case NetfilterHook::LocalOut: return "output";
    case NetfilterHook::PostRouting: return "postrouting";
    }
    return "unknown";
}

}  // namespace

Result<Link> Netfilter::attach(NetfilterFamily family, NetfilterHook hook, std::int32_t priority,
                               const NetfilterAttachOptions& options) const {
    std::string what = format("attach netfilter program '%s' to %s %s at priority %d%s", prog_.name().c_str(),
                              family == NetfilterFamily::Ipv6 ? "ipv6" : "ipv4", nf_hook_name(hook), priority,
                              options.defrag ? " with defragmentation" : "");
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    if (priority == std::numeric_limits<std::int32_t>::min() || priority == std::numeric_limits<std::int32_t>::max())
        return Error(Errc::InvalidArgument,
                     what + ": the first and last priorities (INT32_MIN, INT32_MAX) are reserved by netfilter");
    constexpr std::int32_t kConntrackDefrag = -400;  // NF_IP_PRI_CONNTRACK_DEFRAG
    if (options.defrag && priority <= kConntrackDefrag)
        return Error(Errc::InvalidArgument,
                     what + ": with defrag the program must run after the defragmentation hook (priority above -400)");
    return detail::attach_netfilter(prog_.fd(), static_cast<std::uint32_t>(family), static_cast<std::uint32_t>(hook),
                                    priority, options.defrag ? sys::uapi::kBpfFNetfilterIpDefrag : 0u, std::move(what));
}

}  // namespace ebpf
