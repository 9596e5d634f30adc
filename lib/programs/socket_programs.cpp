// SPDX-License-Identifier: MIT
// Socket program views: SkMsg and SkSkb on a sockmap/sockhash (links/sockmap.cpp), SocketFilter and SkReuseport on
// a socket (links/socket.cpp).
#include <ebpf/programs/socket.hpp>
#include <ebpf/programs/sockmap.hpp>

#include "base/format.hpp"
#include "links/attach.hpp"

namespace ebpf {

using detail::format;

namespace {

Result<Link> attach_to_sockmap(const Program& p, const Map& map, AttachType type) {
    std::string what = format("attach %.*s program '%s' to map '%s' (%.*s)", EBPF_SV(to_string(p.kind())),
                              p.name().c_str(), map.name().c_str(), EBPF_SV(to_string(type)));
    if (!p.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    if (map.type() != MapType::Sockmap && map.type() != MapType::Sockhash)
        return Error(Errc::InvalidArgument, format("%s: the map is a %.*s map; programs attach to a sockmap or "
                                                   "sockhash",
                                                   what.c_str(), EBPF_SV(to_string(map.type()))));
    if (auto e = p.expected_attach_type(); e && *e != type)
        return Error(Errc::InvalidArgument,
                     format("%s: the program was loaded for %.*s (its section '%s')", what.c_str(),
                            EBPF_SV(to_string(*e)), p.section().c_str()));
    return detail::attach_sockmap(p.fd(), map.fd(), type, std::move(what));
}

Result<Link> attach_to_socket(const Program& p, FdRef socket, detail::SocketHook hook) {
    std::string what = format("attach %.*s program '%s' to socket fd %d", EBPF_SV(to_string(p.kind())),
                              p.name().c_str(), socket.get());
    if (!p.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    return detail::attach_socket(p.fd(), socket, hook, std::move(what));
}

}  // namespace

Result<Link> SkMsg::attach(const Map& sockmap) const {
    return attach_to_sockmap(prog_, sockmap, AttachType::SkMsgVerdict);
}

Result<Link> SkSkb::attach(const Map& sockmap) const {
    auto type = prog_.expected_attach_type();
    if (!type)
        return Error(Errc::InvalidArgument,
                     format("attach SkSkb program '%s' to map '%s': its section '%s' names no hook; pass one",
                            prog_.name().c_str(), sockmap.name().c_str(), prog_.section().c_str()));
    return attach_to_sockmap(prog_, sockmap, *type);
}

Result<Link> SkSkb::attach(const Map& sockmap, SkSkbHook hook) const {
    const AttachType type = hook == SkSkbHook::StreamParser    ? AttachType::SkSkbStreamParser
                            : hook == SkSkbHook::StreamVerdict ? AttachType::SkSkbStreamVerdict
                                                               : AttachType::SkSkbVerdict;
    return attach_to_sockmap(prog_, sockmap, type);
}

Result<Link> SocketFilter::attach(FdRef socket) const {
    return attach_to_socket(prog_, socket, detail::SocketHook::Filter);
}

Result<SkbTestResult> SocketFilter::test_run(std::span<const std::byte> packet,
                                             const SkbTestRunOptions& options) const {
    return test_run_skb(prog_, packet, options);
}

Result<Link> SkReuseport::attach(FdRef socket) const {
    return attach_to_socket(prog_, socket, detail::SocketHook::Reuseport);
}

}  // namespace ebpf
