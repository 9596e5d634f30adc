// SPDX-License-Identifier: MIT
// XDP redirect maps: DevMap (DEVMAP, DEVMAP_HASH), CpuMap, XskMap.
#include <ebpf/maps/xdp_maps.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "maps/fd_slots.hpp"

namespace ebpf {

using detail::format;

namespace {
// struct bpf_devmap_val and struct bpf_cpumap_val: a u32, then a program fd going in and its id coming out.
struct SlotWithProgram {
    std::uint32_t first;
    std::int32_t prog;  // fd in (-1: none), id out
};
static_assert(sizeof(SlotWithProgram) == 8);

Error no_program_slot(const Map& m) {
    return Error(Errc::InvalidArgument,
                 format("map '%s' has 4-byte values: a program needs 8-byte values (struct bpf_%s_val)",
                        m.name().c_str(), m.type() == MapType::Cpumap ? "cpumap" : "devmap"));
}

Result<void> put_slot(const Map& m, std::uint32_t key, std::uint32_t first, int prog_fd, UpdateFlags flags) {
    if (m.value_size() == 4) {
        if (prog_fd >= 0) return no_program_slot(m);
        return m.update(as_bytes_of(key), as_bytes_of(first), flags);
    }
    const SlotWithProgram v{first, prog_fd};
    return m.update(as_bytes_of(key), as_bytes_of(v), flags);
}

Result<std::optional<SlotWithProgram>> get_slot(const Map& m, std::uint32_t key) {
    if (m.value_size() == 4) {
        EBPF_TRY_ASSIGN(const std::optional<std::uint32_t> v, detail::get_u32(m, as_bytes_of(key)));
        if (!v) return std::optional<SlotWithProgram>{};
        return std::optional<SlotWithProgram>(SlotWithProgram{*v, 0});
    }
    return detail::lookup_as<SlotWithProgram>(m, as_bytes_of(key));
}
}  // namespace

// --- DevMap

Result<DevMap> DevMap::from(const Map& map) {
    EBPF_TRY(detail::check_map_view_values(map, {MapType::Devmap, MapType::DevmapHash}, 4, {4, 8}, "DevMap"));
    return DevMap(map);
}

Result<void> DevMap::set(std::uint32_t key, std::uint32_t ifindex, UpdateFlags flags) const {
    if (!hashed()) EBPF_TRY(detail::check_index(map_, key));
    return put_slot(map_, key, ifindex, -1, flags);
}

Result<void> DevMap::set_with_program_fd(std::uint32_t key, std::uint32_t ifindex, FdRef program_fd,
                                         UpdateFlags flags) const {
    if (!hashed()) EBPF_TRY(detail::check_index(map_, key));
    EBPF_TRY(detail::require_fd(map_, key, program_fd, "program"));
    return put_slot(map_, key, ifindex, program_fd.get(), flags);
}

Result<bool> DevMap::clear(std::uint32_t key) const {
    if (!hashed()) EBPF_TRY(detail::check_index(map_, key));
    return map_.erase(as_bytes_of(key));
}

Result<std::optional<DevMapEntry>> DevMap::get(std::uint32_t key) const {
    if (!hashed()) EBPF_TRY(detail::check_index(map_, key));
    EBPF_TRY_ASSIGN(const std::optional<SlotWithProgram> v, get_slot(map_, key));
    if (!v) return std::optional<DevMapEntry>{};
    return std::optional<DevMapEntry>(DevMapEntry{v->first, static_cast<std::uint32_t>(v->prog)});
}

Result<std::vector<std::uint32_t>> DevMap::keys() const { return detail::keys_as<std::uint32_t>(map_); }

// --- CpuMap

Result<CpuMap> CpuMap::from(const Map& map) {
    EBPF_TRY(detail::check_map_view_values(map, {MapType::Cpumap}, 4, {4, 8}, "CpuMap"));
    return CpuMap(map);
}

namespace {
Result<void> check_queue_size(const Map& m, std::uint32_t cpu, std::uint32_t queue_size) {
    if (queue_size == 0)
        return Error(Errc::InvalidArgument, format("map '%s' cpu %u: the queue size must be at least 1 (clear() "
                                                   "empties a slot)",
                                                   m.name().c_str(), cpu));
    return {};
}
}  // namespace

Result<void> CpuMap::set(std::uint32_t cpu, std::uint32_t queue_size) const {
    EBPF_TRY(detail::check_index(map_, cpu));
    EBPF_TRY(check_queue_size(map_, cpu, queue_size));
    return put_slot(map_, cpu, queue_size, -1, UpdateFlags::Any);
}

Result<void> CpuMap::set_with_program_fd(std::uint32_t cpu, std::uint32_t queue_size, FdRef program_fd) const {
    EBPF_TRY(detail::check_index(map_, cpu));
    EBPF_TRY(check_queue_size(map_, cpu, queue_size));
    EBPF_TRY(detail::require_fd(map_, cpu, program_fd, "program"));
    return put_slot(map_, cpu, queue_size, program_fd.get(), UpdateFlags::Any);
}

Result<bool> CpuMap::clear(std::uint32_t cpu) const {
    EBPF_TRY(detail::check_index(map_, cpu));
    return map_.erase(as_bytes_of(cpu));
}

Result<std::optional<CpuMapEntry>> CpuMap::get(std::uint32_t cpu) const {
    EBPF_TRY(detail::check_index(map_, cpu));
    EBPF_TRY_ASSIGN(const std::optional<SlotWithProgram> v, get_slot(map_, cpu));
    if (!v) return std::optional<CpuMapEntry>{};
    return std::optional<CpuMapEntry>(CpuMapEntry{v->first, static_cast<std::uint32_t>(v->prog)});
}

// --- XskMap

Result<XskMap> XskMap::from(const Map& map) {
    EBPF_TRY(detail::check_map_view(map, {MapType::Xskmap}, 4, 4, "XskMap"));
    return XskMap(map);
}

Result<void> XskMap::set(std::uint32_t index, FdRef xdp_socket) const {
    EBPF_TRY(detail::check_index(map_, index));
    EBPF_TRY(detail::require_fd(map_, index, xdp_socket, "AF_XDP socket"));
    return detail::put_fd(map_, as_bytes_of(index), xdp_socket, UpdateFlags::Any);
}

Result<bool> XskMap::clear(std::uint32_t index) const {
    EBPF_TRY(detail::check_index(map_, index));
    return map_.erase(as_bytes_of(index));
}

}  // namespace ebpf
