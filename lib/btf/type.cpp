// SPDX-License-Identifier: MIT
// Field accessors of btf::Type: decode one record on demand, in the blob's byte order.
#include "btf/spec_impl.hpp"

namespace ebpf::btf {

std::uint32_t Type::u32(std::size_t off) const noexcept { return impl_of(impl_)->u32(rec_ + off); }

Kind Type::kind() const noexcept { return rec_ ? static_cast<Kind>((u32(4) >> 24) & 0x1f) : Kind::Void; }
std::uint32_t Type::name_off() const noexcept { return rec_ ? u32(0) : 0; }
std::string_view Type::name() const noexcept {
    if (!rec_) return {};
    return impl_of(impl_)->string(u32(0)).value_or(std::string_view{});
}
std::uint16_t Type::vlen() const noexcept { return rec_ ? static_cast<std::uint16_t>(u32(4) & 0xffff) : 0; }
bool Type::kind_flag() const noexcept { return rec_ && (u32(4) >> 31) != 0; }

bool kind_has_size(Kind k) noexcept {
    switch (k) {
    case Kind::Int:
    case Kind::Struct:
    case Kind::Union:
    case Kind::Enum:
    case Kind::Enum64:
    case Kind::Datasec:
    case Kind::Float: return true;
    default: return false;
    }
}

std::uint32_t Type::size() const noexcept { return kind_has_size(kind()) ? u32(8) : 0; }

bool kind_has_type(Kind k) noexcept {
    switch (k) {
    case Kind::Ptr:
    case Kind::Typedef:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::Func:
    case Kind::FuncProto:
    case Kind::Var:
    case Kind::DeclTag:
    case Kind::TypeTag: return true;
    default: return false;
    }
}

TypeId Type::type() const noexcept { return kind_has_type(kind()) ? u32(8) : 0; }

std::uint32_t Type::int_encoding() const noexcept { return kind() == Kind::Int ? (u32(12) >> 24) & 0x0f : 0; }
std::uint32_t Type::int_offset() const noexcept { return kind() == Kind::Int ? (u32(12) >> 16) & 0xff : 0; }
std::uint32_t Type::int_bits() const noexcept { return kind() == Kind::Int ? u32(12) & 0xff : 0; }
bool Type::is_signed() const noexcept {
    switch (kind()) {
    case Kind::Int: return (int_encoding() & kIntSigned) != 0;
    case Kind::Enum:
    case Kind::Enum64: return kind_flag();
    default: return false;
    }
}

ArrayInfo Type::array() const noexcept {
    if (kind() != Kind::Array) return {};
    return {u32(12), u32(16), u32(20)};
}

Member Type::member(std::uint32_t i) const noexcept {
    if (!is_composite() || i >= vlen()) return {};
    const std::size_t o = 12 + 12 * static_cast<std::size_t>(i);
    Member m;
    m.name = impl_of(impl_)->string(u32(o)).value_or(std::string_view{});
    m.type = u32(o + 4);
    const std::uint32_t off = u32(o + 8);
    // With the kind flag, the offset word packs a bitfield size in its top byte.
    if (kind_flag()) {
        m.bit_offset = off & 0xffffff;
        m.bitfield_size = off >> 24;
    } else {
        m.bit_offset = off;
    }
    return m;
}

Enumerator Type::enumerator(std::uint32_t i) const noexcept {
    if (i >= vlen()) return {};
    const Kind k = kind();
    Enumerator e;
    if (k == Kind::Enum) {
        const std::size_t o = 12 + 8 * static_cast<std::size_t>(i);
        e.name = impl_of(impl_)->string(u32(o)).value_or(std::string_view{});
        const std::uint32_t v = u32(o + 4);
        e.value = kind_flag() ? static_cast<std::int64_t>(static_cast<std::int32_t>(v)) : static_cast<std::int64_t>(v);
    } else if (k == Kind::Enum64) {
        const std::size_t o = 12 + 12 * static_cast<std::size_t>(i);
        e.name = impl_of(impl_)->string(u32(o)).value_or(std::string_view{});
        e.value = static_cast<std::int64_t>(static_cast<std::uint64_t>(u32(o + 8)) << 32 | u32(o + 4));
    }
    return e;
}

Param Type::param(std::uint32_t i) const noexcept {
    if (kind() != Kind::FuncProto || i >= vlen()) return {};
    const std::size_t o = 12 + 8 * static_cast<std::size_t>(i);
    return {impl_of(impl_)->string(u32(o)).value_or(std::string_view{}), u32(o + 4)};
}

VarSecinfo Type::secinfo(std::uint32_t i) const noexcept {
    if (kind() != Kind::Datasec || i >= vlen()) return {};
    const std::size_t o = 12 + 12 * static_cast<std::size_t>(i);
    return {u32(o), u32(o + 4), u32(o + 8)};
}

std::uint32_t Type::linkage() const noexcept {
    switch (kind()) {
    case Kind::Func: return vlen();
    case Kind::Var: return u32(12);
    default: return 0;
    }
}

std::int32_t Type::component_idx() const noexcept {
    return kind() == Kind::DeclTag ? static_cast<std::int32_t>(u32(12)) : -1;
}

bool Type::is_qualifier() const noexcept {
    switch (kind()) {
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::TypeTag: return true;
    default: return false;
    }
}

}  // namespace ebpf::btf
