// SPDX-License-Identifier: MIT
// kprobe.multi / kretprobe.multi (5.18) and kprobe.session (6.10): one bpf_link over many functions, through
// fprobe (ftrace), by BPF_LINK_CREATE. There is no fallback: kernels without the link (or without CONFIG_FPROBE)
// attach one kprobe per function instead, which the caller can do with KProbe.
#include <ebpf/features.hpp>

#include <cerrno>
#include <vector>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"

namespace ebpf::detail {

Result<Link> attach_kprobe_multi(FdRef prog, AttachType type, bool retprobe, std::span<const std::string> symbols,
                                 std::span<const std::uint64_t> addresses, std::span<const std::uint64_t> cookies,
                                 std::string what) {
    const std::size_t count = symbols.empty() ? addresses.size() : symbols.size();
    if (count == 0) return Error(Errc::InvalidArgument, what + ": no functions");
    if (!symbols.empty() && !addresses.empty())
        return Error(Errc::InvalidArgument, what + ": give functions by name or by address, not both");
    if (!cookies.empty() && cookies.size() != count)
        return Error(Errc::InvalidArgument, format("%s: %zu cookies for %zu functions (one per function, or none)",
                                                   what.c_str(), cookies.size(), count));
    if (count > 0xffffffffu) return Error(Errc::InvalidArgument, what + ": too many functions");
    auto supported = link_supported(type);
    if (!supported) return std::move(supported).error().context(what);
    if (!*supported)
        return Error(Errc::NotSupported,
                     format("%s: the kernel has no %s links (%s; also needs CONFIG_FPROBE) (probe link:%.*s = false)",
                            what.c_str(), type == AttachType::TraceKprobeSession ? "kprobe.session" : "kprobe.multi",
                            type == AttachType::TraceKprobeSession ? "Linux 6.10" : "Linux 5.18",
                            EBPF_SV(to_string(type))));
    std::vector<std::uint64_t> names;
    names.reserve(symbols.size());
    for (const std::string& s : symbols) names.push_back(sys::ptr_to_u64(s.c_str()));
    sys::LinkCreateAttr a{};
    a.prog_fd = static_cast<std::uint32_t>(prog.get());
    a.attach_type = static_cast<std::uint32_t>(type);
    a.kprobe_multi.flags = retprobe ? 1u : 0u;  // BPF_F_KPROBE_MULTI_RETURN
    a.kprobe_multi.cnt = static_cast<std::uint32_t>(count);
    a.kprobe_multi.syms = names.empty() ? 0 : sys::ptr_to_u64(names.data());
    a.kprobe_multi.addrs = addresses.empty() ? 0 : sys::ptr_to_u64(addresses.data());
    a.kprobe_multi.cookies = cookies.empty() ? 0 : sys::ptr_to_u64(cookies.data());
    auto fd = sys::link_create(a);
    if (!fd) {
        Error e = std::move(fd).error();
        if (e.sys_errno() == ESRCH || e.sys_errno() == ENOENT)
            e.recode(Errc::NotFound).context("ftrace cannot find one of the functions (not traceable, or no such function)");
        else if (e.sys_errno() == EINVAL && !addresses.empty())
            e.context("an address is not the start of a traceable function");
        else if (e.sys_errno() == EEXIST || e.sys_errno() == EBUSY)
            e.context("a function is listed twice");
        return std::move(e).context(what);
    }
    Link::Parts parts;
    parts.bpf_link = std::move(*fd);
    parts.description = std::move(what);
    return Link(std::move(parts));
}

}  // namespace ebpf::detail
