// SPDX-License-Identifier: MIT
// One stable sort for the loader's small sorts: every std::sort / std::stable_sort with its own comparator is its
// own instantiation (2-5 KiB each in a static binary), and the path every Object::load takes had six of them.
// This sorts indices with a comparator called through one function pointer: one merge sort in the binary.
#pragma once

#include <cstdint>
#include <span>

namespace ebpf::detail {

using IndexLess = bool (*)(const void* ctx, std::uint32_t a, std::uint32_t b);

// Stable merge sort of `idx` by less(ctx, a, b): O(n log n) comparisons, one temporary array of n indices.
void stable_sort_indices(std::span<std::uint32_t> idx, IndexLess less, const void* ctx);

// The same with any callable `less(std::uint32_t a, std::uint32_t b) -> bool`.
template <class Less>
void stable_sort_indices(std::span<std::uint32_t> idx, const Less& less) {
    stable_sort_indices(
        idx, [](const void* ctx, std::uint32_t a, std::uint32_t b) { return (*static_cast<const Less*>(ctx))(a, b); },
        &less);
}

}  // namespace ebpf::detail
