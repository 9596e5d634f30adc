// SPDX-License-Identifier: MIT
// stable_sort_indices: a bottom-up merge sort of indices (base/index_sort.hpp).
#include "base/index_sort.hpp"

#include <vector>

namespace ebpf::detail {

void stable_sort_indices(std::span<std::uint32_t> idx, IndexLess less, const void* ctx) {
    const std::size_t n = idx.size();
    if (n < 2) return;
    std::vector<std::uint32_t> tmp(n);
    std::uint32_t* from = idx.data();
    std::uint32_t* to = tmp.data();
    for (std::size_t width = 1; width < n; width *= 2) {
        for (std::size_t lo = 0; lo < n; lo += 2 * width) {
            const std::size_t mid = lo + width < n ? lo + width : n;
            const std::size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            std::size_t i = lo, j = mid, k = lo;
            // Take from the right run only when it is strictly less: equal elements keep their order.
            while (i < mid && j < hi) to[k++] = less(ctx, from[j], from[i]) ? from[j++] : from[i++];
            while (i < mid) to[k++] = from[i++];
            while (j < hi) to[k++] = from[j++];
        }
        std::uint32_t* t = from;
        from = to;
        to = t;
    }
    if (from != idx.data())
        for (std::size_t k = 0; k < n; ++k) idx[k] = from[k];
}

}  // namespace ebpf::detail
