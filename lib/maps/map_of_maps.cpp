// SPDX-License-Identifier: MIT
// Map-in-map: inner maps created from the outer map's template, set by fd, read back by id.
#include <ebpf/maps/map_of_maps.hpp>
#include <ebpf/spec.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "base/try.hpp"

namespace ebpf::detail {

namespace {
// The shape of a map already in a slot, as a template, when the outer map has no spec (opened by pin or id).
Result<std::optional<MapSpec>> template_from_a_slot(const Map& outer) {
    std::vector<std::byte> key(outer.key_size()), next(outer.key_size());
    for (std::uint32_t i = 0; i < outer.max_entries(); ++i) {
        auto more = outer.next_key(i == 0 ? std::span<const std::byte>{} : std::span<const std::byte>(key), next);
        if (!more) return std::move(more).error();
        if (!*more) break;
        key = next;
        EBPF_TRY_ASSIGN(const std::optional<Map> inner, get_inner_map(outer, key));
        if (!inner) continue;
        EBPF_TRY_ASSIGN(const MapInfo info, inner->info());
        MapSpec s;
        s.name = inner->name();
        s.type = info.type;
        s.key_size = info.key_size;
        s.value_size = info.value_size;
        s.max_entries = info.max_entries;
        s.flags = info.flags;
        s.map_extra = info.map_extra;
        return std::optional<MapSpec>(std::move(s));
    }
    return std::optional<MapSpec>{};
}
}  // namespace

Result<Map> create_inner_map(const Map& outer, std::string_view name) {
    const std::string what = format("map '%s': create an inner map", outer.name().c_str());
    std::optional<MapSpec> spec;
    if (const MapSpec* s = outer.inner_spec()) {
        spec = *s;
    } else {
        auto found = template_from_a_slot(outer);
        if (!found) return std::move(found).error().context(what);
        spec = std::move(*found);
    }
    if (!spec)
        return Error(Errc::NotFound, format("%s: its inner template is unknown (the map was opened by pin, fd or id, "
                                            "and no slot holds a map to copy): create the map with Map::create",
                                            what.c_str()));
    if (!name.empty()) spec->name = std::string(name);
    spec->pinning = PinType::None;
    auto m = Map::create(*spec);
    if (!m) return std::move(m).error().context(what);
    return m;
}

Result<void> set_inner_map(const Map& outer, std::span<const std::byte> key, const Map& inner, UpdateFlags flags) {
    const std::uint32_t fd = static_cast<std::uint32_t>(inner.fd().get());
    auto r = outer.update(key, as_bytes_of(fd), flags);
    if (!r) {
        Error e = std::move(r).error();
        if (e.sys_errno() == EINVAL)
            e.context(format("the inner map '%s' (%.*s, key %u, value %u, max_entries %u) does not match the "
                             "outer map's template",
                             inner.name().c_str(), EBPF_SV(to_string(inner.type())), inner.key_size(),
                             inner.value_size(), inner.max_entries()));
        return e;
    }
    return {};
}

Result<std::optional<Map>> get_inner_map(const Map& outer, std::span<const std::byte> key) {
    EBPF_TRY_ASSIGN(const std::optional<std::uint32_t> id, lookup_as<std::uint32_t>(outer, key));
    if (!id) return std::optional<Map>{};
    auto m = Map::from_id(*id);
    if (!m) return std::move(m).error().context(format("map '%s': open its inner map", outer.name().c_str()));
    return std::optional<Map>(std::move(*m));
}

}  // namespace ebpf::detail
