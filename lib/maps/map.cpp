// SPDX-License-Identifier: MIT
// Map: creation from a spec (with a retry without BTF), opening by pin/fd/id, and untyped element access.
#include <ebpf/map.hpp>
#include <ebpf/spec.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/format.hpp"
#include "base/kernel_name.hpp"
#include "base/try.hpp"
#include "sys/bpf.hpp"
#include "sys/info.hpp"
#include "sys/proc.hpp"
#include "maps/map_info.hpp"

namespace ebpf {

using detail::format;

bool is_per_cpu(MapType t) noexcept {
    return t == MapType::PercpuHash || t == MapType::PercpuArray || t == MapType::LruPercpuHash ||
           t == MapType::PercpuCgroupStorage;
}

Result<std::uint32_t> possible_cpus() {
    // The possible-CPU count never changes while we run, so it is read once.
    static const Result<std::uint32_t> cached = sys::read_cpu_list("/sys/devices/system/cpu/possible");
    return cached;
}

namespace {

// Maps whose key/value BTF the kernel rejects (it has no use for it): libbpf and cilium drop it the same way.
bool takes_btf_key_value(MapType t) {
    switch (t) {
    case MapType::PerfEventArray:
    case MapType::CgroupArray:
    case MapType::StackTrace:
    case MapType::ArrayOfMaps:
    case MapType::HashOfMaps:
    case MapType::Devmap:
    case MapType::DevmapHash:
    case MapType::Cpumap:
    case MapType::Xskmap:
    case MapType::Sockmap:
    case MapType::Sockhash:
    case MapType::Queue:
    case MapType::Stack:
    case MapType::Ringbuf:
    case MapType::UserRingbuf:
    case MapType::Arena: return false;
    default: return true;
    }
}

}  // namespace

Result<Map> Map::make(UniqueFd fd, std::string name, MapType type, std::uint32_t key_size, std::uint32_t value_size,
                      std::uint32_t max_entries, std::uint32_t flags, std::uint64_t map_extra) {
    auto st = std::make_shared<detail::MapState>();
    st->value_buf_size = value_size;
    if (is_per_cpu(type)) {
        // The kernel copies one value per possible CPU: a buffer sized for fewer would be overrun, so a map whose
        // CPU count is unknown cannot be used at all.
        auto n = possible_cpus();
        if (!n) return std::move(n).error().context(format("map '%s': per-CPU values", name.c_str()));
        st->value_buf_size = (static_cast<std::size_t>(value_size) + 7) / 8 * 8 * *n;
    }
    st->fd = std::move(fd);
    st->name = std::move(name);
    st->type = type;
    st->key_size = key_size;
    st->value_size = value_size;
    st->max_entries = max_entries;
    st->flags = flags;
    st->map_extra = map_extra;
    return Map(std::move(st));
}

Result<Map> Map::create(const MapSpec& spec, const MapCreateOptions& options) {
    sys::MapCreateAttr a{};
    a.map_type = static_cast<std::uint32_t>(spec.type);
    a.key_size = spec.key_size;
    a.value_size = spec.value_size;
    a.max_entries = spec.max_entries;
    a.map_flags = spec.flags;
    a.numa_node = spec.numa_node;
    a.map_extra = spec.map_extra;
    a.inner_map_fd = options.inner_map_fd >= 0 ? static_cast<std::uint32_t>(options.inner_map_fd) : 0;
    const std::string kname =
        options.kernel_name.empty() ? detail::kernel_object_name(spec.name) : options.kernel_name;
    std::memcpy(a.map_name, kname.data(), std::min<std::size_t>(kname.size(), sizeof a.map_name - 1));
    const bool with_btf = options.btf_fd >= 0 && spec.value_type != 0 && takes_btf_key_value(spec.type);
    if (with_btf) {
        a.btf_fd = static_cast<std::uint32_t>(options.btf_fd);
        a.btf_key_type_id = spec.key_type;
        a.btf_value_type_id = spec.value_type;
    }
    auto fd = sys::map_create(a);
    if (!fd && with_btf && fd.error().sys_errno() == EINVAL) {
        // Older kernels reject some BTF with EINVAL (e.g. DATASEC before 5.2); the map works without it. If it
        // fails without BTF too, the first error is the one reported (a value that needs BTF, such as a spin lock).
        a.btf_fd = a.btf_key_type_id = a.btf_value_type_id = 0;
        if (auto retry = sys::map_create(a)) fd = std::move(retry);
    }
    if (!fd) {
        Error e = std::move(fd).error();
        if (e.sys_errno() == EINVAL && (spec.type == MapType::Ringbuf || spec.type == MapType::UserRingbuf))
            e.context("ring buffer size must be a power of 2 and a multiple of the page size");
        else if (e.sys_errno() == EPERM)  // as for programs (lib/programs/program.cpp); found on 5.10 by tools/matrix
            e.context("(needs CAP_BPF or root; on kernels before 5.11 RLIMIT_MEMLOCK may also be too low)");
        return std::move(e).context(format("create map '%s' (%.*s, key %u, value %u, max_entries %u)",
                                           spec.name.c_str(), EBPF_SV(to_string(spec.type)), spec.key_size,
                                           spec.value_size, spec.max_entries));
    }
    auto m = make(std::move(*fd), spec.name, spec.type, spec.key_size, spec.value_size, spec.max_entries, spec.flags,
                  spec.map_extra);
    if (m && spec.inner) m->s_->inner = spec.inner;
    return m;
}

void detail_rename_map(Map& m, std::string name) { m.s_->name = std::move(name); }

Result<Map> Map::dup() const {
    auto fd = sys::dup_fd(s_->fd.get());
    if (!fd) return std::move(fd).error().context(format("map '%s': dup", s_->name.c_str()));
    auto m = make(std::move(*fd), s_->name, s_->type, s_->key_size, s_->value_size, s_->max_entries, s_->flags,
                  s_->map_extra);
    if (m) m->s_->inner = s_->inner;
    return m;
}

Result<Map> Map::from_fd(UniqueFd fd) {
    sys::MapInfoRaw info{};
    std::uint32_t len = sizeof info;
    if (auto r = sys::obj_get_info_by_fd(fd.get(), &info, len); !r) return std::move(r).error().context("open map");
    std::string name(info.name, strnlen(info.name, sizeof info.name));
    return make(std::move(fd), std::move(name), static_cast<MapType>(info.type), info.key_size, info.value_size,
                info.max_entries, info.map_flags, info.map_extra);
}

Result<Map> Map::from_pin(const char* path) {
    auto fd = sys::obj_get(path);
    if (!fd) return std::move(fd).error().context(format("open pinned map %s", path));
    return from_fd(std::move(*fd));
}

Result<Map> Map::from_id(std::uint32_t id) {
    auto fd = sys::get_fd_by_id(sys::Cmd::MapGetFdById, id);
    if (!fd) return std::move(fd).error().context(format("open map id %u", id));
    return from_fd(std::move(*fd));
}

Result<void> Map::check_sizes(std::size_t key, std::size_t value, bool need_value) const {
    if (key != s_->key_size)
        return Error(Errc::InvalidArgument, format("map '%s': key of %zu bytes, the map's keys are %u bytes",
                                                   s_->name.c_str(), key, s_->key_size));
    if (need_value && value != s_->value_buf_size)
        return Error(Errc::InvalidArgument, format("map '%s': value buffer of %zu bytes, expected %zu",
                                                   s_->name.c_str(), value, s_->value_buf_size));
    return {};
}

Result<bool> Map::lookup(std::span<const std::byte> key, std::span<std::byte> value, LookupFlags flags) const {
    EBPF_TRY(check_sizes(key.size(), value.size(), true));
    auto r = sys::map_lookup_elem(s_->fd.get(), key.data(), value.data(), static_cast<std::uint64_t>(flags));
    if (!r) return std::move(r).error().context(format("map '%s': lookup", s_->name.c_str()));
    return r;
}

Result<void> Map::update(std::span<const std::byte> key, std::span<const std::byte> value, UpdateFlags flags) const {
    EBPF_TRY(check_sizes(key.size(), value.size(), true));
    auto r = sys::map_update_elem(s_->fd.get(), key.data(), value.data(), static_cast<std::uint64_t>(flags));
    if (!r) {
        Error e = std::move(r).error();
        if (e.sys_errno() == E2BIG)
            e.context(format("the map is full (max_entries %u)", s_->max_entries));
        return std::move(e).context(format("map '%s': update", s_->name.c_str()));
    }
    return {};
}

Result<bool> Map::erase(std::span<const std::byte> key) const {
    EBPF_TRY(check_sizes(key.size(), 0, false));
    auto r = sys::map_delete_elem(s_->fd.get(), key.data());
    if (!r) return std::move(r).error().context(format("map '%s': delete", s_->name.c_str()));
    return r;
}

Result<bool> Map::lookup_and_erase(std::span<const std::byte> key, std::span<std::byte> value) const {
    // Queues and stacks have no key (key_size 0): they take an empty key span. The value is always checked.
    EBPF_TRY(check_sizes(key.size(), value.size(), true));
    auto r = sys::map_lookup_and_delete_elem(s_->fd.get(), key.empty() ? nullptr : key.data(), value.data());
    if (!r) return std::move(r).error().context(format("map '%s': lookup and delete", s_->name.c_str()));
    return r;
}

Result<bool> Map::next_key(std::span<const std::byte> key, std::span<std::byte> next) const {
    if (!key.empty()) EBPF_TRY(check_sizes(key.size(), 0, false));
    EBPF_TRY(check_sizes(next.size(), 0, false));
    auto r = sys::map_get_next_key(s_->fd.get(), key.empty() ? nullptr : key.data(), next.data());
    if (!r) return std::move(r).error().context(format("map '%s': next key", s_->name.c_str()));
    return r;
}

Result<void> Map::freeze() const {
    auto r = sys::map_freeze(s_->fd.get());
    if (!r) return std::move(r).error().context(format("map '%s': freeze", s_->name.c_str()));
    return {};
}

Result<void> Map::pin(const char* path) const {
    auto r = sys::obj_pin(s_->fd.get(), path);
    if (!r) return std::move(r).error().context(format("map '%s': pin at %s", s_->name.c_str(), path));
    return {};
}

Result<MapInfo> Map::info() const {
    sys::MapInfoRaw raw{};
    std::uint32_t len = sizeof raw;
    if (auto r = sys::obj_get_info_by_fd(s_->fd.get(), &raw, len); !r)
        return std::move(r).error().context(format("map '%s': info", s_->name.c_str()));
    return detail::to_map_info(raw);
}

}  // namespace ebpf
