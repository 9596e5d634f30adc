// SPDX-License-Identifier: MIT
// ebpf-tool run: globals from text by their BTF type (--set), and values formatted by their BTF type
// (--dump-maps).
#include <cerrno>
#include <cinttypes>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "run.hpp"

namespace ebpf::tool {

namespace {

constexpr int kMaxDepth = 16;          // nesting of structs/arrays printed before "..."
constexpr std::uint32_t kMaxElems = 256;  // array elements printed before "..."

std::string sv(std::string_view s) { return std::string(s); }

const VariableSpec* find_variable(const ObjectSpec& spec, std::string_view name) {
    for (const VariableSpec& v : spec.variables)
        if (v.name == name) return &v;
    return nullptr;
}

bool settable_section(const ObjectSpec& spec, const VariableSpec& v) {
    const MapSpec* m = spec.map(v.map);
    return m && (m->kind == MapKind::Data || m->kind == MapKind::Rodata || m->kind == MapKind::Bss);
}

std::string settable_names(const ObjectSpec& spec) {
    std::string names;
    for (const VariableSpec& v : spec.variables) {
        if (!settable_section(spec, v)) continue;
        names += (names.empty() ? "" : ", ") + v.name;
    }
    return names.empty() ? "none" : names;
}

// Integer text: optional '-', decimal or 0x hex. nullopt when it is not one (or does not fit 64 bits).
struct Parsed {
    bool negative = false;
    std::uint64_t magnitude = 0;
};
std::optional<Parsed> parse_integer(std::string_view text) {
    Parsed p;
    if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
        p.negative = text[0] == '-';
        text.remove_prefix(1);
    }
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    if (text.empty()) return std::nullopt;
    for (char c : text) {
        unsigned d;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
        else return std::nullopt;
        if (p.magnitude > (std::numeric_limits<std::uint64_t>::max() - d) / static_cast<unsigned>(base))
            return std::nullopt;
        p.magnitude = p.magnitude * static_cast<unsigned>(base) + d;
    }
    if (p.negative && p.magnitude == 0) p.negative = false;
    return p;
}

// Range of an integer of `bits` bits, as text for messages.
std::string range_text(bool is_signed, std::uint32_t bits) {
    if (bits > 64) bits = 64;
    char buf[96];
    if (is_signed) {
        const std::int64_t max = bits == 64 ? INT64_MAX : (std::int64_t{1} << (bits - 1)) - 1;
        std::snprintf(buf, sizeof buf, "%" PRId64 "..%" PRId64, -max - 1, max);
    } else {
        const std::uint64_t max = bits == 64 ? UINT64_MAX : (std::uint64_t{1} << bits) - 1;
        std::snprintf(buf, sizeof buf, "0..%" PRIu64, max);
    }
    return buf;
}

// The two's complement bits of a parsed integer if it fits `bits` bits with that signedness.
std::optional<std::uint64_t> fit(const Parsed& p, bool is_signed, std::uint32_t bits) {
    if (bits > 64) bits = 64;
    if (is_signed) {
        const std::uint64_t max_pos = bits == 64 ? std::uint64_t{INT64_MAX} : (std::uint64_t{1} << (bits - 1)) - 1;
        if (!p.negative) return p.magnitude <= max_pos ? std::optional(p.magnitude) : std::nullopt;
        if (p.magnitude > max_pos + 1) return std::nullopt;
        return ~p.magnitude + 1;  // two's complement of the magnitude
    }
    if (p.negative) return std::nullopt;
    if (bits < 64 && p.magnitude >> bits) return std::nullopt;
    return p.magnitude;
}

void put_int(std::vector<std::byte>& out, std::uint64_t v) {
    // Host byte order (the object is loaded on this host); bytes past 8 (an __int128) are sign/zero bits.
    for (std::size_t i = 0; i < out.size() && i < 8; ++i) out[i] = static_cast<std::byte>(v >> (8 * i));
}

Result<std::vector<std::byte>> encode(const btf::Spec& btf, const VariableSpec& var, std::string_view text) {
    const std::string what = "--set " + var.name + "=" + sv(text);
    const std::string type_name = btf.describe(var.type);
    auto t = btf.skip_modifiers(var.type);
    if (!t) return Error(Errc::InvalidArgument, what + ": the BTF type of '" + var.name + "' is unreadable");
    std::vector<std::byte> out(var.size);
    const auto type_desc = [&] {
        return "'" + var.name + "' is " + type_name + ", " + std::to_string(var.size) + " byte" +
               (var.size == 1 ? "" : "s");
    };
    switch (t->kind()) {
    case btf::Kind::Int: {
        if (t->int_encoding() & btf::kIntBool) {
            if (text == "true" || text == "1") out[0] = std::byte{1};
            else if (text != "false" && text != "0")
                return Error(Errc::InvalidArgument, what + ": " + type_desc() + ": expected true, false, 1 or 0");
            return out;
        }
        const bool is_signed = (t->int_encoding() & btf::kIntSigned) != 0;
        const std::uint32_t bits = t->int_bits() ? t->int_bits() : t->size() * 8;
        auto p = parse_integer(text);
        // A char takes a single character too.
        if (!p && t->size() == 1 && text.size() == 1) p = Parsed{false, static_cast<unsigned char>(text[0])};
        if (!p) return Error(Errc::InvalidArgument, what + ": '" + sv(text) + "' is not a number (" + type_desc() + ")");
        auto v = fit(*p, is_signed, bits);
        if (!v)
            return Error(Errc::InvalidArgument, what + ": " + sv(text) + " is out of range for '" + var.name + "' (" +
                                                    type_name + ": " + range_text(is_signed, bits) + ")");
        put_int(out, *v);
        if (is_signed && p->negative)
            for (std::size_t i = 8; i < out.size(); ++i) out[i] = std::byte{0xff};
        return out;
    }
    case btf::Kind::Enum:
    case btf::Kind::Enum64: {
        std::optional<Parsed> p;
        std::string names;
        for (std::uint32_t i = 0; i < t->vlen(); ++i) {
            const btf::Enumerator e = t->enumerator(i);
            names += (names.empty() ? "" : ", ") + sv(e.name);
            if (e.name == text) p = Parsed{e.value < 0, e.value < 0 ? ~static_cast<std::uint64_t>(e.value) + 1
                                                                      : static_cast<std::uint64_t>(e.value)};
        }
        if (!p) p = parse_integer(text);
        if (!p)
            return Error(Errc::InvalidArgument, what + ": '" + sv(text) + "' is neither an enumerator of " + type_name +
                                                    " (" + names + ") nor a number");
        auto v = fit(*p, t->is_signed(), t->size() * 8);
        if (!v)
            return Error(Errc::InvalidArgument, what + ": " + sv(text) + " is out of range for '" + var.name + "' (" +
                                                    type_name + ": " + range_text(t->is_signed(), t->size() * 8) + ")");
        put_int(out, *v);
        return out;
    }
    case btf::Kind::Float: {
        const std::string s(text);
        char* end = nullptr;
        errno = 0;
        const double d = std::strtod(s.c_str(), &end);
        if (s.empty() || *end || errno == ERANGE)
            return Error(Errc::InvalidArgument, what + ": '" + s + "' is not a number (" + type_desc() + ")");
        if (t->size() == 4) {
            const float f = static_cast<float>(d);
            std::memcpy(out.data(), &f, 4);
        } else if (t->size() == 8) {
            std::memcpy(out.data(), &d, 8);
        } else {
            return Error(Errc::InvalidArgument, what + ": " + type_desc() + ": only 4- and 8-byte floats are set");
        }
        return out;
    }
    case btf::Kind::Array: {
        const btf::ArrayInfo a = t->array();
        auto elem = btf.skip_modifiers(a.elem_type);
        if (elem && elem->kind() == btf::Kind::Int && elem->size() == 1) {
            if (text.size() >= a.nelems || text.size() >= out.size())
                return Error(Errc::InvalidArgument, what + ": the string is " + std::to_string(text.size()) +
                                                        " characters; '" + var.name + "' (" + type_name + ") holds " +
                                                        std::to_string(a.nelems ? a.nelems - 1 : 0) +
                                                        " and a terminating NUL");
            std::memcpy(out.data(), text.data(), text.size());
            return out;
        }
        break;
    }
    default:
        break;
    }
    return Error(Errc::InvalidArgument, what + ": " + type_desc() +
                                            "; --set writes integers, bool, enums, floats and char arrays (strings)");
}

// --- formatting

std::string hex_bytes(std::span<const std::byte> b) {
    std::string s = "0x";
    static constexpr char kDigits[] = "0123456789abcdef";
    if (b.empty()) return "<empty>";
    for (std::byte x : b) {
        s += kDigits[static_cast<unsigned>(x) >> 4];
        s += kDigits[static_cast<unsigned>(x) & 15];
    }
    return s;
}

std::uint64_t read_uint(std::span<const std::byte> b, std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n && i < 8 && i < b.size(); ++i) v |= std::uint64_t{static_cast<unsigned char>(b[i])} << (8 * i);
    return v;
}

std::int64_t sign_extend(std::uint64_t v, std::uint32_t bits) {
    if (bits == 0 || bits >= 64) return static_cast<std::int64_t>(v);
    const std::uint64_t m = std::uint64_t{1} << (bits - 1);
    v &= (std::uint64_t{1} << bits) - 1;
    return static_cast<std::int64_t>((v ^ m) - m);
}

void append_string(std::string& out, std::span<const std::byte> b) {
    out += '"';
    for (std::byte x : b) {
        const auto c = static_cast<unsigned char>(x);
        if (c == 0) break;
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c >= 0x20 && c < 0x7f) {
            out += static_cast<char>(c);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    out += '"';
}

void append_integer(std::string& out, std::uint64_t raw, bool is_signed, std::uint32_t bits) {
    char buf[32];
    if (is_signed) std::snprintf(buf, sizeof buf, "%" PRId64, sign_extend(raw, bits));
    else std::snprintf(buf, sizeof buf, "%" PRIu64, bits < 64 ? raw & ((std::uint64_t{1} << bits) - 1) : raw);
    out += buf;
}

void format_into(const btf::Spec& btf, btf::TypeId id, std::span<const std::byte> b, std::string& out, int depth) {
    auto t = btf.skip_modifiers(id);
    auto size = btf.resolve_size(id);
    if (!t || !size || *size > b.size() || depth > kMaxDepth) {
        out += depth > kMaxDepth ? "..." : hex_bytes(b);
        return;
    }
    b = b.first(*size);
    switch (t->kind()) {
    case btf::Kind::Int: {
        const std::uint32_t enc = t->int_encoding();
        const std::uint32_t bits = t->int_bits() ? t->int_bits() : t->size() * 8;
        if (t->size() > 8) {
            out += hex_bytes(b);
            return;
        }
        const std::uint64_t raw = read_uint(b, t->size()) >> t->int_offset();
        if (enc & btf::kIntBool) out += raw ? "true" : "false";
        else append_integer(out, raw, (enc & btf::kIntSigned) != 0, bits);
        return;
    }
    case btf::Kind::Enum:
    case btf::Kind::Enum64: {
        const std::uint64_t raw = read_uint(b, t->size());
        for (std::uint32_t i = 0; i < t->vlen(); ++i) {
            const btf::Enumerator e = t->enumerator(i);
            const bool same = t->size() < 8 ? static_cast<std::uint64_t>(e.value) << (64 - 8 * t->size()) ==
                                                  raw << (64 - 8 * t->size())
                                            : static_cast<std::uint64_t>(e.value) == raw;
            if (same) {
                out += e.name;
                return;
            }
        }
        append_integer(out, raw, t->is_signed(), t->size() * 8);
        return;
    }
    case btf::Kind::Ptr: {
        char buf[32];
        std::snprintf(buf, sizeof buf, "0x%" PRIx64, read_uint(b, b.size()));
        out += buf;
        return;
    }
    case btf::Kind::Float: {
        char buf[64];
        if (b.size() == 4) {
            float f;
            std::memcpy(&f, b.data(), 4);
            std::snprintf(buf, sizeof buf, "%g", static_cast<double>(f));
        } else if (b.size() == 8) {
            double d;
            std::memcpy(&d, b.data(), 8);
            std::snprintf(buf, sizeof buf, "%g", d);
        } else {
            out += hex_bytes(b);
            return;
        }
        out += buf;
        return;
    }
    case btf::Kind::Array: {
        const btf::ArrayInfo a = t->array();
        auto elem = btf.skip_modifiers(a.elem_type);
        auto esize = btf.resolve_size(a.elem_type);
        if (!elem || !esize || *esize == 0) {
            out += hex_bytes(b);
            return;
        }
        if (elem->kind() == btf::Kind::Int && *esize == 1 && !(elem->int_encoding() & btf::kIntBool)) {
            append_string(out, b);
            return;
        }
        out += '[';
        for (std::uint32_t i = 0; i < a.nelems; ++i) {
            if (i) out += ", ";
            if (i == kMaxElems) {
                out += "...";
                break;
            }
            format_into(btf, a.elem_type, b.subspan(std::size_t{i} * *esize, *esize), out, depth + 1);
        }
        out += ']';
        return;
    }
    case btf::Kind::Struct:
    case btf::Kind::Union: {
        out += '{';
        for (std::uint32_t i = 0; i < t->vlen(); ++i) {
            const btf::Member m = t->member(i);
            if (i) out += ", ";
            out += m.name.empty() ? std::string_view("<anon>") : m.name;
            out += ": ";
            if (m.bitfield_size) {
                const std::size_t first = m.bit_offset / 8;
                const std::uint64_t raw = read_uint(b.subspan(std::min(first, b.size())), 8) >> (m.bit_offset % 8);
                auto mt = btf.skip_modifiers(m.type);
                append_integer(out, raw, mt && mt->is_signed(), m.bitfield_size);
                continue;
            }
            auto msize = btf.resolve_size(m.type);
            const std::size_t off = m.bit_offset / 8;
            if (!msize || off + *msize > b.size()) {
                out += "?";
                continue;
            }
            format_into(btf, m.type, b.subspan(off, *msize), out, depth + 1);
        }
        out += '}';
        return;
    }
    default:
        out += hex_bytes(b);
        return;
    }
}

}  // namespace

Result<GlobalValue> encode_global(const ObjectSpec& spec, std::string_view name, std::string_view text) {
    const VariableSpec* v = find_variable(spec, name);
    if (!v || !settable_section(spec, *v))
        return Error(Errc::NotFound, "--set " + sv(name) + "=" + sv(text) + ": no global variable '" + sv(name) +
                                         "' in .data, .rodata or .bss (" + spec.name + " has: " +
                                         settable_names(spec) + ")");
    if (!spec.btf || v->type == 0)
        return Error(Errc::InvalidArgument, "--set " + sv(name) + ": " + spec.name +
                                                " has no BTF type for it, so its value cannot be parsed");
    auto bytes = encode(*spec.btf, *v, text);
    if (!bytes) return std::move(bytes).error();
    return GlobalValue{v->name, std::move(*bytes)};
}

std::string format_btf_value(const btf::Spec* spec, btf::TypeId id, std::span<const std::byte> bytes) {
    std::string out;
    if (!spec || id == 0) return hex_bytes(bytes);
    format_into(*spec, id, bytes, out, 0);
    return out;
}

}  // namespace ebpf::tool
