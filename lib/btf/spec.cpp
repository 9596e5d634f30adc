// SPDX-License-Identifier: MIT
// BTF header parsing, the single indexing pass over type records, strings and name lookup.
#include <algorithm>
#include <cstring>

#include "base/format.hpp"
#include "btf/spec_impl.hpp"

namespace ebpf::btf {

using detail::format;

std::string_view to_string(Kind k) noexcept {
    static constexpr std::string_view names[kKindCount] = {
        "void",  "int",      "ptr",      "array", "struct", "union",    "enum",     "fwd",      "typedef", "volatile",
        "const", "restrict", "func", "func_proto", "var",   "datasec", "float", "decl_tag", "type_tag", "enum64"};
    auto i = static_cast<unsigned>(k);
    return i < kKindCount ? names[i] : "unknown";
}

std::string_view essential_name(std::string_view name) noexcept {
    // A flavor suffix is "___" with a non-underscore on both sides; the last one wins ("a___b___c" -> "a___b").
    if (name.size() < 5) return name;
    for (std::size_t i = name.size() - 5 + 1; i-- > 0;) {
        if (name[i] != '_' && name[i + 1] == '_' && name[i + 2] == '_' && name[i + 3] == '_' && name[i + 4] != '_')
            return name.substr(0, i + 1);
    }
    return name;
}

std::uint32_t hash_name(std::string_view s) noexcept {
    // FNV-1a: names are short, so a byte loop beats wider hashes that need tail handling.
    std::uint32_t h = 2166136261u;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
}

Spec::Spec() : impl_(std::make_shared<Impl>()) {}

Result<Spec> Spec::parse(SharedBytes bytes, const Spec* base) {
    auto impl = std::make_shared<Impl>();
    const auto data = bytes.span();
    if (data.size() < 24) return malformed(format("BTF too short for a header (%zu bytes)", data.size()));
    std::uint16_t magic;
    std::memcpy(&magic, data.data(), 2);
    if (magic == kBtfMagic) impl->swapped = false;
    else if (magic == detail::byteswap(static_cast<std::uint16_t>(kBtfMagic))) impl->swapped = true;
    else return malformed(format("bad BTF magic 0x%04x", magic));

    const detail::ByteView v(data, impl->swapped == (detail::host_endian() == detail::Endian::Little)
                                       ? detail::Endian::Big
                                       : detail::Endian::Little);
    const auto version = v.load<std::uint8_t>(2);
    if (version != 1) return malformed(format("unsupported BTF version %u", version));
    const auto hdr_len = v.load<std::uint32_t>(4);
    if (hdr_len < 24 || hdr_len > data.size())
        return malformed(format("BTF header length %u is invalid for a %zu-byte blob", hdr_len, data.size()));
    // A longer header (from a newer kernel) must be zero past the fields we know, as the kernel itself requires.
    for (std::size_t i = 24; i < hdr_len; ++i)
        if (data[i] != std::byte{0}) return malformed(format("BTF header has unknown non-zero field at byte %zu", i));
    const auto type_off = v.load<std::uint32_t>(8), type_len = v.load<std::uint32_t>(12);
    const auto str_off = v.load<std::uint32_t>(16), str_len = v.load<std::uint32_t>(20);
    const std::uint64_t body = data.size() - hdr_len;
    if (!detail::in_bounds(body, type_off, type_len))
        return malformed(format("BTF type section [%u, +%u) is outside the blob (%llu bytes after the header)",
                                type_off, type_len, static_cast<unsigned long long>(body)));
    if (!detail::in_bounds(body, str_off, str_len))
        return malformed(format("BTF string section [%u, +%u) is outside the blob (%llu bytes after the header)",
                                str_off, str_len, static_cast<unsigned long long>(body)));
    if (type_off % 4 != 0) return malformed(format("BTF type section offset %u is not 4-byte aligned", type_off));
    if (type_len > 0 && str_len > 0 && type_off < str_off + str_len && str_off < type_off + type_len)
        return malformed("BTF type and string sections overlap");
    impl->hdr_len = hdr_len;
    impl->types = data.data() + hdr_len + type_off;
    impl->types_len = type_len;
    impl->strs = reinterpret_cast<const char*>(data.data() + hdr_len + str_off);
    impl->strs_len = str_len;
    // Every string must be NUL-terminated inside the section; requiring a final NUL makes any in-range offset safe.
    if (str_len > 0 && impl->strs[str_len - 1] != '\0') return malformed("BTF string section does not end with NUL");
    if (base) {
        impl->base = *base;
        impl->first_id = base->type_count();
        impl->base_strs_len = base->impl_->base_strs_len + base->impl_->strs_len;
    } else {
        if (str_len == 0 || impl->strs[0] != '\0')
            return malformed("BTF string section must start with an empty string");
    }

    // One pass: record offsets and check that each record (header plus kind data) fits in the section.
    // Every record has at least 12 bytes, so this reservation is never exceeded (no reallocation, no copy); pages
    // of it that stay unused are never touched and cost no memory.
    impl->offsets.reserve(type_len / kTypeHeaderSize + 1);
    std::uint32_t off = 0;
    const std::byte* t = impl->types;
    while (off < type_len) {
        const TypeId id = impl->first_id + static_cast<TypeId>(impl->offsets.size());
        if (type_len - off < kTypeHeaderSize)
            return malformed(format("type %u at offset %u: truncated record header", id, off));
        const std::uint32_t info = impl->u32(t + off + 4);
        const unsigned kind = (info >> 24) & 0x1f;
        const long extra = extra_size(kind, info & 0xffff);
        if (extra < 0) return malformed(format("type %u at offset %u: unknown kind %u", id, off, kind));
        const std::uint64_t rec = kTypeHeaderSize + static_cast<std::uint64_t>(extra);
        if (rec > type_len - off)
            return malformed(format("type %u (%.*s) at offset %u: record of %llu bytes runs past the type section", id,
                                    EBPF_SV(to_string(static_cast<Kind>(kind))), off,
                                    static_cast<unsigned long long>(rec)));
        if (id == 0xffffffffu) return malformed("too many BTF types");
        impl->offsets.push_back(off);
        off += static_cast<std::uint32_t>(rec);
    }
    impl->bytes = std::move(bytes);
    return Spec(std::shared_ptr<const Impl>(std::move(impl)));
}

std::uint32_t Spec::type_count() const noexcept { return impl_->type_count(); }
TypeId Spec::first_id() const noexcept { return impl_->base ? impl_->first_id : 0; }
bool Spec::swapped() const noexcept { return impl_->swapped; }
bool Spec::big_endian() const noexcept {
    return (detail::host_endian() == detail::Endian::Big) != impl_->swapped;
}
std::span<const std::byte> Spec::raw() const noexcept { return impl_->bytes.span(); }
std::uint32_t Spec::string_section_size() const noexcept { return impl_->strs_len; }
const Spec* Spec::base() const noexcept { return impl_->base ? &*impl_->base : nullptr; }
std::uint32_t Spec::header_len() const noexcept { return impl_->hdr_len; }

Result<Type> Spec::type(TypeId id) const {
    if (id == 0) return impl_->make_type(0, nullptr);
    if (id < impl_->first_id) {
        if (impl_->base) return impl_->base->type(id);
        return Error(Errc::NotFound, format("BTF type id %u does not exist", id));
    }
    const std::byte* rec = impl_->record(id);
    if (!rec) return Error(Errc::NotFound, format("BTF type id %u does not exist (%u types)", id, type_count()));
    return impl_->make_type(id, rec);
}

Type Spec::type_or_void(TypeId id) const noexcept {
    if (id != 0 && id < impl_->first_id && impl_->base) return impl_->base->type_or_void(id);
    const std::byte* rec = impl_->record(id);
    return impl_->make_type(rec ? id : 0, rec);
}

std::optional<std::string_view> Spec::string(std::uint32_t off) const noexcept { return impl_->string(off); }

std::optional<std::string_view> Spec::Impl::string(std::uint32_t off) const noexcept {
    if (base && off < base_strs_len) return base->string(off);
    off -= base_strs_len;
    if (off >= strs_len) return std::nullopt;
    // In range and the section ends with NUL (checked at parse), so strlen stays inside it.
    return std::string_view(strs + off);
}

const NameIndex& Spec::Impl::name_index(Kind k) const {
    const auto ki = static_cast<unsigned>(k);
    std::call_once(index_once[ki], [&] {
        auto& entries = index[ki].entries;
        for (std::size_t i = 0; i < offsets.size(); ++i) {
            const std::byte* rec = types + offsets[i];
            if (((u32(rec + 4) >> 24) & 0x1f) != ki) continue;
            const std::uint32_t name_off = u32(rec);
            if (name_off == 0) continue;
            // Split BTF may name its types through the base's string table (libbpf dedups strings that way).
            auto name = string(name_off);
            if (!name) continue;
            entries.push_back({hash_name(essential_name(*name)), first_id + static_cast<TypeId>(i)});
        }
        // Stable order keeps equal hashes in id order, so find() returns the lowest matching id.
        std::stable_sort(entries.begin(), entries.end(),
                         [](const NameIndex::Entry& a, const NameIndex::Entry& b) { return a.hash < b.hash; });
    });
    return index[ki];
}

Result<TypeId> Spec::find(std::string_view name, Kind kind) const {
    if (static_cast<unsigned>(kind) >= kKindCount)
        return Error(Errc::InvalidArgument, format("BTF kind %u does not exist", static_cast<unsigned>(kind)));
    if (impl_->base) {
        if (auto r = impl_->base->find(name, kind)) return r;
    }
    const auto& idx = impl_->name_index(kind).entries;
    const std::uint32_t h = hash_name(essential_name(name));
    auto it = std::lower_bound(idx.begin(), idx.end(), h,
                               [](const NameIndex::Entry& e, std::uint32_t v) { return e.hash < v; });
    for (; it != idx.end() && it->hash == h; ++it)
        if (type_or_void(it->id).name() == name) return it->id;
    return Error(Errc::NotFound,
                 format("BTF has no %.*s named '%.*s'", EBPF_SV(to_string(kind)), EBPF_SV(name)));
}

std::vector<TypeId> Spec::find_candidates(std::string_view essential, Kind kind) const {
    std::vector<TypeId> out;
    if (static_cast<unsigned>(kind) >= kKindCount) return out;
    if (impl_->base) out = impl_->base->find_candidates(essential, kind);
    const auto& idx = impl_->name_index(kind).entries;
    const std::uint32_t h = hash_name(essential);
    auto it = std::lower_bound(idx.begin(), idx.end(), h,
                               [](const NameIndex::Entry& e, std::uint32_t v) { return e.hash < v; });
    for (; it != idx.end() && it->hash == h; ++it)
        if (essential_name(type_or_void(it->id).name()) == essential) out.push_back(it->id);
    return out;
}

}  // namespace ebpf::btf
