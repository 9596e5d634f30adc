// SPDX-License-Identifier: MIT
// Xdp view: checks the program and the options, resolves the interface; links/xdp.cpp attaches.
#include <ebpf/programs/xdp.hpp>

#include <algorithm>
#include <cstring>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "programs/net_iface.hpp"
#include "programs/test_run_util.hpp"
#include "sys/net_ctx.hpp"
#include "sys/rtnetlink.hpp"

namespace ebpf {

using detail::format;

namespace {

std::uint32_t xdp_mode_flags(XdpMode m) {
    switch (m) {
    case XdpMode::Generic: return sys::kXdpFlagsSkbMode;
    case XdpMode::Native: return sys::kXdpFlagsDrvMode;
    case XdpMode::Offload: return sys::kXdpFlagsHwMode;
    case XdpMode::Default: break;
    }
    return 0;
}

const char* xdp_mode_text(XdpMode m) {
    switch (m) {
    case XdpMode::Generic: return ", generic mode";
    case XdpMode::Native: return ", native mode";
    case XdpMode::Offload: return ", offload mode";
    case XdpMode::Default: break;
    }
    return "";
}

}  // namespace

Result<Link> Xdp::attach(const NetInterface& interface, const XdpAttachOptions& options) const {
    std::string what = format("attach xdp program '%s' to %s", prog_.name().c_str(), interface.describe().c_str());
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    if (prog_.kind() == ProgramKind::XdpDevmap || prog_.kind() == ProgramKind::XdpCpumap)
        return Error(Errc::InvalidArgument,
                     format("%s: it is an %s program (section '%s'): it runs from a %s slot (DevMap::set / "
                            "CpuMap::set with the program), it is never attached to an interface",
                            what.c_str(), prog_.kind() == ProgramKind::XdpDevmap ? "xdp/devmap" : "xdp/cpumap",
                            prog_.section().c_str(), prog_.kind() == ProgramKind::XdpDevmap ? "devmap" : "cpumap"));
    if (options.replace && !options.replace->loaded())
        return Error(Errc::InvalidArgument,
                     format("%s: the program to replace ('%s') is not loaded", what.c_str(),
                            options.replace->name().c_str()));
    auto iface = detail::resolve_interface(interface);
    if (!iface) return std::move(iface).error().context(what);
    what = format("attach xdp program '%s' to %s%s", prog_.name().c_str(), iface->name.c_str(),
                  xdp_mode_text(options.mode));
    const FdRef replace = options.replace ? options.replace->fd() : FdRef(-1);
    return detail::attach_xdp(prog_.fd(), iface->ifindex, iface->name, xdp_mode_flags(options.mode), replace,
                              std::move(what));
}

Result<void> Xdp::bind_device(const NetInterface& interface, const XdpDeviceBinding& binding) {
    const std::string what =
        format("bind xdp program '%s' to %s", prog_.name().c_str(), interface.describe().c_str());
    if (prog_.loaded())
        return Error(Errc::InvalidArgument, what + ": the program is already loaded; bind it before load()");
    auto iface = detail::resolve_interface(interface);
    if (!iface) return std::move(iface).error().context(what);
    EBPF_TRY(prog_.set_ifindex(static_cast<std::uint32_t>(iface->ifindex)));
    const std::uint32_t flags = binding.offload ? (prog_.flags() & ~kProgXdpDevBoundOnly)
                                                : (prog_.flags() | kProgXdpDevBoundOnly);
    return prog_.set_flags(flags);
}

Result<XdpTestResult> Xdp::test_run(std::span<const std::byte> packet, const XdpTestRunOptions& options) const {
    const std::string what = format("test run of xdp program '%s'", prog_.name().c_str());
    if (prog_.kind() == ProgramKind::XdpDevmap || prog_.kind() == ProgramKind::XdpCpumap)
        return Error(Errc::InvalidArgument,
                     what + ": devmap and cpumap entry programs cannot be test-run (the kernel refuses them)");
    constexpr std::size_t kMaxMeta = 32;
    if (options.metadata.size() > kMaxMeta || options.metadata.size() % 4)
        return Error(Errc::InvalidArgument,
                     format("%s: %zu bytes of metadata; XDP takes at most 32, a multiple of 4", what.c_str(),
                            options.metadata.size()));
    if (options.rx_queue_index && !options.ingress_ifindex)
        return Error(Errc::InvalidArgument, what + ": an rx queue needs ingress_ifindex");
    const bool with_ctx = !options.metadata.empty() || options.ingress_ifindex;
    std::vector<std::byte> data;
    std::span<const std::byte> data_in = packet;
    sys::XdpMdRaw md{};
    detail::RawTestRun in;
    if (with_ctx) {
        // The data starts with the metadata; xdp_md says where the packet begins (data) and ends (data_end).
        data.reserve(options.metadata.size() + packet.size());
        data.insert(data.end(), options.metadata.begin(), options.metadata.end());
        data.insert(data.end(), packet.begin(), packet.end());
        data_in = data;
        md.data = static_cast<std::uint32_t>(options.metadata.size());
        md.data_end = static_cast<std::uint32_t>(data.size());
        md.ingress_ifindex = options.ingress_ifindex;
        md.rx_queue_index = options.rx_queue_index;
        in.ctx_in = std::as_bytes(std::span(&md, 1));
        in.ctx_out_size = sizeof md;
    }
    in.data_in = data_in;
    // Room for bpf_xdp_adjust_head/tail growth (the headroom is 256 bytes, frames fit a page without frags).
    in.data_out_size = std::max<std::size_t>(data_in.size() + 4096, 8192);
    in.repeat = options.repeat;
    auto out = detail::run_test(prog_, in, what,
                                "(an xdp_md context in test runs needs Linux 5.15; ingress_ifindex must be an "
                                "interface of the calling thread's network namespace, rx_queue_index one of its queues)");
    if (!out) return std::move(out).error();
    XdpTestResult res;
    res.action = static_cast<XdpAction>(out->retval);
    res.duration_ns = out->duration_ns;
    std::size_t meta = 0;
    if (with_ctx && out->ctx.size() >= sizeof md) {
        sys::XdpMdRaw back;
        std::memcpy(&back, out->ctx.data(), sizeof back);
        meta = std::min<std::size_t>(back.data, out->data.size());  // ctx_out.data: where the packet starts now
    }
    res.metadata.assign(out->data.begin(), out->data.begin() + static_cast<std::ptrdiff_t>(meta));
    res.packet.assign(out->data.begin() + static_cast<std::ptrdiff_t>(meta), out->data.end());
    return res;
}

}  // namespace ebpf
