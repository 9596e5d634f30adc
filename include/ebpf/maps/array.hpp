// SPDX-License-Identifier: MIT
// Array<V>: a typed view of a BPF_MAP_TYPE_ARRAY map (u32 keys, all entries always present).
#pragma once

#include <vector>

#include <ebpf/maps/batch.hpp>
#include <ebpf/maps/view.hpp>

namespace ebpf {

// Array shares ownership of its Map (see HashMap). V must be trivially copyable and match value_size.
// Thread safety: as Map.
// Kernel: ARRAY 3.19+. Elements cannot be deleted; they are zero until written. Batches 5.6+ (lookup, update).
//   BPF_F_MMAPABLE arrays (5.5+) can also be read and written in place through MappedArray (mapped.hpp).
// Errors: InvalidArgument for an index >= size() (checked before the system call).
// Ownership: the view holds a Map handle.
template <class V>
class Array {
    static_assert(std::is_trivially_copyable_v<V>, "map values must be trivially copyable");

public:
    static Result<Array> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::Array}, sizeof(std::uint32_t), sizeof(V), "Array"); !r)
            return std::move(r).error();
        return Array(map);
    }

    const Map& map() const noexcept { return map_; }
    std::uint32_t size() const noexcept { return map_.max_entries(); }

    // Errors: InvalidArgument for an index >= size().
    Result<V> get(std::uint32_t index) const {
        if (index >= size()) return detail::index_out_of_range(map_, index);
        V v{};
        auto r = map_.lookup(as_bytes_of(index), as_writable_bytes_of(v));
        if (!r) return std::move(r).error();
        return v;
    }
    // Errors: InvalidArgument for an index >= size() or UpdateFlags::NoExist (array elements always exist).
    Result<void> set(std::uint32_t index, const V& value, UpdateFlags flags = UpdateFlags::Any) const {
        if (index >= size()) return detail::index_out_of_range(map_, index);
        return map_.update(as_bytes_of(index), as_bytes_of(value), flags);
    }
    // Every element in index order, read in batches (BPF_MAP_LOOKUP_BATCH where the kernel has it).
    Result<std::vector<V>> values(const BatchOptions& options = {}) const {
        std::vector<std::uint32_t> keys;
        std::vector<V> out;
        keys.reserve(size());
        out.reserve(size());
        auto r = read_all(map_, keys, out, options);
        if (!r) return std::move(r).error();
        return out;
    }
    // Writes values[i] at keys[i] for every i (see batch.hpp).
    Result<std::size_t> update_batch(std::span<const std::uint32_t> keys, std::span<const V> values,
                                     const BatchOptions& options = {}) const {
        return ebpf::update_batch(map_, keys, values, options);
    }

private:
    explicit Array(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
