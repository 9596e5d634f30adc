// SPDX-License-Identifier: MIT
// BloomFilter<V>: a typed view of a BPF_MAP_TYPE_BLOOM_FILTER (push values; ask whether one may be present).
#pragma once

#include <ebpf/maps/view.hpp>

namespace ebpf {

// BloomFilter shares ownership of its Map. contains() can say true for a value never pushed (a false positive, more
// likely with fewer hash functions, MapSpec::map_extra 1-15, default 5) but never false for one that was.
// Values cannot be removed.
// Kernel: BLOOM_FILTER 5.16+ (key_size 0, max_entries sizes the bit array).
// Errors: InvalidArgument when the map is not a bloom filter or V's size differs; the kernel's refusal.
// Thread safety: as Map (the kernel updates the bits atomically). Ownership: holds a Map handle.
template <class V>
class BloomFilter {
    static_assert(std::is_trivially_copyable_v<V>, "map values must be trivially copyable");

public:
    static Result<BloomFilter> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::BloomFilter}, 0, sizeof(V), "BloomFilter"); !r)
            return std::move(r).error();
        return BloomFilter(map);
    }

    const Map& map() const noexcept { return map_; }

    // Adds a value (BPF_MAP_UPDATE_ELEM without a key).
    Result<void> push(const V& value) const { return map_.update({}, as_bytes_of(value)); }
    // True when `value` may have been pushed, false when it certainly was not (BPF_MAP_LOOKUP_ELEM, which reads the
    // value instead of writing it for this map type).
    Result<bool> contains(const V& value) const {
        V probe = value;
        return map_.lookup({}, as_writable_bytes_of(probe));
    }

private:
    explicit BloomFilter(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
