// SPDX-License-Identifier: MIT
// Table-driven DEFLATE/gzip decoder; every read is checked against the input and every write against max_out.
#include "base/inflate.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <memory>
#include <string>
#include <utility>

#include "base/bytes.hpp"
#include "base/format.hpp"

namespace ebpf::detail {
namespace {

// ---------------------------------------------------------------------------------------------------------------
// CRC-32

using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;

// Slicing-by-8: table k advances a byte through k further zero bytes, so eight input bytes fold in with eight
// independent lookups instead of a serial chain of eight. Byte-at-a-time CRC would cost more than inflating.
// Built on first use rather than at compile time: 8 KiB of .bss instead of 8 KiB of every static binary.
CrcTables make_crc_tables() noexcept {
    CrcTables t{};
    for (std::uint32_t i = 0; i < 256; ++i) {
        std::uint32_t c = i;
        for (int k = 0; k < 8; ++k) c = (c & 1u) ? (c >> 1) ^ 0xEDB88320u : c >> 1;
        t[0][i] = c;
    }
    for (std::size_t i = 0; i < 256; ++i) {
        for (std::size_t k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xffu];
    }
    return t;
}

const CrcTables& crc_tables() noexcept {
    static const CrcTables t = make_crc_tables();
    return t;
}

inline std::uint32_t load_le32(const unsigned char* p) noexcept {
    return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

inline std::uint16_t load_le16(const unsigned char* p) noexcept {
    return static_cast<std::uint16_t>(p[0] | p[1] << 8);
}

inline std::uint64_t load_le64(const unsigned char* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (host_endian() == Endian::Big) v = byteswap(v);
    return v;
}

std::uint32_t crc32_update(std::uint32_t crc, const unsigned char* p, std::size_t n) noexcept {
    const CrcTables& kCrc = crc_tables();
    crc = ~crc;
    for (; n >= 8; p += 8, n -= 8) {
        const std::uint32_t lo = crc ^ load_le32(p);
        const std::uint32_t hi = load_le32(p + 4);
        crc = kCrc[7][lo & 0xffu] ^ kCrc[6][(lo >> 8) & 0xffu] ^ kCrc[5][(lo >> 16) & 0xffu] ^ kCrc[4][lo >> 24] ^
              kCrc[3][hi & 0xffu] ^ kCrc[2][(hi >> 8) & 0xffu] ^ kCrc[1][(hi >> 16) & 0xffu] ^ kCrc[0][hi >> 24];
    }
    for (; n > 0; ++p, --n) crc = kCrc[0][(crc ^ *p) & 0xffu] ^ (crc >> 8);
    return ~crc;
}

// ---------------------------------------------------------------------------------------------------------------
// Huffman decoding tables
//
// An entry is one 32-bit word so a lookup is a single load: bits 0-7 hold the code length to consume (the full
// length, also for second-level entries), bits 8-15 a tag, bits 16-31 a value. Codes arrive LSB-first, so tables
// are indexed by the bit-reversed code. Codes longer than the root width go through a second-level table whose
// root entry carries kTagSub | width and the second-level table's offset as value.

constexpr unsigned kTagLiteral = 16;  // value: byte (or code-length symbol)
constexpr unsigned kTagEnd = 17;      // end of block
constexpr unsigned kTagInvalid = 18;  // code space no symbol uses, or a symbol that must not appear in data
constexpr unsigned kTagSub = 64;      // | second-level width; value: offset of the second-level table
// Tags 0..13: a length or distance base as value, with the tag giving its number of extra bits.

constexpr std::uint32_t make_entry(unsigned value, unsigned tag, unsigned len = 0) {
    return std::uint32_t{value} << 16 | std::uint32_t{tag} << 8 | len;
}
constexpr std::uint32_t kInvalidEntry = make_entry(0, kTagInvalid);

constexpr unsigned kMaxCodeLen = 15;
constexpr unsigned kNumLitLen = 288;   // 286 and 287 only exist to complete the fixed code
constexpr unsigned kNumDist = 32;      // 30 and 31 likewise
constexpr unsigned kNumCodeLen = 19;
constexpr unsigned kMaxHlit = 286;

// Root widths: 10 bits covers nearly every literal/length code of real streams, so second-level lookups are rare,
// while the tables (re)built for every dynamic block stay cheap to fill.
constexpr unsigned kLitRootBits = 10;
constexpr unsigned kDistRootBits = 8;
constexpr unsigned kCodeLenRootBits = 7;  // code-length codes are at most 7 bits: never a second level

// Worst-case sizes. For a complete code, a root slot whose subtree needs a second level of width w holds at
// least w+1 codes, so at most 288/6 slots can need 2^5 entries (literal/length) and 32/8 slots 2^7 (distance).
// Incomplete codes are only accepted when they have no code longer than one bit. build_table() still checks.
constexpr std::size_t kLitTableSize = (std::size_t{1} << kLitRootBits) + (kNumLitLen / 6) * 32;
constexpr std::size_t kDistTableSize = (std::size_t{1} << kDistRootBits) + (kNumDist / 8) * 128;
constexpr std::size_t kCodeLenTableSize = std::size_t{1} << kCodeLenRootBits;

constexpr std::array<std::uint16_t, 29> kLengthBase = {3,  4,  5,  6,  7,  8,  9,  10,  11,  13,  15,  17,  19,  23, 27,
                                                       31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> kLengthExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                       2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<std::uint16_t, 30> kDistBase = {1,    2,    3,    4,    5,    7,     9,     13,    17,    25,
                                                     33,   49,   65,   97,   129,  193,   257,   385,   513,   769,
                                                     1025, 1537, 2049, 3073, 4097, 6145,  8193,  12289, 16385, 24577};
constexpr std::array<std::uint8_t, 30> kDistExtra = {0, 0, 0, 0, 1, 1, 2,  2,  3,  3,  4,  4,  5,  5,  6,
                                                     6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// What each symbol decodes to, minus the code length that build_table() fills in.
constexpr std::array<std::uint32_t, kNumLitLen> make_lit_symbols() {
    std::array<std::uint32_t, kNumLitLen> s{};
    for (unsigned i = 0; i < 256; ++i) s[i] = make_entry(i, kTagLiteral);
    s[256] = make_entry(0, kTagEnd);
    for (unsigned i = 0; i < 29; ++i) s[257 + i] = make_entry(kLengthBase[i], kLengthExtra[i]);
    s[286] = s[287] = kInvalidEntry;
    return s;
}
constexpr std::array<std::uint32_t, kNumDist> make_dist_symbols() {
    std::array<std::uint32_t, kNumDist> s{};
    for (unsigned i = 0; i < 30; ++i) s[i] = make_entry(kDistBase[i], kDistExtra[i]);
    s[30] = s[31] = kInvalidEntry;
    return s;
}
constexpr std::array<std::uint32_t, kNumCodeLen> make_code_len_symbols() {
    std::array<std::uint32_t, kNumCodeLen> s{};
    for (unsigned i = 0; i < kNumCodeLen; ++i) s[i] = make_entry(i, kTagLiteral);
    return s;
}
constexpr auto kLitSymbols = make_lit_symbols();
constexpr auto kDistSymbols = make_dist_symbols();
constexpr auto kCodeLenSymbols = make_code_len_symbols();

// The order in which a dynamic block header sends code-length code lengths (RFC 1951 3.2.7).
constexpr std::array<std::uint8_t, kNumCodeLen> kCodeLenOrder = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                                                 11, 4,  12, 3, 13, 2, 14, 1, 15};

constexpr unsigned reverse_bits(unsigned v, unsigned n) {
    unsigned r = 0;
    for (unsigned i = 0; i < n; ++i, v >>= 1) r = (r << 1) | (v & 1u);
    return r;
}

enum class Degenerate : std::uint8_t {
    Reject,  // the code must be complete
    Allow,   // also accept no codes at all, or a single one-bit code (RFC 1951 3.2.7; zlib emits such trees)
};

// Builds a decoding table from canonical code lengths (each <= 15). Returns nullptr on success, otherwise what
// is wrong with the lengths.
const char* build_table(const std::uint8_t* lens, unsigned n, const std::uint32_t* symbols, unsigned root_bits,
                        std::uint32_t* table, std::size_t capacity, Degenerate degenerate) {
    std::array<unsigned, kMaxCodeLen + 1> count{};
    for (unsigned s = 0; s < n; ++s) ++count[lens[s]];
    count[0] = 0;

    // Walk the code tree level by level: `left` is how many codes of the current length are still free.
    int left = 1;
    unsigned used = 0;
    for (unsigned len = 1; len <= kMaxCodeLen; ++len) {
        left = left * 2 - static_cast<int>(count[len]);
        if (left < 0) return "over-subscribed";
        used += count[len];
    }
    if (left > 0) {
        const bool ok_degenerate = used == 0 || (used == 1 && count[1] == 1);
        if (degenerate == Degenerate::Reject || !ok_degenerate) return "incomplete";
    }

    std::array<unsigned, kMaxCodeLen + 1> next{};
    unsigned code = 0;
    for (unsigned len = 1; len <= kMaxCodeLen; ++len) {
        code = (code + count[len - 1]) << 1;
        next[len] = code;
    }
    std::array<std::uint16_t, kNumLitLen> codes{};
    for (unsigned s = 0; s < n; ++s) {
        if (lens[s] != 0) codes[s] = static_cast<std::uint16_t>(next[lens[s]]++);
    }

    // Long codes sharing their first root_bits bits share one second-level table, sized by the longest of them.
    const std::size_t root_size = std::size_t{1} << root_bits;
    std::array<std::uint8_t, std::size_t{1} << kLitRootBits> sub_len{};
    for (unsigned s = 0; s < n; ++s) {
        const unsigned len = lens[s];
        if (len <= root_bits) continue;
        std::uint8_t& m = sub_len[codes[s] >> (len - root_bits)];
        m = std::max(m, static_cast<std::uint8_t>(len));
    }
    std::fill(table, table + root_size, kInvalidEntry);
    std::size_t end = root_size;
    for (std::size_t prefix = 0; prefix < root_size; ++prefix) {
        if (sub_len[prefix] == 0) continue;
        const unsigned width = sub_len[prefix] - root_bits;
        const std::size_t size = std::size_t{1} << width;
        if (capacity - end < size) return "too large";  // unreachable for codes that passed the checks above
        table[reverse_bits(static_cast<unsigned>(prefix), root_bits)] =
            make_entry(static_cast<unsigned>(end), kTagSub | width, root_bits);
        std::fill(table + end, table + end + size, kInvalidEntry);
        end += size;
    }

    for (unsigned s = 0; s < n; ++s) {
        const unsigned len = lens[s];
        if (len == 0) continue;
        const std::uint32_t entry = symbols[s] | len;
        const unsigned rev = reverse_bits(codes[s], len);
        if (len <= root_bits) {
            for (std::size_t i = rev; i < root_size; i += std::size_t{1} << len) table[i] = entry;
        } else {
            const std::uint32_t link = table[rev & (root_size - 1)];
            const std::size_t base = link >> 16;
            const std::size_t size = std::size_t{1} << ((link >> 8) & 0x3fu);
            for (std::size_t i = rev >> root_bits; i < size; i += std::size_t{1} << (len - root_bits)) {
                table[base + i] = entry;
            }
        }
    }
    return nullptr;
}

struct Tables {
    std::array<std::uint32_t, kLitTableSize> lit;
    std::array<std::uint32_t, kDistTableSize> dist;
    std::array<std::uint32_t, kCodeLenTableSize> code_len;
};

// ---------------------------------------------------------------------------------------------------------------
// Bit reader

// Holds up to 64 bits in `buf`, of which the low `cnt` are real input. The refill may leave bits of the next,
// not yet consumed, byte above `cnt`; they are that byte's true value, so ORing it in again later is harmless.
// Peeking past `cnt` is allowed (table lookups do it near the end of input); consuming past it is not, and every
// consumer checks, which is how truncation is detected without a branch per byte in the hot loop.
struct BitReader {
    const unsigned char* data;
    std::size_t size;
    std::size_t pos;  // next byte to load into buf
    std::uint64_t buf;
    unsigned cnt;

    void refill() noexcept {
        if (size - pos >= 8) {
            buf |= load_le64(data + pos) << cnt;
            pos += (63 - cnt) >> 3;
            cnt |= 56;
        } else {
            while (cnt <= 56 && pos < size) {
                buf |= std::uint64_t{data[pos++]} << cnt;
                cnt += 8;
            }
        }
    }
    // Only after have(n) or an equivalent check.
    std::uint32_t take(unsigned n) noexcept {
        const auto v = static_cast<std::uint32_t>(buf & ((std::uint64_t{1} << n) - 1));
        buf >>= n;
        cnt -= n;
        return v;
    }
    void drop(unsigned n) noexcept {
        buf >>= n;
        cnt -= n;
    }
    bool have(unsigned n) noexcept {
        if (cnt < n) refill();
        return cnt >= n;
    }
    std::uint64_t bit_position() const noexcept { return std::uint64_t{pos} * 8 - cnt; }
    // Discards the partial byte and hands buffered whole bytes back to the input, so byte-oriented reads
    // (stored blocks, the gzip trailer) can continue from `pos`.
    void align_to_byte() noexcept {
        drop(cnt & 7u);
        pos -= cnt >> 3;
        buf = 0;
        cnt = 0;
    }
};

// ---------------------------------------------------------------------------------------------------------------
// Inflater

class Inflater {
public:
    // `in` starts at the first DEFLATE byte and may continue past the stream (the gzip trailer); `base` is its
    // offset in the caller's input so messages name the caller's byte offsets. Output is appended to `out`,
    // whose size() is used as capacity; `out_pos` is the logical size. Matches may not reach before `out_pos`.
    Inflater(std::span<const std::byte> in, std::size_t base, std::vector<std::byte>& out, std::size_t out_pos,
             std::size_t max_out)
        : br_{reinterpret_cast<const unsigned char*>(in.data()), in.size(), 0, 0, 0},
          base_(base),
          out_(out),
          out_pos_(out_pos),
          window_start_(out_pos),
          max_out_(max_out) {}

    Result<void> run();
    std::size_t out_pos() const noexcept { return out_pos_; }
    // Input bytes used, counting the final block's last byte even when only part of it was needed.
    std::size_t consumed() noexcept {
        br_.align_to_byte();
        return br_.pos;
    }

private:
    Result<void> stored_block();
    Result<void> dynamic_tables();
    Result<void> huffman_block();
    bool grow(std::size_t op, std::size_t need);

    Error corrupt(const std::string& what, std::uint64_t bit_pos) const {
        return Error(Errc::InvalidArgument, format("deflate: %s at input byte %llu (bit %u)", what.c_str(),
                                                   static_cast<unsigned long long>(base_ + bit_pos / 8),
                                                   static_cast<unsigned>(bit_pos % 8)));
    }
    Error truncated() const {
        return Error(Errc::InvalidArgument,
                     format("deflate: truncated stream (input ends at byte %zu before the final block is complete)",
                            base_ + br_.size));
    }
    Error too_big(std::uint64_t bit_pos) const {
        return Error(Errc::ResourceLimit, format("deflate: output exceeds the limit of %zu bytes at input byte %llu",
                                                 max_out_, static_cast<unsigned long long>(base_ + bit_pos / 8)));
    }

    BitReader br_;
    std::size_t base_;
    std::vector<std::byte>& out_;
    std::size_t out_pos_;
    std::size_t window_start_;
    std::size_t max_out_;
    std::unique_ptr<Tables> tables_{new Tables};  // default-initialised: build_table() writes what is read
    bool fixed_loaded_ = false;  // fixed tables are built once and kept while only fixed blocks follow
};

// Makes room for `need` more bytes at `op`. Grows geometrically so total copying stays linear, but never
// past max_out, so hostile input cannot make us allocate more than the caller allowed.
bool Inflater::grow(std::size_t op, std::size_t need) {
    if (op > max_out_ || need > max_out_ - op) return false;
    const std::size_t cap = out_.size();
    std::size_t want = op + need;
    want += std::min<std::size_t>(64, max_out_ - want);  // slack for the 8-byte match copies
    const std::size_t doubled = cap > max_out_ / 2 ? max_out_ : cap * 2;
    want = std::max<std::size_t>({want, doubled, std::min<std::size_t>(4096, max_out_)});
    out_.resize(want);
    return true;
}

Result<void> Inflater::run() {
    for (bool final = false; !final;) {
        const std::uint64_t block_bit = br_.bit_position();
        if (!br_.have(3)) return truncated();
        final = br_.take(1) != 0;
        switch (br_.take(2)) {
        case 0: {
            Result<void> r = stored_block();
            if (!r) return r;
            break;
        }
        case 1:
            if (!fixed_loaded_) {
                std::array<std::uint8_t, kNumLitLen> lens{};
                std::fill(lens.begin(), lens.begin() + 144, std::uint8_t{8});
                std::fill(lens.begin() + 144, lens.begin() + 256, std::uint8_t{9});
                std::fill(lens.begin() + 256, lens.begin() + 280, std::uint8_t{7});
                std::fill(lens.begin() + 280, lens.end(), std::uint8_t{8});
                std::array<std::uint8_t, kNumDist> dlens{};
                dlens.fill(5);
                // The fixed codes are complete by construction, so these cannot fail.
                build_table(lens.data(), kNumLitLen, kLitSymbols.data(), kLitRootBits, tables_->lit.data(),
                            kLitTableSize, Degenerate::Reject);
                build_table(dlens.data(), kNumDist, kDistSymbols.data(), kDistRootBits, tables_->dist.data(),
                            kDistTableSize, Degenerate::Reject);
                fixed_loaded_ = true;
            }
            {
                Result<void> r = huffman_block();
                if (!r) return r;
            }
            break;
        case 2: {
            fixed_loaded_ = false;
            Result<void> r = dynamic_tables();
            if (!r) return r;
            r = huffman_block();
            if (!r) return r;
            break;
        }
        default: return corrupt("invalid block type 3", block_bit);
        }
    }
    return {};
}

Result<void> Inflater::stored_block() {
    br_.align_to_byte();
    const std::size_t start = br_.pos;
    if (br_.size - start < 4) return truncated();
    const std::uint16_t len = load_le16(br_.data + start);
    const std::uint16_t nlen = load_le16(br_.data + start + 2);
    if (len != static_cast<std::uint16_t>(~nlen)) {
        return corrupt(format("stored block LEN 0x%04x does not match NLEN 0x%04x", len, nlen),
                       std::uint64_t{start} * 8);
    }
    if (br_.size - start - 4 < len) return truncated();
    if (out_.size() - out_pos_ < len && !grow(out_pos_, len)) return too_big(std::uint64_t{start} * 8);
    if (len != 0) std::memcpy(out_.data() + out_pos_, br_.data + start + 4, len);
    out_pos_ += len;
    br_.pos = start + 4 + len;
    return {};
}

Result<void> Inflater::dynamic_tables() {
    const std::uint64_t header_bit = br_.bit_position();
    if (!br_.have(14)) return truncated();
    const unsigned hlit = br_.take(5) + 257;
    const unsigned hdist = br_.take(5) + 1;
    const unsigned hclen = br_.take(4) + 4;
    // HLIT is capped at 286 by RFC 1951, but HDIST may legally be 32 (zlib refuses > 30): distance symbols 30
    // and 31 then only shape the code and fail as invalid if the data ever uses them.
    if (hlit > kMaxHlit) {
        return corrupt(format("dynamic block declares %u literal/length codes (at most %u exist)", hlit, kMaxHlit),
                       header_bit);
    }

    std::array<std::uint8_t, kNumCodeLen> cl_lens{};
    for (unsigned i = 0; i < hclen; ++i) {
        if (!br_.have(3)) return truncated();
        cl_lens[kCodeLenOrder[i]] = static_cast<std::uint8_t>(br_.take(3));
    }
    if (const char* why = build_table(cl_lens.data(), kNumCodeLen, kCodeLenSymbols.data(), kCodeLenRootBits,
                                      tables_->code_len.data(), kCodeLenTableSize, Degenerate::Reject)) {
        return corrupt(format("%s code-length code", why), header_bit);
    }

    // Literal/length and distance lengths form one sequence: a repeat may run from one into the other.
    std::array<std::uint8_t, kMaxHlit + kNumDist> lens{};
    const unsigned total = hlit + hdist;
    const std::uint32_t* cl = tables_->code_len.data();
    for (unsigned n = 0; n < total;) {
        const std::uint64_t sym_bit = br_.bit_position();
        br_.refill();
        const std::uint32_t e = cl[br_.buf & ((1u << kCodeLenRootBits) - 1)];
        const unsigned len = e & 0xffu;
        if (len > br_.cnt) return truncated();
        br_.drop(len);
        // The code-length code is complete, so every entry is a real symbol 0..18.
        const unsigned sym = e >> 16;
        if (sym < 16) {
            lens[n++] = static_cast<std::uint8_t>(sym);
            continue;
        }
        std::uint8_t value = 0;
        unsigned repeat = 0;
        if (sym == 16) {
            if (n == 0) return corrupt("code length repeat (16) with no previous length", sym_bit);
            value = lens[n - 1];
            if (!br_.have(2)) return truncated();
            repeat = 3 + br_.take(2);
        } else if (sym == 17) {
            if (!br_.have(3)) return truncated();
            repeat = 3 + br_.take(3);
        } else {
            if (!br_.have(7)) return truncated();
            repeat = 11 + br_.take(7);
        }
        if (repeat > total - n) {
            return corrupt(format("code length repeat of %u overruns the %u lengths declared", repeat, total),
                           sym_bit);
        }
        std::fill_n(lens.begin() + n, repeat, value);
        n += repeat;
    }

    if (lens[256] == 0) return corrupt("dynamic block has no end-of-block code", header_bit);
    if (const char* why = build_table(lens.data(), hlit, kLitSymbols.data(), kLitRootBits, tables_->lit.data(),
                                      kLitTableSize, Degenerate::Allow)) {
        return corrupt(format("%s literal/length code", why), header_bit);
    }
    if (const char* why = build_table(lens.data() + hlit, hdist, kDistSymbols.data(), kDistRootBits,
                                      tables_->dist.data(), kDistTableSize, Degenerate::Allow)) {
        return corrupt(format("%s distance code", why), header_bit);
    }
    return {};
}

// The hot loop. State lives in locals because output is written through std::byte*, which may alias anything,
// so members would be reloaded from memory after every byte written.
Result<void> Inflater::huffman_block() {
    constexpr std::uint64_t lit_mask = (std::uint64_t{1} << kLitRootBits) - 1;
    constexpr std::uint64_t dist_mask = (std::uint64_t{1} << kDistRootBits) - 1;
    const std::uint32_t* const lit = tables_->lit.data();
    const std::uint32_t* const dist = tables_->dist.data();
    BitReader br = br_;
    std::byte* o = out_.data();
    std::size_t cap = out_.size();
    std::size_t op = out_pos_;

    for (;;) {
        // One refill covers a whole length/distance pair: 15 + 5 + 15 + 13 = 48 <= 56 bits.
        br.refill();
        const std::uint64_t sym_bit = br.bit_position();
        std::uint32_t e = lit[br.buf & lit_mask];
        if (e & (kTagSub << 8)) {
            e = lit[(e >> 16) + ((br.buf >> kLitRootBits) & ((std::uint64_t{1} << ((e >> 8) & 0x3fu)) - 1))];
        }
        unsigned n = e & 0xffu;
        if (n > br.cnt) return truncated();
        br.drop(n);
        unsigned tag = (e >> 8) & 0xffu;

        if (tag == kTagLiteral) {
            if (op == cap) {
                if (!grow(op, 1)) return too_big(sym_bit);
                o = out_.data();
                cap = out_.size();
            }
            o[op++] = static_cast<std::byte>(e >> 16);
            continue;
        }
        if (tag >= 16) {
            if (tag == kTagEnd) break;
            return corrupt("invalid literal/length code", sym_bit);
        }

        if (tag > br.cnt) return truncated();
        const std::size_t len = (e >> 16) + br.take(tag);

        e = dist[br.buf & dist_mask];
        if (e & (kTagSub << 8)) {
            e = dist[(e >> 16) + ((br.buf >> kDistRootBits) & ((std::uint64_t{1} << ((e >> 8) & 0x3fu)) - 1))];
        }
        n = e & 0xffu;
        if (n > br.cnt) return truncated();
        br.drop(n);
        tag = (e >> 8) & 0xffu;
        if (tag >= 16) return corrupt("invalid distance code", sym_bit);
        if (tag > br.cnt) return truncated();
        const std::size_t d = (e >> 16) + br.take(tag);
        if (d > op - window_start_) {
            return corrupt(format("distance %zu reaches before the start of the output (%zu bytes so far)", d,
                                  op - window_start_),
                           sym_bit);
        }

        std::byte* to = o + op;
        if (d >= 8 && cap - op >= len + 8) {
            // Whole 8-byte chunks, possibly writing up to 7 bytes past the match into spare capacity (later
            // overwritten or trimmed). With d >= 8 each chunk's source ends before its destination starts, so
            // repeating patterns still come out right and each memcpy is non-overlapping.
            const std::byte* from = to - d;
            for (std::size_t i = 0; i < len; i += 8) std::memcpy(to + i, from + i, 8);
        } else {
            if (cap - op < len) {
                if (!grow(op, len)) return too_big(sym_bit);
                o = out_.data();
                cap = out_.size();
                to = o + op;
            }
            const std::byte* from = to - d;
            if (d >= len) {
                std::memcpy(to, from, len);
            } else if (d == 1) {
                std::memset(to, static_cast<int>(from[0]), len);
            } else {
                for (std::size_t i = 0; i < len; ++i) to[i] = from[i];
            }
        }
        op += len;
    }

    br_ = br;
    out_pos_ = op;
    return {};
}

// ---------------------------------------------------------------------------------------------------------------
// gzip framing

// FTEXT (0x01) only hints at the original data's nature and is irrelevant to decoding.
constexpr unsigned char kFhcrc = 0x02;
constexpr unsigned char kFextra = 0x04;
constexpr unsigned char kFname = 0x08;
constexpr unsigned char kFcomment = 0x10;
constexpr unsigned char kFreserved = 0xe0;

bool has_gzip_magic(const unsigned char* p, std::size_t n) { return n >= 2 && p[0] == 0x1f && p[1] == 0x8b; }

Error gzip_error(std::string message) { return Error(Errc::InvalidArgument, "gzip: " + message); }

// Decodes the member at `off`, appending to out[0, op) and advancing `off` past its trailer.
Result<void> gunzip_member(std::span<const std::byte> in, std::size_t& off, std::vector<std::byte>& out,
                           std::size_t& op, std::size_t max_out) {
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    const std::size_t size = in.size();
    const std::size_t start = off;
    if (size - start < 10) {
        return gzip_error(format("truncated header at byte %zu (%zu bytes left, need 10)", start, size - start));
    }
    if (!has_gzip_magic(p + start, size - start)) {
        return gzip_error(format("bad magic %02x %02x at byte %zu (expected 1f 8b)", p[start], p[start + 1], start));
    }
    if (p[start + 2] != 8) {
        return gzip_error(format("unsupported compression method %u at byte %zu (only 8, deflate, exists)",
                                 p[start + 2], start + 2));
    }
    const unsigned char flags = p[start + 3];
    if (flags & kFreserved) {
        return gzip_error(format("reserved flag bits set (flags 0x%02x) at byte %zu", flags, start + 3));
    }

    std::size_t pos = start + 10;
    if (flags & kFextra) {
        if (size - pos < 2) return gzip_error(format("truncated FEXTRA length at byte %zu", pos));
        const std::size_t xlen = load_le16(p + pos);
        pos += 2;
        if (size - pos < xlen) {
            return gzip_error(format("FEXTRA field of %zu bytes at byte %zu runs past the end of input", xlen, pos));
        }
        pos += xlen;
    }
    for (const auto& [flag, name] : {std::pair{kFname, "FNAME"}, std::pair{kFcomment, "FCOMMENT"}}) {
        if (!(flags & flag)) continue;
        const void* nul = std::memchr(p + pos, 0, size - pos);
        if (!nul) return gzip_error(format("unterminated %s starting at byte %zu", name, pos));
        pos = static_cast<std::size_t>(static_cast<const unsigned char*>(nul) - p) + 1;
    }
    if (flags & kFhcrc) {
        if (size - pos < 2) return gzip_error(format("truncated header CRC at byte %zu", pos));
        const std::uint16_t expected = load_le16(p + pos);
        const auto got = static_cast<std::uint16_t>(crc32_update(0, p + start, pos - start));
        if (expected != got) {
            return gzip_error(format("header CRC16 mismatch at byte %zu (expected 0x%04x, got 0x%04x)", pos,
                                     expected, got));
        }
        pos += 2;
    }

    Inflater inf(in.subspan(pos), pos, out, op, max_out);
    if (Result<void> r = inf.run(); !r) return r;
    const std::size_t member_out = op;
    op = inf.out_pos();
    pos += inf.consumed();

    if (size - pos < 8) {
        return gzip_error(format("truncated trailer at byte %zu (%zu bytes left, need 8)", pos, size - pos));
    }
    const std::uint32_t expected_crc = load_le32(p + pos);
    const std::uint32_t expected_size = load_le32(p + pos + 4);
    const std::uint32_t got_crc =
        crc32_update(0, reinterpret_cast<const unsigned char*>(out.data()) + member_out, op - member_out);
    if (expected_crc != got_crc) {
        return gzip_error(format("CRC32 mismatch at byte %zu (expected 0x%08x, got 0x%08x)", pos, expected_crc,
                                 got_crc));
    }
    // ISIZE is the length modulo 2^32, so compare only what it can say.
    const auto got_size = static_cast<std::uint32_t>(static_cast<std::uint64_t>(op - member_out) & 0xffffffffu);
    if (expected_size != got_size) {
        return gzip_error(format("size mismatch at byte %zu (ISIZE %u, decoded %u bytes mod 2^32)", pos + 4,
                                 expected_size, got_size));
    }
    off = pos + 8;
    return {};
}

}  // namespace

std::uint32_t crc32(std::span<const std::byte> data, std::uint32_t crc) noexcept {
    return crc32_update(crc, reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

Result<std::vector<std::byte>> inflate_raw(std::span<const std::byte> in, std::size_t max_out) {
    std::vector<std::byte> out;
    // A guess that avoids most regrowth for text (ratio ~4) without trusting anything the input claims.
    const std::size_t guess = in.size() > max_out / 4 ? max_out : std::max<std::size_t>(in.size() * 4, 256);
    out.resize(std::min(guess, max_out));
    Inflater inf(in, 0, out, 0, max_out);
    if (Result<void> r = inf.run(); !r) return std::move(r).error();
    const std::size_t used = inf.consumed();
    if (used != in.size()) {
        return Error(Errc::InvalidArgument,
                     format("deflate: %zu trailing bytes after the final block at input byte %zu", in.size() - used,
                            used));
    }
    out.resize(inf.out_pos());
    return out;
}

Result<std::vector<std::byte>> gunzip(std::span<const std::byte> in, std::size_t max_out) {
    const auto* p = reinterpret_cast<const unsigned char*>(in.data());
    std::vector<std::byte> out;
    // The last ISIZE is exact for the usual single member, so sizing from it usually means one allocation. It is
    // only a hint: a hostile value is clamped to what DEFLATE's maximum ratio (~1032:1) allows for this input.
    if (in.size() >= 18 && has_gzip_magic(p, in.size())) {  // no allocation for input that is not gzip at all
        const std::uint64_t isize = load_le32(p + in.size() - 4);
        const std::uint64_t ceiling = std::uint64_t{in.size()} * 1032;
        const std::uint64_t hint = std::min({isize + 64, ceiling, std::uint64_t{max_out}});
        out.resize(static_cast<std::size_t>(hint));
    }
    std::size_t op = 0;
    std::size_t off = 0;
    do {
        if (Result<void> r = gunzip_member(in, off, out, op, max_out); !r) return std::move(r).error();
        if (off < in.size() && !has_gzip_magic(p + off, in.size() - off)) {
            return gzip_error(format("%zu bytes of trailing garbage after the member ending at byte %zu",
                                     in.size() - off, off));
        }
    } while (off < in.size());
    out.resize(op);
    return out;
}

Result<std::vector<std::byte>> maybe_gunzip(std::span<const std::byte> in, std::size_t max_out) {
    if (has_gzip_magic(reinterpret_cast<const unsigned char*>(in.data()), in.size())) return gunzip(in, max_out);
    if (in.size() > max_out) {
        return Error(Errc::ResourceLimit,
                     format("uncompressed input of %zu bytes exceeds the limit of %zu bytes", in.size(), max_out));
    }
    return std::vector<std::byte>(in.begin(), in.end());
}

}  // namespace ebpf::detail
