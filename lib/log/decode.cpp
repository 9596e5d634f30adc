// SPDX-License-Identifier: MIT
// Decoding and formatting one log record (bpf-progs/include/ebpf_log.h, version 1): the header, the typed
// arguments, and the format of its call site, each argument checked against its conversion before it is read.
// Pure: bytes in, text out; fuzzed by tests/fuzz/fuzz_log.cpp.
#include <ebpf/log.hpp>

#include <cstdio>
#include <cstring>

#include "base/format.hpp"

namespace ebpf {

using detail::format;

namespace {

constexpr std::uint16_t kMagic = 0xEB10;
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kHeader = 16;
constexpr unsigned kMaxWidth = 255;  // field width and precision

enum Tag : std::uint8_t { I32 = 1, U32 = 2, I64 = 3, U64 = 4, Ptr = 5, Str = 6, Hex = 7, Ip4 = 8, Ip6 = 9, Mac = 10 };

const char* tag_name(std::uint8_t tag) {
    switch (tag) {
    case I32: return "a 32-bit integer";
    case U32: return "an unsigned 32-bit integer";
    case I64: return "a 64-bit integer";
    case U64: return "an unsigned 64-bit integer";
    case Ptr: return "a pointer";
    case Str: return "a string";
    case Hex: return "bytes (EBPF_HEX)";
    case Ip4: return "an IPv4 address (EBPF_IPV4)";
    case Ip6: return "an IPv6 address (EBPF_IPV6)";
    case Mac: return "a MAC address (EBPF_MAC)";
    default: return "an unknown type";
    }
}

template <class T>
T rec_load(std::span<const std::byte> b, std::size_t off) noexcept {
    T v;
    std::memcpy(&v, b.data() + off, sizeof v);
    return v;
}

// One conversion specification, as parsed from the format.
struct Spec {
    std::string_view text;  // "%-5d", for messages
    bool minus = false, plus = false, space = false, hash = false, zero = false;
    unsigned width = 0;
    int precision = -1;
    enum Length { None, HH, H, L, LL } length = None;
    char conv = 0;     // d i u x X c s p
    char ext[4] = {};  // after %p: "I4", "I6", "I6c", "M", "h", "hC", "hD", "hN" (empty: a plain pointer)
};

// The decoding state of one record.
class Decoder {
public:
    Decoder(std::span<const std::byte> rec, std::size_t used, std::size_t n, std::string& out)
        : rec_(rec.first(used)), n_(n), data_(kHeader + ((n + 7) & ~std::size_t{7}) + 8 * n), out_(out) {}

    Result<void> run(std::string_view fmt);

private:
    Error fail(const std::string& what) const { return Error(Errc::InvalidArgument, what); }
    std::uint8_t tag(std::size_t i) const { return rec_load<std::uint8_t>(rec_, kHeader + i); }
    std::uint64_t value(std::size_t i) const {
        return rec_load<std::uint64_t>(rec_, kHeader + ((n_ + 7) & ~std::size_t{7}) + 8 * i);
    }
    Result<Spec> parse_spec(std::string_view fmt, std::size_t& pos) const;
    Result<void> convert(const Spec& s, std::size_t arg);
    Result<void> integer(const Spec& s, std::size_t arg, std::uint8_t tag, std::uint64_t v);
    // The bytes of a string/bytes/address argument, after checking its descriptor. nullopt: the BPF side could
    // not read them (a fault).
    Result<std::optional<std::span<const std::byte>>> blob(const Spec& s, std::size_t arg, std::uint64_t v) const;
    void pad(const Spec& s, std::string_view text);

    std::span<const std::byte> rec_;
    std::size_t n_;
    std::size_t data_;  // where the data area starts
    std::string& out_;
};

Result<Spec> Decoder::parse_spec(std::string_view fmt, std::size_t& pos) const {
    const std::size_t start = pos++;  // at '%'
    Spec s;
    auto at_end = [&] { return pos >= fmt.size(); };
    auto bad = [&](const char* what) {
        return fail(format("format \"%.*s\": %s at offset %zu", EBPF_SV(fmt), what, start));
    };
    for (; !at_end(); ++pos) {
        const char c = fmt[pos];
        if (c == '-') s.minus = true;
        else if (c == '+') s.plus = true;
        else if (c == ' ') s.space = true;
        else if (c == '#') s.hash = true;
        else if (c == '0') s.zero = true;
        else break;
    }
    auto number = [&](unsigned& v) -> bool {
        v = 0;
        while (!at_end() && fmt[pos] >= '0' && fmt[pos] <= '9') {
            v = v * 10 + static_cast<unsigned>(fmt[pos++] - '0');
            if (v > kMaxWidth) return false;
        }
        return true;
    };
    if (!number(s.width)) return bad("a field width above 255");
    if (!at_end() && fmt[pos] == '.') {
        ++pos;
        unsigned p = 0;
        if (!number(p)) return bad("a precision above 255");
        s.precision = static_cast<int>(p);
    }
    if (!at_end() && fmt[pos] == '*') return bad("'*' (a width or precision from an argument), which is not supported");
    if (!at_end() && fmt[pos] == 'h') {
        ++pos;
        s.length = Spec::H;
        if (!at_end() && fmt[pos] == 'h') ++pos, s.length = Spec::HH;
    } else if (!at_end() && fmt[pos] == 'l') {
        ++pos;
        s.length = Spec::L;
        if (!at_end() && fmt[pos] == 'l') ++pos, s.length = Spec::LL;
    } else if (!at_end() && std::strchr("jztL", fmt[pos]) && fmt[pos] != '\0') {
        return fail(format("format \"%.*s\": length modifier '%c' at offset %zu is not supported (use h, hh, l or ll)",
                           EBPF_SV(fmt), fmt[pos], start));
    }
    if (at_end()) return bad("a conversion cut off by the end of the format");
    s.conv = fmt[pos++];
    if (!std::strchr("diuxXcsp", s.conv) || s.conv == '\0') {
        const unsigned char c = static_cast<unsigned char>(s.conv);
        return fail(format("format \"%.*s\": unknown conversion '%%%c' at offset %zu", EBPF_SV(fmt),
                           c >= 0x20 && c < 0x7f ? s.conv : '?', start));
    }
    if (s.conv == 'p' && !at_end()) {
        const char c = fmt[pos];
        auto next_is = [&](std::size_t k, char want) { return pos + k < fmt.size() && fmt[pos + k] == want; };
        if (c == 'I') {
            if (next_is(1, '4')) {
                std::memcpy(s.ext, "I4", 2);
                pos += 2;
            } else if (next_is(1, '6')) {
                const bool compressed = next_is(2, 'c');
                std::memcpy(s.ext, compressed ? "I6c" : "I6", compressed ? 3 : 2);
                pos += compressed ? 3 : 2;
            } else {
                return bad("%pI not followed by 4 or 6");
            }
        } else if (c == 'M') {
            s.ext[0] = 'M';
            ++pos;
        } else if (c == 'h') {
            s.ext[0] = 'h';
            ++pos;
            if (!at_end() && (fmt[pos] == 'C' || fmt[pos] == 'D' || fmt[pos] == 'N')) s.ext[1] = fmt[pos++];
        } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            return fail(format("format \"%.*s\": unknown pointer extension '%%p%c' at offset %zu (a plain pointer "
                               "followed by letters needs a separator: \"%%p \")",
                               EBPF_SV(fmt), c, start));
        }
    }
    s.text = fmt.substr(start, pos - start);
    // Flags and modifiers where printf gives them a meaning, and nowhere else (so snprintf never sees undefined
    // combinations).
    const bool numeric = std::strchr("diuxX", s.conv) != nullptr;
    const bool ext = s.ext[0] != 0 || s.conv == 'p';
    const char* what = nullptr;
    if (s.hash && s.conv != 'x' && s.conv != 'X') what = "the '#' flag only applies to %x and %X";
    else if ((s.plus || s.space) && s.conv != 'd' && s.conv != 'i') what = "the '+' and ' ' flags only apply to %d and %i";
    else if (s.zero && !numeric) what = "the '0' flag only applies to integer conversions";
    else if (s.precision >= 0 && !numeric && s.conv != 's') what = "a precision only applies to integers and %s";
    else if (s.length != Spec::None && !numeric) what = "length modifiers only apply to %d %i %u %x %X";
    else if (ext && s.length != Spec::None) what = "length modifiers do not apply to %p";
    if (what) return fail(format("format \"%.*s\": %.*s: %s", EBPF_SV(fmt), EBPF_SV(s.text), what));
    return s;
}

void Decoder::pad(const Spec& s, std::string_view text) {
    const std::size_t fill = s.width > text.size() ? s.width - text.size() : 0;
    if (!s.minus) out_.append(fill, ' ');
    out_.append(text);
    if (s.minus) out_.append(fill, ' ');
}

Result<void> Decoder::integer(const Spec& s, std::size_t arg, std::uint8_t t, std::uint64_t v) {
    const bool wide = s.length == Spec::L || s.length == Spec::LL;
    const bool is_int = t == I32 || t == U32 || t == I64 || t == U64;
    const bool is_wide = t == I64 || t == U64;
    if (!is_int || wide != is_wide) {
        std::string hint;
        if (is_int && is_wide) hint = format(" (use %%l%c)", s.conv);
        else if (is_int) hint = format(" (use %%%c)", s.conv);
        return fail(format("argument %zu: %.*s takes %s, the record has %s%s", arg + 1, EBPF_SV(s.text),
                           wide ? "a 64-bit integer" : "a 32-bit integer", tag_name(t), hint.c_str()));
    }
    // The BPF side sign-extends int and zero-extends unsigned int: anything else was not written by it.
    if ((t == I32 && v != static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(v)))) ||
        (t == U32 && (v >> 32) != 0))
        return fail(format("argument %zu: %s holding 0x%llx", arg + 1, tag_name(t), static_cast<unsigned long long>(v)));
    if (s.conv == 'c') {
        if (wide) return fail(format("argument %zu: %.*s (wide characters) is not supported", arg + 1, EBPF_SV(s.text)));
        const char c = static_cast<char>(static_cast<unsigned char>(v));
        pad(s, std::string_view(&c, 1));
        return {};
    }
    // Build the conversion for snprintf from checked parts only.
    char spec[32];
    std::size_t k = 0;
    spec[k++] = '%';
    if (s.minus) spec[k++] = '-';
    if (s.plus) spec[k++] = '+';
    if (s.space) spec[k++] = ' ';
    if (s.hash) spec[k++] = '#';
    if (s.zero) spec[k++] = '0';
    k += static_cast<std::size_t>(std::snprintf(spec + k, sizeof spec - k, "%u", s.width));
    if (s.precision >= 0) k += static_cast<std::size_t>(std::snprintf(spec + k, sizeof spec - k, ".%d", s.precision));
    spec[k++] = 'l';
    spec[k++] = 'l';
    spec[k++] = s.conv;
    spec[k] = '\0';
    char buf[600];  // width and precision are at most 255
    int len;
    if (s.conv == 'd' || s.conv == 'i') {
        long long x;
        switch (s.length) {
        case Spec::HH: x = static_cast<signed char>(v); break;
        case Spec::H: x = static_cast<short>(v); break;
        case Spec::None: x = static_cast<int>(static_cast<std::uint32_t>(v)); break;
        default: x = static_cast<long long>(v); break;
        }
        len = std::snprintf(buf, sizeof buf, spec, x);
    } else {
        unsigned long long x;
        switch (s.length) {
        case Spec::HH: x = static_cast<unsigned char>(v); break;
        case Spec::H: x = static_cast<unsigned short>(v); break;
        case Spec::None: x = static_cast<std::uint32_t>(v); break;
        default: x = v; break;
        }
        len = std::snprintf(buf, sizeof buf, spec, x);
    }
    if (len < 0 || static_cast<std::size_t>(len) >= sizeof buf)
        return fail(format("argument %zu: %.*s could not be formatted", arg + 1, EBPF_SV(s.text)));
    out_.append(buf, static_cast<std::size_t>(len));
    return {};
}

Result<std::optional<std::span<const std::byte>>> Decoder::blob(const Spec& s, std::size_t arg,
                                                                 std::uint64_t v) const {
    if (v >> 33)
        return fail(format("argument %zu (%s): descriptor 0x%llx has unknown bits set", arg + 1, tag_name(tag(arg)),
                           static_cast<unsigned long long>(v)));
    if (v >> 32) return std::optional<std::span<const std::byte>>();  // the BPF side could not read the memory
    const std::size_t off = v & 0xffff, len = (v >> 16) & 0xffff;
    if (off < data_ || off > rec_.size() || len > rec_.size() - off)
        return fail(format("argument %zu (%s) for %.*s: %zu bytes at offset %zu are outside the record's data "
                           "(offsets %zu to %zu)",
                           arg + 1, tag_name(tag(arg)), EBPF_SV(s.text), len, off, data_, rec_.size()));
    return std::optional<std::span<const std::byte>>(rec_.subspan(off, len));
}

void append_hex(std::string& out, unsigned v, int digits) {
    static const char kDigits[] = "0123456789abcdef";
    for (int i = digits - 1; i >= 0; --i) out.push_back(kDigits[(v >> (4 * i)) & 0xf]);
}

void append_ipv4(std::string& out, const std::byte* b) {
    char buf[16];
    const int n = std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", static_cast<unsigned>(b[0]), static_cast<unsigned>(b[1]),
                                static_cast<unsigned>(b[2]), static_cast<unsigned>(b[3]));
    out.append(buf, static_cast<std::size_t>(n));
}

// RFC 5952: lower-case hex without leading zeros, the longest run of two or more zero groups as "::" (the first
// such run on a tie), and IPv4-mapped addresses with their IPv4 part dotted.
void append_ipv6(std::string& out, const std::byte* b, bool compressed) {
    unsigned g[8];
    for (int i = 0; i < 8; ++i) g[i] = (static_cast<unsigned>(b[2 * i]) << 8) | static_cast<unsigned>(b[2 * i + 1]);
    if (!compressed) {
        for (int i = 0; i < 8; ++i) {
            if (i) out.push_back(':');
            append_hex(out, g[i], 4);
        }
        return;
    }
    if (g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0 && g[5] == 0xffff) {
        out += "::ffff:";
        append_ipv4(out, b + 12);
        return;
    }
    int best = -1, best_len = 1;
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > best_len) best = i, best_len = j - i;
        i = j > i ? j : i + 1;
    }
    for (int i = 0; i < 8; ++i) {
        if (i == best) {
            out += "::";
            i += best_len - 1;
            continue;
        }
        if (i && !(best >= 0 && i == best + best_len)) out.push_back(':');
        char buf[8];
        const int n = std::snprintf(buf, sizeof buf, "%x", g[i]);
        out.append(buf, static_cast<std::size_t>(n));
    }
}

Result<void> Decoder::convert(const Spec& s, std::size_t arg) {
    const std::uint8_t t = tag(arg);
    const std::uint64_t v = value(arg);
    if (t < I32 || t > Mac) return fail(format("argument %zu: unknown type tag %u", arg + 1, t));
    if (s.conv != 'p' && s.conv != 's') return integer(s, arg, t, v);
    const std::string_view ext(s.ext, std::strlen(s.ext));
    // What the conversion takes.
    std::uint8_t want;
    if (s.conv == 's') want = Str;
    else if (ext.empty()) want = Ptr;
    else if (ext == "I4") want = Ip4;
    else if (ext[0] == 'I') want = Ip6;
    else if (ext == "M") want = Mac;
    else want = Hex;
    if (t != want) {
        const char* hint = "";
        if (want == Ptr && t == Str) hint = " (a char * argument is logged as a string: cast it to void * for %p)";
        else if (want == Ip4 && t != Ip4) hint = " (wrap the address in EBPF_IPV4())";
        else if (want == Ip6) hint = " (wrap the pointer in EBPF_IPV6())";
        else if (want == Mac) hint = " (wrap the pointer in EBPF_MAC())";
        else if (want == Hex) hint = " (wrap the pointer in EBPF_HEX(ptr, len))";
        return fail(format("argument %zu: %.*s takes %s, the record has %s%s", arg + 1, EBPF_SV(s.text),
                           tag_name(want), tag_name(t), hint));
    }
    if (want == Ptr) {
        char buf[24];
        const int n = std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
        pad(s, std::string_view(buf, static_cast<std::size_t>(n)));
        return {};
    }
    if (want == Ip4) {
        if (v >> 32) return fail(format("argument %zu: an IPv4 address holding 0x%llx", arg + 1, static_cast<unsigned long long>(v)));
        const std::uint32_t a = static_cast<std::uint32_t>(v);
        std::byte b[4];
        std::memcpy(b, &a, 4);  // the address's bytes as they were in memory (network order)
        std::string text;
        append_ipv4(text, b);
        pad(s, text);
        return {};
    }
    auto bytes = blob(s, arg, v);
    if (!bytes) return std::move(bytes).error();
    if (!*bytes) {
        pad(s, "(fault)");
        return {};
    }
    const std::span<const std::byte> d = **bytes;
    std::string text;
    if (want == Str) {
        std::size_t len = d.size();
        if (s.precision >= 0 && static_cast<std::size_t>(s.precision) < len) len = static_cast<std::size_t>(s.precision);
        const char* p = reinterpret_cast<const char*>(d.data());
        if (const void* nul = std::memchr(p, 0, len)) len = static_cast<std::size_t>(static_cast<const char*>(nul) - p);
        pad(s, std::string_view(p, len));
        return {};
    }
    if (want == Ip6 || want == Mac) {
        const std::size_t need = want == Ip6 ? 16 : 6;
        if (d.size() != need)
            return fail(format("argument %zu: %s must be %zu bytes, the record has %zu", arg + 1, tag_name(want), need,
                               d.size()));
        if (want == Ip6) {
            append_ipv6(text, d.data(), ext == "I6c");
        } else {
            for (std::size_t i = 0; i < 6; ++i) {
                if (i) text.push_back(':');
                append_hex(text, static_cast<unsigned>(d[i]), 2);
            }
        }
        pad(s, text);
        return {};
    }
    const char sep = ext.size() < 2 ? ' ' : ext[1] == 'C' ? ':' : ext[1] == 'D' ? '-' : '\0';
    for (std::size_t i = 0; i < d.size(); ++i) {
        if (i && sep) text.push_back(sep);
        append_hex(text, static_cast<unsigned>(d[i]), 2);
    }
    pad(s, text);
    return {};
}

Result<void> Decoder::run(std::string_view fmt) {
    std::size_t arg = 0;
    for (std::size_t pos = 0; pos < fmt.size();) {
        const std::size_t pct = fmt.find('%', pos);
        if (pct == std::string_view::npos) {
            out_.append(fmt.substr(pos));
            break;
        }
        out_.append(fmt.substr(pos, pct - pos));
        pos = pct;
        if (pct + 1 < fmt.size() && fmt[pct + 1] == '%') {
            out_.push_back('%');
            pos += 2;
            continue;
        }
        auto spec = parse_spec(fmt, pos);
        if (!spec) return std::move(spec).error();
        if (arg >= n_)
            return fail(format("format \"%.*s\": %.*s is conversion %zu, the record has %zu argument%s", EBPF_SV(fmt),
                               EBPF_SV(spec->text), arg + 1, n_, n_ == 1 ? "" : "s"));
        if (auto r = convert(*spec, arg); !r) return std::move(r).error().context(format("format \"%.*s\"", EBPF_SV(fmt)));
        ++arg;
    }
    if (arg < n_)
        return fail(format("format \"%.*s\": %zu conversion%s, the record has %zu arguments", EBPF_SV(fmt), arg,
                           arg == 1 ? "" : "s", n_));
    return {};
}

}  // namespace

Result<const LogSite*> format_log_record(std::span<const std::byte> record, const LogSites& sites, std::string& out) {
    out.clear();
    auto fail = [&](const std::string& what) -> Error {
        out.clear();
        return Error(Errc::InvalidArgument, "malformed log record: " + what);
    };
    if (record.size() < kHeader)
        return fail(format("truncated: %zu bytes, the header alone is %zu", record.size(), kHeader));
    const auto magic = rec_load<std::uint16_t>(record, 0);
    if (magic != kMagic) return fail(format("magic 0x%04x, expected 0x%04x: not a log record", magic, kMagic));
    const auto version = rec_load<std::uint8_t>(record, 2);
    if (version != kVersion)
        return fail(format("version %u; this decoder reads version %u", version, kVersion));
    const std::size_t n = rec_load<std::uint8_t>(record, 3);
    const auto site_id = rec_load<std::uint32_t>(record, 4);
    const auto used = rec_load<std::uint32_t>(record, 8);
    if (used > record.size())
        return fail(format("the header says %u bytes, the record has %zu", used, record.size()));
    const std::size_t args_end = kHeader + ((n + 7) & ~std::size_t{7}) + 8 * n;
    if (args_end > used)
        return fail(format("%zu arguments need %zu bytes of header, tags and values, the record uses %u", n, args_end, used));
    const LogSite* site = sites.find(site_id);
    if (!site)
        return fail(format("unknown call site %u (the object has %zu log sites: an object/record mismatch?)", site_id,
                           sites.sites().size()));
    if (site->nargs != n)
        return fail(format("call site %u (%s:%u) passes %u arguments, the record has %zu", site_id, site->file.c_str(),
                           site->line, site->nargs, n));
    Decoder d(record, used, n, out);
    if (auto r = d.run(site->format); !r) {
        out.clear();
        return std::move(r).error().context(format("malformed log record from %s:%u", site->file.c_str(), site->line));
    }
    return site;
}

}  // namespace ebpf
