// SPDX-License-Identifier: MIT
// Cgroup attachment: BPF_LINK_CREATE where the kernel has cgroup links (5.7+), BPF_PROG_ATTACH before.
#include <ebpf/features.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"

namespace ebpf::detail {

Result<Link> attach_cgroup(FdRef prog, FdRef cgroup, AttachType type, std::uint32_t prog_attach_flags,
                           std::string what) {
    // The probe decides, not the error: an EINVAL from BPF_LINK_CREATE on a kernel with cgroup links is a real
    // mistake (e.g. a program loaded for another attach type) and is reported as such.
    auto links = link_supported(type);
    if (!links) return std::move(links).error().context(what);
    if (*links) {
        sys::LinkCreateAttr a{};
        a.prog_fd = static_cast<std::uint32_t>(prog.get());
        a.target_fd = static_cast<std::uint32_t>(cgroup.get());
        a.attach_type = static_cast<std::uint32_t>(type);
        auto fd = sys::link_create(a);
        if (!fd) return std::move(fd).error().context(what);
        Link::Parts parts;
        parts.bpf_link = std::move(*fd);
        parts.description = std::move(what);
        return Link(std::move(parts));
    }
    // Linux < 5.7: the attachment lives in the cgroup, so keep our own references to undo it. Duplicate first:
    // if that fails nothing is attached yet.
    auto target = sys::dup_fd(cgroup.get());
    if (!target) return std::move(target).error().context(what);
    auto pfd = sys::dup_fd(prog.get());
    if (!pfd) return std::move(pfd).error().context(what);
    sys::ProgAttachAttr pa{};
    pa.target_fd = static_cast<std::uint32_t>(cgroup.get());
    pa.attach_bpf_fd = static_cast<std::uint32_t>(prog.get());
    pa.attach_type = static_cast<std::uint32_t>(type);
    pa.attach_flags = prog_attach_flags;
    if (auto r = sys::prog_attach(pa); !r) return std::move(r).error().context(what + " (BPF_PROG_ATTACH)");
    Link::Parts parts;
    parts.resources.push_back(prog_attach_resource(std::move(*target), std::move(*pfd), type, what));
    parts.description = std::move(what);
    return Link(std::move(parts));
}

}  // namespace ebpf::detail
