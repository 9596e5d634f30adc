// SPDX-License-Identifier: MIT
// libFuzzer target: gunzip, inflate_raw and maybe_gunzip on the same bytes, with their documented limit and
// consistency promises as oracles, and (when the build found zlib) zlib's raw inflate as a reference decoder.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/inflate.hpp"
#include "fuzz.hpp"

#ifdef EBPF_FUZZ_ZLIB
#include <zlib.h>
#endif

namespace {

using namespace ebpf;
using Bytes = std::vector<std::byte>;

// Far below the library default (64 MiB): a few hostile bytes can legally expand 1000-fold, and big outputs only
// slow the fuzzer down without reaching new code.
constexpr std::size_t kLimit = std::size_t{256} << 10;

// Output larger than max_out is ResourceLimit, and max_out == the output size is enough (inflate.hpp).
// This probes the exact boundary, where the decoder's 8-byte match copies have the least slack.
void check_limits(Result<Bytes> (*decode)(std::span<const std::byte>, std::size_t), std::span<const std::byte> in,
                  const Result<Bytes>& full) {
    if (!full) return;
    const Bytes& out = *full;
    EBPF_FUZZ_CHECK(out.size() <= kLimit);
    auto exact = decode(in, out.size());
    EBPF_FUZZ_CHECK(exact.has_value() && *exact == out);
    if (!out.empty()) {
        auto shorter = decode(in, out.size() - 1);
        EBPF_FUZZ_CHECK(!shorter.has_value() && shorter.error().code() == Errc::ResourceLimit);
    }
}

#ifdef EBPF_FUZZ_ZLIB
// zlib's verdict on a raw DEFLATE stream: the output when it ends exactly at the end of the input.
std::optional<Bytes> zlib_inflate_raw(std::span<const std::byte> in) {
    // Allocated once: zeroing a fresh buffer on every input would cost more than the decoding.
    static Bytes out(kLimit + 1);
    z_stream z{};
    if (inflateInit2(&z, -15) != Z_OK) return std::nullopt;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(in.data()));
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    const bool ok = rc == Z_STREAM_END && z.avail_in == 0;
    const std::size_t produced = out.size() - z.avail_out;
    inflateEnd(&z);
    if (!ok) return std::nullopt;
    return Bytes(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(produced));
}
#endif

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);

    auto raw = detail::inflate_raw(in, kLimit);
    if (raw) fuzz::sink(std::span<const std::byte>(*raw));
    else fuzz::sink(raw.error().message());
    check_limits(&detail::inflate_raw, in, raw);

#ifdef EBPF_FUZZ_ZLIB
    // zlib accepts a strict subset of what RFC 1951 allows (it rejects incomplete Huffman codes), so: whatever
    // zlib decodes we must decode identically; what only we accept is not a finding.
    if (auto ref = zlib_inflate_raw(in); ref && ref->size() <= kLimit) {
        EBPF_FUZZ_CHECK(raw.has_value());
        EBPF_FUZZ_CHECK(*raw == *ref);
    }
#endif

    auto gz = detail::gunzip(in, kLimit);
    if (gz) fuzz::sink(std::span<const std::byte>(*gz));
    else fuzz::sink(gz.error().message());
    check_limits(&detail::gunzip, in, gz);

    // maybe_gunzip: gunzip for gzip magic, a bounded copy otherwise.
    auto maybe = detail::maybe_gunzip(in, kLimit);
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        EBPF_FUZZ_CHECK(maybe.has_value() == gz.has_value());
        if (gz) EBPF_FUZZ_CHECK(*maybe == *gz);
    } else if (size > kLimit) {
        EBPF_FUZZ_CHECK(!maybe.has_value() && maybe.error().code() == Errc::ResourceLimit);
    } else {
        EBPF_FUZZ_CHECK(maybe.has_value() && maybe->size() == size &&
                        std::equal(maybe->begin(), maybe->end(), in.begin()));
    }

    // CRC-32 continues across splits: crc(a + b) == crc(b, crc(a)).
    const std::size_t cut = size / 3;
    EBPF_FUZZ_CHECK(detail::crc32(in) == detail::crc32(in.subspan(cut), detail::crc32(in.first(cut))));
    return 0;
}
