// SPDX-License-Identifier: MIT
// Multi-program hooks of an interface: TCX (6.6) and netkit (6.7) bpf_links, with their ordering (BPF_F_BEFORE /
// BPF_F_AFTER with a relative program or link, by fd or id) and the hook's revision; BPF_PROG_QUERY lists them.
#include <ebpf/features.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"
#include "sys/uapi.hpp"

namespace ebpf::detail {

namespace {

bool is_netkit(AttachType t) { return t == AttachType::NetkitPrimary || t == AttachType::NetkitPeer; }

// Says what an errno of BPF_LINK_CREATE means for these hooks (kernel/bpf/mprog.c, drivers/net/netkit.c).
Error multiprog_error(Error e, const std::string& ifname, AttachType type, const MultiProgPosition& pos) {
    switch (e.sys_errno()) {
    case ENODEV: return std::move(e).context(format("no interface %s", ifname.c_str()));
    case ENXIO:
        if (is_netkit(type)) return std::move(e).context(format("%s is not a netkit device", ifname.c_str()));
        break;
    case EACCES:
        if (is_netkit(type)) {
            e.recode(Errc::InvalidArgument);
            return std::move(e).context(format("%s is the peer of a netkit pair: attach through its primary device "
                                               "(NetkitAttachType::Peer for the peer's traffic)",
                                               ifname.c_str()));
        }
        break;
    case ENOENT:
        if (pos.flags & (sys::uapi::kBpfFBefore | sys::uapi::kBpfFAfter))
            return std::move(e).context("the relative program or link is not attached to this hook");
        break;
    case EEXIST: return std::move(e).context("the program is already attached to this hook");
    case ESTALE:
        e.recode(Errc::Busy);
        return std::move(e).context(format("the hook changed: its revision is not %llu any more",
                                           static_cast<unsigned long long>(pos.expected_revision)));
    case ERANGE:
        e.recode(Errc::ResourceLimit);
        return std::move(e).context("the hook has the most programs it can take");
    default: break;
    }
    return e;
}

}  // namespace

Result<void> require_netkit(AttachType type) {
    auto links = link_supported(type);
    if (!links) return std::move(links).error();
    if (!*links)
        return Error(Errc::NotSupported, format("this kernel has no netkit links (Linux 6.7 with CONFIG_NETKIT; probe "
                                                "link:%.*s)",
                                                EBPF_SV(to_string(type))));
    return {};
}

Result<Link> attach_multiprog(FdRef prog, int ifindex, const std::string& ifname, AttachType type,
                              const MultiProgPosition& position, std::string what) {
    sys::LinkCreateAttr a{};
    a.prog_fd = static_cast<std::uint32_t>(prog.get());
    a.target_ifindex = static_cast<std::uint32_t>(ifindex);
    a.attach_type = static_cast<std::uint32_t>(type);
    a.flags = position.flags;
    a.tcx.relative_fd = position.relative;  // or relative_id, with BPF_F_ID (the same field)
    a.tcx.expected_revision = position.expected_revision;
    auto fd = sys::link_create(a);
    if (!fd) return multiprog_error(std::move(fd).error(), ifname, type, position).context(what);
    Link::Parts parts;
    parts.bpf_link = std::move(*fd);
    parts.description = std::move(what);
    return Link(std::move(parts));
}

Result<MultiProgQuery> query_multiprog(int ifindex, const std::string& ifname, AttachType type) {
    const std::string what = format("query the %.*s programs of %s", EBPF_SV(to_string(type)), ifname.c_str());
    MultiProgQuery out;
    // The count first, then the lists; again if programs were added in between (ENOSPC).
    for (int attempt = 0; attempt < 8; ++attempt) {
        sys::QueryAttr q{};
        q.target_ifindex = static_cast<std::uint32_t>(ifindex);
        q.attach_type = static_cast<std::uint32_t>(type);
        q.count = static_cast<std::uint32_t>(out.prog_ids.size());
        if (!out.prog_ids.empty()) {
            q.prog_ids = sys::ptr_to_u64(out.prog_ids.data());
            q.link_ids = sys::ptr_to_u64(out.link_ids.data());
        }
        auto r = sys::prog_query(q);
        if (!r && r.error().sys_errno() == ENOSPC) {
            out.prog_ids.assign(q.count + 4, 0);
            out.link_ids.assign(q.count + 4, 0);
            continue;
        }
        if (!r) {
            Error e = std::move(r).error();
            if (e.sys_errno() == ENODEV) e.context(format("no interface %s", ifname.c_str()));
            if (e.sys_errno() == EINVAL) {
                e.recode(Errc::NotSupported);
                e.context(format("the kernel cannot query %.*s hooks", EBPF_SV(to_string(type))));
            }
            return std::move(e).context(what);
        }
        if (q.count > out.prog_ids.size()) {
            out.prog_ids.assign(q.count, 0);
            out.link_ids.assign(q.count, 0);
            continue;
        }
        out.prog_ids.resize(q.count);
        out.link_ids.resize(q.count);
        out.revision = q.revision;
        return out;
    }
    return Error(Errc::Busy, what + ": the hook kept changing");
}

}  // namespace ebpf::detail
