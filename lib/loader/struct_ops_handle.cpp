// SPDX-License-Identifier: MIT
// StructOps: loads the programs of a struct_ops map, writes their fds into its value and registers it
// (links/struct_ops.cpp).
#include <ebpf/struct_ops.hpp>

#include <cstring>

#include "base/format.hpp"
#include "links/attach.hpp"

namespace ebpf {

using detail::format;

StructOps::StructOps(detail::StructOpsParts parts)
    : name_(std::move(parts.name)),
      type_name_(std::move(parts.type_name)),
      ops_name_(std::move(parts.ops_name)),
      map_(std::move(parts.map)),
      link_(parts.link),
      value_(std::move(parts.value)),
      slots_(std::move(parts.slots)) {}

Result<std::vector<std::byte>> StructOps::value_with_programs(const std::string& what) const {
    std::vector<std::byte> value = value_;
    for (const Slot& s : slots_) {
        Program p = s.program;
        if (auto r = p.load(); !r) {
            Error e = std::move(r).error();
            return std::move(e).context(format("%s: load program '%s' for member '%s'", what.c_str(),
                                               p.name().c_str(), s.member.c_str()));
        }
        // The kernel reads each slot as an unsigned long holding the program's fd.
        const std::uint64_t fd = static_cast<std::uint64_t>(p.fd().get());
        if (std::size_t{s.offset} + sizeof fd > value.size())
            return Error(Errc::InvalidArgument, format("%s: member '%s' lies outside the value", what.c_str(),
                                                       s.member.c_str()));
        std::memcpy(value.data() + s.offset, &fd, sizeof fd);
    }
    return value;
}

Result<Link> StructOps::attach() const {
    std::string what = format("register struct_ops '%s' (struct %s", name_.c_str(), type_name_.c_str());
    if (!ops_name_.empty()) what += format(" \"%s\"", ops_name_.c_str());
    what += link_ ? ", bpf_link)" : ", by map update)";
    auto value = value_with_programs(what);
    if (!value) return std::move(value).error();
    auto link = detail::attach_struct_ops(map_.fd(), *value, link_, what);
    if (!link && link.error().code() == Errc::Exists && !ops_name_.empty())
        return std::move(link).error().context(format("the kernel already has a %s named \"%s\"", type_name_.c_str(),
                                                      ops_name_.c_str()));
    return link;
}

Result<void> StructOps::update(Link& link) const {
    const std::string what = format("update %.*s to struct_ops '%s'", EBPF_SV(link.description()), name_.c_str());
    if (!link.attached()) return Error(Errc::InvalidArgument, what + ": the Link holds no attachment");
    if (!link.is_bpf_link())
        return Error(Errc::InvalidArgument, what + ": the Link is no bpf_link (a struct_ops registered by map update "
                                                   "cannot be swapped; detach it and attach this one)");
    if (!link_)
        return Error(Errc::NotSupported,
                     what + ": this map was not created with BPF_F_LINK (a .struct_ops variable, or a kernel "
                            "before 6.4); only .struct_ops.link maps can replace another in a link");
    auto value = value_with_programs(what);
    if (!value) return std::move(value).error();
    return detail::update_struct_ops_link(link.fd(), map_.fd(), *value, what);
}

}  // namespace ebpf
