// SPDX-License-Identifier: MIT
// lwt views and attach_lwt() (routes: links/lwt.cpp).
#include <ebpf/programs/lwt.hpp>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cstdlib>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"

namespace ebpf {

using detail::format;

namespace {

// "10.1.0.0/24", "fd00::/64", "10.1.0.5" -> family, address bytes, prefix length (inet_pton: no system call).
Result<void> parse_lwt_prefix(std::string_view text, detail::LwtRouteRequest& r) {
    const auto slash = text.find('/');
    const std::string addr(text.substr(0, slash));
    const int family = addr.find(':') != std::string::npos ? AF_INET6 : AF_INET;
    if (::inet_pton(family, addr.c_str(), r.destination) != 1)
        return Error(Errc::InvalidArgument, format("destination '%.*s' is not an IPv4 or IPv6 address or prefix",
                                                   EBPF_SV(text)));
    r.family = family;
    const unsigned max = family == AF_INET6 ? 128 : 32;
    unsigned len = max;
    if (slash != std::string_view::npos) {
        const std::string num(text.substr(slash + 1));
        char* end = nullptr;
        const unsigned long v = std::strtoul(num.c_str(), &end, 10);
        if (num.empty() || *end != '\0' || v > max)
            return Error(Errc::InvalidArgument, format("destination '%.*s': the prefix length must be 0..%u",
                                                       EBPF_SV(text), max));
        len = static_cast<unsigned>(v);
    }
    r.prefix_len = static_cast<std::uint8_t>(len);
    return {};
}

Result<detail::LwtRouteRequest> lwt_request(const LwtRoute& route) {
    detail::LwtRouteRequest r;
    EBPF_TRY(parse_lwt_prefix(route.destination, r));
    if (route.interface.empty())
        return Error(Errc::InvalidArgument, "the route needs an output interface (LwtRoute::interface)");
    r.interface = route.interface;
    if (!route.gateway.empty()) {
        if (::inet_pton(r.family, route.gateway.c_str(), r.gateway) != 1)
            return Error(Errc::InvalidArgument, format("gateway '%s' is not an address of the destination's family",
                                                       route.gateway.c_str()));
        r.has_gateway = true;
    }
    r.table = route.table;
    r.metric = route.metric;
    return r;
}

std::string describe_lwt_route(const LwtRoute& route) {
    std::string s = route.destination + " dev " + route.interface;
    if (!route.gateway.empty()) s += " via " + route.gateway;
    return s;
}

// The program's fd and its name in the route ("<name>#<id>"), after checking its kind.
Result<void> add_lwt_program(const Program* p, ProgramKind kind, int& fd, std::string& name) {
    if (!p) return {};
    if (p->kind() != kind && !(p->kind() == ProgramKind::Unknown))
        return Error(Errc::InvalidArgument, format("program '%s' (section '%s') is a %.*s program, not %.*s",
                                                   p->name().c_str(), p->section().c_str(),
                                                   EBPF_SV(to_string(p->kind())), EBPF_SV(to_string(kind))));
    if (!p->loaded()) return Error(Errc::InvalidArgument, format("program '%s' is not loaded", p->name().c_str()));
    auto info = p->info();
    if (!info) return std::move(info).error().context(format("program '%s'", p->name().c_str()));
    fd = p->fd().get();
    name = format("%s#%u", p->name().c_str(), info->id);
    return {};
}

}  // namespace

Result<Link> attach_lwt(const LwtRoute& route, const LwtPrograms& programs) {
    std::string what = "attach lwt programs to route " + describe_lwt_route(route);
    auto req = lwt_request(route);
    if (!req) return std::move(req).error().context(what);
    if (!programs.in && !programs.out && !programs.xmit)
        return Error(Errc::InvalidArgument, what + ": no program given (LwtPrograms::in, out or xmit)");
    if (programs.xmit_headroom > 256)
        return Error(Errc::InvalidArgument,
                     format("%s: xmit headroom %u is more than the kernel's 256", what.c_str(), programs.xmit_headroom));
    EBPF_TRY(add_lwt_program(programs.in, ProgramKind::LwtIn, req->in_fd, req->in_name).context(what));
    EBPF_TRY(add_lwt_program(programs.out, ProgramKind::LwtOut, req->out_fd, req->out_name).context(what));
    EBPF_TRY(add_lwt_program(programs.xmit, ProgramKind::LwtXmit, req->xmit_fd, req->xmit_name).context(what));
    req->xmit_headroom = programs.xmit_headroom;
    std::string names;
    for (const std::string* n : {&req->in_name, &req->out_name, &req->xmit_name})
        if (!n->empty()) names += (names.empty() ? "" : ", ") + *n;
    return detail::attach_lwt_route(*req, format("lwt programs %s on route %s", names.c_str(),
                                                 describe_lwt_route(route).c_str()));
}

Result<Link> LwtIn::attach(const LwtRoute& route) const { return attach_lwt(route, {.in = &prog_}); }
Result<Link> LwtOut::attach(const LwtRoute& route) const { return attach_lwt(route, {.out = &prog_}); }
Result<Link> LwtXmit::attach(const LwtRoute& route, std::uint32_t headroom) const {
    return attach_lwt(route, {.xmit = &prog_, .xmit_headroom = headroom});
}

Result<Link> LwtSeg6local::attach(const LwtRoute& route) const {
    std::string what = format("attach lwt_seg6local program '%s' to route %s", prog_.name().c_str(),
                              describe_lwt_route(route).c_str());
    auto req = lwt_request(route);
    if (!req) return std::move(req).error().context(what);
    if (req->family != AF_INET6)
        return Error(Errc::InvalidArgument, what + ": seg6local routes are IPv6 (an SRv6 SID such as fc00::100/128)");
    EBPF_TRY(add_lwt_program(&prog_, ProgramKind::LwtSeg6local, req->seg6local_fd, req->seg6local_name).context(what));
    return detail::attach_lwt_route(*req, format("lwt_seg6local program %s on route %s", req->seg6local_name.c_str(),
                                                 describe_lwt_route(route).c_str()));
}

}  // namespace ebpf
