// SPDX-License-Identifier: MIT
// PerfEventArray: the slots of a BPF_MAP_TYPE_PERF_EVENT_ARRAY (reading the events is the perf reader's job).
#pragma once

#include <ebpf/maps/view.hpp>

namespace ebpf {

// PerfEventArray shares ownership of its Map. Each slot (usually one per CPU) holds a perf event fd that
// bpf_perf_event_output() writes to, or bpf_perf_event_read() reads.
// Kernel: PERF_EVENT_ARRAY 4.3+; user space can set and clear slots but not read them back. A slot is cleared
//   when the perf event file that was stored is released.
// Errors: InvalidArgument for an index >= size() or an fd that is not a usable perf event.
// Thread safety: as Map. Ownership: holds a Map handle; the map holds a reference to each stored event.
class PerfEventArray {
public:
    static Result<PerfEventArray> from(const Map& map);

    const Map& map() const noexcept { return map_; }
    std::uint32_t size() const noexcept { return map_.max_entries(); }

    Result<void> set(std::uint32_t index, FdRef perf_event_fd) const;
    // False when the slot was empty.
    Result<bool> clear(std::uint32_t index) const;

private:
    explicit PerfEventArray(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
