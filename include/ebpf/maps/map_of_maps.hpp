// SPDX-License-Identifier: MIT
// ArrayOfMaps<Inner> and HashOfMaps<K, Inner>: maps whose values are maps, with typed inner views.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include <ebpf/maps/view.hpp>

namespace ebpf {

namespace detail {
// A new map made from the outer map's inner template: Map::inner_spec() when the outer map was created from a spec,
// else the shape of a map already in one of its slots. Errors: NotFound when neither is known.
Result<Map> create_inner_map(const Map& outer, std::string_view name);
// Puts `inner` in the slot of `key`. Errors: InvalidArgument when the kernel finds it incompatible with the
// template (type, sizes, flags).
Result<void> set_inner_map(const Map& outer, std::span<const std::byte> key, const Map& inner, UpdateFlags flags);
// The map in the slot of `key`, opened by the id the kernel returns, or empty.
Result<std::optional<Map>> get_inner_map(const Map& outer, std::span<const std::byte> key);
}  // namespace detail

// Shared by ArrayOfMaps and HashOfMaps.
// Inner is a view type (HashMap<K, V>, Array<V>, ..., with from(const Map&) and map()) or Map itself.
// Reads open the inner map by id (BPF_MAP_GET_FD_BY_ID) and so cost two system calls and a Map handle each.
// Kernel: ARRAY_OF_MAPS / HASH_OF_MAPS 4.12+ (lookups from user space return ids). Every inner map must match the
//   template the outer map was created with (type, key and value sizes, flags; max_entries too unless the
//   template has BPF_F_INNER_MAP, 5.10+).
// Errors: InvalidArgument (an incompatible inner map, the wrong inner view), NotFound (no inner template known for
//   create_inner, or an inner map freed between the lookup and the open), the kernel's refusal.
// Thread safety: as Map. Ownership: holds the outer Map handle; the outer map holds a reference to each inner map,
//   so an inner map lives while it is in a slot even after every handle to it is gone.
template <class KeyT, class Inner>
class MapOfMapsBase {
    static_assert(std::is_trivially_copyable_v<KeyT>, "map keys must be trivially copyable");

public:
    const Map& map() const noexcept { return map_; }

    // Creates a new (empty) inner map from the outer map's inner template, named `name` (default: the template's).
    Result<Inner> create_inner(std::string_view name = {}) const {
        auto m = detail::create_inner_map(map_, name);
        if (!m) return std::move(m).error();
        return detail::view_of<Inner>(*m);
    }
    // Puts a map (or the map of a view) in a slot.
    Result<void> set(const KeyT& key, const Map& inner, UpdateFlags flags = UpdateFlags::Any) const {
        return detail::set_inner_map(map_, as_bytes_of(key), inner, flags);
    }
    template <class View>
        requires requires(const View& v) {
            { v.map() } -> std::convertible_to<const Map&>;
        }
    Result<void> set(const KeyT& key, const View& inner, UpdateFlags flags = UpdateFlags::Any) const {
        return set(key, inner.map(), flags);
    }
    // The map in a slot, as an Inner view, or empty.
    Result<std::optional<Inner>> get(const KeyT& key) const {
        auto m = detail::get_inner_map(map_, as_bytes_of(key));
        if (!m) return std::move(m).error();
        if (!*m) return std::optional<Inner>{};
        auto v = detail::view_of<Inner>(**m);
        if (!v) return std::move(v).error();
        return std::optional<Inner>(std::move(*v));
    }
    // The id of the map in a slot, or empty (one system call, nothing opened).
    Result<std::optional<std::uint32_t>> id(const KeyT& key) const {
        return detail::lookup_as<std::uint32_t>(map_, as_bytes_of(key));
    }
    // Empties a slot; false when it was empty.
    Result<bool> clear(const KeyT& key) const { return map_.erase(as_bytes_of(key)); }

protected:
    explicit MapOfMapsBase(const Map& m) : map_(m) {}
    Map map_;
};

// ArrayOfMaps<Inner>: u32 indices < size().
template <class Inner = Map>
class ArrayOfMaps : public MapOfMapsBase<std::uint32_t, Inner> {
public:
    static Result<ArrayOfMaps> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::ArrayOfMaps}, 4, 4, "ArrayOfMaps"); !r)
            return std::move(r).error();
        return ArrayOfMaps(map);
    }
    std::uint32_t size() const noexcept { return this->map_.max_entries(); }

private:
    explicit ArrayOfMaps(const Map& m) : MapOfMapsBase<std::uint32_t, Inner>(m) {}
};

// HashOfMaps<K, Inner>: keys K.
template <class K, class Inner = Map>
class HashOfMaps : public MapOfMapsBase<K, Inner> {
public:
    static Result<HashOfMaps> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::HashOfMaps}, sizeof(K), 4, "HashOfMaps"); !r)
            return std::move(r).error();
        return HashOfMaps(map);
    }
    // Bounded walk; see HashMap::keys().
    Result<std::vector<K>> keys() const { return detail::keys_as<K>(this->map_); }

private:
    explicit HashOfMaps(const Map& m) : MapOfMapsBase<K, Inner>(m) {}
};

}  // namespace ebpf
