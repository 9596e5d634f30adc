// SPDX-License-Identifier: MIT
// sk_msg / sk_skb programs on a sockmap or sockhash: a sockmap bpf_link (6.10+), BPF_PROG_ATTACH before.
#include <ebpf/features.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"

namespace ebpf::detail {

namespace {

Error sockmap_attach_error(Error e) {
    switch (e.sys_errno()) {
    case EBUSY:
        return std::move(e).context("the map already has a program at this hook (a link holds it, or it was "
                                    "attached by another link)");
    case EOPNOTSUPP:
    case EINVAL:
        return std::move(e).context("the kernel refused: the target must be a sockmap or sockhash, and the program "
                                    "of the type this hook takes");
    default: return e;
    }
}

}  // namespace

Result<Link> attach_sockmap(FdRef prog, FdRef map, AttachType type, std::string what) {
    // Sockmap links came with Linux 6.10; before, BPF_PROG_ATTACH is the only way (decided by the probe, not by
    // the error: a refused link on a kernel that has them is a real mistake, reported as such).
    auto links = link_supported(type);
    if (!links) return std::move(links).error().context(what);
    if (*links) {
        sys::LinkCreateAttr a{};
        a.prog_fd = static_cast<std::uint32_t>(prog.get());
        a.target_fd = static_cast<std::uint32_t>(map.get());
        a.attach_type = static_cast<std::uint32_t>(type);
        auto fd = sys::link_create(a);
        if (!fd) return sockmap_attach_error(std::move(fd).error()).context(what);
        Link::Parts parts;
        parts.bpf_link = std::move(*fd);
        parts.description = std::move(what);
        return Link(std::move(parts));
    }
    // Linux < 6.10. Duplicate first: if that fails nothing is attached yet.
    auto target = sys::dup_fd(map.get());
    if (!target) return std::move(target).error().context(what);
    auto pfd = sys::dup_fd(prog.get());
    if (!pfd) return std::move(pfd).error().context(what);
    sys::ProgAttachAttr pa{};
    pa.target_fd = static_cast<std::uint32_t>(map.get());
    pa.attach_bpf_fd = static_cast<std::uint32_t>(prog.get());
    pa.attach_type = static_cast<std::uint32_t>(type);
    if (auto r = sys::prog_attach(pa); !r)
        return sockmap_attach_error(std::move(r).error()).context(what + " (BPF_PROG_ATTACH)");
    Link::Parts parts;
    parts.resources.push_back(prog_attach_resource(std::move(*target), std::move(*pfd), type, what));
    parts.description = std::move(what);
    return Link(std::move(parts));
}

}  // namespace ebpf::detail
