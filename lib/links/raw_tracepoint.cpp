// SPDX-License-Identifier: MIT
// Raw tracepoint attachment: BPF_RAW_TRACEPOINT_OPEN.
#include <cerrno>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"

namespace ebpf::detail {

Result<Link> attach_raw_tracepoint(FdRef prog, const std::string& name, std::uint64_t cookie, std::string what) {
    auto fd = sys::raw_tracepoint_open(name.c_str(), prog.get(), cookie);
    if (!fd) {
        Error e = std::move(fd).error();
        if (e.sys_errno() == ENOENT) e.context(format("the kernel has no tracepoint '%s'", name.c_str()));
        return std::move(e).context(what);
    }
    Link::Parts parts;
    parts.bpf_link = std::move(*fd);  // a bpf_link since 5.8; before, an fd that detaches when closed all the same
    parts.description = std::move(what);
    return Link(std::move(parts));
}

}  // namespace ebpf::detail
