// SPDX-License-Identifier: MIT
// BPF_MAP_*_BATCH (5.6+): one call, and the probe that tells whether the kernel has the commands at all.
#pragma once

#include <cstdint>

#include "sys/attr.hpp"
#include "sys/bpf.hpp"

namespace ebpf::sys {

// What one batch call did: `count` elements processed (the kernel writes it back once it starts; 0 for a call it
// refused before starting) and the errno (0 on success). ENOENT from a lookup walk means "the end of the map", with `count` elements in this last chunk.
// Nothing is allocated: callers decide which errno is an answer and which an error.
struct BatchOutcome {
    std::uint32_t count = 0;
    int err = 0;
};

// cmd is one of MapLookupBatch, MapLookupAndDeleteBatch, MapUpdateBatch, MapDeleteBatch.
BatchOutcome map_batch(Cmd cmd, MapBatchAttr& attr) noexcept;

// errno of BPF_MAP_LOOKUP_BATCH on an invalid fd: EBADF when the kernel knows the command (it looked the fd up),
// EINVAL when it does not (the command is unknown: kernels before 5.6), EPERM without privileges.
int probe_batch_commands() noexcept;

}  // namespace ebpf::sys
