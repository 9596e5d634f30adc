// SPDX-License-Identifier: MIT
#include "btf_value.hpp"

#include <bit>
#include <cstdio>
#include <cstring>
#include <string>

namespace ebpf::tool {

namespace {

constexpr int kMaxValueDepth = 32;  // crafted BTF must not recurse without end

// Reads `bits` bits starting `bit_off` bits into `bytes` as an unsigned integer (little-endian bit numbering on
// little-endian hosts, as the kernel lays out bitfields).
std::uint64_t read_bits(std::span<const std::byte> bytes, std::uint32_t bit_off, std::uint32_t bits) {
    std::uint64_t v = 0;
    const std::size_t first = bit_off / 8;
    const std::uint32_t shift = bit_off % 8;
    const std::size_t nbytes = std::min<std::size_t>((shift + bits + 7) / 8, 8);
    if (first >= bytes.size()) return 0;
    unsigned char buf[8] = {};
    std::memcpy(buf, bytes.data() + first, std::min(nbytes, bytes.size() - first));
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(&v, buf, sizeof v);
        v >>= shift;
    } else {
        for (std::size_t i = 0; i < nbytes; ++i) v = (v << 8) | buf[i];
        v >>= (nbytes * 8 - shift - bits);
    }
    if (bits < 64) v &= (std::uint64_t{1} << bits) - 1;
    return v;
}

void write_int(Json& j, std::uint64_t v, std::uint32_t bits, bool is_signed, bool is_bool) {
    if (is_bool) {
        j.value(v != 0);
        return;
    }
    if (is_signed && bits > 0 && bits < 64 && (v >> (bits - 1)) & 1) v |= ~std::uint64_t{0} << bits;
    if (is_signed) j.value(static_cast<std::int64_t>(v));
    else j.value(v);
}

// Arrays of `char` print as strings (as bpftool does); `unsigned char` / `__u8` arrays stay numbers.
bool is_char_type(const btf::Spec& spec, btf::TypeId id) {
    auto t = spec.skip_modifiers(id);
    return t && t->kind() == btf::Kind::Int && t->size() == 1 &&
           ((t->int_encoding() & btf::kIntChar) != 0 || t->name() == "char");
}

class ValueWriter {
public:
    ValueWriter(Json& j, const btf::Spec& spec) : j_(j), spec_(spec) {}

    void value(btf::TypeId id, std::span<const std::byte> bytes, int depth) {
        auto t = spec_.skip_modifiers(id);
        auto size = spec_.resolve_size(id);
        if (!t || !size || *size > bytes.size() || depth > kMaxValueDepth) {
            write_hex_bytes(j_, bytes);
            return;
        }
        bytes = bytes.first(*size);
        switch (t->kind()) {
        case btf::Kind::Int: {
            if (t->size() > 8) {
                write_hex_bytes(j_, bytes);
                return;
            }
            const std::uint32_t bits = t->int_bits() ? t->int_bits() : t->size() * 8;
            write_int(j_, read_bits(bytes, t->int_offset(), bits), bits, t->is_signed(),
                      (t->int_encoding() & btf::kIntBool) != 0);
            return;
        }
        case btf::Kind::Enum:
        case btf::Kind::Enum64: {
            const std::uint32_t bits = t->size() * 8;
            std::uint64_t v = read_bits(bytes, 0, bits);
            std::int64_t sv = static_cast<std::int64_t>(v);
            if (t->is_signed() && bits < 64 && (v >> (bits - 1)) & 1) sv = static_cast<std::int64_t>(v | (~std::uint64_t{0} << bits));
            for (std::uint16_t i = 0; i < t->vlen(); ++i) {
                const btf::Enumerator e = t->enumerator(i);
                const bool match = t->is_signed() ? e.value == sv
                                                  : static_cast<std::uint64_t>(e.value) == v ||
                                                        (bits < 64 && (static_cast<std::uint64_t>(e.value) &
                                                                       ((std::uint64_t{1} << bits) - 1)) == v);
                if (match) {
                    j_.value(e.name);
                    return;
                }
            }
            if (t->is_signed()) j_.value(sv);
            else j_.value(v);
            return;
        }
        case btf::Kind::Ptr: {
            std::uint64_t v = read_bits(bytes, 0, static_cast<std::uint32_t>(std::min<std::size_t>(bytes.size(), 8) * 8));
            char buf[24];
            std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
            j_.value(buf);
            return;
        }
        case btf::Kind::Float: {
            char buf[40];
            if (bytes.size() == 4) {
                float f;
                std::memcpy(&f, bytes.data(), 4);
                std::snprintf(buf, sizeof buf, "%g", static_cast<double>(f));
            } else if (bytes.size() == 8) {
                double d;
                std::memcpy(&d, bytes.data(), 8);
                std::snprintf(buf, sizeof buf, "%g", d);
            } else {
                write_hex_bytes(j_, bytes);
                return;
            }
            j_.value(buf);
            return;
        }
        case btf::Kind::Array: {
            const btf::ArrayInfo a = t->array();
            auto esz = spec_.resolve_size(a.elem_type);
            if (!esz || *esz == 0) {
                write_hex_bytes(j_, bytes);
                return;
            }
            if (is_char_type(spec_, a.elem_type)) {
                // A C string when it is printable up to its NUL; otherwise the numbers.
                const auto* c = reinterpret_cast<const char*>(bytes.data());
                const std::size_t n = strnlen(c, bytes.size());
                bool printable = true;
                for (std::size_t i = 0; i < n; ++i)
                    if (static_cast<unsigned char>(c[i]) < 0x20 || static_cast<unsigned char>(c[i]) > 0x7e) printable = false;
                bool zero_tail = true;
                for (std::size_t i = n; i < bytes.size(); ++i)
                    if (c[i] != 0) zero_tail = false;
                if (printable && zero_tail) {
                    j_.value(std::string_view(c, n));
                    return;
                }
            }
            j_.begin_array();
            for (std::uint32_t i = 0; i < a.nelems && static_cast<std::size_t>(i + 1) * *esz <= bytes.size(); ++i)
                value(a.elem_type, bytes.subspan(static_cast<std::size_t>(i) * *esz, *esz), depth + 1);
            j_.end_array();
            return;
        }
        case btf::Kind::Struct:
        case btf::Kind::Union:
            j_.begin_object();
            members(*t, bytes, 0, depth);
            j_.end_object();
            return;
        case btf::Kind::Datasec:
            // A global data section (.data, .bss, .rodata, ...): its variables by name.
            j_.begin_object();
            for (std::uint16_t i = 0; i < t->vlen(); ++i) {
                const btf::VarSecinfo v = t->secinfo(i);
                const btf::Type var = spec_.type_or_void(v.type);
                if (var.kind() != btf::Kind::Var || v.offset > bytes.size() || v.size > bytes.size() - v.offset) continue;
                j_.key(var.name());
                value(var.type(), bytes.subspan(v.offset, v.size), depth + 1);
            }
            j_.end_object();
            return;
        default: write_hex_bytes(j_, bytes); return;
        }
    }

private:
    // Members of a struct or union whose storage starts `base_bits` into `bytes`; anonymous struct and union
    // members are flattened into their parent (as C code names their fields).
    void members(const btf::Type& t, std::span<const std::byte> bytes, std::uint32_t base_bits, int depth) {
        for (std::uint16_t i = 0; i < t.vlen(); ++i) {
            const btf::Member m = t.member(i);
            const std::uint32_t bit = base_bits + m.bit_offset;
            auto mt = spec_.skip_modifiers(m.type);
            if (!mt) continue;
            if (m.name.empty() && mt->is_composite()) {
                if (depth < kMaxValueDepth) members(*mt, bytes, bit, depth + 1);
                continue;
            }
            j_.key(m.name.empty() ? std::string_view("(anon)") : m.name);
            if (m.bitfield_size != 0 || bit % 8 != 0) {
                const std::uint32_t bits = m.bitfield_size ? m.bitfield_size : mt->size() * 8;
                const bool sign = mt->is_signed();
                write_int(j_, read_bits(bytes, bit, std::min<std::uint32_t>(bits, 64)), bits, sign,
                          mt->kind() == btf::Kind::Int && (mt->int_encoding() & btf::kIntBool) != 0);
                continue;
            }
            const std::size_t off = bit / 8;
            if (off > bytes.size()) {
                j_.null();
                continue;
            }
            value(m.type, bytes.subspan(off), depth + 1);
        }
    }

    Json& j_;
    const btf::Spec& spec_;
};

}  // namespace

void write_hex_bytes(Json& j, std::span<const std::byte> bytes) {
    j.begin_array();
    for (std::byte b : bytes) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02x", static_cast<unsigned>(b));
        j.value(buf);
    }
    j.end_array();
}

void write_btf_value(Json& j, const btf::Spec& spec, btf::TypeId id, std::span<const std::byte> bytes) {
    ValueWriter(j, spec).value(id, bytes, 0);
}

}  // namespace ebpf::tool
