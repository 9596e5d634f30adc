// SPDX-License-Identifier: MIT
// attach_cgroup(): checks the program and the options, then the cgroup mechanism (links/cgroup.cpp) attaches it;
// CgroupDir and query_cgroup(); cgroup attach options (CgroupOrder is net.cpp's LinkOrder).
#include <ebpf/programs/cgroup.hpp>

#include <fcntl.h>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "programs/net_iface.hpp"
#include "sys/uapi.hpp"

namespace ebpf {

using detail::format;

namespace {

// The cgroup directory as an fd for the call: borrowed, or opened from the path (closed when the call returns).
struct OpenCgroup {
    UniqueFd owned;
    FdRef fd{-1};
};
Result<OpenCgroup> open_cgroup(const CgroupDir& dir) {
    OpenCgroup o;
    if (!dir.by_path()) {
        o.fd = dir.fd();
        return o;
    }
    EBPF_TRY_ASSIGN(o.owned, UniqueFd::open(dir.path().c_str(), O_DIRECTORY));
    o.fd = o.owned;
    return o;
}

// The order and mode flags of a request, or why the options cannot be used.
Result<detail::CgroupAttachRequest> cgroup_request(const CgroupAttachOptions& o) {
    namespace uapi = sys::uapi;
    detail::CgroupAttachRequest r;
    r.mode_flags = o.mode == CgroupAttachMode::AllowMultiple   ? uapi::kBpfFAllowMulti
                   : o.mode == CgroupAttachMode::AllowOverride ? uapi::kBpfFAllowOverride
                                                               : 0u;
    const bool ordered = !o.order.is_default() || o.expected_revision != 0;
    if (ordered && o.mode != CgroupAttachMode::AllowMultiple)
        return Error(Errc::InvalidArgument, format("an order (%s) or expected revision needs CgroupAttachMode::"
                                                   "AllowMultiple",
                                                   o.order.describe().c_str()));
    if (o.replace) {
        if (o.mode != CgroupAttachMode::AllowMultiple)
            return Error(Errc::InvalidArgument, "replacing a program needs CgroupAttachMode::AllowMultiple");
        if (!o.replace->loaded())
            return Error(Errc::InvalidArgument,
                         format("the program to replace, '%s', is not loaded", o.replace->name().c_str()));
        r.replace_fd = o.replace->fd().get();
    }
    // The same BPF_F_BEFORE/AFTER/ID/LINK encoding as TCX and netkit (6.6's mprog API).
    auto pos = detail::multiprog_position(o.order, o.expected_revision);
    if (!pos) return std::move(pos).error();
    r.order_flags = pos->flags;
    r.relative = pos->relative;
    r.expected_revision = o.expected_revision;
    if (o.preorder) r.order_flags |= uapi::kBpfFPreorder;
    return r;
}

Result<Link> attach_checked(const Program& prog, FdRef cgroup, AttachType type, const CgroupAttachOptions& options,
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
    auto request = cgroup_request(options);
    if (!request) return std::move(request).error().context(what);
    if (!options.order.is_default()) what += " " + options.order.describe();
    return detail::attach_cgroup(prog.fd(), cgroup, type, *request, std::move(what));
}

}  // namespace

std::string CgroupDir::describe() const { return by_path() ? path_ : format("fd %d", fd_); }

Result<Link> attach_cgroup(const Program& prog, FdRef cgroup, AttachType type, const CgroupAttachOptions& options) {
    return attach_checked(prog, cgroup, type, options, format("fd %d", cgroup.get()));
}

Result<Link> attach_cgroup(const Program& prog, const char* cgroup_path, AttachType type,
                           const CgroupAttachOptions& options) {
    auto fd = UniqueFd::open(cgroup_path, O_DIRECTORY);
    if (!fd)
        return std::move(fd).error().context(format("attach program '%s' to cgroup %s", prog.name().c_str(),
                                                    cgroup_path));
    return attach_checked(prog, *fd, type, options, cgroup_path);
}

CgroupAttachMode CgroupPrograms::mode() const noexcept {
    if (attach_flags & sys::uapi::kBpfFAllowMulti) return CgroupAttachMode::AllowMultiple;
    if (attach_flags & sys::uapi::kBpfFAllowOverride) return CgroupAttachMode::AllowOverride;
    return CgroupAttachMode::Single;
}

Result<CgroupPrograms> query_cgroup(const CgroupDir& cgroup, AttachType type, const CgroupQueryOptions& options) {
    const std::string what = format("query the %.*s programs of cgroup %s", EBPF_SV(to_string(type)),
                                    cgroup.describe().c_str());
    auto open = open_cgroup(cgroup);
    if (!open) return std::move(open).error().context(what);
    auto q = detail::query_cgroup_hook(open->fd, type, options.effective);
    if (!q) return std::move(q).error().context(what);
    CgroupPrograms out;
    out.attach_flags = q->attach_flags;
    out.revision = q->revision;
    for (std::size_t i = 0; i < q->prog_ids.size(); ++i)
        out.programs.push_back({q->prog_ids[i], i < q->prog_flags.size() ? q->prog_flags[i] : 0});
    return out;
}

namespace detail {
Result<Link> attach_cgroup_view(const Program& prog, const CgroupDir& cgroup, AttachType type,
                                const CgroupAttachOptions& options) {
    auto open = open_cgroup(cgroup);
    if (!open)
        return std::move(open).error().context(format("attach program '%s' to cgroup %s", prog.name().c_str(),
                                                      cgroup.describe().c_str()));
    return attach_checked(prog, open->fd, type, options, cgroup.describe());
}
}  // namespace detail

}  // namespace ebpf
