// SPDX-License-Identifier: MIT
// Cgroup attachment: BPF_LINK_CREATE where the kernel has cgroup links (5.7+), BPF_PROG_ATTACH before (and for the
// modes a link cannot express); the order among a hook's programs (6.17); BPF_PROG_QUERY of a hook.
#include <ebpf/features.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>

#include "base/format.hpp"
#include "base/try.hpp"
#include "features/own_probes.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"
#include "sys/uapi.hpp"

namespace ebpf::detail {

namespace {

namespace uapi = sys::uapi;

const char* cgroup_mode_name(std::uint32_t flags) {
    if (flags & uapi::kBpfFAllowMulti) return "AllowMultiple";
    if (flags & uapi::kBpfFAllowOverride) return "AllowOverride";
    return "Single";
}

// Whether BPF_PROG_QUERY takes prog_attach_flags (6.0): -1 not known yet, 0 no, 1 yes. Kernels before 6.0 refuse
// the field (EINVAL: bytes after the last field they know must be zero); the first query finds out, once.
std::atomic<int> g_cgroup_query_prog_flags{-1};

Result<CgroupQueryAnswer> query_once(FdRef cgroup, AttachType type, bool effective, std::uint32_t room,
                                     bool with_flags, CgroupQueryAnswer& out) {
    sys::QueryAttr q{};
    q.target_fd = static_cast<std::uint32_t>(cgroup.get());
    q.attach_type = static_cast<std::uint32_t>(type);
    q.query_flags = effective ? uapi::kBpfFQueryEffective : 0;
    out.prog_ids.assign(room, 0);
    out.prog_flags.assign(room, 0);
    q.prog_cnt = room;
    if (room) {
        q.prog_ids = sys::ptr_to_u64(out.prog_ids.data());
        if (with_flags) q.prog_attach_flags = sys::ptr_to_u64(out.prog_flags.data());
    }
    auto r = sys::prog_query(q);
    out.attach_flags = q.attach_flags;
    out.revision = q.revision;
    if (!r && r.error().sys_errno() == ENOSPC) {
        out.prog_ids.resize(q.prog_cnt);  // the kernel says how many there are now
        return out;
    }
    if (!r) return std::move(r).error();
    out.prog_ids.resize(std::min(q.prog_cnt, room));
    out.prog_flags.resize(out.prog_ids.size());
    if (q.prog_cnt > room) out.prog_ids.resize(q.prog_cnt);  // more than room: ask again
    return out;
}

// Says what an errno of BPF_LINK_CREATE / BPF_PROG_ATTACH means on a cgroup hook (kernel/bpf/cgroup.c).
Error cgroup_attach_error(Error e, FdRef cgroup, AttachType type, const CgroupAttachRequest& r) {
    constexpr std::uint32_t kPlace = uapi::kBpfFBefore | uapi::kBpfFAfter;
    switch (e.sys_errno()) {
    case EBADF:
        e.recode(Errc::InvalidArgument);
        return std::move(e).context("not a cgroup v2 directory");
    case ENOENT:
        if (r.order_flags & kPlace) return std::move(e).context("the relative program or link is not on this hook");
        if (r.replace_fd >= 0) return std::move(e).context("the program to replace is not attached to this hook");
        return e;
    case EEXIST:
        return std::move(e).context("this program is already attached to this hook");
    case ESTALE:
        e.recode(Errc::Busy);
        return std::move(e).context(format("the hook changed: its revision is not %llu any more",
                                           static_cast<unsigned long long>(r.expected_revision)));
    case EPERM: {
        // Also what a process without CAP_NET_ADMIN/CAP_SYS_ADMIN gets; say more only when the hook explains it (a
        // bpf_link is AllowMultiple: it meets the same refusal on a hook whose programs are Single or AllowOverride).
        auto q = query_cgroup_hook(cgroup, type, false);
        if (q && !q->prog_ids.empty() && q->attach_flags != r.mode_flags) {
            e.recode(Errc::Busy);
            return std::move(e).context(format("the hook has %zu program(s) attached as %s: attach with that mode "
                                               "(CgroupAttachOptions::mode), or detach them first",
                                               q->prog_ids.size(), cgroup_mode_name(q->attach_flags)));
        }
        if (q && q->prog_ids.empty())
            return std::move(e).context("an ancestor cgroup's program on this hook forbids programs below it "
                                        "(attached as Single), or the process lacks CAP_NET_ADMIN");
        return e;
    }
    case EINVAL:
        if (r.order_flags & (kPlace | uapi::kBpfFPreorder)) {
            // A kernel with cgroup ordering reports a revision (6.17); one without refuses the flags. Ask the hook.
            auto q = query_cgroup_hook(cgroup, type, false);
            if (q && q->revision == 0) {
                e.recode(Errc::NotSupported);
                return std::move(e).context(
                    (r.order_flags & kPlace) ? "this kernel cannot order the programs of a cgroup hook (BPF_F_BEFORE / "
                                               "BPF_F_AFTER need Linux 6.17)"
                                             : "this kernel has no BPF_F_PREORDER here (Linux 6.15 for "
                                               "BPF_PROG_ATTACH, 6.17 for cgroup links)");
            }
            if (q && (r.order_flags & kPlace) && !(r.order_flags & uapi::kBpfFLink) && r.relative != 0) {
                e.recode(Errc::InvalidArgument);
                return std::move(e).context("the kernel refuses the relative program: one attached through a "
                                            "bpf_link is named by its link (CgroupOrder::before/after(link), "
                                            "before_link_id/after_link_id)");
            }
        }
        return e;
    default: return e;
    }
}

}  // namespace

Result<CgroupQueryAnswer> query_cgroup_hook(FdRef cgroup, AttachType type, bool effective) {
    const std::string what = format("BPF_PROG_QUERY of cgroup fd %d (%.*s)", cgroup.get(), EBPF_SV(to_string(type)));
    CgroupQueryAnswer out;
    std::uint32_t room = 0;
    for (int attempt = 0; attempt < 8; ++attempt) {
        // Per-program flags where the kernel has them (never for effective queries: the kernel refuses that).
        bool with_flags = !effective && room && g_cgroup_query_prog_flags.load(std::memory_order_relaxed) != 0;
        auto r = query_once(cgroup, type, effective, room, with_flags, out);
        if (!r && with_flags && r.error().sys_errno() == EINVAL &&
            g_cgroup_query_prog_flags.load(std::memory_order_relaxed) == -1) {
            // The same query without prog_attach_flags passed the count round: the field is what this kernel
            // refuses (before 6.0). Remember, and ask without it.
            g_cgroup_query_prog_flags.store(0, std::memory_order_relaxed);
            with_flags = false;
            r = query_once(cgroup, type, effective, room, false, out);
        } else if (r && with_flags) {
            g_cgroup_query_prog_flags.store(1, std::memory_order_relaxed);
        }
        if (!r) {
            Error e = std::move(r).error();
            if (e.sys_errno() == EBADF) {
                e.recode(Errc::InvalidArgument);
                e.context("not a cgroup v2 directory");
            }
            return std::move(e).context(what);
        }
        if (out.prog_ids.size() <= room) {
            if (!with_flags) out.prog_flags.assign(out.prog_ids.size(), 0);
            return out;
        }
        room = static_cast<std::uint32_t>(out.prog_ids.size()) + 4;  // grew meanwhile, or the first (count) round
    }
    return Error(Errc::Busy, what + ": the hook kept changing");
}

Result<Link> attach_cgroup(FdRef prog, FdRef cgroup, AttachType type, const CgroupAttachRequest& request,
                           std::string what) {
    // A bpf_link is always BPF_F_ALLOW_MULTI and has no BPF_F_REPLACE: other requests take BPF_PROG_ATTACH.
    const bool link_expressible = request.mode_flags == uapi::kBpfFAllowMulti && request.replace_fd < 0;
    bool use_link = false;
    if (link_expressible) {
        // The probe decides, not the error: an EINVAL from BPF_LINK_CREATE on a kernel with cgroup links is a real
        // mistake (e.g. a program loaded for another attach type) and is reported as such. Only the recipes of
        // attach types with a target fd: a static binary attaching to cgroups carries no other link probe.
        auto links = fd_target_link_supported(type);
        if (!links) return std::move(links).error().context(what);
        use_link = *links;
    }
    if (use_link) {
        sys::LinkCreateAttr a{};
        a.prog_fd = static_cast<std::uint32_t>(prog.get());
        a.target_fd = static_cast<std::uint32_t>(cgroup.get());
        a.attach_type = static_cast<std::uint32_t>(type);
        a.flags = request.order_flags;
        a.cgroup.relative_fd = request.relative;  // or relative_id, with BPF_F_ID (the same field)
        a.cgroup.expected_revision = request.expected_revision;
        auto fd = sys::link_create(a);
        if (!fd) return cgroup_attach_error(std::move(fd).error(), cgroup, type, request).context(what);
        Link::Parts parts;
        parts.bpf_link = std::move(*fd);
        parts.description = std::move(what);
        return Link(std::move(parts));
    }
    // Linux < 5.7 (no cgroup links), or a mode a link cannot express: the attachment lives in the cgroup, so keep
    // our own references to undo it. Duplicate first: if that fails nothing is attached yet.
    auto target = sys::dup_fd(cgroup.get());
    if (!target) return std::move(target).error().context(what);
    auto pfd = sys::dup_fd(prog.get());
    if (!pfd) return std::move(pfd).error().context(what);
    sys::ProgAttachAttr pa{};
    pa.target_fd = static_cast<std::uint32_t>(cgroup.get());
    pa.attach_bpf_fd = static_cast<std::uint32_t>(prog.get());
    pa.attach_type = static_cast<std::uint32_t>(type);
    pa.attach_flags = request.mode_flags | request.order_flags;
    if (request.replace_fd >= 0) {
        pa.attach_flags |= uapi::kBpfFReplace;
        pa.replace_bpf_fd = static_cast<std::uint32_t>(request.replace_fd);
    }
    pa.relative_fd = request.relative;
    pa.expected_revision = request.expected_revision;
    if (auto r = sys::prog_attach(pa); !r)
        return cgroup_attach_error(std::move(r).error(), cgroup, type, request)
            .context(what + " (BPF_PROG_ATTACH)");
    Link::Parts parts;
    parts.resources.push_back(prog_attach_resource(std::move(*target), std::move(*pfd), type, what));
    parts.description = std::move(what);
    return Link(std::move(parts));
}

Result<Link> attach_cgroup(FdRef prog, FdRef cgroup, AttachType type, std::uint32_t prog_attach_flags,
                           std::string what) {
    CgroupAttachRequest r;
    r.mode_flags = prog_attach_flags;
    return attach_cgroup(prog, cgroup, type, r, std::move(what));
}

}  // namespace ebpf::detail
