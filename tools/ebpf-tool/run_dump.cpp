// SPDX-License-Identifier: MIT
// ebpf-tool run --dump-maps: every map's entries, keys and values formatted by the object's BTF.
#include <string>
#include <vector>

#include "run.hpp"

namespace ebpf::tool {

namespace {

constexpr std::size_t kMaxEntries = 4096;  // entries printed per map before "..."

bool listable(MapType t) {
    switch (t) {
    case MapType::Hash:
    case MapType::Array:
    case MapType::PercpuHash:
    case MapType::PercpuArray:
    case MapType::LruHash:
    case MapType::LruPercpuHash:
    case MapType::LpmTrie:
        return true;
    default:
        return false;
    }
}

// A per-CPU value: one formatted value per possible CPU, "[cpu0, cpu1, ...]".
std::string format_value(const btf::Spec* btf, const Map& m, const MapSpec* ms, std::span<const std::byte> value) {
    const btf::TypeId type = ms ? ms->value_type : 0;
    if (!is_per_cpu(m.type())) return format_btf_value(btf, type, value.first(m.value_size()));
    const std::size_t stride = (m.value_size() + 7) / 8 * 8;
    std::string out = "[";
    for (std::size_t off = 0, cpu = 0; off + m.value_size() <= value.size(); off += stride, ++cpu) {
        if (cpu) out += ", ";
        out += format_btf_value(btf, type, value.subspan(off, m.value_size()));
    }
    return out + "]";
}

// A global data section: one `name = value` line per variable of its DATASEC.
int dump_datasec(const btf::Spec* btf, const Map& m, const MapSpec* ms, std::FILE* out) {
    std::vector<std::byte> value(m.value_buffer_size());
    const std::uint32_t zero = 0;
    auto found = m.lookup(as_bytes_of(zero), value);
    if (!found) {
        std::fprintf(out, "  (lookup failed: %s)\n", std::string(found.error().message()).c_str());
        return 1;
    }
    auto sec = btf && ms ? btf->skip_modifiers(ms->value_type) : Result<btf::Type>(Error(Errc::NotFound, ""));
    if (!sec || sec->kind() != btf::Kind::Datasec) {
        std::fprintf(out, "  %s\n", format_btf_value(nullptr, 0, value).c_str());
        return 0;
    }
    for (std::uint32_t i = 0; i < sec->vlen(); ++i) {
        const btf::VarSecinfo si = sec->secinfo(i);
        auto var = btf->type(si.type);
        if (!var || si.offset + std::size_t{si.size} > value.size()) continue;
        const std::string name(var->name());
        const std::span<const std::byte> bytes(value.data() + si.offset, si.size);
        const btf::TypeId vt = var->kind() == btf::Kind::Var ? var->type() : 0;
        std::fprintf(out, "  %s = %s\n", name.c_str(), format_btf_value(btf, vt, bytes).c_str());
    }
    return 0;
}

int dump_entries(const btf::Spec* btf, const Map& m, const MapSpec* ms, std::FILE* out) {
    std::vector<std::byte> key(m.key_size()), next(m.key_size()), value(m.value_buffer_size());
    std::size_t n = 0;
    bool first = true;
    for (;;) {
        auto more = m.next_key(first ? std::span<const std::byte>() : std::span<const std::byte>(key), next);
        if (!more) {
            std::fprintf(out, "  (listing keys failed: %s)\n", std::string(more.error().message()).c_str());
            return 1;
        }
        if (!*more) break;
        first = false;
        key = next;
        if (++n > kMaxEntries) {
            std::fprintf(out, "  ... (more than %zu entries)\n", kMaxEntries);
            break;
        }
        auto found = m.lookup(key, value);
        if (!found) {
            std::fprintf(out, "  %s: (lookup failed: %s)\n",
                         format_btf_value(btf, ms ? ms->key_type : 0, key).c_str(),
                         std::string(found.error().message()).c_str());
            continue;
        }
        if (!*found) continue;  // deleted meanwhile
        std::fprintf(out, "  %s: %s\n", format_btf_value(btf, ms ? ms->key_type : 0, key).c_str(),
                     format_value(btf, m, ms, value).c_str());
    }
    if (n == 0) std::fprintf(out, "  (no entries)\n");
    return 0;
}

}  // namespace

int dump_maps(const Object& obj, std::FILE* out) {
    const btf::Spec* btf = obj.spec().btf ? &*obj.spec().btf : nullptr;
    int failures = 0;
    for (const Map& m : obj.maps()) {
        const MapSpec* ms = obj.spec().map(m.name());
        std::fprintf(out, "map %s %.*s\n", m.name().c_str(), static_cast<int>(to_string(m.type()).size()),
                     to_string(m.type()).data());
        const bool data = ms && ms->kind != MapKind::User;
        if (data && m.type() == MapType::Array) {
            failures += dump_datasec(btf, m, ms, out);
        } else if (listable(m.type())) {
            failures += dump_entries(btf, m, ms, out);
        } else {
            std::fprintf(out, "  (entries of %.*s maps are not listed)\n",
                         static_cast<int>(to_string(m.type()).size()), to_string(m.type()).data());
        }
    }
    return failures;
}

}  // namespace ebpf::tool
