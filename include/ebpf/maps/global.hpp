// SPDX-License-Identifier: MIT
// Global<T>: a global variable of a loaded object (.data, .bss, .rodata, .data.*/.rodata.* sections), typed and
// read or written after load in the section's mapped memory, or through the section map where it cannot be mapped.
#pragma once

#include <atomic>
#include <cstring>
#include <optional>
#include <string>

#include <ebpf/maps/mapped.hpp>

namespace ebpf {

namespace detail {
// Where a global lives: its section's map, the mapping when there is one, its place and whether user space may
// write it. Made by Object::global(); Global<T> is a typed face on it.
struct GlobalRef {
    Map map;
    std::optional<MappedMemory> memory;  // the section mapped (BPF_F_MMAPABLE), or empty: system calls
    std::uint32_t offset = 0, size = 0;
    bool read_only = false;              // .rodata / .kconfig: frozen after load
    std::string name, section;
};
// The system-call path: lookup / update of the whole section value (one element, key 0).
Result<void> global_read(const GlobalRef& g, std::span<std::byte> out);
Result<void> global_write(const GlobalRef& g, std::span<const std::byte> in);
// Permission: "global 'x' is in .rodata, which is read-only after load (frozen): set it before load ...".
Error global_read_only(const GlobalRef& g);
// InvalidArgument: "global 'x' has N bytes; the type has M".
Error global_size_mismatch(const GlobalRef& g, std::size_t type_size);
}  // namespace detail

// Global<T> is a reference-like view of one global variable after load: get() and set() read and write the
// variable where the BPF programs see it.
// Mapped sections (kernel 5.5+, where the loader makes global data BPF_F_MMAPABLE): get()/set() are memory
//   accesses, no system call: single atomic loads and stores (std::atomic_ref, sequentially consistent) when T is
//   lock-free atomic (integers, pointers, small aligned structs); other types are copied with memcpy and may tear
//   against a BPF program writing at the same time.
// Unmapped sections (older kernels): one lookup (get) or a lookup and an update of the whole section (set): set()
//   is then not atomic against programs writing other variables of the same section meanwhile.
// .rodata and .kconfig are frozen after load: they are mapped read-only, and set() is refused with Permission
//   (set such values before load: LoadOptions::globals).
// Kernel: BPF_F_MMAPABLE arrays 5.5+ (mapped path), BPF_MAP_FREEZE 5.2+ (.rodata read-only for user space).
// Errors: NotFound / InvalidArgument from Object::global() (no such variable, T's size differs); Permission from
//   set() on a read-only section; the section map's errors on the system-call path.
// Thread safety: get()/set() may run concurrently from any thread (see above for atomicity).
// Ownership: shares the section's Map (and its mapping): the view may outlive the Object.
template <class T>
class Global {
    static_assert(std::is_trivially_copyable_v<T>, "globals are read and written as bytes: T must be trivially copyable");

public:
    static Result<Global> from(detail::GlobalRef ref) {
        if (ref.size != sizeof(T)) return detail::global_size_mismatch(ref, sizeof(T));
        return Global(std::move(ref));
    }

    Result<T> get() const {
        if (T* p = ptr()) return load(p);
        T v;
        auto r = detail::global_read(ref_, as_writable_bytes_of(v));
        if (!r) return std::move(r).error();
        return v;
    }
    Result<void> set(const T& value) const {
        if (ref_.read_only) return detail::global_read_only(ref_);
        if (T* p = ptr()) {
            if (!ref_.memory->writable()) return detail::global_read_only(ref_);
            store(p, value);
            return {};
        }
        return detail::global_write(ref_, as_bytes_of(value));
    }

    // The variable in the mapped section, or null when the section is not mapped. Read-only sections are mapped
    // without write permission: writing through the pointer then faults.
    T* data() const noexcept { return ptr(); }
    bool mapped() const noexcept { return ref_.memory.has_value(); }
    bool read_only() const noexcept { return ref_.read_only; }
    const std::string& name() const noexcept { return ref_.name; }
    const std::string& section() const noexcept { return ref_.section; }
    const Map& map() const noexcept { return ref_.map; }

private:
    explicit Global(detail::GlobalRef ref) : ref_(std::move(ref)) {}
    T* ptr() const noexcept {
        return ref_.memory ? reinterpret_cast<T*>(ref_.memory->data() + ref_.offset) : nullptr;
    }
    static bool atomic_ok(const T* p) noexcept {
        return detail::kAtomicAccess<T> && reinterpret_cast<std::uintptr_t>(p) % detail::kAtomicAlignment<T> == 0;
    }
    static T load(T* p) noexcept {
        if constexpr (detail::kAtomicAccess<T>) {
            if (atomic_ok(p)) return detail::atomic_load(p, std::memory_order_seq_cst);
        }
        T v;
        std::memcpy(&v, p, sizeof(T));
        return v;
    }
    static void store(T* p, const T& v) noexcept {
        if constexpr (detail::kAtomicAccess<T>) {
            if (atomic_ok(p)) {
                detail::atomic_store(p, v, std::memory_order_seq_cst);
                return;
            }
        }
        std::memcpy(p, &v, sizeof(T));
    }
    detail::GlobalRef ref_;
};

}  // namespace ebpf
