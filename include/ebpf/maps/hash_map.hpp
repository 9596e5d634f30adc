// SPDX-License-Identifier: MIT
// HashMap<K, V>: a typed view of a BPF_MAP_TYPE_HASH or LRU_HASH map.
#pragma once

#include <optional>
#include <utility>
#include <vector>

#include <ebpf/maps/batch.hpp>
#include <ebpf/maps/view.hpp>

namespace ebpf {

// HashMap shares ownership of its Map (a copy of the handle): it may outlive the Object it came from, and be
// moved into another thread. Making one costs a reference-count increment; each element operation is one bpf()
// call and allocates nothing.
// K and V must be trivially copyable (a compile-time error otherwise) and match the map's key_size and
// value_size exactly (checked once by from()).
// Thread safety: as Map: every operation may run concurrently with any other.
// Kernel: HASH 3.19+, LRU_HASH 4.10+ (an LRU map evicts instead of being full); lookup-and-delete 5.14+; batches
//   5.6+ (see batch.hpp).
// Errors: a missing key is an empty optional or false, never an error; a full map is ResourceLimit ("the map is
//   full (max_entries N)"); Exists / NotFound for UpdateFlags::NoExist / Exist.
// Ownership: the view holds a Map handle; the kernel map lives while any handle, pin or program holds it.
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
    Result<std::optional<V>> get(const K& key) const { return detail::lookup_as<V>(map_, as_bytes_of(key)); }
    // LookupFlags::Lock: copied under the value's struct bpf_spin_lock (pair with UpdateFlags::Lock on insert).
    Result<std::optional<V>> get(const K& key, LookupFlags flags) const {
        return detail::lookup_as<V>(map_, as_bytes_of(key), flags);
    }
    // Errors: Exists (NoExist), NotFound (Exist), ResourceLimit when the map is full.
    Result<void> insert(const K& key, const V& value, UpdateFlags flags = UpdateFlags::Any) const {
        return map_.update(as_bytes_of(key), as_bytes_of(value), flags);
    }
    // False when the key was not there.
    Result<bool> remove(const K& key) const { return map_.erase(as_bytes_of(key)); }
    // Reads and removes the value atomically (BPF_MAP_LOOKUP_AND_DELETE_ELEM, hash maps 5.14+); empty when absent.
    // Errors: the kernel's refusal on older kernels (InvalidArgument / NotSupported).
    Result<std::optional<V>> take(const K& key) const { return detail::take_as<V>(map_, as_bytes_of(key)); }

    // The keys, walking the map with BPF_MAP_GET_NEXT_KEY. The walk is bounded: it stops after max_entries()
    // keys, so it always ends. The map may change underneath: keys added or removed during the walk may be
    // missed, and when the key the walk stands on is deleted the kernel starts again from the first key, so
    // some keys may then be listed twice (until the bound). For a consistent snapshot, stop the writers.
    Result<std::vector<K>> keys() const { return detail::keys_as<K>(map_); }
    // Key/value pairs, read in batches (BPF_MAP_LOOKUP_BATCH, or element by element: see batch.hpp for what a
    // walk sees when the map changes underneath).
    Result<std::vector<std::pair<K, V>>> entries(const BatchOptions& options = {}) const {
        return pairs(false, options);
    }
    // Every element, removed as it is read (BPF_MAP_LOOKUP_AND_DELETE_BATCH, or lookup + delete per element).
    Result<std::vector<std::pair<K, V>>> drain(const BatchOptions& options = {}) const { return pairs(true, options); }

    // Batches (see batch.hpp): a chunk of a walk, many updates, many deletes (returns how many keys were there).
    Result<std::size_t> lookup_batch(BatchCursor& cursor, std::span<K> keys, std::span<V> values,
                                     const BatchOptions& options = {}) const {
        return ebpf::lookup_batch(map_, cursor, keys, values, options);
    }
    Result<std::size_t> update_batch(std::span<const K> keys, std::span<const V> values,
                                     const BatchOptions& options = {}) const {
        return ebpf::update_batch(map_, keys, values, options);
    }
    Result<std::size_t> erase_batch(std::span<const K> keys, const BatchOptions& options = {}) const {
        return ebpf::erase_batch(map_, keys, options);
    }

private:
    explicit HashMap(const Map& m) : map_(m) {}
    Result<std::vector<std::pair<K, V>>> pairs(bool take, const BatchOptions& options) const {
        std::vector<K> ks;
        std::vector<V> vs;
        auto r = take ? take_all(map_, ks, vs, options) : read_all(map_, ks, vs, options);
        if (!r) return std::move(r).error();
        std::vector<std::pair<K, V>> out;
        out.reserve(ks.size());
        for (std::size_t i = 0; i < ks.size(); ++i) out.emplace_back(ks[i], vs[i]);
        return out;
    }
    Map map_;
};

}  // namespace ebpf
