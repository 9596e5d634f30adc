// SPDX-License-Identifier: MIT
#include <ebpf/programs/raw_tracepoint.hpp>

#include "base/format.hpp"
#include "links/attach.hpp"

namespace ebpf {

using detail::format;

Result<Link> RawTracepoint::attach(std::string_view name, const RawTracepointAttachOptions& options) const {
    std::string what = format("attach raw tracepoint program '%s' to %.*s", prog_.name().c_str(), EBPF_SV(name));
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    if (name.empty()) return Error(Errc::InvalidArgument, what + ": no tracepoint named");
    return detail::attach_raw_tracepoint(prog_.fd(), std::string(name), options.cookie, std::move(what));
}

Result<Link> RawTracepoint::attach(const RawTracepointAttachOptions& options) const {
    if (prog_.attach_target().empty())
        return Error(Errc::InvalidArgument,
                     format("attach raw tracepoint program '%s': its section '%s' names no tracepoint; use "
                            "SEC(\"raw_tp/<name>\") or attach(name)",
                            prog_.name().c_str(), prog_.section().c_str()));
    return attach(prog_.attach_target(), options);
}

}  // namespace ebpf
