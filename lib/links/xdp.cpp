// SPDX-License-Identifier: MIT
// XDP attachment: a bpf_link (BPF_LINK_CREATE with BPF_XDP, 5.9+), or netlink IFLA_XDP before that and for an
// atomic replace of a program attached through netlink.
#include <ebpf/features.hpp>

#include <cerrno>
#include <optional>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "links/net_util.hpp"
#include "sys/bpf.hpp"
#include "sys/rtnetlink.hpp"

namespace ebpf::detail {

namespace {

constexpr std::uint32_t kXdpModes = sys::kXdpFlagsSkbMode | sys::kXdpFlagsDrvMode | sys::kXdpFlagsHwMode;

const char* xdp_mode_name(std::uint32_t mode_flags) {
    switch (mode_flags & kXdpModes) {
    case sys::kXdpFlagsSkbMode: return "generic";
    case sys::kXdpFlagsDrvMode: return "native";
    case sys::kXdpFlagsHwMode: return "offload";
    default: return "default";
    }
}

// The id of the program attached in one mode (0: none).
std::uint32_t xdp_attached_id(const sys::XdpState& st, std::uint32_t mode_flags) {
    switch (mode_flags & kXdpModes) {
    case sys::kXdpFlagsSkbMode: return st.skb_prog_id;
    case sys::kXdpFlagsDrvMode: return st.drv_prog_id;
    case sys::kXdpFlagsHwMode: return st.hw_prog_id;
    default: return st.prog_id;
    }
}

// "program id 42 (generic mode)", listing every mode that has one; empty when none has.
std::string xdp_attached_text(const sys::XdpState& st) {
    std::string out;
    auto add = [&](std::uint32_t id, const char* mode) {
        if (!id) return;
        out += format("%sprogram id %u (%s mode)", out.empty() ? "" : " and ", id, mode);
    };
    add(st.skb_prog_id, "generic");
    add(st.drv_prog_id, "native");
    add(st.hw_prog_id, "offload");
    return out;
}

// EBUSY / EEXIST from an XDP attach: another program holds the hook. Says which, by asking the interface.
Error xdp_busy(sys::NetlinkSocket* nl, int ifindex, const std::string& ifname, Error e, const std::string& what) {
    std::string holder;
    if (nl)
        if (auto st = sys::rtnl_xdp_query(*nl, ifindex)) holder = xdp_attached_text(*st);
    e.recode(Errc::Busy);
    if (holder.empty())
        e.context(format("interface %s already has an XDP program", ifname.c_str()));
    else
        e.context(format("interface %s already has an XDP program: %s", ifname.c_str(), holder.c_str()));
    return std::move(e).context(what);
}

// A program attached with netlink IFLA_XDP. Removed only while it is still ours: the attached id is compared,
// and the removal itself names our program as the expected one (XDP_FLAGS_REPLACE, 5.7+), so a program someone
// attached in the meantime is never removed.
class XdpNetlinkResource final : public LinkResource {
public:
    XdpNetlinkResource(sys::NetlinkSocket nl, UniqueFd prog, int ifindex, std::string ifname, std::uint32_t mode,
                       std::uint32_t prog_id)
        : nl_(std::move(nl)), prog_(std::move(prog)), ifindex_(ifindex), ifname_(std::move(ifname)), mode_(mode),
          prog_id_(prog_id) {}

    Result<void> undo() override {
        auto r = remove();
        nl_.reset();
        prog_.reset();
        if (!r)
            return std::move(r).error().context(format("remove XDP program id %u from %s (%s mode)", prog_id_,
                                                       ifname_.c_str(), xdp_mode_name(mode_)));
        return {};
    }
    void keep() noexcept override {
        nl_.reset();
        prog_.reset();
    }
    void describe(LinkInfo& i) const override {
        i.ifindex = static_cast<std::uint32_t>(ifindex_);
        i.prog_id = prog_id_;
        i.attach_type = AttachType::Xdp;
    }

private:
    Result<void> remove() {
        auto st = sys::rtnl_xdp_query(*nl_, ifindex_);
        if (!st) return interface_gone(st.error()) ? Result<void>() : std::move(st).error();
        if (xdp_attached_id(*st, mode_) != prog_id_) return {};  // replaced since: not ours to remove
        auto r = sys::rtnl_xdp_set(*nl_, ifindex_, -1, {.flags = mode_ | sys::kXdpFlagsReplace, .expected_fd = prog_.get()});
        if (!r && r.error().sys_errno() == EINVAL) {
            // Linux < 5.7 has no XDP_FLAGS_REPLACE: the id comparison above is the only guard there.
            r = sys::rtnl_xdp_set(*nl_, ifindex_, -1, {.flags = mode_});
        }
        // EEXIST: another program replaced ours between the query and the removal; it stays.
        if (!r && r.error().sys_errno() != EEXIST && !interface_gone(r.error())) return std::move(r).error();
        return {};
    }

    std::optional<sys::NetlinkSocket> nl_;
    UniqueFd prog_;
    int ifindex_;
    std::string ifname_;
    std::uint32_t mode_;
    std::uint32_t prog_id_;
};

}  // namespace

Result<Link> attach_xdp(FdRef prog, int ifindex, const std::string& ifname, std::uint32_t mode_flags, FdRef replace,
                        std::string what) {
    mode_flags &= kXdpModes;
    // The probe decides, not the error. A replace needs netlink: a bpf_link cannot take over a program that
    // netlink attached (the kernel refuses with EBUSY), and links are swapped with BPF_LINK_UPDATE instead.
    auto links = link_supported(AttachType::Xdp);
    if (!links) return std::move(links).error().context(what);
    if (*links && !replace.valid()) {
        sys::LinkCreateAttr a{};
        a.prog_fd = static_cast<std::uint32_t>(prog.get());
        a.target_ifindex = static_cast<std::uint32_t>(ifindex);
        a.attach_type = static_cast<std::uint32_t>(AttachType::Xdp);
        a.flags = mode_flags;
        auto fd = sys::link_create(a);
        if (!fd) {
            Error e = std::move(fd).error();
            if (e.sys_errno() == EBUSY || e.sys_errno() == EEXIST) {
                auto nl = sys::NetlinkSocket::open();
                return xdp_busy(nl ? &*nl : nullptr, ifindex, ifname, std::move(e), what);
            }
            if (e.sys_errno() == ENODEV) e.context(format("no interface %s", ifname.c_str()));
            return std::move(e).context(what);
        }
        Link::Parts parts;
        parts.bpf_link = std::move(*fd);
        parts.description = std::move(what);
        return Link(std::move(parts));
    }

    // Netlink IFLA_XDP: the attachment belongs to the interface; the Link removes it. Linux < 5.9, or a replace.
    auto nl = sys::NetlinkSocket::open();
    if (!nl) return std::move(nl).error().context(what);
    auto id = prog_id_of(prog);
    if (!id) return std::move(id).error().context(what);
    auto own = sys::dup_fd(prog.get());  // the expected program when we remove it
    if (!own) return std::move(own).error().context(what);
    sys::XdpSetOptions o;
    o.flags = mode_flags | (replace.valid() ? sys::kXdpFlagsReplace : sys::kXdpFlagsUpdateIfNoexist);
    o.expected_fd = replace.valid() ? replace.get() : -1;
    if (auto r = sys::rtnl_xdp_set(*nl, ifindex, prog.get(), o); !r) {
        Error e = std::move(r).error();
        if (e.sys_errno() == EBUSY || e.sys_errno() == EEXIST) {
            if (replace.valid() && e.sys_errno() == EEXIST)
                e.context("the program attached is not the one to replace");
            return xdp_busy(&*nl, ifindex, ifname, std::move(e), what);
        }
        if (replace.valid() && e.sys_errno() == EINVAL)
            e.context("(replacing needs XDP_FLAGS_REPLACE, Linux 5.7)");
        return std::move(e).context(what);
    }
    // Which mode the kernel chose (with mode 0: native where the driver has XDP, else generic): the removal
    // must name it.
    std::uint32_t mode = mode_flags;
    if (!mode) {
        auto st = sys::rtnl_xdp_query(*nl, ifindex);
        if (st) {
            mode = st->drv_prog_id == *id   ? sys::kXdpFlagsDrvMode
                   : st->skb_prog_id == *id ? sys::kXdpFlagsSkbMode
                   : st->hw_prog_id == *id  ? sys::kXdpFlagsHwMode
                                            : 0;
        }
        if (!mode) {
            // Cannot tell how to remove it safely: take it off again now rather than leave it behind.
            (void)sys::rtnl_xdp_set(*nl, ifindex, -1, {.flags = sys::kXdpFlagsReplace, .expected_fd = own->get()});
            return Error(Errc::Io, what + ": the interface does not report the mode of the program just attached");
        }
    }
    Link::Parts parts;
    parts.resources.push_back(
        std::make_unique<XdpNetlinkResource>(std::move(*nl), std::move(*own), ifindex, ifname, mode, *id));
    parts.description = format("%s (netlink, %s mode)", what.c_str(), xdp_mode_name(mode));
    return Link(std::move(parts));
}

}  // namespace ebpf::detail
