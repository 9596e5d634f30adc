// SPDX-License-Identifier: MIT
// HashMap<K, V>: a typed view of a BPF_MAP_TYPE_HASH or LRU_HASH map.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include <ebpf/maps/view.hpp>

namespace ebpf {

// HashMap shares ownership of its Map (a copy of the handle): it may outlive the Object it came from, and be
// moved into another thread. Making one costs a reference-count increment; each operation is one bpf() call.
// K and V must be trivially copyable and match the map's key_size and value_size exactly (checked by from()).
// Thread safety: as Map: every operation may run concurrently with any other.
// Kernel: HASH 3.19+, LRU_HASH 4.10+.
template <class K, class V>
class HashMap {
    static_assert(std::is_trivially_copyable_v<K> && std::is_trivially_copyable_v<V>,
                  "map keys and values must be trivially copyable");

public:
    // Errors: InvalidArgument when the map is not a hash map or the sizes differ.
    static Result<HashMap> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::Hash, MapType::LruHash}, sizeof(K), sizeof(V), "HashMap");
            !r)
            return std::move(r).error();
        return HashMap(map);
    }

    const Map& map() const noexcept { return map_; }

    // The value for `key`, or an empty optional when the key is absent (not an error; nothing is allocated).
    Result<std::optional<V>> get(const K& key) const {
        V v{};
        auto r = map_.lookup(as_bytes_of(key), as_writable_bytes_of(v));
        if (!r) return std::move(r).error();
        if (!*r) return std::optional<V>{};
        return std::optional<V>(v);
    }
    // Errors: Exists (NoExist), NotFound (Exist), ResourceLimit when the map is full.
    Result<void> insert(const K& key, const V& value, UpdateFlags flags = UpdateFlags::Any) const {
        return map_.update(as_bytes_of(key), as_bytes_of(value), flags);
    }
    // False when the key was not there.
    Result<bool> remove(const K& key) const { return map_.erase(as_bytes_of(key)); }

    // The keys, walking the map with BPF_MAP_GET_NEXT_KEY. The walk is bounded: it stops after max_entries()
    // keys, so it always ends. The map may change underneath: keys added or removed during the walk may be
    // missed, and when the key the walk stands on is deleted the kernel starts again from the first key, so
    // some keys may then be listed twice (until the bound). For a consistent snapshot, stop the writers.
    Result<std::vector<K>> keys() const {
        std::vector<K> out;
        K k{};
        for (std::uint32_t i = 0; i < map_.max_entries(); ++i) {
            K next{};
            auto r = map_.next_key(i == 0 ? std::span<const std::byte>{} : as_bytes_of(k), as_writable_bytes_of(next));
            if (!r) return std::move(r).error();
            if (!*r) break;
            out.push_back(next);
            k = next;
        }
        return out;
    }
    // Key/value pairs (keys() then a lookup each); entries removed in between are skipped.
    Result<std::vector<std::pair<K, V>>> entries() const {
        auto ks = keys();
        if (!ks) return std::move(ks).error();
        std::vector<std::pair<K, V>> out;
        out.reserve(ks->size());
        for (const K& k : *ks) {
            auto v = get(k);
            if (!v) return std::move(v).error();
            if (*v) out.emplace_back(k, **v);
        }
        return out;
    }

private:
    explicit HashMap(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
