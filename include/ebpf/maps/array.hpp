// SPDX-License-Identifier: MIT
// Array<V>: a typed view of a BPF_MAP_TYPE_ARRAY map (u32 keys, all entries always present).
#pragma once

#include <vector>

#include <ebpf/maps/view.hpp>

namespace ebpf {

// Array shares ownership of its Map (see HashMap). V must match value_size.
// Thread safety: as Map.
// Kernel: ARRAY 3.19+. Elements cannot be deleted; they are zero until written.
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
    // Every element in index order.
    Result<std::vector<V>> values() const {
        std::vector<V> out;
        out.reserve(size());
        for (std::uint32_t i = 0; i < size(); ++i) {
            auto v = get(i);
            if (!v) return std::move(v).error();
            out.push_back(*v);
        }
        return out;
    }

private:
    explicit Array(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
