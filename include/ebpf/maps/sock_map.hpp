// SPDX-License-Identifier: MIT
// SockMap and SockHash<K>: views of BPF_MAP_TYPE_SOCKMAP and SOCKHASH (sockets for sk_msg/sk_skb redirects).
#pragma once

#include <optional>
#include <vector>

#include <ebpf/maps/view.hpp>

namespace ebpf {

namespace detail {
// Untyped socket-map operations shared by SockMap, SockHash and ReuseportArray.
Result<void> set_socket(const Map& m, std::span<const std::byte> key, FdRef socket, UpdateFlags flags);
// The socket cookie stored at `key` (8-byte values only, as the kernel returns cookies only there).
Result<std::optional<std::uint64_t>> socket_cookie(const Map& m, std::span<const std::byte> key);
}  // namespace detail

// SockMap shares ownership of its Map (u32 index keys; values are socket fds in, socket cookies out).
// Kernel: SOCKMAP 4.14+. Sockets must be TCP (established or listening), UDP (5.7+), unix (5.15+) or vsock;
//   updates from user space need no program attached since 5.10-ish. Reading back returns the socket cookie
//   (SO_COOKIE), and only for maps with 8-byte values (5.10+); 4-byte maps cannot be read.
// Errors: InvalidArgument for an index >= size(), or a map with 4-byte values on cookie(); the kernel's refusal
//   (NotSupported, InvalidArgument) for a socket in the wrong state or of the wrong kind.
// Thread safety: as Map. Ownership: holds a Map handle; the map holds a reference to each stored socket.
class SockMap {
public:
    static Result<SockMap> from(const Map& map);

    const Map& map() const noexcept { return map_; }
    std::uint32_t size() const noexcept { return map_.max_entries(); }

    Result<void> set(std::uint32_t index, FdRef socket, UpdateFlags flags = UpdateFlags::Any) const;
    // False when the slot was empty (the kernel says EINVAL for that; within size() it means empty).
    Result<bool> clear(std::uint32_t index) const;
    Result<std::optional<std::uint64_t>> cookie(std::uint32_t index) const;

private:
    explicit SockMap(const Map& m) : map_(m) {}
    Map map_;
};

// SockHash<K>: SOCKHASH (4.18+), sockets by key K. Otherwise as SockMap.
template <class K>
class SockHash {
    static_assert(std::is_trivially_copyable_v<K>, "map keys must be trivially copyable");

public:
    static Result<SockHash> from(const Map& map) {
        if (auto r = detail::check_map_view_values(map, {MapType::Sockhash}, sizeof(K), {4, 8}, "SockHash"); !r)
            return std::move(r).error();
        return SockHash(map);
    }

    const Map& map() const noexcept { return map_; }

    Result<void> set(const K& key, FdRef socket, UpdateFlags flags = UpdateFlags::Any) const {
        return detail::set_socket(map_, as_bytes_of(key), socket, flags);
    }
    Result<bool> clear(const K& key) const { return map_.erase(as_bytes_of(key)); }
    Result<std::optional<std::uint64_t>> cookie(const K& key) const {
        return detail::socket_cookie(map_, as_bytes_of(key));
    }
    // Bounded walk; see HashMap::keys().
    Result<std::vector<K>> keys() const { return detail::keys_as<K>(map_); }

private:
    explicit SockHash(const Map& m) : map_(m) {}
    Map map_;
};

// ReuseportArray: REUSEPORT_SOCKARRAY (4.19+), the sockets an sk_reuseport program selects among. Sockets must be
// TCP or UDP, bound, with SO_REUSEPORT. Reading back returns the socket cookie (8-byte values only).
// Errors, thread safety, ownership: as SockMap.
class ReuseportArray {
public:
    static Result<ReuseportArray> from(const Map& map);

    const Map& map() const noexcept { return map_; }
    std::uint32_t size() const noexcept { return map_.max_entries(); }

    Result<void> set(std::uint32_t index, FdRef socket, UpdateFlags flags = UpdateFlags::Any) const;
    Result<bool> clear(std::uint32_t index) const;
    Result<std::optional<std::uint64_t>> cookie(std::uint32_t index) const;

private:
    explicit ReuseportArray(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
