// SPDX-License-Identifier: MIT
// DEFLATE (RFC 1951) and gzip (RFC 1952) decoding, so /proc/config.gz can be read without linking zlib.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <ebpf/error.hpp>

namespace ebpf::detail {

// A cap on decompressed size, because one hostile 64 KiB input can legally expand to ~66 MB.
inline constexpr std::size_t kDefaultInflateLimit = std::size_t{64} << 20;

// Decompresses gzip data (RFC 1952). FEXTRA/FNAME/FCOMMENT/FHCRC are handled, CRC32 and ISIZE are verified.
// Concatenated members (what `cat a.gz b.gz` produces) decode to the concatenated output, as gzip(1) does;
// anything after the last member that is not another member is rejected rather than silently ignored.
// Corrupt input: Errc::InvalidArgument, with the input byte offset in the message.
// Output larger than max_out: Errc::ResourceLimit (nothing beyond max_out is ever allocated).
Result<std::vector<std::byte>> gunzip(std::span<const std::byte> in, std::size_t max_out = kDefaultInflateLimit);

// Decompresses a raw DEFLATE stream (RFC 1951). The input must end with the byte holding the final block's
// last bit: trailing bytes are an error, since nothing here could tell the caller where the stream ended.
Result<std::vector<std::byte>> inflate_raw(std::span<const std::byte> in, std::size_t max_out = kDefaultInflateLimit);

// gunzip() when the input starts with the gzip magic 1f 8b, otherwise a copy of the input (a kernel built with
// CONFIG_IKCONFIG_PROC exposes gzip, but config files found elsewhere are plain text). The copy is held to
// max_out too, so callers get one size guarantee whatever the input was.
Result<std::vector<std::byte>> maybe_gunzip(std::span<const std::byte> in, std::size_t max_out = kDefaultInflateLimit);

// CRC-32 as used by gzip (reflected polynomial 0xEDB88320). Pass the previous result as `crc` to continue a
// running checksum; start with 0.
std::uint32_t crc32(std::span<const std::byte> data, std::uint32_t crc = 0) noexcept;

}  // namespace ebpf::detail
