// SPDX-License-Identifier: MIT
// rtnetlink traffic-control requests: the clsact qdisc and cls_bpf filters (the netlink attach path for tc
// programs; TCX links replace it from 6.6).
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <bit>
#include <cerrno>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/rtnetlink.hpp"

namespace ebpf::sys {

static_assert(kTcHClsact == TC_H_CLSACT && kTcHClsactHandle == TC_H_MAKE(TC_H_CLSACT, 0) &&
              kTcHClsactIngress == TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS) &&
              kTcHClsactEgress == TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS));

namespace {

std::uint16_t swap16(std::uint16_t v) noexcept {
    return std::endian::native == std::endian::little ? static_cast<std::uint16_t>((v >> 8) | (v << 8)) : v;
}

// tcm_info of a filter: TC_H_MAKE(priority << 16, htons(protocol)).
std::uint32_t filter_info(const TcFilterId& id) noexcept {
    return (static_cast<std::uint32_t>(id.priority) << 16) | swap16(id.protocol);
}

TcFilterId filter_id(const TcMsg& h) noexcept {
    TcFilterId id;
    id.parent = h.parent;
    id.handle = h.handle;
    id.priority = static_cast<std::uint16_t>(h.info >> 16);
    id.protocol = swap16(static_cast<std::uint16_t>(h.info & 0xffff));
    return id;
}

std::string parent_name(std::uint32_t parent) {
    if (parent == kTcHClsactIngress) return "ingress";
    if (parent == kTcHClsactEgress) return "egress";
    return detail::format("parent %x:%x", parent >> 16, parent & 0xffff);
}

Result<void> clsact_request(NetlinkSocket& nl, std::uint16_t type, std::uint16_t flags, int ifindex) {
    NetlinkRequest r(type, flags);
    TcMsg h;
    h.family = AF_UNSPEC;
    h.ifindex = ifindex;
    h.handle = kTcHClsactHandle;
    h.parent = kTcHClsact;
    r.header(h);
    r.put_string(TCA_KIND, "clsact");
    const char* name = type == kRtmNewQdisc ? "RTM_NEWQDISC" : "RTM_DELQDISC";
    auto res = nl.request(r, [&] {
        return detail::format("netlink %s clsact on %s", name, rtnl_describe_link(nl, ifindex).c_str());
    });
    // ENOENT from RTM_NEWQDISC: no sch_clsact (module missing, or a kernel before 4.5).
    if (!res && res.error().sys_errno() == ENOENT && type == kRtmNewQdisc) res.error().recode(Errc::NotSupported);
    return res;
}

}  // namespace

Result<void> rtnl_qdisc_add_clsact(NetlinkSocket& nl, int ifindex) noexcept {
    return clsact_request(nl, kRtmNewQdisc, kNlmFCreate | kNlmFExcl, ifindex);
}

Result<void> rtnl_qdisc_del_clsact(NetlinkSocket& nl, int ifindex) noexcept {
    return clsact_request(nl, kRtmDelQdisc, 0, ifindex);
}

Result<std::vector<QdiscInfo>> rtnl_qdiscs(NetlinkSocket& nl, int ifindex) noexcept {
    NetlinkRequest r(kRtmGetQdisc, 0);
    TcMsg h;
    h.ifindex = ifindex;
    r.header(h);
    std::vector<QdiscInfo> out;
    EBPF_TRY(nl.dump(r, detail::format("netlink RTM_GETQDISC dump (ifindex %d)", ifindex),
                     [&](const NetlinkMessage& m) -> Result<void> {
                         const auto t = m.header<TcMsg>();
                         if (m.type != RTM_NEWQDISC || !t || t->ifindex != ifindex) return {};
                         QdiscInfo q;
                         q.ifindex = t->ifindex;
                         q.handle = t->handle;
                         q.parent = t->parent;
                         if (auto kind = m.attrs(sizeof(TcMsg)).find(TCA_KIND)) q.kind = std::string(kind->as_string());
                         out.push_back(std::move(q));
                         return {};
                     }));
    return out;
}

Result<TcFilterId> rtnl_filter_add_bpf(NetlinkSocket& nl, int ifindex, const BpfFilterOptions& o) noexcept {
    if (o.prog_fd < 0) return Error(Errc::InvalidArgument, "tc filter: no program fd");
    if (o.replace && (!o.id.priority || !o.id.handle))
        return Error(Errc::InvalidArgument, "tc filter: replacing needs the priority and handle of the filter");
    NetlinkRequest r(kRtmNewTfilter, kNlmFCreate | kNlmFEcho | (o.replace ? kNlmFReplace : kNlmFExcl));
    TcMsg h;
    h.family = AF_UNSPEC;
    h.ifindex = ifindex;
    h.handle = o.id.handle;
    h.parent = o.id.parent;
    h.info = filter_info(o.id);
    r.header(h);
    r.put_string(TCA_KIND, "bpf");
    const auto opts = r.begin_nested(TCA_OPTIONS | kNlaFNested);
    r.put_u32(TCA_BPF_FD, static_cast<std::uint32_t>(o.prog_fd));
    if (!o.name.empty()) r.put_string(TCA_BPF_NAME, o.name);
    if (o.direct_action) r.put_u32(TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
    if (o.gen_flags) r.put_u32(TCA_BPF_FLAGS_GEN, o.gen_flags);
    r.end_nested(opts);
    TcFilterId done = o.id;
    bool echoed = false;
    const auto what = [&] {
        return detail::format("netlink RTM_NEWTFILTER bpf%s%.*s on %s %s", o.name.empty() ? "" : " ", EBPF_SV(o.name),
                              rtnl_describe_link(nl, ifindex).c_str(), parent_name(o.id.parent).c_str());
    };
    auto res = nl.request(r, what, [&](const NetlinkMessage& m) -> Result<void> {
        const auto t = m.header<TcMsg>();
        if (m.type == RTM_NEWTFILTER && t && t->ifindex == ifindex) {
            done = filter_id(*t);
            echoed = true;
        }
        return {};
    });
    if (!res) return std::move(res).error();
    if (!echoed || !done.handle || !done.priority)
        return Error(Errc::Io, "netlink RTM_NEWTFILTER: the kernel did not echo the new filter");
    return done;
}

Result<void> rtnl_filter_del(NetlinkSocket& nl, int ifindex, const TcFilterId& id) noexcept {
    // Priority 0 would flush every filter of the hook point, handle 0 every filter of that priority.
    if (!id.priority || !id.handle)
        return Error(Errc::InvalidArgument, "tc filter delete: needs the filter's priority and handle");
    NetlinkRequest r(kRtmDelTfilter, 0);
    TcMsg h;
    h.family = AF_UNSPEC;
    h.ifindex = ifindex;
    h.handle = id.handle;
    h.parent = id.parent;
    h.info = filter_info(id);
    r.header(h);
    return nl.request(r, [&] {
        return detail::format("netlink RTM_DELTFILTER prio %u handle 0x%x on %s %s", id.priority, id.handle,
                              rtnl_describe_link(nl, ifindex).c_str(), parent_name(id.parent).c_str());
    });
}

Result<std::vector<TcFilterInfo>> rtnl_filters(NetlinkSocket& nl, int ifindex, std::uint32_t parent) noexcept {
    NetlinkRequest r(kRtmGetTfilter, 0);
    TcMsg h;
    h.family = AF_UNSPEC;
    h.ifindex = ifindex;
    h.parent = parent;
    r.header(h);
    std::vector<TcFilterInfo> out;
    const auto what = [&] {
        return detail::format("netlink RTM_GETTFILTER dump on %s %s", rtnl_describe_link(nl, ifindex).c_str(),
                              parent_name(parent).c_str());
    };
    EBPF_TRY(nl.dump(r, what, [&](const NetlinkMessage& m) -> Result<void> {
        const auto t = m.header<TcMsg>();
        // Each classifier instance is listed once with handle 0 before its filters.
        if (m.type != RTM_NEWTFILTER || !t || t->ifindex != ifindex || t->handle == 0) return {};
        TcFilterInfo f;
        f.id = filter_id(*t);
        const NetlinkAttrs attrs = m.attrs(sizeof(TcMsg));
        if (auto kind = attrs.find(TCA_KIND)) f.kind = std::string(kind->as_string());
        if (f.kind == "bpf") {
            const NetlinkAttrs opts = attrs.nested(TCA_OPTIONS);
            if (auto n = opts.find(TCA_BPF_NAME)) f.bpf_name = std::string(n->as_string());
            if (auto id = opts.find(TCA_BPF_ID)) f.bpf_prog_id = id->as<std::uint32_t>().value_or(0);
            if (auto fl = opts.find(TCA_BPF_FLAGS))
                f.direct_action = (fl->as<std::uint32_t>().value_or(0) & TCA_BPF_FLAG_ACT_DIRECT) != 0;
        }
        out.push_back(std::move(f));
        return {};
    }));
    return out;
}

}  // namespace ebpf::sys
