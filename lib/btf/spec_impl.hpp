// SPDX-License-Identifier: MIT
// Internal state shared by all copies of a btf::Spec.
#pragma once

#include <array>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <ebpf/btf.hpp>

#include "base/bytes.hpp"

namespace ebpf::btf {

inline constexpr std::uint32_t kBtfMagic = 0xeB9F;

inline Error malformed(std::string msg) { return Error(Errc::MalformedBtf, std::move(msg)); }
inline constexpr std::size_t kTypeHeaderSize = 12;

// Size of the kind-specific data that follows the 12-byte common header, or -1 for an unknown kind.
constexpr long extra_size(unsigned kind, std::uint32_t vlen) noexcept {
    switch (static_cast<Kind>(kind)) {
    case Kind::Int: return 4;
    case Kind::Array: return 12;
    case Kind::Struct:
    case Kind::Union: return 12L * vlen;
    case Kind::Enum: return 8L * vlen;
    case Kind::FuncProto: return 8L * vlen;
    case Kind::Var: return 4;
    case Kind::Datasec: return 12L * vlen;
    case Kind::DeclTag: return 4;
    case Kind::Enum64: return 12L * vlen;
    case Kind::Ptr:
    case Kind::Fwd:
    case Kind::Typedef:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::Func:
    case Kind::Float:
    case Kind::TypeTag: return 0;
    case Kind::Void: break;
    }
    return -1;
}

// Names of one kind, sorted by the hash of their essential name; built on first lookup.
struct NameIndex {
    struct Entry {
        std::uint32_t hash;
        TypeId id;
    };
    std::vector<Entry> entries;
};

struct Spec::Impl {
    SharedBytes bytes;
    bool swapped = false;
    std::uint32_t hdr_len = 0;
    const std::byte* types = nullptr;
    std::uint32_t types_len = 0;
    const char* strs = nullptr;
    std::uint32_t strs_len = 0;
    std::vector<std::uint32_t> offsets;  // offsets[i]: byte offset of type first_id + i within the type section
    TypeId first_id = 1;                 // 1 for base BTF (id 0 is VOID)
    std::uint32_t base_strs_len = 0;
    std::optional<Spec> base;

    mutable std::array<std::once_flag, kKindCount> index_once;
    mutable std::array<NameIndex, kKindCount> index;

    std::uint32_t u32(const std::byte* p) const noexcept {
        std::uint32_t v;
        std::memcpy(&v, p, 4);
        return swapped ? detail::byteswap(v) : v;
    }
    const std::byte* record(TypeId id) const noexcept {
        if (id < first_id) return nullptr;
        const std::size_t i = id - first_id;
        return i < offsets.size() ? types + offsets[i] : nullptr;
    }
    std::uint32_t type_count() const noexcept { return first_id + static_cast<std::uint32_t>(offsets.size()); }
    const NameIndex& name_index(Kind k) const;
    std::optional<std::string_view> string(std::uint32_t off) const noexcept;
    Type make_type(TypeId id, const std::byte* rec) const noexcept { return Type(this, id, rec); }
};

inline const Spec::Impl* impl_of(const void* p) noexcept { return static_cast<const Spec::Impl*>(p); }

std::uint32_t hash_name(std::string_view s) noexcept;

}  // namespace ebpf::btf
