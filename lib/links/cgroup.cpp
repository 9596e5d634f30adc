// SPDX-License-Identifier: MIT
// Cgroup attachment: BPF_LINK_CREATE first, BPF_PROG_ATTACH for kernels before 5.7.
#include <ebpf/programs/cgroup.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "sys/bpf.hpp"

namespace ebpf {

using detail::format;

Result<Link> attach_cgroup(const Program& prog, FdRef cgroup, AttachType type, const CgroupAttachOptions& options) {
    auto where = [&] {
        return format("attach program '%s' to cgroup (%.*s)", prog.name().c_str(), EBPF_SV(to_string(type)));
    };
    if (!prog.loaded()) return Error(Errc::InvalidArgument, where() + ": the program is not loaded");
    sys::LinkCreateAttr a{};
    a.prog_fd = static_cast<std::uint32_t>(prog.fd().get());
    a.target_fd = static_cast<std::uint32_t>(cgroup.get());
    a.attach_type = static_cast<std::uint32_t>(type);
    auto fd = sys::link_create(a);
    if (fd) return Link(detail::make_fd_link(std::move(*fd)));
    const int err = fd.error().sys_errno();
    // Kernels without cgroup bpf_links reject the command (EINVAL) or the link type; anything else is real.
    if (err != EINVAL && err != EOPNOTSUPP && err != 524) return std::move(fd).error().context(where());

    // Fallback (Linux < 5.7): the attachment lives in the cgroup, so keep our own references to undo it.
    sys::ProgAttachAttr pa{};
    pa.target_fd = a.target_fd;
    pa.attach_bpf_fd = a.prog_fd;
    pa.attach_type = a.attach_type;
    pa.attach_flags = options.mode == CgroupAttachMode::AllowMultiple   ? 2u  // BPF_F_ALLOW_MULTI
                      : options.mode == CgroupAttachMode::AllowOverride ? 1u  // BPF_F_ALLOW_OVERRIDE
                                                                        : 0u;
    // Duplicate first: if that fails nothing is attached yet.
    auto target = sys::dup_fd(cgroup.get());
    if (!target) return std::move(target).error().context(where());
    auto pfd = sys::dup_fd(prog.fd().get());
    if (!pfd) return std::move(pfd).error().context(where());
    if (auto r = sys::prog_attach(pa); !r) return std::move(r).error().context(where());
    return Link(detail::make_prog_attach_link(std::move(*target), std::move(*pfd), type));
}

}  // namespace ebpf
