// SPDX-License-Identifier: MIT
// The kernel's list of bpf_links: enumeration by BPF_LINK_GET_NEXT_ID, info by id.
#include <ebpf/link.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/bpf.hpp"

namespace ebpf {

Result<std::vector<std::uint32_t>> loaded_link_ids() {
    std::vector<std::uint32_t> ids;
    std::uint32_t id = 0;
    for (;;) {
        auto next = sys::get_next_id(sys::Cmd::LinkGetNextId, id);
        if (!next) return std::move(next).error().context("list bpf_links");
        if (!*next) break;
        id = **next;
        ids.push_back(id);
    }
    return ids;
}

Result<std::vector<LinkInfo>> loaded_links() {
    EBPF_TRY_ASSIGN(const std::vector<std::uint32_t> ids, loaded_link_ids());
    std::vector<LinkInfo> out;
    out.reserve(ids.size());
    for (const std::uint32_t id : ids) {
        auto link = Link::from_id(id);
        if (!link) {
            if (link.error().sys_errno() == ENOENT) continue;  // released since it was listed
            return std::move(link).error().context("list bpf_links");
        }
        auto info = link->info();
        // Only our fd is closed: the link's owner (an fd elsewhere or a pin) keeps it attached.
        UniqueFd ours = link->release();
        if (!info) return std::move(info).error().context(detail::format("list bpf_links: link id %u", id));
        out.push_back(std::move(*info));
    }
    return out;
}

}  // namespace ebpf
