// SPDX-License-Identifier: MIT
// Registering struct_ops maps: a struct_ops bpf_link (6.4+) for maps made with BPF_F_LINK, "register on update"
// (the map update registers, deleting the element unregisters) for the others.
#include <cerrno>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"
#include "sys/info.hpp"

namespace ebpf::detail {

namespace {

// The element of a register-on-update struct_ops map: deleting it unregisters the struct.
class StructOpsRegistration final : public LinkResource {
public:
    StructOpsRegistration(UniqueFd map, std::string what) : map_(std::move(map)), what_(std::move(what)) {}
    Result<void> undo() override {
        const std::uint32_t key = 0;
        auto r = sys::map_delete_elem(map_.get(), &key);
        map_.reset();
        if (!r) return std::move(r).error().context("unregister " + what_);
        return {};  // false (ENOENT): unregistered already
    }
    void keep() noexcept override { map_.reset(); }
    void describe(LinkInfo& i) const override {
        i.attach_type = AttachType::StructOps;
        if (!map_) return;
        sys::MapInfoRaw mi{};
        std::uint32_t len = sizeof mi;
        if (sys::obj_get_info_by_fd(map_.get(), &mi, len)) i.map_id = mi.id;
    }

private:
    UniqueFd map_;
    std::string what_;
};

// Writes the value of a struct_ops map. A link map answers EBUSY once its value is written (its state is no longer
// INIT): that value stays, and is what gets registered.
Result<void> write_struct_ops_value(FdRef map, std::span<const std::byte> value, bool link) {
    const std::uint32_t key = 0;
    auto r = sys::map_update_elem(map.get(), &key, value.data());
    if (!r) {
        Error e = std::move(r).error();
        if (link && e.sys_errno() == EBUSY) return {};
        if (e.sys_errno() == EBUSY) {
            e.recode(Errc::Busy);
            e.context("this struct_ops map is registered already, or was unregistered (a map registered by its "
                      "update cannot register twice: load the object again)");
        }
        return std::move(e).context("write the struct_ops map's value (BPF_MAP_UPDATE_ELEM)");
    }
    return {};
}

}  // namespace

Result<Link> attach_struct_ops(FdRef map, std::span<const std::byte> value, bool link, std::string what) {
    if (link) {
        if (auto r = write_struct_ops_value(map, value, true); !r) return std::move(r).error().context(what);
        sys::LinkCreateAttr a{};
        a.map_fd = static_cast<std::uint32_t>(map.get());
        a.attach_type = static_cast<std::uint32_t>(AttachType::StructOps);
        auto fd = sys::link_create(a);
        if (!fd) return std::move(fd).error().context(what + " (BPF_LINK_CREATE)");
        Link::Parts parts;
        parts.bpf_link = std::move(*fd);
        parts.description = std::move(what);
        return Link(std::move(parts));
    }
    // Linux < 6.4, or a .struct_ops map: the update registers. Duplicate first: if that fails nothing is registered.
    auto own = sys::dup_fd(map.get());
    if (!own) return std::move(own).error().context(what);
    if (auto r = write_struct_ops_value(map, value, false); !r) return std::move(r).error().context(what);
    Link::Parts parts;
    parts.resources.push_back(std::make_unique<StructOpsRegistration>(std::move(*own), what));
    parts.description = std::move(what);
    return Link(std::move(parts));
}

Result<void> update_struct_ops_link(FdRef link, FdRef map, std::span<const std::byte> value, std::string what) {
    if (auto r = write_struct_ops_value(map, value, true); !r) return std::move(r).error().context(what);
    sys::LinkUpdateAttr a{};
    a.link_fd = static_cast<std::uint32_t>(link.get());
    a.new_prog_fd = static_cast<std::uint32_t>(map.get());  // new_map_fd for struct_ops links
    if (auto r = sys::link_update(a); !r) {
        Error e = std::move(r).error();
        if (e.sys_errno() == EOPNOTSUPP) e.context("the link is not a struct_ops link");
        else if (e.sys_errno() == EINVAL)
            e.context("the kernel refused the new map (another struct type, not a BPF_F_LINK map, or what the struct "
                      "requires, e.g. the same congestion control name)");
        return std::move(e).context(what + " (BPF_LINK_UPDATE)");
    }
    return {};
}

}  // namespace ebpf::detail
