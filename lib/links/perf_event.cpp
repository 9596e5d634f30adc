// SPDX-License-Identifier: MIT
// Programs on perf events: BPF_LINK_CREATE with BPF_PERF_EVENT (5.15+), PERF_EVENT_IOC_SET_BPF before.
#include <ebpf/features.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"
#include "sys/perf.hpp"

namespace ebpf::detail {

Result<Link> attach_perf_event(FdRef prog, UniqueFd event, std::uint64_t cookie, std::string what,
                               std::vector<std::unique_ptr<LinkResource>> extra) {
    auto links = link_supported(AttachType::PerfEvent);
    if (!links) return std::move(links).error().context(what);
    Link::Parts parts;
    const int event_fd = event.get();
    if (*links) {
        sys::LinkCreateAttr a{};
        a.prog_fd = static_cast<std::uint32_t>(prog.get());
        a.target_fd = static_cast<std::uint32_t>(event_fd);
        a.attach_type = static_cast<std::uint32_t>(AttachType::PerfEvent);
        a.perf_event.bpf_cookie = cookie;
        auto fd = sys::link_create(a);
        if (!fd) return std::move(fd).error().context(what);
        parts.bpf_link = std::move(*fd);
    } else {
        // Linux < 5.15: the program hangs on the event itself, for as long as the event fd is open.
        if (cookie != 0)
            return Error(Errc::NotSupported, what + ": a bpf_cookie on a perf event needs perf_event links "
                                                    "(BPF_LINK_CREATE, Linux 5.15)");
        EBPF_TRY(sys::perf_event_set_bpf(event_fd, prog.get()).context(what));
    }
    // Resources are undone in reverse order: the event is closed before the extras (a tracefs entry cannot be
    // removed while an event is open on it).
    parts.resources = std::move(extra);
    parts.resources.push_back(perf_event_resource(std::move(event)));
    EBPF_TRY(sys::perf_event_enable(event_fd).context(what));
    parts.description = std::move(what);
    return Link(std::move(parts));
}

}  // namespace ebpf::detail
