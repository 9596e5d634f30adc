// SPDX-License-Identifier: MIT
// BPF_MAP_*_BATCH through syscall_entry, without building an Error (the end of a walk is an answer).
#include "sys/map_batch.hpp"

#include <sys/syscall.h>

#include <cerrno>

#include "sys/syscall.hpp"

namespace ebpf::sys {

namespace {
int bpf_errno(Cmd cmd, MapBatchAttr& attr) noexcept {
    long r;
    do {
        r = syscall_entry(SYS_bpf, static_cast<long>(cmd), reinterpret_cast<long>(&attr),
                          static_cast<long>(sizeof attr), 0, 0);
    } while (r < 0 && errno == EINTR);
    return r < 0 ? errno : 0;
}
}  // namespace

BatchOutcome map_batch(Cmd cmd, MapBatchAttr& attr) noexcept {
    const std::uint32_t asked = attr.count;
    const int err = bpf_errno(cmd, attr);
    // A call refused before it starts (unknown flags, no such operation for the map type) leaves `count` as we
    // wrote it; a call that did all it was asked for succeeds (or, for lookups, says ENOENT at the end).
    if (err != 0 && err != ENOENT && attr.count == asked) return {0, err};
    return {attr.count, err};
}

int probe_batch_commands() noexcept {
    MapBatchAttr a{};
    a.map_fd = ~0u;  // -1: no such descriptor
    a.count = 1;
    return bpf_errno(Cmd::MapLookupBatch, a);
}

}  // namespace ebpf::sys
