// SPDX-License-Identifier: MIT
// LinkGroup: several Links made by one attach call (a perf event per CPU, ...), owned and detached together.
#pragma once

#include <cstddef>
#include <span>
#include <utility>
#include <vector>

#include <ebpf/link.hpp>

namespace ebpf {

// Ownership: move-only; owns every Link in it. Destroying the group destroys (detaches) its links, last first.
// An attach call that returns a LinkGroup attaches all or nothing.
// Thread safety: as Link (one group from one thread at a time).
class LinkGroup {
public:
    LinkGroup() = default;
    explicit LinkGroup(std::vector<Link> links) noexcept : links_(std::move(links)) {}
    LinkGroup(LinkGroup&&) noexcept = default;
    LinkGroup& operator=(LinkGroup&& o) noexcept;
    LinkGroup(const LinkGroup&) = delete;
    LinkGroup& operator=(const LinkGroup&) = delete;
    ~LinkGroup();

    std::size_t size() const noexcept { return links_.size(); }
    bool empty() const noexcept { return links_.empty(); }
    Link& operator[](std::size_t i) noexcept { return links_[i]; }
    const Link& operator[](std::size_t i) const noexcept { return links_[i]; }
    std::span<Link> links() noexcept { return links_; }
    std::span<const Link> links() const noexcept { return links_; }
    auto begin() noexcept { return links_.begin(); }
    auto end() noexcept { return links_.end(); }
    auto begin() const noexcept { return links_.begin(); }
    auto end() const noexcept { return links_.end(); }

    void add(Link link) { links_.push_back(std::move(link)); }
    // Detaches every link, last first, and empties the group. Every link is tried; the first error is returned.
    Result<void> detach();
    // Stops managing every link (see Link::release()); returns the fds that keep the attachments alive.
    [[nodiscard]] std::vector<UniqueFd> release() noexcept;

private:
    std::vector<Link> links_;
};

}  // namespace ebpf
