// SPDX-License-Identifier: MIT
// Tracepoint attachment: a perf event on the tracepoint's tracefs id, the program on it.
#include <ebpf/programs/tracepoint.hpp>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "sys/perf.hpp"
#include "sys/tracefs.hpp"

namespace ebpf {

using detail::format;

Result<Link> Tracepoint::attach(std::string_view category, std::string_view name,
                                const TracepointAttachOptions& options) const {
    std::string what = format("attach tracepoint program '%s' to %.*s/%.*s", prog_.name().c_str(),
                              EBPF_SV(category), EBPF_SV(name));
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    auto id = sys::tracepoint_id(category, name);
    if (!id) return std::move(id).error().context(what);
    sys::PerfEventAttr attr = sys::perf_attr_tracepoint(*id);
    attr.flags |= sys::kPerfDisabled;  // enabled once the program is on it
    // pid -1, cpu 0: a tracepoint event with a BPF program runs it wherever the tracepoint fires.
    auto event = sys::perf_event_open(attr, -1, 0);
    if (!event) return std::move(event).error().context(what);
    return detail::attach_perf_event(prog_.fd(), std::move(*event), options.cookie, std::move(what));
}

Result<Link> Tracepoint::attach(const TracepointAttachOptions& options) const {
    const std::string& t = prog_.attach_target();
    const auto slash = t.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 == t.size())
        return Error(Errc::InvalidArgument,
                     format("attach tracepoint program '%s': its section '%s' does not name a tracepoint as "
                            "<category>/<name>; use SEC(\"tp/<category>/<name>\") or attach(category, name)",
                            prog_.name().c_str(), prog_.section().c_str()));
    return attach(std::string_view(t).substr(0, slash), std::string_view(t).substr(slash + 1), options);
}

}  // namespace ebpf
