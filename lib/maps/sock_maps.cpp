// SPDX-License-Identifier: MIT
// Socket maps: SockMap, SockHash (shared helpers), ReuseportArray.
#include <ebpf/maps/sock_map.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "maps/fd_slots.hpp"

namespace ebpf {

using detail::format;

namespace detail {

Result<void> set_socket(const Map& m, std::span<const std::byte> key, FdRef socket, UpdateFlags flags) {
    if (!socket.valid())
        return Error(Errc::InvalidArgument, format("map '%s': the socket is not open", m.name().c_str()));
    return put_fd(m, key, socket, flags);
}

Result<std::optional<std::uint64_t>> socket_cookie(const Map& m, std::span<const std::byte> key) {
    if (m.value_size() != 8)
        return Error(Errc::InvalidArgument,
                     format("map '%s': socket cookies can be read only from maps with 8-byte values (this one has %u)",
                            m.name().c_str(), m.value_size()));
    return lookup_as<std::uint64_t>(m, key);
}

}  // namespace detail

Result<SockMap> SockMap::from(const Map& map) {
    EBPF_TRY(detail::check_map_view_values(map, {MapType::Sockmap}, 4, {4, 8}, "SockMap"));
    return SockMap(map);
}

Result<void> SockMap::set(std::uint32_t index, FdRef socket, UpdateFlags flags) const {
    EBPF_TRY(detail::check_index(map_, index));
    return detail::set_socket(map_, as_bytes_of(index), socket, flags);
}

Result<bool> SockMap::clear(std::uint32_t index) const {
    EBPF_TRY(detail::check_index(map_, index));
    auto r = map_.erase(as_bytes_of(index));
    // The kernel answers EINVAL, not ENOENT, for an empty slot of a sockmap (the index is known to be in range).
    if (!r && r.error().sys_errno() == EINVAL) return false;
    return r;
}

Result<std::optional<std::uint64_t>> SockMap::cookie(std::uint32_t index) const {
    EBPF_TRY(detail::check_index(map_, index));
    return detail::socket_cookie(map_, as_bytes_of(index));
}

Result<ReuseportArray> ReuseportArray::from(const Map& map) {
    EBPF_TRY(detail::check_map_view_values(map, {MapType::ReuseportSockarray}, 4, {4, 8}, "ReuseportArray"));
    return ReuseportArray(map);
}

Result<void> ReuseportArray::set(std::uint32_t index, FdRef socket, UpdateFlags flags) const {
    EBPF_TRY(detail::check_index(map_, index));
    return detail::set_socket(map_, as_bytes_of(index), socket, flags);
}

Result<bool> ReuseportArray::clear(std::uint32_t index) const {
    EBPF_TRY(detail::check_index(map_, index));
    return map_.erase(as_bytes_of(index));
}

Result<std::optional<std::uint64_t>> ReuseportArray::cookie(std::uint32_t index) const {
    EBPF_TRY(detail::check_index(map_, index));
    return detail::socket_cookie(map_, as_bytes_of(index));
}

}  // namespace ebpf
