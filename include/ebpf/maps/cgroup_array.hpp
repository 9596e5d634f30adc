// SPDX-License-Identifier: MIT
// CgroupArray: a view of BPF_MAP_TYPE_CGROUP_ARRAY (cgroups for bpf_skb_under_cgroup / bpf_current_task_under_cgroup).
#pragma once

#include <ebpf/maps/view.hpp>

namespace ebpf {

// CgroupArray shares ownership of its Map; slots hold cgroup v2 directories, given as open fds.
// Kernel: CGROUP_ARRAY 4.8+; user space can set and clear slots but not read them back.
// Errors: InvalidArgument for an index >= size(); the kernel's refusal for an fd that is not a cgroup v2 directory.
// Thread safety: as Map. Ownership: holds a Map handle; the map holds a reference to each stored cgroup.
class CgroupArray {
public:
    static Result<CgroupArray> from(const Map& map);

    const Map& map() const noexcept { return map_; }
    std::uint32_t size() const noexcept { return map_.max_entries(); }

    Result<void> set(std::uint32_t index, FdRef cgroup_dir) const;
    Result<bool> clear(std::uint32_t index) const;

private:
    explicit CgroupArray(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
