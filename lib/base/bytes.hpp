// SPDX-License-Identifier: MIT
// Bounded, endian-aware reads from untrusted bytes. Every parser in the pure layers reads through this,
// so an offset or length taken from the input can never make us read outside the buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

namespace ebpf::detail {

enum class Endian : std::uint8_t { Little, Big };

constexpr Endian host_endian() noexcept {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return Endian::Big;
#else
    return Endian::Little;
#endif
}

template <class T>
constexpr T byteswap(T v) noexcept {
    static_assert(std::is_integral_v<T>);
    if constexpr (sizeof(T) == 1) return v;
    else if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(static_cast<std::uint16_t>(v)));
    else if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(static_cast<std::uint32_t>(v)));
    else return static_cast<T>(__builtin_bswap64(static_cast<std::uint64_t>(v)));
}

// True when [off, off+len) lies inside a buffer of `size` bytes, without overflowing.
constexpr bool in_bounds(std::uint64_t size, std::uint64_t off, std::uint64_t len) noexcept {
    return off <= size && len <= size - off;
}

class ByteView {
public:
    constexpr ByteView() noexcept = default;
    constexpr ByteView(std::span<const std::byte> data, Endian e) noexcept
        : data_(data), swap_(e != host_endian()) {}

    std::size_t size() const noexcept { return data_.size(); }
    std::span<const std::byte> bytes() const noexcept { return data_; }
    const std::byte* data() const noexcept { return data_.data(); }
    bool swapped() const noexcept { return swap_; }
    Endian endian() const noexcept {
        return swap_ ? (host_endian() == Endian::Little ? Endian::Big : Endian::Little) : host_endian();
    }
    bool contains(std::uint64_t off, std::uint64_t len) const noexcept { return in_bounds(data_.size(), off, len); }

    // Unchecked read: the caller has proven contains(off, sizeof(T)).
    template <class T>
    T load(std::size_t off) const noexcept {
        T v;
        std::memcpy(&v, data_.data() + off, sizeof v);
        if constexpr (sizeof(T) > 1) {
            if (swap_) v = byteswap(v);
        }
        return v;
    }
    // Checked read.
    template <class T>
    std::optional<T> get(std::uint64_t off) const noexcept {
        if (!contains(off, sizeof(T))) return std::nullopt;
        return load<T>(static_cast<std::size_t>(off));
    }
    // A sub-view; empty optional when out of bounds.
    std::optional<ByteView> sub(std::uint64_t off, std::uint64_t len) const noexcept {
        if (!contains(off, len)) return std::nullopt;
        ByteView v = *this;
        v.data_ = data_.subspan(static_cast<std::size_t>(off), static_cast<std::size_t>(len));
        return v;
    }
    // NUL-terminated string starting at off; nullopt when off is out of bounds or no NUL follows inside the buffer.
    std::optional<std::string_view> cstr(std::uint64_t off) const noexcept {
        if (off >= data_.size()) return std::nullopt;
        const char* p = reinterpret_cast<const char*>(data_.data()) + off;
        const void* nul = std::memchr(p, 0, data_.size() - static_cast<std::size_t>(off));
        if (!nul) return std::nullopt;
        return std::string_view(p, static_cast<std::size_t>(static_cast<const char*>(nul) - p));
    }

private:
    std::span<const std::byte> data_;
    bool swap_ = false;
};

}  // namespace ebpf::detail
