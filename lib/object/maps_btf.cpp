// SPDX-License-Identifier: MIT
// BTF-defined maps in SEC(".maps"): each variable is a struct whose members encode the definition
// (__uint(name, N) is "int (*name)[N]", __type(name, T) is "T *name", __array(values, T) holds inner maps/programs).
#include "base/try.hpp"
#include "object/parser.hpp"

namespace ebpf::detail {

namespace {

struct MapDefContext {
    ObjectParser& p;
    const btf::Spec& b;
    std::string map_name;
    Error fail(std::string msg) const {
        return Error(Errc::MalformedObject, format("map '%s': %s", map_name.c_str(), msg.c_str()));
    }
};

// __uint(name, N): PTR -> ARRAY[N]; the number is the array length.
Result<std::uint32_t> uint_attr(const MapDefContext& c, const btf::Member& m) {
    EBPF_TRY_ASSIGN(const btf::Type ptr, c.b.skip_modifiers(m.type));
    if (ptr.kind() != btf::Kind::Ptr)
        return c.fail(format("attribute '%.*s' must be declared with __uint() (a pointer to an array), found %.*s",
                             EBPF_SV(m.name), EBPF_SV(btf::to_string(ptr.kind()))));
    EBPF_TRY_ASSIGN(const btf::Type arr, c.b.type(ptr.type()));
    if (arr.kind() != btf::Kind::Array)
        return c.fail(format("attribute '%.*s' must point to an array, found %.*s", EBPF_SV(m.name),
                             EBPF_SV(btf::to_string(arr.kind()))));
    return arr.array().nelems;
}

// __ulong(name, N) is an anonymous one-value enum; __uint also works for 64-bit attributes.
Result<std::uint64_t> ulong_attr(const MapDefContext& c, const btf::Member& m) {
    EBPF_TRY_ASSIGN(const btf::Type t, c.b.skip_modifiers(m.type));
    if ((t.kind() == btf::Kind::Enum || t.kind() == btf::Kind::Enum64) && t.vlen() == 1)
        return static_cast<std::uint64_t>(t.enumerator(0).value);
    return uint_attr(c, m).transform([](std::uint32_t v) { return static_cast<std::uint64_t>(v); });
}

// __type(name, T): PTR -> T; returns T's id.
Result<btf::TypeId> type_attr(const MapDefContext& c, const btf::Member& m) {
    EBPF_TRY_ASSIGN(const btf::Type ptr, c.b.skip_modifiers(m.type));
    if (ptr.kind() != btf::Kind::Ptr)
        return c.fail(format("attribute '%.*s' must be declared with __type() (a pointer), found %.*s",
                             EBPF_SV(m.name), EBPF_SV(btf::to_string(ptr.kind()))));
    return ptr.type();
}

bool is_map_in_map(MapType t) { return t == MapType::ArrayOfMaps || t == MapType::HashOfMaps; }

Result<void> parse_def(const MapDefContext& c, const btf::Type& def, MapSpec& m, bool inner,
                       std::uint32_t* values_member_offset) {
    std::optional<std::uint32_t> key_size, value_size;
    btf::TypeId values_type = 0;
    for (std::uint32_t i = 0; i < def.vlen(); ++i) {
        const btf::Member mem = def.member(i);
        const std::string_view n = mem.name;
        if (n == "type") {
            EBPF_TRY_ASSIGN(const std::uint32_t v, uint_attr(c, mem));
            m.type = static_cast<MapType>(v);
        } else if (n == "max_entries") {
            EBPF_TRY_ASSIGN(m.max_entries, uint_attr(c, mem));
        } else if (n == "map_flags") {
            EBPF_TRY_ASSIGN(m.flags, uint_attr(c, mem));
        } else if (n == "numa_node") {
            EBPF_TRY_ASSIGN(m.numa_node, uint_attr(c, mem));
        } else if (n == "map_extra") {
            EBPF_TRY_ASSIGN(m.map_extra, ulong_attr(c, mem));
        } else if (n == "key_size") {
            EBPF_TRY_ASSIGN(key_size, uint_attr(c, mem));
        } else if (n == "value_size") {
            EBPF_TRY_ASSIGN(value_size, uint_attr(c, mem));
        } else if (n == "key") {
            EBPF_TRY_ASSIGN(m.key_type, type_attr(c, mem));
            auto sz = c.b.resolve_size(m.key_type);
            if (!sz) return c.fail(format("cannot size key type: %.*s", EBPF_SV(sz.error().message())));
            if (key_size && *key_size != *sz)
                return c.fail(format("key_size %u conflicts with key type of %u bytes", *key_size, *sz));
            key_size = *sz;
        } else if (n == "value") {
            EBPF_TRY_ASSIGN(m.value_type, type_attr(c, mem));
            auto sz = c.b.resolve_size(m.value_type);
            if (!sz) return c.fail(format("cannot size value type: %.*s", EBPF_SV(sz.error().message())));
            if (value_size && *value_size != *sz)
                return c.fail(format("value_size %u conflicts with value type of %u bytes", *value_size, *sz));
            value_size = *sz;
        } else if (n == "pinning") {
            if (inner) return c.fail("inner map definitions cannot be pinned");
            EBPF_TRY_ASSIGN(const std::uint32_t v, uint_attr(c, mem));
            if (v > 1) return c.fail(format("unsupported pinning %u (0: none, 1: by name)", v));
            m.pinning = static_cast<PinType>(v);
        } else if (n == "values") {
            if (i + 1 != def.vlen()) return c.fail("'values' must be the last member");
            if (mem.bit_offset % 8) return c.fail("'values' is not byte-aligned");
            values_type = mem.type;
            if (values_member_offset) *values_member_offset = mem.bit_offset / 8;
        } else {
            return c.fail(format("unknown attribute '%.*s'", EBPF_SV(n)));
        }
    }
    if (m.type == MapType::Unspec) return c.fail("missing 'type'");
    m.key_size = key_size.value_or(0);
    m.value_size = value_size.value_or(0);

    if (values_type) {
        // __array(values, T): a zero-length array of pointers to T, an inner map definition or a program prototype.
        EBPF_TRY_ASSIGN(const btf::Type arr, c.b.skip_modifiers(values_type));
        if (arr.kind() != btf::Kind::Array) return c.fail("'values' must be an array");
        EBPF_TRY_ASSIGN(const btf::Type ptr, c.b.skip_modifiers(arr.array().elem_type));
        if (ptr.kind() != btf::Kind::Ptr) return c.fail("'values' must be an array of pointers");
        EBPF_TRY_ASSIGN(const btf::Type target, c.b.skip_modifiers(ptr.type()));
        if (is_map_in_map(m.type)) {
            if (inner) return c.fail("nested map-in-map definitions are not supported");
            if (target.kind() != btf::Kind::Struct) return c.fail("'values' of a map-in-map must point to a map definition");
            MapSpec in;
            in.name = c.map_name + ".inner";
            MapDefContext ic{c.p, c.b, in.name};
            EBPF_TRY(parse_def(ic, target, in, true, nullptr));
            m.inner = std::make_shared<const MapSpec>(std::move(in));
        } else if (m.type == MapType::ProgArray) {
            if (target.kind() != btf::Kind::FuncProto) return c.fail("'values' of a prog array must be programs");
        } else {
            return c.fail(format("'values' is only valid for map-in-map and prog arrays, not %.*s maps",
                                 EBPF_SV(to_string(m.type))));
        }
        if (value_size && *value_size != 4) return c.fail("value_size must be 4 for maps with 'values'");
        m.value_size = 4;  // the value of these maps is an fd
        m.value_type = 0;
    }
    return {};
}

// Slot initialisers for map-in-map / prog arrays: relocations inside the 'values' array of a definition.
Result<void> collect_slots(ObjectParser& p, const std::vector<std::uint32_t>& values_off) {
    auto it = p.rel_of_section.find(p.maps_sec->index);
    if (it == p.rel_of_section.end()) return {};
    EBPF_TRY_ASSIGN(const auto relocs, p.elf.relocations(*it->second));
    for (const elf::Relocation& r : relocs) {
        if (r.symbol >= p.symbols.size())
            return p.fail(Errc::MalformedObject, format(".rel.maps: relocation against symbol %u, which does not exist",
                                                        r.symbol));
        const elf::Symbol& sym = p.symbols[r.symbol];
        // Find the map whose 'values' array holds this offset.
        MapSpec* owner = nullptr;
        std::uint32_t slot = 0;
        for (std::size_t i = 0; i < p.out.maps.size(); ++i) {
            MapSpec& m = p.out.maps[i];
            if (m.kind != MapKind::User || values_off[i] == 0xffffffffu) continue;
            const std::uint64_t base = std::uint64_t{m.section_offset} + values_off[i];
            if (r.offset >= base && (r.offset - base) % 8 == 0 && (r.offset - base) / 8 < 0x10000000u) {
                if (!owner || m.section_offset > owner->section_offset) {
                    owner = &m;
                    slot = static_cast<std::uint32_t>((r.offset - base) / 8);
                }
            }
        }
        if (!owner)
            return p.fail(Errc::MalformedObject, format(".rel.maps: relocation at offset %llu is not inside a 'values' array",
                                                        static_cast<unsigned long long>(r.offset)));
        if (owner->max_entries && slot >= owner->max_entries)
            return p.fail(Errc::MalformedObject, format("map '%s': initial slot %u is beyond max_entries %u",
                                                        owner->name.c_str(), slot, owner->max_entries));
        owner->initial_slots.emplace_back(slot, std::string(sym.name));
    }
    return {};
}

}  // namespace

Result<void> collect_btf_maps(ObjectParser& p) {
    if (!p.maps_sec) return {};
    if (!p.raw_btf) return p.fail(Errc::MalformedObject, "section .maps needs BTF (compile with clang -g)");
    const btf::Spec& b = *p.raw_btf;
    auto ds_id = b.find(".maps", btf::Kind::Datasec);
    if (!ds_id) return p.fail(Errc::MalformedBtf, "section .maps has no BTF DATASEC '.maps'");
    const btf::Type ds = b.type_or_void(*ds_id);
    std::vector<std::uint32_t> values_off(p.out.maps.size(), 0xffffffffu);
    for (std::uint32_t i = 0; i < ds.vlen(); ++i) {
        EBPF_TRY_ASSIGN(const btf::Type var, b.type(ds.secinfo(i).type));
        if (var.kind() != btf::Kind::Var)
            return p.fail(Errc::MalformedBtf, format("DATASEC .maps entry %u is a %.*s, not a variable", i,
                                                     EBPF_SV(btf::to_string(var.kind()))));
        MapSpec m;
        m.name = std::string(var.name());
        MapDefContext c{p, b, m.name};
        if (var.linkage() != btf::kVarGlobalAllocated)
            return c.fail("map definitions must be non-static globals (unsupported map linkage)");
        EBPF_TRY_ASSIGN(const btf::Type def, b.skip_modifiers(var.type()));
        if (def.kind() != btf::Kind::Struct)
            return c.fail(format("definition is a %.*s, expected a struct", EBPF_SV(btf::to_string(def.kind()))));
        const elf::Symbol* sym = p.find_symbol(p.maps_sec->index, m.name);
        if (!sym) return c.fail("no ELF symbol in section .maps");
        if (sym->value > 0xffffffffu) return c.fail("symbol offset out of range");
        m.section_offset = static_cast<std::uint32_t>(sym->value);
        std::uint32_t voff = 0xffffffffu;
        EBPF_TRY(parse_def(c, def, m, false, &voff));
        values_off.push_back(voff);
        p.map_at[{p.maps_sec->index, m.section_offset}] = static_cast<std::uint32_t>(p.out.maps.size());
        p.out.maps.push_back(std::move(m));
    }
    return collect_slots(p, values_off);
}

Result<void> collect_legacy_maps(ObjectParser& p) {
    // struct bpf_map_def { u32 type, key_size, value_size, max_entries, map_flags; } followed by optional fields
    // (iproute2 adds id, pinning, inner_id, inner_idx), which are ignored.
    if (!p.legacy_maps_sec) return {};
    const elf::Section& s = *p.legacy_maps_sec;
    const detail::ByteView v = p.elf.view(s);
    for (const elf::Symbol& sym : p.symbols) {
        if (sym.shndx != s.index || sym.name.empty() || sym.type == elf::STT_SECTION) continue;
        if (!v.contains(sym.value, 20))
            return p.fail(Errc::MalformedObject, format("legacy map '%.*s': definition outside section maps",
                                                        EBPF_SV(sym.name)));
        const auto o = static_cast<std::size_t>(sym.value);
        MapSpec m;
        m.name = std::string(sym.name);
        m.type = static_cast<MapType>(v.load<std::uint32_t>(o));
        m.key_size = v.load<std::uint32_t>(o + 4);
        m.value_size = v.load<std::uint32_t>(o + 8);
        m.max_entries = v.load<std::uint32_t>(o + 12);
        m.flags = v.load<std::uint32_t>(o + 16);
        m.section_offset = static_cast<std::uint32_t>(sym.value);
        if (p.out.map(m.name))
            return p.fail(Errc::MalformedObject, format("map '%s' is defined twice", m.name.c_str()));
        p.map_at[{s.index, sym.value}] = static_cast<std::uint32_t>(p.out.maps.size());
        p.out.maps.push_back(std::move(m));
    }
    return {};
}

}  // namespace ebpf::detail
