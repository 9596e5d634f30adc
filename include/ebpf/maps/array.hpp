// SPDX-License-Identifier: MIT
// Array<V>: a typed view of a BPF_MAP_TYPE_ARRAY map (u32 keys, all entries always present).
#pragma once

#include <vector>

#include <ebpf/maps/view.hpp>

namespace ebpf {

// Array borrows a Map; it must not outlive it. V must match value_size.
// Kernel: ARRAY 3.19+. Elements cannot be deleted; they are zero until written.
template <class V>
class Array {
    static_assert(std::is_trivially_copyable_v<V>, "map values must be trivially copyable");

public:
    static Result<Array> from(Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::Array}, sizeof(std::uint32_t), sizeof(V), "Array"); !r)
            return std::move(r).error();
        return Array(map);
    }

    Map& map() const noexcept { return *map_; }
    std::uint32_t size() const noexcept { return map_->max_entries(); }

    // Errors: InvalidArgument for an index >= size().
    Result<V> get(std::uint32_t index) const {
        V v{};
        if (auto r = map_->lookup(as_bytes_of(index), as_writable_bytes_of(v)); !r) return std::move(r).error();
        return v;
    }
    Result<void> set(std::uint32_t index, const V& value, UpdateFlags flags = UpdateFlags::Any) const {
        return map_->update(as_bytes_of(index), as_bytes_of(value), flags);
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
    explicit Array(Map& m) : map_(&m) {}
    Map* map_;
};

}  // namespace ebpf
