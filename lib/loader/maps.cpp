// SPDX-License-Identifier: MIT
// Loader step: create maps (inner-map templates first), reuse pinned ones, initialise global data and slots.
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <ebpf/features.hpp>

#include "base/format.hpp"
#include "base/kernel_name.hpp"
#include "base/try.hpp"
#include "features/own_probes.hpp"
#include "loader/state.hpp"
#include "sys/bpf.hpp"

namespace ebpf::detail {

std::string kernel_map_name(std::string_view object_name, const MapSpec& m) {
    const bool internal = m.kind != MapKind::User;
    // ".data.foo" style sections keep their own name; the four standard ones get an object prefix.
    if (internal && m.name.find('.', 1) == std::string::npos)
        return kernel_object_name(std::string(object_name.substr(0, m.kind == MapKind::Kconfig ? 7 : 8)) + m.name);
    return kernel_object_name(m.name);
}

Result<void> apply_spec_options(ObjectSpec& spec, const LoadOptions& o) {
    for (const GlobalValue& g : o.globals) {
        const VariableSpec* v = nullptr;
        for (const VariableSpec& vs : spec.variables)
            if (vs.name == g.name) v = &vs;
        if (!v) return Error(Errc::NotFound, format("set global '%s': no such variable", g.name.c_str()));
        if (g.value.size() != v->size)
            return Error(Errc::InvalidArgument, format("set global '%s': the variable has %u bytes, the value %zu",
                                                       g.name.c_str(), v->size, g.value.size()));
        MapSpec* m = spec.map(v->map);
        if (!m || m->value_size < std::size_t{v->offset} + v->size)
            return Error(Errc::InvalidArgument, format("set global '%s': its section is missing", g.name.c_str()));
        if (m->contents.empty()) m->contents.assign(m->value_size, std::byte{0});  // .bss: materialise the zeros
        std::memcpy(m->contents.data() + v->offset, g.value.data(), v->size);
    }
    for (const auto& [name, on] : o.autoload)
        if (!spec.program(name))
            return Error(Errc::NotFound, format("autoload of '%s': no such program", name.c_str()));
    for (const LoadOptions::ProgramTypeOverride& t : o.program_types) {
        ProgramSpec* p = spec.program(t.program);
        if (!p) return Error(Errc::NotFound, format("program type of '%s': no such program", t.program.c_str()));
        p->type = t.type;
        p->expected_attach_type = t.expected_attach_type;
        p->flags = flags_for_program_type(p->flags, t.type);
    }
    for (const auto& [name, n] : o.max_entries) {
        MapSpec* m = spec.map(name);
        if (!m) return Error(Errc::NotFound, format("set max_entries of '%s': no such map", name.c_str()));
        if (m->kind != MapKind::User)
            return Error(Errc::InvalidArgument, format("set max_entries of '%s': global data maps have one entry",
                                                       name.c_str()));
        m->max_entries = n;
    }
    return {};
}

namespace {

// A pinned map may be reused only if it has exactly the shape the object declares.
Result<void> check_compatible(const Map& existing, const MapSpec& want, const char* path) {
    auto info = existing.info();
    if (!info) return std::move(info).error();
    std::string diff;
    auto cmp = [&](const char* what, std::uint64_t have, std::uint64_t need) {
        if (have != need)
            diff += format("%s%s %llu (object wants %llu)", diff.empty() ? "" : ", ", what,
                           static_cast<unsigned long long>(have), static_cast<unsigned long long>(need));
    };
    cmp("type", static_cast<std::uint32_t>(info->type), static_cast<std::uint32_t>(want.type));
    cmp("key_size", info->key_size, want.key_size);
    cmp("value_size", info->value_size, want.value_size);
    cmp("max_entries", info->max_entries, want.max_entries);
    cmp("map_flags", info->flags, want.flags);
    cmp("map_extra", info->map_extra, want.map_extra);
    if (!diff.empty())
        return Error(Errc::Incompatible,
                     format("pinned map %s has another shape: %s; remove the pin or change the map", path, diff.c_str()));
    return {};
}

// Sizes that depend on the machine: a perf event array gets one slot per possible CPU when it says 0, and a ring
// buffer is rounded up to a power-of-two multiple of the page size (as libbpf does), which the kernel requires.
Result<MapSpec> sized_for_this_machine(const MapSpec& in) {
    MapSpec m = in;
    // Global data is made mmap-able where the kernel can (5.5+); older kernels refuse the flag.
    constexpr std::uint32_t kMmapable = 1u << 10;
    if (m.kind != MapKind::User && (m.flags & kMmapable)) {
        EBPF_TRY_ASSIGN(const bool mmapable, has_array_mmap());
        if (!mmapable) m.flags &= ~kMmapable;
    }
    if (m.type == MapType::PerfEventArray && m.max_entries == 0) {
        EBPF_TRY_ASSIGN(m.max_entries, possible_cpus());
    }
    if ((m.type == MapType::Ringbuf || m.type == MapType::UserRingbuf) && m.max_entries != 0) {
        const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
        std::uint64_t size = page;
        while (size < m.max_entries) size <<= 1;
        if (size > 0x80000000u)
            return Error(Errc::InvalidArgument, format("ring buffer '%s' of %u bytes is too large", m.name.c_str(),
                                                       m.max_entries));
        m.max_entries = static_cast<std::uint32_t>(size);
    }
    return m;
}

Result<Map> create_one(Object::State& s, const MapSpec& spec_in, const LoadOptions& o) {
    if (spec_in.type == MapType::StructOps) return create_struct_ops_map(s, spec_in);
    EBPF_TRY_ASSIGN(const MapSpec m, sized_for_this_machine(spec_in));
    MapCreateOptions co;
    co.btf_fd = s.btf ? s.btf->get() : -1;
    co.kernel_name = kernel_map_name(s.spec.name, m);
    std::optional<Map> inner;
    if (m.inner) {
        MapCreateOptions io;
        io.btf_fd = co.btf_fd;
        auto tmpl = Map::create(*m.inner, io);
        if (!tmpl) return std::move(tmpl).error().context(format("create inner map template of '%s'", m.name.c_str()));
        inner.emplace(std::move(*tmpl));
        co.inner_map_fd = inner->fd().get();
    }
    if (m.pinning != PinType::ByName) return Map::create(m, co);

    const std::string path = o.pin_root + "/" + m.name;
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto existing = Map::from_pin(path.c_str());
        if (existing) {
            EBPF_TRY(check_compatible(*existing, m, path.c_str()));
            detail_rename_map(*existing, m.name);
            return existing;
        }
        if (existing.error().code() != Errc::NotFound) return std::move(existing).error();
        EBPF_TRY_ASSIGN(Map created, Map::create(m, co));
        auto pinned = created.pin(path.c_str());
        if (pinned) {
            s.new_pins.push_back(path);
            return created;
        }
        // Someone pinned the same name between our check and our pin: reuse theirs (once).
        if (pinned.error().code() != Errc::Exists) return std::move(pinned).error();
    }
    return Error(Errc::Exists, format("map '%s': pin %s keeps changing under us", m.name.c_str(), path.c_str()));
}

}  // namespace

Result<void> create_maps(Object::State& s, const LoadOptions& o) {
    s.maps.reserve(s.spec.maps.size());
    for (const MapSpec& m : s.spec.maps) {
        EBPF_TRY_ASSIGN(Map map, create_one(s, m, o));
        if (!m.contents.empty()) {
            const std::uint32_t zero = 0;
            auto r = map.update(as_bytes_of(zero), m.contents);
            if (!r) return std::move(r).error().context(format("initialise %s", m.name.c_str()));
        }
        // .rodata and .kconfig are constants for the verifier only once frozen (it can then prune dead branches).
        // Kernels before 5.2 have no BPF_MAP_FREEZE (probed): the maps stay writable there, as with libbpf.
        if (m.kind == MapKind::Rodata || m.kind == MapKind::Kconfig) {
            EBPF_TRY_ASSIGN(const bool can_freeze, has_map_freeze());
            if (can_freeze) EBPF_TRY(map.freeze().context(format("freeze %s", m.name.c_str())));
        }
        s.maps.push_back(std::move(map));
    }
    // Map-in-map slots can be filled now that every map exists; prog-array slots wait for the programs.
    for (std::size_t i = 0; i < s.spec.maps.size(); ++i) {
        const MapSpec& m = s.spec.maps[i];
        if (m.type != MapType::ArrayOfMaps && m.type != MapType::HashOfMaps) continue;
        for (const auto& [slot, name] : m.initial_slots) {
            const Map* inner = nullptr;
            for (const Map& cand : s.maps)
                if (cand.name() == name) inner = &cand;
            if (!inner)
                return Error(Errc::NotFound, format("map '%s' slot %u: no map named '%s'", m.name.c_str(), slot,
                                                    name.c_str()));
            const std::uint32_t fd = static_cast<std::uint32_t>(inner->fd().get());
            auto r = s.maps[i].update(as_bytes_of(slot), as_bytes_of(fd));
            if (!r) return std::move(r).error().context(format("map '%s' slot %u", m.name.c_str(), slot));
        }
    }
    return {};
}

Result<void> fill_prog_arrays(Object::State& s) {
    for (const MapSpec& m : s.spec.maps) {
        if (m.type != MapType::ProgArray || m.initial_slots.empty()) continue;
        // By name: maps may have been taken out of the object since it loaded.
        const Map* array = nullptr;
        for (const Map& cand : s.maps)
            if (cand.name() == m.name) array = &cand;
        if (!array)
            return Error(Errc::NotFound, format("prog array '%s' was taken out of the object before its slots were "
                                                "filled",
                                                m.name.c_str()));
        for (const auto& [slot, name] : m.initial_slots) {
            const Program* prog = nullptr;
            for (const Program& p : s.programs)
                if (p.name() == name) prog = &p;
            if (!prog)
                return Error(Errc::NotFound, format("prog array '%s' slot %u: no program named '%s'", m.name.c_str(),
                                                    slot, name.c_str()));
            if (!prog->loaded()) continue;  // not autoloaded: the slot stays empty, as with libbpf
            const std::uint32_t fd = static_cast<std::uint32_t>(prog->fd().get());
            auto r = array->update(as_bytes_of(slot), as_bytes_of(fd));
            if (!r) return std::move(r).error().context(format("prog array '%s' slot %u", m.name.c_str(), slot));
        }
    }
    return {};
}

}  // namespace ebpf::detail
