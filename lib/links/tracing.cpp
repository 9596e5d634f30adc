// SPDX-License-Identifier: MIT
// BTF-attached programs (fentry, fexit, fmod_ret, lsm, tp_btf) on the target they were loaded for:
// BPF_LINK_CREATE from 5.19 (where link_create() learnt these types, with cookies), BPF_RAW_TRACEPOINT_OPEN with
// no name before (5.5+). Iterators: BPF_LINK_CREATE with BPF_TRACE_ITER (5.8+).
#include <ebpf/features.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"

namespace ebpf::detail {

namespace {

Link tracing_link(UniqueFd fd, std::string what) {
    Link::Parts parts;
    parts.bpf_link = std::move(fd);
    parts.description = std::move(what);
    return Link(std::move(parts));
}

Error explain_tracing(Error e) {
    constexpr int kEnotsupp = 524;  // the kernel's ENOTSUPP: no trampolines for this architecture or kernel
    if (e.sys_errno() == kEnotsupp) return std::move(e.recode(Errc::NotSupported)).context("no BPF trampolines here");
    if (e.sys_errno() == ENOENT)  // bpf_tracing_prog_attach(): the load-time target is gone after a first attach
        return std::move(e).context("this kernel attaches a tracing or LSM program only once (before Linux 5.13, "
                                    "detaching clears its target): load the program again to attach it again");
    if (e.sys_errno() == EPERM)
        return std::move(e).context("the kernel refuses BPF trampolines to this process (lockdown, or a kernel that "
                                    "does not allow them)");
    return e;
}

}  // namespace

Result<Link> attach_tracing(FdRef prog, AttachType type, std::uint64_t cookie, std::string what) {
    auto linkable = link_supported(type);
    if (!linkable) return std::move(linkable).error().context(what);
    if (cookie != 0 && type == AttachType::TraceRawTp) {
        // tp_btf takes a cookie from 6.10 only; older kernels would ignore it silently.
        auto raw_tp_cookie = has(Feature::RawTpCookie);
        if (!raw_tp_cookie) return std::move(raw_tp_cookie).error().context(what);
        if (!*raw_tp_cookie)
            return Error(Errc::NotSupported, what + ": a cookie on a tp_btf program needs Linux 6.10 (probe "
                                                    "feature:raw_tp_cookie = false)");
    }
    if (*linkable) {
        sys::LinkCreateAttr a{};
        a.prog_fd = static_cast<std::uint32_t>(prog.get());
        a.attach_type = static_cast<std::uint32_t>(type);
        a.tracing.cookie = cookie;  // target_fd 0 and target_btf_id 0: the target given at load
        auto fd = sys::link_create(a);
        if (!fd) return explain_tracing(std::move(fd).error()).context(what);
        return tracing_link(std::move(*fd), std::move(what));
    }
    // Linux < 5.19: link_create() takes only ext and iter programs of the BTF-attached kinds.
    if (cookie != 0 && type != AttachType::TraceRawTp)
        return Error(Errc::NotSupported,
                     format("%s: a cookie needs BPF_LINK_CREATE for %.*s programs (Linux 5.19) (probe link:%.*s = "
                            "false)",
                            what.c_str(), EBPF_SV(to_string(type)), EBPF_SV(to_string(type))));
    auto fd = sys::raw_tracepoint_open(nullptr, prog.get(), cookie);
    if (!fd) return explain_tracing(std::move(fd).error()).context(what);
    return tracing_link(std::move(*fd), std::move(what));
}

Result<Link> attach_iter(FdRef prog, std::span<const std::byte> link_info, std::string what) {
    auto linkable = link_supported(AttachType::TraceIter);
    if (!linkable) return std::move(linkable).error().context(what);
    if (!*linkable)
        return Error(Errc::NotSupported, what + ": BPF iterators need Linux 5.8 (probe link:trace_iter = false)");
    sys::LinkCreateAttr a{};
    a.prog_fd = static_cast<std::uint32_t>(prog.get());
    a.attach_type = static_cast<std::uint32_t>(AttachType::TraceIter);
    if (!link_info.empty()) {
        a.iter.iter_info = sys::ptr_to_u64(link_info.data());
        a.iter.iter_info_len = static_cast<std::uint32_t>(link_info.size());
    }
    auto fd = sys::link_create(a);
    if (!fd) {
        Error e = std::move(fd).error();
        if (e.sys_errno() == EBADF) e.context("the iterator's map or cgroup fd is not valid");
        else if (e.sys_errno() == EINVAL && link_info.empty())
            e.context("this iterator may need a parameter (a map for bpf_map_elem, sk_storage_map, sockmap)");
        return std::move(e).context(what);
    }
    return tracing_link(std::move(*fd), std::move(what));
}

}  // namespace ebpf::detail
