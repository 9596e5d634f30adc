// SPDX-License-Identifier: MIT
// freplace attachment: BPF_LINK_CREATE with the target program (5.10+).
#include <ebpf/programs/freplace.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "programs/target_btf.hpp"
#include "sys/bpf.hpp"

namespace ebpf {

using detail::format;

namespace {

Result<Link> link_ext(const Program& prog, int target_fd, std::uint32_t btf_id, std::string what) {
    if (!prog.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    sys::LinkCreateAttr a{};
    a.prog_fd = static_cast<std::uint32_t>(prog.fd().get());
    a.target_fd = static_cast<std::uint32_t>(target_fd);  // 0 with btf id 0: the target given at load
    a.target_btf_id = btf_id;
    auto fd = sys::link_create(a);
    if (!fd) return std::move(fd).error().context(what);
    Link::Parts parts;
    parts.bpf_link = std::move(*fd);
    parts.description = std::move(what);
    return Link(std::move(parts));
}

}  // namespace

Result<Link> Freplace::attach() const {
    return link_ext(prog_, 0, 0,
                    format("attach freplace program '%s' over '%s'", prog_.name().c_str(),
                           prog_.attach_target().c_str()));
}

Result<Link> Freplace::attach(const Program& target, std::string_view function) const {
    std::string what = format("attach freplace program '%s' over '%.*s' of program '%s'", prog_.name().c_str(),
                              EBPF_SV(function), target.name().c_str());
    if (!target.loaded()) return Error(Errc::InvalidArgument, what + ": the target program is not loaded");
    auto id = detail::find_program_func(target.fd().get(), function);
    if (!id) return std::move(id).error().context(what);
    return link_ext(prog_, target.fd().get(), *id, std::move(what));
}

}  // namespace ebpf
