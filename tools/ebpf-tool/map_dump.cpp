// SPDX-License-Identifier: MIT
// ebpf-tool map dump ID|--pin PATH|--name NAME: every entry of a loaded map, keys and values formatted by the
// map's BTF (decimal integers, struct members by name); hex bytes for maps without BTF.
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <ebpf/kernel_btf.hpp>
#include <ebpf/map.hpp>

#include "btf_value.hpp"
#include "commands.hpp"
#include "json.hpp"

namespace ebpf::tool {

namespace {

Result<Map> open_map_by_name(const std::string& name) {
    auto maps = loaded_maps();
    if (!maps) return std::move(maps).error();
    std::vector<std::uint32_t> ids;
    for (const MapInfo& m : *maps)
        if (m.name == name) ids.push_back(m.id);
    if (ids.empty()) return Error(Errc::NotFound, "no loaded map is named '" + name + "'");
    if (ids.size() > 1) {
        std::string list;
        for (std::uint32_t id : ids) list += (list.empty() ? "" : ", ") + std::to_string(id);
        return Error(Errc::InvalidArgument, "map name '" + name + "' is ambiguous: ids " + list + " (dump by id)");
    }
    return Map::from_id(ids.front());
}

bool dumpable(MapType t) {
    switch (t) {
    case MapType::Ringbuf:
    case MapType::UserRingbuf:
    case MapType::Queue:
    case MapType::Stack:
    case MapType::BloomFilter:
    case MapType::StructOps:
    case MapType::Arena:
    case MapType::PerfEventArray: return false;
    default: return true;
    }
}

}  // namespace

int cmd_map_dump(std::span<const std::string_view> args) {
    bool json = false;
    std::optional<std::uint32_t> id;
    std::string pin, name;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if (a == "--json") {
            json = true;
        } else if ((a == "--pin" || a == "--name") && i + 1 < args.size()) {
            (a == "--pin" ? pin : name) = std::string(args[++i]);
        } else if (a.starts_with("-")) {
            return usage_error("map dump: unknown or incomplete option '" + std::string(a) + "'");
        } else if (!id) {
            std::uint32_t v = 0;
            if (!parse_id(a, v)) return usage_error("map dump: '" + std::string(a) + "' is not an id (a positive number)");
            id = v;
        } else {
            return usage_error("map dump: more than one map");
        }
    }
    if ((id ? 1 : 0) + (pin.empty() ? 0 : 1) + (name.empty() ? 0 : 1) != 1)
        return usage_error("map dump: give exactly one of ID, --pin PATH, --name NAME");
    Result<Map> map = id ? Map::from_id(*id) : !pin.empty() ? Map::from_pin(pin.c_str()) : open_map_by_name(name);
    if (!map) return fail("map dump: " + std::string(map.error().message()));
    auto info = map->info();
    if (!info) return fail("map dump: " + std::string(info.error().message()));
    const std::string what = "map dump: map id " + std::to_string(info->id) + " ('" + info->name + "')";
    if (!dumpable(info->type))
        return fail(what + ": a " + std::string(to_string(info->type)) + " map has no entries to dump by key");
    std::optional<btf::Spec> spec;
    if (info->btf_id != 0 && (info->btf_key_type_id != 0 || info->btf_value_type_id != 0)) {
        auto s = loaded_btf_spec(info->btf_id);
        if (!s) return fail(what + ": " + std::string(s.error().message()));
        spec = std::move(*s);
    }
    const bool per_cpu = is_per_cpu(info->type);
    const std::size_t stride = (static_cast<std::size_t>(info->value_size) + 7) / 8 * 8;
    std::vector<std::byte> key(info->key_size), next(info->key_size), value(map->value_buffer_size());
    // Array-like maps are indexed by a u32, also when their BTF names no key type (global data sections).
    const bool indexed = info->type == MapType::Array || info->type == MapType::PercpuArray ||
                         info->type == MapType::ProgArray || info->type == MapType::CgroupArray ||
                         info->type == MapType::ArrayOfMaps || info->type == MapType::Devmap ||
                         info->type == MapType::Cpumap || info->type == MapType::Xskmap;
    auto write_part = [&](Json& j, btf::TypeId type, std::span<const std::byte> bytes) {
        if (spec && type != 0) {
            write_btf_value(j, *spec, type, bytes);
        } else if (indexed && bytes.size() == sizeof(std::uint32_t) && bytes.data() == key.data()) {
            std::uint32_t index = 0;
            std::memcpy(&index, bytes.data(), sizeof index);
            j.value(index);
        } else {
            write_hex_bytes(j, bytes);
        }
    };
    Json out;
    out.begin_array();
    std::size_t count = 0;
    bool first = true;
    for (;;) {
        auto more = map->next_key(first ? std::span<const std::byte>() : std::span<const std::byte>(key), next);
        if (!more) return fail(what + ": " + std::string(more.error().message()));
        if (!*more) break;
        first = false;
        key = next;
        auto found = map->lookup(key, value);
        if (!found) return fail(what + ": " + std::string(found.error().message()));
        if (!*found) continue;  // deleted since its key was read
        ++count;
        Json entry;
        Json& j = json ? out : entry;
        j.begin_object().key("key");
        write_part(j, info->btf_key_type_id, key);
        if (per_cpu) {
            j.key("values").begin_array();
            for (std::size_t cpu = 0; cpu * stride < value.size(); ++cpu) {
                j.begin_object().field("cpu", static_cast<std::uint64_t>(cpu)).key("value");
                write_part(j, info->btf_value_type_id,
                           std::span<const std::byte>(value).subspan(cpu * stride, info->value_size));
                j.end_object();
            }
            j.end_array();
        } else {
            j.key("value");
            write_part(j, info->btf_value_type_id, value);
        }
        j.end_object();
        if (!json) std::printf("%s\n", entry.str().c_str());
    }
    out.end_array();
    if (json) std::printf("%s\n", out.str().c_str());
    else std::printf("Found %zu element%s\n", count, count == 1 ? "" : "s");
    return std::fflush(stdout) == 0 ? kExitOk : fail("writing the output failed");
}

int cmd_map(std::span<const std::string_view> args) {
    if (!args.empty() && args[0] == "dump") return cmd_map_dump(args.subspan(1));
    return cmd_map_listing(args);
}

}  // namespace ebpf::tool
