// SPDX-License-Identifier: MIT
// LpmTrie<D, V>: a typed view of a BPF_MAP_TYPE_LPM_TRIE (longest-prefix match) with prefix keys LpmKey<D>.
#pragma once

#include <optional>
#include <vector>

#include <ebpf/maps/view.hpp>

namespace ebpf {

// The kernel's struct bpf_lpm_trie_key: a prefix length in bits (host byte order) followed by the data, usually
// an address in network byte order (std::uint32_t for IPv4, std::array<std::uint8_t, 16> for IPv6).
// D must not need padding after the u32 (alignment <= 4), so the key has exactly 4 + sizeof(D) bytes.
template <class D>
struct LpmKey {
    std::uint32_t prefix_len = 0;
    D data{};
};

// LpmTrie shares ownership of its Map. Keys are LpmKey<D>, values V; both trivially copyable.
// get() is the kernel's lookup: the value of the longest stored prefix that matches the key's first prefix_len
// bits; match() asks for a whole address. insert()/remove() work on exact prefixes.
// Kernel: LPM_TRIE 4.11+ (must be created with BPF_F_NO_PREALLOC); key walks 4.16+; batches 5.7+ (batch.hpp).
// Errors: InvalidArgument for a prefix_len above 8 * sizeof(D) (the kernel's EINVAL), as Map otherwise.
// Thread safety: as Map. Ownership: holds a Map handle.
template <class D, class V>
class LpmTrie {
    static_assert(std::is_trivially_copyable_v<D> && std::is_trivially_copyable_v<V>,
                  "map keys and values must be trivially copyable");
    static_assert(sizeof(LpmKey<D>) == 4 + sizeof(D),
                  "LpmKey<D> must be 4 + sizeof(D) bytes: D may not have an alignment above 4 (use byte arrays)");

public:
    using Key = LpmKey<D>;
    static constexpr std::uint32_t kMaxPrefix = 8 * sizeof(D);

    static Result<LpmTrie> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::LpmTrie}, sizeof(Key), sizeof(V), "LpmTrie"); !r)
            return std::move(r).error();
        return LpmTrie(map);
    }

    const Map& map() const noexcept { return map_; }

    // The value of the longest stored prefix matching `key`, or empty.
    Result<std::optional<V>> get(const Key& key) const { return detail::lookup_as<V>(map_, as_bytes_of(key)); }
    // The value of the longest stored prefix matching the whole of `data` (an address).
    Result<std::optional<V>> match(const D& data) const { return get(Key{kMaxPrefix, data}); }
    Result<void> insert(const Key& key, const V& value, UpdateFlags flags = UpdateFlags::Any) const {
        return map_.update(as_bytes_of(key), as_bytes_of(value), flags);
    }
    // Removes exactly this prefix; false when it was not stored.
    Result<bool> remove(const Key& key) const { return map_.erase(as_bytes_of(key)); }
    // The stored prefixes (bounded walk; see HashMap::keys()).
    Result<std::vector<Key>> keys() const { return detail::keys_as<Key>(map_); }

private:
    explicit LpmTrie(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
