// SPDX-License-Identifier: MIT
// SkLookup view: a namespace hook (links/netns.cpp, netns links only) and test runs on a made-up lookup.
#include <ebpf/programs/sk_lookup.hpp>

#include <bit>
#include <cstring>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "programs/net_iface.hpp"
#include "programs/test_run_util.hpp"
#include "sys/net_ctx.hpp"

namespace ebpf {

using detail::format;

Result<Link> SkLookup::attach(FdRef netns) const {
    return detail::attach_to_netns_fd(prog_, netns, AttachType::SkLookup, "sk_lookup");
}

Result<Link> SkLookup::attach() const { return detail::attach_to_current_netns(prog_, AttachType::SkLookup, "sk_lookup"); }

Result<SkLookupTestResult> SkLookup::test_run(const SkLookupInput& input, const SkLookupTestRunOptions& options) const {
    const std::string what = format("test run of sk_lookup program '%s'", prog_.name().c_str());
    constexpr std::uint32_t kAfInet = 2, kAfInet6 = 10;
    if (input.family != kAfInet && input.family != kAfInet6)
        return Error(Errc::InvalidArgument, format("%s: family %u is neither AF_INET (2) nor AF_INET6 (10)",
                                                   what.c_str(), input.family));
    sys::SkLookupRaw ctx{};
    ctx.family = input.family;
    ctx.protocol = input.protocol;
    if (input.family == kAfInet) {
        std::memcpy(&ctx.remote_ip4, input.remote_ip.data(), 4);
        std::memcpy(&ctx.local_ip4, input.local_ip.data(), 4);
    } else {
        std::memcpy(ctx.remote_ip6, input.remote_ip.data(), 16);
        std::memcpy(ctx.local_ip6, input.local_ip.data(), 16);
    }
    const auto port = input.remote_port;  // to network byte order
    ctx.remote_port = std::endian::native == std::endian::big ? port : static_cast<std::uint16_t>((port >> 8) | (port << 8));
    ctx.local_port = input.local_port;
    detail::RawTestRun in;
    in.ctx_in = std::as_bytes(std::span(&ctx, 1));
    in.ctx_out_size = sizeof ctx;
    in.repeat = options.repeat;
    auto out = detail::run_test(prog_, in, what, "(sk_lookup test runs need Linux 5.14)");
    if (!out) return std::move(out).error();
    SkLookupTestResult res;
    res.verdict = out->retval;
    res.duration_ns = out->duration_ns;
    if (out->ctx.size() >= sizeof(std::uint64_t)) std::memcpy(&res.socket_cookie, out->ctx.data(), sizeof res.socket_cookie);
    return res;
}

}  // namespace ebpf
