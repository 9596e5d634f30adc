// SPDX-License-Identifier: MIT
// Link::update() lives with the programs (it takes a Program), so the links layer stays below this one: the
// mechanisms in lib/links know only fds.
#include <ebpf/link.hpp>
#include <ebpf/program.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "sys/bpf.hpp"

namespace ebpf {

using detail::format;

Result<void> Link::update(const Program& program, const LinkUpdateOptions& options) {
    if (!attached()) return Error(Errc::InvalidArgument, "update: this Link holds no attachment");
    const std::string what =
        format("update %.*s to program '%s'", EBPF_SV(description()), program.name().c_str());
    if (!is_bpf_link())
        return Error(Errc::NotSupported,
                     what + ": only bpf_link attachments can be updated (this one was made without a bpf_link, e.g. "
                            "BPF_PROG_ATTACH on kernels before 5.7); detach and attach again");
    if (!program.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    sys::LinkUpdateAttr a{};
    a.link_fd = static_cast<std::uint32_t>(fd().get());
    a.new_prog_fd = static_cast<std::uint32_t>(program.fd().get());
    if (options.expected) {
        if (!options.expected->loaded())
            return Error(Errc::InvalidArgument, what + ": the expected old program is not loaded");
        a.flags = 1u << 2;  // BPF_F_REPLACE
        a.old_prog_fd = static_cast<std::uint32_t>(options.expected->fd().get());
    }
    auto r = sys::link_update(a);
    if (!r) {
        Error e = std::move(r).error();
        if (e.sys_errno() == EPERM && options.expected)
            e.context(format("the attached program is not '%s' (BPF_F_REPLACE)", options.expected->name().c_str()));
        else if (e.sys_errno() == EOPNOTSUPP)
            e.context("the kernel cannot update this link type");
        else if (e.sys_errno() == EINVAL)
            e.context("the new program's type or expected attach type differs from the attached one");
        return std::move(e).context(what);
    }
    return {};
}

}  // namespace ebpf
