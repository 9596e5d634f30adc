// SPDX-License-Identifier: MIT
// Socket program views: SkMsg and SkSkb on a sockmap/sockhash (links/sockmap.cpp), SocketFilter and SkReuseport on
// a socket (links/socket.cpp).
#include <ebpf/programs/socket.hpp>
#include <ebpf/programs/sockmap.hpp>

#include <cstring>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"
#include "sys/info.hpp"

namespace ebpf {

using detail::format;

namespace {

// The sockmap's name and type, from the kernel (the map is given by fd).
Result<Link> attach_to_sockmap(const Program& p, FdRef map, AttachType type) {
    std::string what = format("attach %.*s program '%s' to map fd %d (%.*s)", EBPF_SV(to_string(p.kind())),
                              p.name().c_str(), map.get(), EBPF_SV(to_string(type)));
    if (!p.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    sys::MapInfoRaw info{};
    std::uint32_t len = sizeof info;
    if (auto r = sys::obj_get_info_by_fd(map.get(), &info, len); !r) {
        Error e = std::move(r).error();
        e.recode(Errc::InvalidArgument);
        return std::move(e).context(what + ": the fd is not a BPF map");
    }
    const std::string name(info.name, strnlen(info.name, sizeof info.name));
    what = format("attach %.*s program '%s' to map '%s' (%.*s)", EBPF_SV(to_string(p.kind())), p.name().c_str(),
                  name.c_str(), EBPF_SV(to_string(type)));
    const auto map_type = static_cast<MapType>(info.type);
    if (map_type != MapType::Sockmap && map_type != MapType::Sockhash)
        return Error(Errc::InvalidArgument, format("%s: the map is a %.*s map; programs attach to a sockmap or "
                                                   "sockhash",
                                                   what.c_str(), EBPF_SV(to_string(map_type))));
    if (auto e = p.expected_attach_type(); e && *e != type)
        return Error(Errc::InvalidArgument,
                     format("%s: the program was loaded for %.*s (its section '%s')", what.c_str(),
                            EBPF_SV(to_string(*e)), p.section().c_str()));
    return detail::attach_sockmap(p.fd(), map, type, std::move(what));
}

Result<Link> attach_to_socket(const Program& p, FdRef socket, detail::SocketHook hook) {
    std::string what = format("attach %.*s program '%s' to socket fd %d", EBPF_SV(to_string(p.kind())),
                              p.name().c_str(), socket.get());
    if (!p.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    return detail::attach_socket(p.fd(), socket, hook, std::move(what));
}

}  // namespace

Result<Link> SkMsg::attach(FdRef sockmap) const {
    return attach_to_sockmap(prog_, sockmap, AttachType::SkMsgVerdict);
}

Result<Link> SkSkb::attach(FdRef sockmap) const {
    auto type = prog_.expected_attach_type();
    if (!type)
        return Error(Errc::InvalidArgument,
                     format("attach SkSkb program '%s' to map fd %d: its section '%s' names no hook; pass one",
                            prog_.name().c_str(), sockmap.get(), prog_.section().c_str()));
    return attach_to_sockmap(prog_, sockmap, *type);
}

Result<Link> SkSkb::attach(FdRef sockmap, SkSkbHook hook) const {
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
