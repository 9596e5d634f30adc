// SPDX-License-Identifier: MIT
// Pins and the kernel's list of maps: unpin with an identity check, enumeration by BPF_MAP_GET_NEXT_ID.
#include <ebpf/map.hpp>

#include <cerrno>
#include <cstring>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/bpf.hpp"
#include "sys/info.hpp"
#include "sys/path.hpp"
#include "maps/map_info.hpp"

namespace ebpf {

using detail::format;

namespace {
Result<std::uint32_t> map_id_of(int fd) {
    sys::MapInfoRaw raw{};
    std::uint32_t len = sizeof raw;
    EBPF_TRY(sys::obj_get_info_by_fd(fd, &raw, len));
    return raw.id;
}
}  // namespace

namespace detail {
MapInfo to_map_info(const sys::MapInfoRaw& raw) {
    MapInfo i;
    i.type = static_cast<MapType>(raw.type);
    i.id = raw.id;
    i.key_size = raw.key_size;
    i.value_size = raw.value_size;
    i.max_entries = raw.max_entries;
    i.flags = raw.map_flags;
    i.map_extra = raw.map_extra;
    i.btf_id = raw.btf_id;
    i.btf_key_type_id = raw.btf_key_type_id;
    i.btf_value_type_id = raw.btf_value_type_id;
    i.btf_vmlinux_value_type_id = raw.btf_vmlinux_value_type_id;
    i.ifindex = raw.ifindex;
    i.name.assign(raw.name, strnlen(raw.name, sizeof raw.name));
    return i;
}
}  // namespace detail

Result<void> Map::unpin(const char* path) const {
    const std::string what = format("map '%s': unpin %s", s_->name.c_str(), path);
    auto pinned = sys::obj_get(path);
    if (!pinned) return std::move(pinned).error().context(what);
    // The pin may hold a program or a link: their info is another struct, and its id says nothing about maps.
    auto theirs = Map::from_fd(std::move(*pinned));
    if (!theirs) return Error(Errc::InvalidArgument, format("%s: the pin is not a map", what.c_str()));
    auto mine = map_id_of(s_->fd.get());
    if (!mine) return std::move(mine).error().context(what);
    auto other = map_id_of(theirs->fd().get());
    if (!other) return std::move(other).error().context(what);
    if (*mine != *other)
        return Error(Errc::InvalidArgument,
                     format("%s: the pin holds map id %u ('%s'), this map is id %u", what.c_str(), *other,
                            theirs->name().c_str(), *mine));
    if (auto r = sys::unlink_path(path); !r) return std::move(r).error().context(what);
    return {};
}

Result<std::vector<std::uint32_t>> loaded_map_ids() {
    std::vector<std::uint32_t> ids;
    std::uint32_t id = 0;
    for (;;) {
        auto next = sys::get_next_id(sys::Cmd::MapGetNextId, id);
        if (!next) return std::move(next).error().context("list loaded maps");
        if (!*next) break;
        id = **next;
        ids.push_back(id);
    }
    return ids;
}

Result<std::vector<MapInfo>> loaded_maps() {
    EBPF_TRY_ASSIGN(const std::vector<std::uint32_t> ids, loaded_map_ids());
    std::vector<MapInfo> out;
    out.reserve(ids.size());
    for (const std::uint32_t id : ids) {
        auto fd = sys::get_fd_by_id(sys::Cmd::MapGetFdById, id);
        if (!fd) {
            if (fd.error().sys_errno() == ENOENT) continue;  // freed since it was listed
            return std::move(fd).error().context(format("list loaded maps: open map id %u", id));
        }
        // Not through Map::from_fd: a per-CPU map would read the possible-CPU count for nothing.
        sys::MapInfoRaw raw{};
        std::uint32_t len = sizeof raw;
        if (auto r = sys::obj_get_info_by_fd(fd->get(), &raw, len); !r)
            return std::move(r).error().context(format("list loaded maps: map id %u", id));
        out.push_back(detail::to_map_info(raw));
    }
    return out;
}

}  // namespace ebpf
