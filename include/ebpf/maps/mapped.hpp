// SPDX-License-Identifier: MIT
// MappedMemory: a map's memory mapped into this process (BPF_F_MMAPABLE arrays, global data sections, arenas);
// MappedArray<V>: typed in-place access to a BPF_F_MMAPABLE array.
#pragma once

#include <atomic>
#include <cstring>
#include <memory>
#include <span>

#include <ebpf/maps/view.hpp>

namespace ebpf {

namespace detail {
// Permission: "map 'x' is mapped read-only (frozen, or read-only for user space)".
Error mapping_read_only(const Map& map);
}  // namespace detail

namespace detail {
// Single atomic accesses to plain memory: std::atomic_ref where the standard library has it (libstdc++ 10+,
// libc++ 19+), else the compiler's __atomic builtins that it is made of (the static builds' zig 0.11 ships libc++ 16,
// which has no atomic_ref). Only relaxed and sequentially consistent orders are used.
#if defined(__cpp_lib_atomic_ref)
template <class T>
inline constexpr bool kAtomicAccess = std::atomic_ref<T>::is_always_lock_free;
template <class T>
inline constexpr std::size_t kAtomicAlignment = std::atomic_ref<T>::required_alignment;
template <class T>
T atomic_load(T* p, std::memory_order o) noexcept { return std::atomic_ref<T>(*p).load(o); }
template <class T>
void atomic_store(T* p, const T& v, std::memory_order o) noexcept { std::atomic_ref<T>(*p).store(v, o); }
#else
template <class T>
inline constexpr bool kAtomicAccess = (sizeof(T) == 1 || sizeof(T) == 2 || sizeof(T) == 4 || sizeof(T) == 8) &&
                                      __atomic_always_lock_free(sizeof(T), 0);
template <class T>
inline constexpr std::size_t kAtomicAlignment = sizeof(T);
template <class T>
T atomic_load(T* p, std::memory_order o) noexcept {
    T v;
    __atomic_load(p, &v, o == std::memory_order_relaxed ? __ATOMIC_RELAXED : __ATOMIC_SEQ_CST);
    return v;
}
template <class T>
void atomic_store(T* p, const T& v, std::memory_order o) noexcept {
    T copy = v;
    __atomic_store(p, &copy, o == std::memory_order_relaxed ? __ATOMIC_RELAXED : __ATOMIC_SEQ_CST);
}
#endif
}  // namespace detail

// MappedMemory is a shared handle to the one mapping of a map in this process: every MappedMemory (and Global,
// MappedArray, Arena) of a map shares it, and it is unmapped when the last one is gone. It holds the Map too.
// Reads and writes through bytes() are plain memory accesses, as fast as the hardware allows; BPF programs see
// them at once (and user space sees theirs). Nothing orders them with the programs' accesses: use atomics
// (std::atomic_ref, as Global does) or the BPF side's __sync builtins where it matters.
// Kernel: BPF_F_MMAPABLE arrays 5.5+ (the loader sets the flag on global data where the kernel has it); frozen
//   maps (.rodata, .kconfig, Map::freeze()) and maps user space may not write (BPF_F_RDONLY) map read-only
//   (writable() is false); arenas 6.9+. A writable mapping makes Map::freeze() fail (EBUSY).
// Errors: InvalidArgument for a map that is neither an mmapable array nor an arena; the mmap failure otherwise
//   (Exists: an arena's fixed address is taken).
// Thread safety: of() may be called concurrently (the mapping is made once); the memory is shared by design.
class MappedMemory {
public:
    static Result<MappedMemory> of(const Map& map);

    std::span<std::byte> bytes() const noexcept { return {data_, size_}; }
    std::byte* data() const noexcept { return data_; }
    std::size_t size() const noexcept { return size_; }
    bool writable() const noexcept { return writable_; }
    const Map& map() const noexcept;

private:
    MappedMemory(std::shared_ptr<const detail::Mapping> m, std::byte* data, std::size_t size, bool writable) noexcept
        : m_(std::move(m)), data_(data), size_(size), writable_(writable) {}
    std::shared_ptr<const detail::Mapping> m_;
    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
    bool writable_ = false;
};

// MappedArray<V>: a BPF_F_MMAPABLE ARRAY read and written in place, without system calls. Elements are
// round_up(sizeof(V), 8) bytes apart, as the kernel lays them out.
// load()/store() are single atomic accesses (std::atomic_ref, relaxed) when V is lock-free atomic; otherwise plain
// copies that may tear against a concurrent BPF write. operator[] gives the element itself.
// Errors: as MappedMemory::of(), and InvalidArgument (type, sizes, flag) from from(); store() on a read-only
//   mapping is Permission. Thread safety: as MappedMemory. Ownership: shares the mapping (and the Map).
template <class V>
class MappedArray {
    static_assert(std::is_trivially_copyable_v<V>, "map values must be trivially copyable");
    static_assert(alignof(V) <= 8, "array elements are 8-byte aligned");

public:
    static constexpr std::size_t kStride = (sizeof(V) + 7) / 8 * 8;

    static Result<MappedArray> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::Array}, 4, sizeof(V), "MappedArray"); !r)
            return std::move(r).error();
        auto mem = MappedMemory::of(map);
        if (!mem) return std::move(mem).error();
        return MappedArray(std::move(*mem));
    }

    const Map& map() const noexcept { return mem_.map(); }
    const MappedMemory& memory() const noexcept { return mem_; }
    std::uint32_t size() const noexcept { return mem_.map().max_entries(); }
    bool writable() const noexcept { return mem_.writable(); }

    // Element `i` (< size(); not checked) in the mapped memory. Writing through it on a read-only mapping faults:
    // check writable() or use store().
    V& operator[](std::uint32_t i) const noexcept { return *reinterpret_cast<V*>(mem_.data() + i * kStride); }
    V load(std::uint32_t i) const noexcept {
        if constexpr (detail::kAtomicAccess<V>) {
            return detail::atomic_load(&(*this)[i], std::memory_order_relaxed);
        } else {
            V v;
            std::memcpy(&v, mem_.data() + i * kStride, sizeof(V));
            return v;
        }
    }
    // Errors: InvalidArgument for i >= size(), Permission on a read-only mapping.
    Result<void> store(std::uint32_t i, const V& v) const {
        if (i >= size()) return detail::index_out_of_range(map(), i);
        if (!writable()) return detail::mapping_read_only(map());
        if constexpr (detail::kAtomicAccess<V>)
            detail::atomic_store(&(*this)[i], v, std::memory_order_relaxed);
        else
            std::memcpy(mem_.data() + i * kStride, &v, sizeof(V));
        return {};
    }

private:
    explicit MappedArray(MappedMemory m) : mem_(std::move(m)) {}
    MappedMemory mem_;
};

}  // namespace ebpf
