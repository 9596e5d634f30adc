// SPDX-License-Identifier: MIT
// attach_cgroup(): checks the program, then the cgroup mechanism (links/cgroup.cpp) attaches it.
#include <ebpf/programs/cgroup.hpp>

#include <fcntl.h>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"

namespace ebpf {

using detail::format;

namespace {

Result<Link> attach(const Program& prog, FdRef cgroup, AttachType type, const CgroupAttachOptions& options,
                    const std::string& cgroup_name) {
    std::string what = format("attach %.*s program '%s' to cgroup %s (%.*s)", EBPF_SV(to_string(prog.kind())),
                              prog.name().c_str(), cgroup_name.c_str(), EBPF_SV(to_string(type)));
    if (!prog.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    // The kernel enforces an expected attach type given at load; say so instead of relaying its EINVAL.
    if (auto e = prog.expected_attach_type(); e && *e != type)
        return Error(Errc::InvalidArgument,
                     format("%s: the program was loaded for %.*s (its section '%s'); attach it as that, or set "
                            "its expected attach type before load",
                            what.c_str(), EBPF_SV(to_string(*e)), prog.section().c_str()));
    const std::uint32_t flags = options.mode == CgroupAttachMode::AllowMultiple   ? 2u  // BPF_F_ALLOW_MULTI
                                : options.mode == CgroupAttachMode::AllowOverride ? 1u  // BPF_F_ALLOW_OVERRIDE
                                                                                  : 0u;
    return detail::attach_cgroup(prog.fd(), cgroup, type, flags, std::move(what));
}

}  // namespace

Result<Link> attach_cgroup(const Program& prog, FdRef cgroup, AttachType type, const CgroupAttachOptions& options) {
    return attach(prog, cgroup, type, options, format("fd %d", cgroup.get()));
}

Result<Link> attach_cgroup(const Program& prog, const char* cgroup_path, AttachType type,
                           const CgroupAttachOptions& options) {
    auto fd = UniqueFd::open(cgroup_path, O_DIRECTORY);
    if (!fd)
        return std::move(fd).error().context(format("attach program '%s' to cgroup %s", prog.name().c_str(),
                                                    cgroup_path));
    return attach(prog, *fd, type, options, cgroup_path);
}

}  // namespace ebpf
