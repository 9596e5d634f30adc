// SPDX-License-Identifier: MIT
// HashMap<K, V>: a typed view of a BPF_MAP_TYPE_HASH or LRU_HASH map.
#pragma once

#include <utility>
#include <vector>

#include <ebpf/maps/view.hpp>

namespace ebpf {

// HashMap borrows a Map; it must not outlive it. K and V must be trivially copyable and match the map's
// key_size and value_size exactly (checked by from()).
// Kernel: HASH 3.19+, LRU_HASH 4.10+.
template <class K, class V>
class HashMap {
    static_assert(std::is_trivially_copyable_v<K> && std::is_trivially_copyable_v<V>,
                  "map keys and values must be trivially copyable");

public:
    static Result<HashMap> from(Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::Hash, MapType::LruHash}, sizeof(K), sizeof(V), "HashMap");
            !r)
            return std::move(r).error();
        return HashMap(map);
    }

    Map& map() const noexcept { return *map_; }

    // Errors: NotFound if the key is absent.
    Result<V> get(const K& key) const {
        V v{};
        if (auto r = map_->lookup(as_bytes_of(key), as_writable_bytes_of(v)); !r) return std::move(r).error();
        return v;
    }
    Result<void> insert(const K& key, const V& value, UpdateFlags flags = UpdateFlags::Any) const {
        return map_->update(as_bytes_of(key), as_bytes_of(value), flags);
    }
    // Errors: NotFound if the key is absent.
    Result<void> remove(const K& key) const { return map_->erase(as_bytes_of(key)); }

    // All keys at the time of the call. Keys deleted concurrently may be skipped, as with any BPF map walk.
    Result<std::vector<K>> keys() const {
        std::vector<K> out;
        K k{};
        bool first = true;
        for (;;) {
            K next{};
            auto r = map_->next_key(first ? std::span<const std::byte>{} : as_bytes_of(k), as_writable_bytes_of(next));
            if (!r) return std::move(r).error();
            if (!*r) return out;
            out.push_back(next);
            k = next;
            first = false;
        }
    }
    // Key/value pairs; entries removed between listing and reading are skipped.
    Result<std::vector<std::pair<K, V>>> entries() const {
        auto ks = keys();
        if (!ks) return std::move(ks).error();
        std::vector<std::pair<K, V>> out;
        out.reserve(ks->size());
        for (const K& k : *ks) {
            auto v = get(k);
            if (v) out.emplace_back(k, *v);
            else if (v.error().code() != Errc::NotFound) return std::move(v).error();
        }
        return out;
    }

private:
    explicit HashMap(Map& m) : map_(&m) {}
    Map* map_;
};

}  // namespace ebpf
