// SPDX-License-Identifier: MIT
// Network namespace hooks (flow dissector, sk_lookup): a netns bpf_link (5.8+), or, for flow dissectors before
// that, BPF_PROG_ATTACH from inside the namespace.
#include <ebpf/features.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "links/net_util.hpp"
#include "sys/bpf.hpp"
#include "sys/netns.hpp"

namespace ebpf::detail {

namespace {

Error netns_busy(Error e, AttachType type) {
    if (type == AttachType::FlowDissector && (e.sys_errno() == EEXIST || e.sys_errno() == E2BIG)) {
        // EEXIST: a program here or in the initial namespace (which overrides every other one); E2BIG: a link.
        e.recode(Errc::Busy);
        return std::move(e).context("the network namespace (or the initial one, which overrides it) already has a "
                                    "flow dissector");
    }
    if (e.sys_errno() == E2BIG) return std::move(e).context("the network namespace has the most programs it can take");
    return e;
}

// The id of the program attached to a namespace hook (0: none): BPF_PROG_QUERY on the namespace fd.
Result<std::uint32_t> netns_attached_id(int netns, AttachType type) {
    std::uint32_t ids[1] = {};
    sys::QueryAttr q{};
    q.target_fd = static_cast<std::uint32_t>(netns);
    q.attach_type = static_cast<std::uint32_t>(type);
    q.prog_ids = sys::ptr_to_u64(ids);
    q.count = 1;
    auto r = sys::prog_query(q);
    if (!r) return std::move(r).error();
    return q.count ? ids[0] : 0u;
}

// A flow dissector attached with BPF_PROG_ATTACH (Linux < 5.8): the namespace holds it; we remove it, from inside
// the namespace, while it is still ours.
class NetnsProgAttachResource final : public LinkResource {
public:
    NetnsProgAttachResource(UniqueFd netns, UniqueFd prog, AttachType type, std::uint32_t prog_id)
        : netns_(std::move(netns)), prog_(std::move(prog)), type_(type), prog_id_(prog_id) {}
    Result<void> undo() override {
        auto r = remove();
        netns_.reset();
        prog_.reset();
        if (!r)
            return std::move(r).error().context(
                format("detach %.*s program id %u from its network namespace", EBPF_SV(to_string(type_)), prog_id_));
        return {};
    }
    void keep() noexcept override {
        netns_.reset();
        prog_.reset();
    }
    void describe(LinkInfo& i) const override {
        i.prog_id = prog_id_;
        i.attach_type = type_;
        if (auto id = sys::netns_id(netns_.get())) i.netns_ino = static_cast<std::uint32_t>(*id);
    }

private:
    Result<void> remove() {
        auto attached = netns_attached_id(netns_.get(), type_);
        if (!attached) return std::move(attached).error();
        if (*attached != prog_id_) return {};  // not ours (any more)
        sys::NetnsGuard in(netns_.get());
        if (!in.ok()) return in.take_error();
        auto r = sys::prog_detach(0, prog_.get(), static_cast<std::uint32_t>(type_));
        if (!r && r.error().sys_errno() != ENOENT) return std::move(r).error();
        return {};
    }

    UniqueFd netns_, prog_;
    AttachType type_;
    std::uint32_t prog_id_;
};

}  // namespace

Result<Link> attach_netns(FdRef prog, FdRef netns, AttachType type, std::string what) {
    auto links = link_supported(type);
    if (!links) return std::move(links).error().context(what);
    if (*links) {
        sys::LinkCreateAttr a{};
        a.prog_fd = static_cast<std::uint32_t>(prog.get());
        a.target_fd = static_cast<std::uint32_t>(netns.get());
        a.attach_type = static_cast<std::uint32_t>(type);
        auto fd = sys::link_create(a);
        if (!fd) return netns_busy(std::move(fd).error(), type).context(what);
        Link::Parts parts;
        parts.bpf_link = std::move(*fd);
        parts.description = std::move(what);
        return Link(std::move(parts));
    }
    if (type != AttachType::FlowDissector)
        return Error(Errc::NotSupported,
                     format("%s: this kernel has no %.*s links (netns links: 5.8; sk_lookup: 5.9)", what.c_str(),
                            EBPF_SV(to_string(type))));
    // Linux 4.20 .. 5.7: BPF_PROG_ATTACH acts on the calling thread's namespace (target_fd is ignored), so the
    // thread enters the target namespace for the call. Our own references come first: if they fail, nothing is
    // attached yet.
    auto ns = sys::dup_fd(netns.get());
    if (!ns) return std::move(ns).error().context(what);
    auto own = sys::dup_fd(prog.get());
    if (!own) return std::move(own).error().context(what);
    auto id = prog_id_of(prog);
    if (!id) return std::move(id).error().context(what);
    // BPF_PROG_ATTACH would replace a flow dissector that is there: refuse instead, as the link path does.
    auto attached = netns_attached_id(netns.get(), type);
    if (!attached) return std::move(attached).error().context(what + ": query the namespace");
    if (*attached)
        return Error(Errc::Busy, format("%s: the network namespace already has a flow dissector (program id %u)",
                                        what.c_str(), *attached));
    {
        sys::NetnsGuard in(netns.get());
        if (!in.ok()) return in.take_error().context(what + ": enter the network namespace (BPF_PROG_ATTACH)");
        sys::ProgAttachAttr pa{};
        pa.attach_bpf_fd = static_cast<std::uint32_t>(prog.get());
        pa.attach_type = static_cast<std::uint32_t>(type);
        if (auto r = sys::prog_attach(pa); !r) return netns_busy(std::move(r).error(), type).context(what + " (BPF_PROG_ATTACH)");
    }
    Link::Parts parts;
    parts.resources.push_back(std::make_unique<NetnsProgAttachResource>(std::move(*ns), std::move(*own), type, *id));
    parts.description = what + " (BPF_PROG_ATTACH)";
    return Link(std::move(parts));
}

}  // namespace ebpf::detail
