// SPDX-License-Identifier: MIT
// Iter: union bpf_iter_link_info built here, the link made by lib/links/tracing.cpp, walks started with
// BPF_ITER_CREATE.
#include <ebpf/programs/iter.hpp>

#include <array>
#include <cstring>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "sys/bpf.hpp"
#include "sys/file.hpp"

namespace ebpf {

using detail::format;

namespace {

// union bpf_iter_link_info: map { u32 map_fd } (5.9); cgroup { u32 order, cgroup_fd; u64 cgroup_id } and
// task { u32 tid, pid, pid_fd } (6.1). Sent with its full 16 bytes: a kernel with a smaller union accepts it when
// the bytes it does not know are zero.
using IterLinkInfo = std::array<std::byte, 16>;

void put_u32(IterLinkInfo& info, std::size_t off, std::uint32_t v) { std::memcpy(info.data() + off, &v, sizeof v); }

Result<IterLinkInfo> iter_link_info(const IterAttachOptions& o, bool& any) {
    IterLinkInfo info{};
    int kinds = 0;
    if (o.map.valid()) {
        put_u32(info, 0, static_cast<std::uint32_t>(o.map.get()));
        ++kinds;
    }
    if (o.task_tid || o.task_pid || o.task_pidfd.valid()) {
        put_u32(info, 0, o.task_tid);
        put_u32(info, 4, o.task_pid);
        put_u32(info, 8, o.task_pidfd.valid() ? static_cast<std::uint32_t>(o.task_pidfd.get()) : 0);
        ++kinds;
    }
    if (o.cgroup.valid() || o.cgroup_id || o.cgroup_order != CgroupIterOrder::Default) {
        put_u32(info, 0, static_cast<std::uint32_t>(o.cgroup_order));
        put_u32(info, 4, o.cgroup.valid() ? static_cast<std::uint32_t>(o.cgroup.get()) : 0);
        std::memcpy(info.data() + 8, &o.cgroup_id, sizeof o.cgroup_id);
        ++kinds;
    }
    if (kinds > 1)
        return Error(Errc::InvalidArgument, "give one iterator parameter: a map, a task or a cgroup");
    any = kinds == 1;
    return info;
}

}  // namespace

Result<Link> Iter::attach(const IterAttachOptions& options) const {
    std::string what = format("attach iterator program '%s' (%s)", prog_.name().c_str(),
                              prog_.attach_target().empty() ? "its load-time target" : prog_.attach_target().c_str());
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    bool any = false;
    auto info = iter_link_info(options, any);
    if (!info) return std::move(info).error().context(what);
    return detail::attach_iter(prog_.fd(), any ? std::span<const std::byte>(*info) : std::span<const std::byte>(),
                               std::move(what));
}

Result<UniqueFd> Iter::open(const Link& link) {
    const std::string what = format("open iterator %.*s", EBPF_SV(link.description()));
    if (!link.attached() || !link.is_bpf_link())
        return Error(Errc::InvalidArgument, what + ": not an iterator link (Iter::attach() makes one)");
    auto fd = sys::iter_create(link.fd().get());
    if (!fd) return std::move(fd).error().context(what);
    return fd;
}

Result<std::string> Iter::read_all(FdRef fd, std::size_t max_bytes) {
    std::string out;
    std::size_t used = 0;
    for (;;) {
        if (used == out.size()) {
            if (out.size() >= max_bytes)
                return Error(Errc::ResourceLimit, format("read iterator: more than %zu bytes", max_bytes));
            out.resize(std::min(max_bytes, std::max<std::size_t>(out.size() * 2, 4096)));
        }
        auto n = sys::read_fd(fd.get(), out.data() + used, out.size() - used, "iterator");
        if (!n) return std::move(n).error();
        if (*n == 0) break;
        used += *n;
    }
    out.resize(used);
    return out;
}

Result<std::string> Iter::read_all(const Link& link, std::size_t max_bytes) {
    EBPF_TRY_ASSIGN(const UniqueFd fd, open(link));
    auto text = read_all(FdRef(fd), max_bytes);
    if (!text) return std::move(text).error().context(format("read %.*s", EBPF_SV(link.description())));
    return text;
}

}  // namespace ebpf
