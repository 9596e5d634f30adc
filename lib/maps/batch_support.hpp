// SPDX-License-Identifier: MIT
// Whether a batch call uses the kernel's batch command or the per-element fallback (see batch_support.cpp).
#pragma once

#include <ebpf/maps/batch.hpp>

namespace ebpf::detail {

// `first_answer`: the errno of the first batch call of this walk or batch on this map (0 before it is made).
// Thread-safe: the probe runs once per process.
bool use_kernel_batch(const BatchOptions& options, int first_answer) noexcept;

}  // namespace ebpf::detail
