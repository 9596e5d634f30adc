// SPDX-License-Identifier: MIT
#include <ebpf/programs/link_group.hpp>

#include <optional>

namespace ebpf {

LinkGroup& LinkGroup::operator=(LinkGroup&& o) noexcept {
    if (this != &o) {
        (void)detach();
        links_ = std::move(o.links_);
        o.links_.clear();
    }
    return *this;
}

LinkGroup::~LinkGroup() {
    while (!links_.empty()) links_.pop_back();  // last first
}

Result<void> LinkGroup::detach() {
    std::optional<Error> first;
    while (!links_.empty()) {
        if (links_.back().attached())
            if (auto r = links_.back().detach(); !r && !first) first = std::move(r).error();
        links_.pop_back();
    }
    if (first) return std::move(*first);
    return {};
}

std::vector<UniqueFd> LinkGroup::release() noexcept {
    std::vector<UniqueFd> out;
    out.reserve(links_.size());
    for (Link& l : links_) out.push_back(l.release());
    links_.clear();
    return out;
}

}  // namespace ebpf
