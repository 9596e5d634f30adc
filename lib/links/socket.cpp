// SPDX-License-Identifier: MIT
// Programs on a socket: socket filters (SO_ATTACH_BPF) and reuseport selectors (SO_ATTACH_REUSEPORT_EBPF), held
// by a Link that keeps a duplicate of the socket to take them off again.
#include <cerrno>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"
#include "sys/socket.hpp"

namespace ebpf::detail {

namespace {

class SocketProgramResource final : public LinkResource {
public:
    SocketProgramResource(UniqueFd socket, SocketHook hook, std::string what)
        : socket_(std::move(socket)), hook_(hook), what_(std::move(what)) {}
    Result<void> undo() override {
        auto r = hook_ == SocketHook::Filter ? sys::socket_detach_filter(socket_.get())
                                             : sys::socket_detach_reuseport(socket_.get());
        socket_.reset();
        // Nothing on the socket any more (someone detached it already): the attachment is gone, as wanted.
        if (!r && r.error().sys_errno() == ENOENT) return {};
        if (!r) return std::move(r).error().context("detach " + what_);
        return {};
    }
    void keep() noexcept override { socket_.reset(); }
    void describe(LinkInfo& i) const override {
        if (hook_ == SocketHook::Reuseport) i.attach_type = AttachType::SkReuseportSelect;
    }

private:
    UniqueFd socket_;
    SocketHook hook_;
    std::string what_;
};

}  // namespace

Result<Link> attach_socket(FdRef prog, FdRef socket, SocketHook hook, std::string what) {
    auto kind = sys::socket_kind(socket.get());
    if (!kind) return std::move(kind).error().context(what);
    auto sock = sys::dup_fd(socket.get());
    if (!sock) return std::move(sock).error().context(what);
    auto r = hook == SocketHook::Filter ? sys::socket_attach_filter(socket.get(), prog.get())
                                        : sys::socket_attach_reuseport(socket.get(), prog.get());
    if (!r) {
        Error e = std::move(r).error();
        if (hook == SocketHook::Reuseport && e.sys_errno() == EINVAL) {
            e.recode(Errc::InvalidArgument);
            e.context("the socket must have SO_REUSEPORT set (its reuseport group takes the program)");
        }
        return std::move(e).context(what);
    }
    Link::Parts parts;
    parts.resources.push_back(std::make_unique<SocketProgramResource>(std::move(*sock), hook, what));
    parts.description = std::move(what);
    return Link(std::move(parts));
}

}  // namespace ebpf::detail
