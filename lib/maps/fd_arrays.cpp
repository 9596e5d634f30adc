// SPDX-License-Identifier: MIT
// Views whose slots take file descriptors: ProgArray, PerfEventArray, CgroupArray, and their shared helpers.
#include <ebpf/maps/cgroup_array.hpp>
#include <ebpf/maps/perf_event_array.hpp>
#include <ebpf/maps/prog_array.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "maps/fd_slots.hpp"
#include "sys/bpf.hpp"
#include "sys/info.hpp"

namespace ebpf {

using detail::format;

namespace detail {

Result<void> check_index(const Map& m, std::uint32_t index) {
    if (index >= m.max_entries()) return index_out_of_range(m, index);
    return {};
}

Result<void> require_fd(const Map& m, std::uint64_t key, FdRef fd, const char* what) {
    if (fd.valid()) return {};
    return Error(Errc::InvalidArgument, format("map '%s' slot %llu: the %s is not open%s", m.name().c_str(),
                                               static_cast<unsigned long long>(key), what,
                                               std::string_view(what) == "program" ? " (load it first)" : ""));
}

Result<void> put_fd(const Map& m, std::span<const std::byte> key, FdRef fd, UpdateFlags flags) {
    if (m.value_size() == 8) {
        const std::uint64_t v = static_cast<std::uint32_t>(fd.get());
        return m.update(key, as_bytes_of(v), flags);
    }
    const std::uint32_t v = static_cast<std::uint32_t>(fd.get());
    return m.update(key, as_bytes_of(v), flags);
}

Result<std::optional<std::uint32_t>> get_u32(const Map& m, std::span<const std::byte> key) {
    return lookup_as<std::uint32_t>(m, key);
}

}  // namespace detail

// --- ProgArray

Result<ProgArray> ProgArray::from(const Map& map) {
    EBPF_TRY(detail::check_map_view(map, {MapType::ProgArray}, 4, 4, "ProgArray"));
    return ProgArray(map);
}

Result<void> ProgArray::set_fd(std::uint32_t index, FdRef program_fd) const {
    EBPF_TRY(detail::check_index(map_, index));
    EBPF_TRY(detail::require_fd(map_, index, program_fd, "program"));
    return detail::put_fd(map_, as_bytes_of(index), program_fd, UpdateFlags::Any);
}

Result<bool> ProgArray::clear(std::uint32_t index) const {
    EBPF_TRY(detail::check_index(map_, index));
    return map_.erase(as_bytes_of(index));
}

Result<std::optional<std::uint32_t>> ProgArray::program_id(std::uint32_t index) const {
    EBPF_TRY(detail::check_index(map_, index));
    return detail::get_u32(map_, as_bytes_of(index));
}

Result<std::size_t> ProgArray::clear_program_fd(FdRef program_fd) const {
    EBPF_TRY(detail::require_fd(map_, 0, program_fd, "program"));
    sys::ProgInfoRaw info{};
    std::uint32_t len = sizeof info;
    if (auto r = sys::obj_get_info_by_fd(program_fd.get(), &info, len); !r)
        return std::move(r).error().context(format("map '%s': clear a program: its info", map_.name().c_str()));
    std::size_t cleared = 0;
    for (std::uint32_t i = 0; i < size(); ++i) {
        EBPF_TRY_ASSIGN(const std::optional<std::uint32_t> id, program_id(i));
        if (!id || *id != info.id) continue;
        EBPF_TRY_ASSIGN(const bool erased, clear(i));
        cleared += erased ? 1 : 0;
    }
    return cleared;
}

// --- PerfEventArray

Result<PerfEventArray> PerfEventArray::from(const Map& map) {
    EBPF_TRY(detail::check_map_view(map, {MapType::PerfEventArray}, 4, 4, "PerfEventArray"));
    return PerfEventArray(map);
}

Result<void> PerfEventArray::set(std::uint32_t index, FdRef perf_event_fd) const {
    EBPF_TRY(detail::check_index(map_, index));
    EBPF_TRY(detail::require_fd(map_, index, perf_event_fd, "perf event"));
    return detail::put_fd(map_, as_bytes_of(index), perf_event_fd, UpdateFlags::Any);
}

Result<bool> PerfEventArray::clear(std::uint32_t index) const {
    EBPF_TRY(detail::check_index(map_, index));
    return map_.erase(as_bytes_of(index));
}

// --- CgroupArray

Result<CgroupArray> CgroupArray::from(const Map& map) {
    EBPF_TRY(detail::check_map_view(map, {MapType::CgroupArray}, 4, 4, "CgroupArray"));
    return CgroupArray(map);
}

Result<void> CgroupArray::set(std::uint32_t index, FdRef cgroup_dir) const {
    EBPF_TRY(detail::check_index(map_, index));
    EBPF_TRY(detail::require_fd(map_, index, cgroup_dir, "cgroup directory"));
    return detail::put_fd(map_, as_bytes_of(index), cgroup_dir, UpdateFlags::Any);
}

Result<bool> CgroupArray::clear(std::uint32_t index) const {
    EBPF_TRY(detail::check_index(map_, index));
    return map_.erase(as_bytes_of(index));
}

}  // namespace ebpf
