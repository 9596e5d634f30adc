// SPDX-License-Identifier: MIT
// NetInterface and LinkOrder, and resolving interfaces for the networking views.
#include <ebpf/link.hpp>
#include <ebpf/program.hpp>
#include <ebpf/programs/net.hpp>

#include "base/format.hpp"
#include "programs/net_iface.hpp"
#include "sys/rtnetlink.hpp"
#include "sys/uapi.hpp"

namespace ebpf {

using detail::format;

namespace {
constexpr std::uint32_t kNoFd = 0xffffffffu;

std::uint32_t program_fd_or_none(const Program& p) {
    return p.loaded() ? static_cast<std::uint32_t>(p.fd().get()) : kNoFd;
}
std::uint32_t link_fd_or_none(const Link& l) {
    return l.is_bpf_link() ? static_cast<std::uint32_t>(l.fd().get()) : kNoFd;
}
}  // namespace

std::string NetInterface::describe() const {
    return by_index_ ? format("ifindex %u", index_) : name_;
}

LinkOrder LinkOrder::before(const Program& program) noexcept {
    return LinkOrder(Where::Before, Relative::ProgramFd, program_fd_or_none(program));
}
LinkOrder LinkOrder::after(const Program& program) noexcept {
    return LinkOrder(Where::After, Relative::ProgramFd, program_fd_or_none(program));
}
LinkOrder LinkOrder::before(const Link& link) noexcept {
    return LinkOrder(Where::Before, Relative::LinkFd, link_fd_or_none(link));
}
LinkOrder LinkOrder::after(const Link& link) noexcept {
    return LinkOrder(Where::After, Relative::LinkFd, link_fd_or_none(link));
}

std::string LinkOrder::describe() const {
    const char* where = where_ == Where::First ? "first" : where_ == Where::Last ? "last"
                        : where_ == Where::Before                             ? "before"
                                                                              : "after";
    switch (relative_) {
    case Relative::None: return where;
    case Relative::ProgramFd: return format("%s program fd %d", where, static_cast<int>(value_));
    case Relative::ProgramId: return format("%s program id %u", where, value_);
    case Relative::LinkFd: return format("%s link fd %d", where, static_cast<int>(value_));
    case Relative::LinkId: return format("%s link id %u", where, value_);
    }
    return where;
}

namespace detail {

Result<ResolvedInterface> resolve_interface(const NetInterface& i) {
    auto nl = sys::NetlinkSocket::open();
    if (!nl) return std::move(nl).error();
    ResolvedInterface out;
    if (i.by_index()) {
        if (i.index() == 0)
            return Error(Errc::NoDevice, "no network interface with ifindex 0 (interface indexes start at 1)");
        auto link = sys::rtnl_link_get(*nl, static_cast<int>(i.index()));
        if (!link) {
            Error e = std::move(link).error();
            if (e.code() == Errc::NotFound || e.code() == Errc::NoDevice) {
                e.recode(Errc::NoDevice);
                e.context(format("no network interface with ifindex %u in this network namespace", i.index()));
            }
            return e;
        }
        out.ifindex = link->ifindex;
        out.name = format("%s (ifindex %d)", link->name.c_str(), link->ifindex);
        return out;
    }
    if (i.name().empty()) return Error(Errc::InvalidArgument, "no network interface named: the name is empty");
    auto idx = sys::rtnl_link_index(*nl, i.name());
    if (!idx) {
        Error e = std::move(idx).error();
        if (e.code() == Errc::NotFound || e.code() == Errc::NoDevice) {
            e.recode(Errc::NoDevice);
            e.context(format("no network interface '%s' in this network namespace", i.name().c_str()));
        }
        return e;
    }
    out.ifindex = *idx;
    out.name = format("%s (ifindex %d)", i.name().c_str(), *idx);
    return out;
}

Result<HookPrograms> hook_programs(const NetInterface& interface, AttachType type, const std::string& what) {
    auto iface = resolve_interface(interface);
    if (!iface) return std::move(iface).error().context(what);
    auto q = query_multiprog(iface->ifindex, iface->name, type);
    if (!q) return std::move(q).error();
    HookPrograms out;
    out.revision = q->revision;
    for (std::size_t i = 0; i < q->prog_ids.size(); ++i) out.programs.push_back({q->prog_ids[i], q->link_ids[i]});
    return out;
}

Result<MultiProgPosition> multiprog_position(const LinkOrder& order, std::uint64_t expected_revision) {
    namespace u = sys::uapi;
    MultiProgPosition p;
    p.expected_revision = expected_revision;
    using W = LinkOrder::Where;
    using R = LinkOrder::Relative;
    if (order.where() == W::First || order.where() == W::Before) p.flags |= u::kBpfFBefore;
    if (order.where() == W::After) p.flags |= u::kBpfFAfter;
    if (order.where() == W::Last && order.relative() != R::None) p.flags |= u::kBpfFAfter;
    switch (order.relative()) {
    case R::None: break;
    case R::ProgramFd:
        if (order.value() == kNoFd)
            return Error(Errc::InvalidArgument, "order " + order.describe() + ": the relative program is not loaded");
        break;
    case R::LinkFd:
        if (order.value() == kNoFd)
            return Error(Errc::InvalidArgument,
                         "order relative to a link: that Link holds no bpf_link (detached, or a netlink attachment)");
        p.flags |= u::kBpfFLink;
        break;
    case R::ProgramId: p.flags |= u::kBpfFId; break;
    case R::LinkId: p.flags |= u::kBpfFId | u::kBpfFLink; break;
    }
    p.relative = order.value();
    return p;
}

}  // namespace detail

}  // namespace ebpf
