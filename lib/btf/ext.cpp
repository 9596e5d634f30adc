// SPDX-License-Identifier: MIT
// .BTF.ext decoding: func_info, line_info and CO-RE relocation records, grouped by ELF section.
#include "base/format.hpp"
#include "base/try.hpp"
#include "btf/spec_impl.hpp"

namespace ebpf::btf {

using detail::ByteView;
using detail::format;

namespace {

Error malformed_ext(std::string msg) { return Error(Errc::MalformedBtf, ".BTF.ext: " + std::move(msg)); }

// One info block: rec_size, then {sec_name_off, num_info, records...} until the block ends.
template <class T, class Decode>
Result<void> parse_block(const ByteView& v, std::uint32_t off, std::uint32_t len, std::uint32_t min_rec,
                         const char* what, const Spec& btf, std::vector<ExtSection<T>>& out,
                         std::uint32_t* rec_size_out, Decode decode) {
    if (len == 0) return {};
    if (len < 4) return malformed_ext(format("%s block of %u bytes is too short", what, len));
    auto blk = v.sub(off, len);
    if (!blk) return malformed_ext(format("%s block [%u, +%u) is outside the section", what, off, len));
    const std::uint32_t rec_size = blk->load<std::uint32_t>(0);
    if (rec_size < min_rec || rec_size % 4 != 0 || rec_size > 0xffff)
        return malformed_ext(format("%s record size %u is invalid (minimum %u)", what, rec_size, min_rec));
    if (rec_size_out) *rec_size_out = rec_size;
    std::uint64_t pos = 4;
    while (pos < len) {
        if (len - pos < 8) return malformed_ext(format("%s: truncated section header at offset %llu", what,
                                                   static_cast<unsigned long long>(pos)));
        const std::uint32_t name_off = blk->load<std::uint32_t>(static_cast<std::size_t>(pos));
        const std::uint32_t n = blk->load<std::uint32_t>(static_cast<std::size_t>(pos) + 4);
        pos += 8;
        auto name = btf.string(name_off);
        if (!name || name->empty()) return malformed_ext(format("%s: section name offset %u is invalid", what, name_off));
        if (n == 0) return malformed_ext(format("%s: section %.*s has no records", what, EBPF_SV(*name)));
        const std::uint64_t bytes = static_cast<std::uint64_t>(n) * rec_size;
        if (bytes > len - pos)
            return malformed_ext(format("%s: section %.*s claims %u records of %u bytes, more than the block holds", what,
                                    EBPF_SV(*name), n, rec_size));
        ExtSection<T> sec;
        sec.section = std::string(*name);
        sec.records.reserve(n);
        for (std::uint32_t i = 0; i < n; ++i) {
            T rec = decode(*blk, static_cast<std::size_t>(pos));
            if (rec.insn_off % 8 != 0)
                return malformed_ext(format("%s: section %.*s record %u: instruction offset %u is not a multiple of 8", what,
                                        EBPF_SV(*name), i, rec.insn_off));
            sec.records.push_back(rec);
            pos += rec_size;
        }
        out.push_back(std::move(sec));
    }
    return {};
}

}  // namespace

std::string_view to_string(CoreReloKind k) noexcept {
    static constexpr std::string_view names[] = {"byte_off",   "byte_sz",        "field_exists", "signed",
                                                 "lshift_u64", "rshift_u64",     "local_type_id", "target_type_id",
                                                 "type_exists", "type_size",     "enumval_exists", "enumval_value",
                                                 "type_matches"};
    auto i = static_cast<unsigned>(k);
    return i < std::size(names) ? names[i] : "unknown";
}

Result<ExtInfo> ExtInfo::parse(std::span<const std::byte> bytes, const Spec& btf) {
    const ByteView v(bytes, btf.big_endian() ? detail::Endian::Big : detail::Endian::Little);
    if (bytes.size() < 8) return malformed_ext(format("too short for a header (%zu bytes)", bytes.size()));
    if (v.load<std::uint16_t>(0) != kBtfMagic) return malformed_ext("bad magic (or byte order differs from .BTF)");
    if (v.load<std::uint8_t>(2) != 1) return malformed_ext(format("unsupported version %u", v.load<std::uint8_t>(2)));
    const std::uint32_t hdr_len = v.load<std::uint32_t>(4);
    if (hdr_len < 24 || hdr_len > bytes.size())
        return malformed_ext(format("header length %u is invalid for a %zu-byte section", hdr_len, bytes.size()));
    auto body = v.sub(hdr_len, bytes.size() - hdr_len);
    ExtInfo info;
    auto field = [&](std::size_t off) { return v.load<std::uint32_t>(off); };
    EBPF_TRY(parse_block<FuncInfo>(*body, field(8), field(12), 8, "func_info", btf, info.func_info,
                                   &info.func_info_rec_size, [](const ByteView& b, std::size_t o) {
                                       return FuncInfo{b.load<std::uint32_t>(o), b.load<std::uint32_t>(o + 4)};
                                   }));
    EBPF_TRY(parse_block<LineInfo>(*body, field(16), field(20), 16, "line_info", btf, info.line_info,
                                   &info.line_info_rec_size, [](const ByteView& b, std::size_t o) {
                                       return LineInfo{b.load<std::uint32_t>(o), b.load<std::uint32_t>(o + 4),
                                                       b.load<std::uint32_t>(o + 8), b.load<std::uint32_t>(o + 12)};
                                   }));
    if (hdr_len >= 32) {
        EBPF_TRY(parse_block<CoreRelo>(*body, field(24), field(28), 16, "core_relo", btf, info.core_relos, nullptr,
                                       [](const ByteView& b, std::size_t o) {
                                           return CoreRelo{b.load<std::uint32_t>(o), b.load<std::uint32_t>(o + 4),
                                                           b.load<std::uint32_t>(o + 8),
                                                           static_cast<CoreReloKind>(b.load<std::uint32_t>(o + 12))};
                                       }));
    }
    return info;
}

}  // namespace ebpf::btf
