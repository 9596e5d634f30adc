// SPDX-License-Identifier: MIT
// tc programs over netlink: a cls_bpf filter in direct-action mode on the clsact qdisc, which is created when the
// interface has none. What we create we remove; what was there stays:
// - the filter is removed while it still holds our program (same priority, handle and program id);
// - a clsact qdisc we created is shared by every Link of this process on that interface (a reference count per
//   namespace and interface) and removed with the last of them, unless filters that are not ours hang from it.
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "links/net_util.hpp"
#include "sys/netns.hpp"
#include "sys/rtnetlink.hpp"

namespace ebpf::detail {

namespace {

using ClsactKey = std::pair<std::uint64_t, int>;  // (network namespace id, ifindex)

// The clsact qdiscs this process created and still uses. Guarded by its mutex; netlink calls made while it is
// held are the few needed to decide (list, create, list filters, delete), so concurrent attaches to one interface
// agree on who owns the qdisc.
struct ClsactRegistry {
    std::mutex mutex;
    std::map<ClsactKey, int> users;
};

ClsactRegistry& clsact_registry() {
    static ClsactRegistry r;  // lives as long as the process; holds no fds
    return r;
}

bool has_clsact(const std::vector<sys::QdiscInfo>& qdiscs) {
    for (const auto& q : qdiscs)
        if (q.kind == "clsact") return true;
    return false;
}

// Makes sure the interface has a clsact qdisc. True when it is ours (created now or by an earlier Link of this
// process that still uses it; counted), false when someone else's.
Result<bool> acquire_clsact(sys::NetlinkSocket& nl, const ClsactKey& key) {
    ClsactRegistry& reg = clsact_registry();
    const std::lock_guard<std::mutex> lock(reg.mutex);
    auto qdiscs = sys::rtnl_qdiscs(nl, key.second);
    if (!qdiscs) return std::move(qdiscs).error();
    auto it = reg.users.find(key);
    if (has_clsact(*qdiscs)) {
        if (it == reg.users.end()) return false;
        ++it->second;
        return true;
    }
    if (it != reg.users.end()) reg.users.erase(it);  // ours was deleted behind our back: make a new one
    auto added = sys::rtnl_qdisc_add_clsact(nl, key.second);
    if (!added) {
        if (added.error().code() == Errc::Exists) return false;  // another process was quicker: theirs
        return std::move(added).error();
    }
    reg.users[key] = 1;
    return true;
}

// Drops one use of our clsact qdisc; the last use removes it, unless `keep` or filters that are not ours are on it
// (a filter of a released Link counts: it stays, so the qdisc stays).
Result<void> release_clsact(sys::NetlinkSocket* nl, const ClsactKey& key, bool keep) {
    ClsactRegistry& reg = clsact_registry();
    const std::lock_guard<std::mutex> lock(reg.mutex);
    auto it = reg.users.find(key);
    if (it == reg.users.end()) return {};
    if (--it->second > 0) return {};
    reg.users.erase(it);
    if (keep || !nl) return {};
    for (std::uint32_t parent : {sys::kTcHClsactIngress, sys::kTcHClsactEgress}) {
        auto filters = sys::rtnl_filters(*nl, key.second, parent);
        if (!filters) return interface_gone(filters.error()) ? Result<void>() : std::move(filters).error();
        if (!filters->empty()) return {};  // someone else's filters: the qdisc stays with them
    }
    auto del = sys::rtnl_qdisc_del_clsact(*nl, key.second);
    if (!del && !interface_gone(del.error())) return std::move(del).error();
    return {};
}

// The clsact qdisc this attachment created (or shares with another Link that created it).
class ClsactResource final : public LinkResource {
public:
    ClsactResource(std::shared_ptr<sys::NetlinkSocket> nl, ClsactKey key, std::string ifname)
        : nl_(std::move(nl)), key_(key), ifname_(std::move(ifname)) {}
    Result<void> undo() override {
        auto r = release_clsact(nl_.get(), key_, false);
        nl_.reset();
        if (!r) return std::move(r).error().context(format("remove the clsact qdisc of %s", ifname_.c_str()));
        return {};
    }
    void keep() noexcept override {
        (void)release_clsact(nullptr, key_, true);
        nl_.reset();
    }

private:
    std::shared_ptr<sys::NetlinkSocket> nl_;
    ClsactKey key_;
    std::string ifname_;
};

// The cls_bpf filter, removed only while it still holds our program.
class ClsBpfFilterResource final : public LinkResource {
public:
    ClsBpfFilterResource(std::shared_ptr<sys::NetlinkSocket> nl, int ifindex, sys::TcFilterId id,
                         std::uint32_t prog_id, AttachType direction, std::string where)
        : nl_(std::move(nl)), ifindex_(ifindex), id_(id), prog_id_(prog_id), direction_(direction),
          where_(std::move(where)) {}
    Result<void> undo() override {
        auto r = remove();
        nl_.reset();
        if (!r)
            return std::move(r).error().context(
                format("remove tc filter priority %u handle 0x%x from %s", id_.priority, id_.handle, where_.c_str()));
        return {};
    }
    void keep() noexcept override { nl_.reset(); }
    void describe(LinkInfo& i) const override {
        i.ifindex = static_cast<std::uint32_t>(ifindex_);
        i.prog_id = prog_id_;
        i.attach_type = direction_;
    }

private:
    Result<void> remove() {
        auto filters = sys::rtnl_filters(*nl_, ifindex_, id_.parent);
        if (!filters) return interface_gone(filters.error()) ? Result<void>() : std::move(filters).error();
        for (const auto& f : *filters) {
            if (f.id.priority != id_.priority || f.id.handle != id_.handle) continue;
            if (f.kind != "bpf" || f.bpf_prog_id != prog_id_) return {};  // replaced since: not ours
            auto del = sys::rtnl_filter_del(*nl_, ifindex_, id_);
            if (!del && !interface_gone(del.error())) return std::move(del).error();
            return {};
        }
        return {};  // gone already
    }

    std::shared_ptr<sys::NetlinkSocket> nl_;
    int ifindex_;
    sys::TcFilterId id_;
    std::uint32_t prog_id_;
    AttachType direction_;
    std::string where_;
};

}  // namespace

Result<Link> attach_cls_bpf(FdRef prog, int ifindex, const std::string& ifname, AttachType direction,
                            const TcRequest& request, std::string what) {
    auto nl_opened = sys::NetlinkSocket::open();
    if (!nl_opened) return std::move(nl_opened).error().context(what);
    auto nl = std::make_shared<sys::NetlinkSocket>(std::move(*nl_opened));
    auto prog_id = prog_id_of(prog);
    if (!prog_id) return std::move(prog_id).error().context(what);
    auto ns = sys::netns_open_current();
    if (!ns) return std::move(ns).error().context(what);
    auto ns_id = sys::netns_id(ns->get());
    if (!ns_id) return std::move(ns_id).error().context(what);
    const ClsactKey key{*ns_id, ifindex};

    auto ours = acquire_clsact(*nl, key);
    if (!ours) {
        Error e = std::move(ours).error();
        if (interface_gone(e)) {
            e.recode(Errc::NoDevice);
            e.context(format("no interface %s", ifname.c_str()));
        } else if (e.code() == Errc::NotSupported) {
            e.context("the kernel has no clsact qdisc (sch_ingress, 4.5+)");
        }
        return std::move(e).context(what);
    }
    Link::Parts parts;
    if (*ours) parts.resources.push_back(std::make_unique<ClsactResource>(nl, key, ifname));

    sys::BpfFilterOptions f;
    f.id.parent = direction == AttachType::TcxEgress ? sys::kTcHClsactEgress : sys::kTcHClsactIngress;
    f.id.priority = request.priority;
    f.id.handle = request.handle;
    f.prog_fd = prog.get();
    f.name = request.filter_name;
    f.direct_action = true;
    auto id = sys::rtnl_filter_add_bpf(*nl, ifindex, f);
    if (!id) {
        Error e = std::move(id).error();
        if (e.code() == Errc::Exists)
            e.context(format("a filter with priority %u and handle 0x%x is already there", request.priority,
                             request.handle));
        else if (e.code() == Errc::NotFound || e.code() == Errc::NotSupported)
            e.context("the kernel has no cls_bpf classifier (CONFIG_NET_CLS_BPF)");
        // The qdisc we may have created goes again when `parts` (with its resource) is dropped below.
        Link undo_qdisc(std::move(parts));
        return std::move(e).context(what);
    }
    const std::string where =
        format("%s %s", ifname.c_str(), direction == AttachType::TcxEgress ? "egress" : "ingress");
    parts.resources.push_back(
        std::make_unique<ClsBpfFilterResource>(nl, ifindex, *id, *prog_id, direction, where));
    parts.description = format("%s (netlink cls_bpf priority %u handle 0x%x%s)", what.c_str(), id->priority,
                               id->handle, *ours ? ", clsact qdisc created" : "");
    return Link(std::move(parts));
}

}  // namespace ebpf::detail
