// SPDX-License-Identifier: MIT
#include "object/kconfig.hpp"

#include <cstring>
#include <limits>
#include <optional>

#include "base/bytes.hpp"
#include "base/format.hpp"

namespace ebpf::detail {

namespace {

// Parses a C integer literal (decimal, 0x hex, 0 octal, optional sign) into a signed or unsigned 64-bit value.
std::optional<std::uint64_t> parse_int(std::string_view s, bool& negative) {
    negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) return std::nullopt;
    unsigned base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s.remove_prefix(2);
    } else if (s.size() > 1 && s[0] == '0') {
        base = 8;
        s.remove_prefix(1);
    }
    std::uint64_t v = 0;
    for (char c : s) {
        unsigned d;
        if (c >= '0' && c <= '9') d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f') d = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') d = static_cast<unsigned>(c - 'A' + 10);
        else return std::nullopt;
        if (d >= base || v > (std::numeric_limits<std::uint64_t>::max() - d) / base) return std::nullopt;
        v = v * base + d;
    }
    return v;
}

Error bad(const ExternSpec& e, std::string why) {
    return Error(Errc::Relocation, format("kconfig extern '%s': %s", e.name.c_str(), why.c_str()));
}

}  // namespace

Result<KconfigValues> parse_kconfig(std::string_view text) {
    KconfigValues out;
    std::size_t line_no = 0;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        std::string_view line = trim(text.substr(0, nl));
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        ++line_no;
        if (line.size() > 13 && line.substr(0, 9) == "# CONFIG_" && line.substr(line.size() - 11) == " is not set") {
            out[std::string(line.data() + 2, line.size() - 13)] = "n";
            continue;
        }
        if (line.substr(0, 7) != "CONFIG_") continue;
        const std::size_t eq = line.find('=');
        if (eq == std::string_view::npos || eq == 7)
            return Error(Errc::InvalidArgument, format("kernel config line %zu is not CONFIG_NAME=VALUE", line_no));
        std::string key(line), value;
        value.assign(key, eq + 1, std::string::npos);
        key.resize(eq);
        out[std::move(key)] = std::move(value);
    }
    return out;
}

Result<void> kconfig_encode(const btf::Spec& b, const ExternSpec& e, std::string_view value, std::span<std::byte> dst) {
    auto t = b.skip_modifiers(e.type);
    if (!t) return std::move(t).error();
    std::memset(dst.data(), 0, dst.size());
    const bool tristate = value == "y" || value == "n" || value == "m";
    if (t->kind() == btf::Kind::Enum && t->name() == "libbpf_tristate") {
        if (!tristate) return bad(e, format("tristate value expected, got '%.*s'", EBPF_SV(value)));
        const std::int32_t v = value == "y" ? 1 : value == "m" ? 2 : 0;  // TRI_YES, TRI_MODULE, TRI_NO
        std::memcpy(dst.data(), &v, std::min<std::size_t>(4, dst.size()));
        return {};
    }
    if (t->kind() == btf::Kind::Int && (t->int_encoding() & btf::kIntBool)) {
        if (!tristate) return bad(e, format("bool value expected, got '%.*s'", EBPF_SV(value)));
        dst[0] = std::byte(value == "n" ? 0 : 1);
        return {};
    }
    if (t->kind() == btf::Kind::Int && (t->int_encoding() & btf::kIntChar) && t->size() == 1 && tristate) {
        dst[0] = std::byte(value[0]);
        return {};
    }
    if (t->kind() == btf::Kind::Array) {
        const btf::Type elem = b.type_or_void(b.skip_modifiers(t->array().elem_type).value_or(b.type_or_void(0)).id());
        if (elem.kind() != btf::Kind::Int || elem.size() != 1) return bad(e, "arrays must be of char");
        if (value.size() < 2 || value.front() != '"' || value.back() != '"')
            return bad(e, format("string value expected, got '%.*s'", EBPF_SV(value)));
        const std::string_view s = value.substr(1, value.size() - 2);
        if (s.size() + 1 > dst.size())
            return bad(e, format("value \"%.*s\" does not fit in char[%zu]", EBPF_SV(s), dst.size()));
        std::memcpy(dst.data(), s.data(), s.size());
        return {};
    }
    if (t->kind() == btf::Kind::Int || t->kind() == btf::Kind::Enum) {
        if (tristate) return bad(e, format("'%.*s' is a tristate, not a number", EBPF_SV(value)));
        bool neg = false;
        auto v = parse_int(value, neg);
        if (!v) return bad(e, format("'%.*s' is not an integer", EBPF_SV(value)));
        const std::uint32_t size = t->size();
        const bool is_signed = t->is_signed();
        if (size == 0 || size > 8 || size > dst.size()) return bad(e, "unsupported integer size");
        const unsigned bits = size * 8;
        std::uint64_t raw;
        if (neg) {
            if (!is_signed) return bad(e, format("negative value %.*s for an unsigned type", EBPF_SV(value)));
            if (bits < 64 && *v > (std::uint64_t{1} << (bits - 1))) return bad(e, "value out of range");
            raw = static_cast<std::uint64_t>(-static_cast<std::int64_t>(*v));
        } else {
            const std::uint64_t max = bits == 64 ? (is_signed ? std::numeric_limits<std::int64_t>::max()
                                                              : std::numeric_limits<std::uint64_t>::max())
                                                 : (is_signed ? (std::uint64_t{1} << (bits - 1)) - 1
                                                              : (std::uint64_t{1} << bits) - 1);
            if (*v > max) return bad(e, format("value %.*s does not fit in %u bytes", EBPF_SV(value), size));
            raw = *v;
        }
        // Native byte order: the BPF program reads it as a host integer.
        for (std::uint32_t i = 0; i < size; ++i) {
            const unsigned shift = host_endian() == Endian::Little ? 8 * i : 8 * (size - 1 - i);
            dst[i] = std::byte((raw >> shift) & 0xff);
        }
        return {};
    }
    return bad(e, format("unsupported type %s", b.describe(e.type).c_str()));
}

std::optional<std::uint32_t> kernel_version_code(std::string_view release) {
    std::uint32_t parts[3] = {0, 0, 0};
    std::size_t i = 0;
    for (int p = 0; p < 3; ++p) {
        if (i >= release.size() || release[i] < '0' || release[i] > '9') {
            if (p < 2) return std::nullopt;
            break;
        }
        std::uint32_t v = 0;
        while (i < release.size() && release[i] >= '0' && release[i] <= '9' && v < 100000)
            v = v * 10 + static_cast<std::uint32_t>(release[i++] - '0');
        parts[p] = v;
        if (i < release.size() && release[i] == '.') ++i;
        else break;
    }
    return parts[0] << 16 | std::min<std::uint32_t>(parts[1], 255) << 8 | std::min<std::uint32_t>(parts[2], 255);
}

}  // namespace ebpf::detail
