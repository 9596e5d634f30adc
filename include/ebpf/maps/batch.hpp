// SPDX-License-Identifier: MIT
// Batch operations on maps: lookup, lookup-and-delete, update and delete of many elements per system call
// (BPF_MAP_*_BATCH), with a per-element fallback where the kernel or the map type lacks them.
//
// Kernel: the batch commands exist since 5.6 for hash maps (all four) and arrays (lookup and update); LPM tries
//   have lookup, update and delete since 5.7-ish; other map types have none. The choice is made in one place
//   (lib/maps/batch_support.cpp): a probe run once per process decides whether the kernel knows the commands at
//   all (BPF_MAP_LOOKUP_BATCH on an invalid fd answers EBADF when it does, EINVAL when the command is unknown);
//   then a map type without the operation answers ENOTSUPP on the first call of a walk or batch, and that call
//   falls back to one element at a time. The kernel's batches take no element flags but BPF_F_LOCK, so updates
//   with NoExist or Exist go element by element. BatchMode::PerElement forces the fallback.
// Semantics: a kernel batch walk is not a snapshot: hash maps are walked bucket by bucket (each bucket read
//   atomically), so elements added or removed in buckets not yet visited are seen or not. The per-element walk
//   (BPF_MAP_GET_NEXT_KEY) restarts from the first key when the key it stands on is deleted, so it may return
//   keys twice; it is bounded by max_entries steps per cursor, so it always ends. The per-element
//   lookup-and-delete is a lookup then a delete: an update in between is lost with the element.
// Errors: InvalidArgument (buffer sizes, a map without keys), ResourceLimit (ENOSPC: a hash bucket holds more
//   elements than the batch has room for: pass a larger batch), the kernel's refusal, each naming the map and how
//   many elements were done before the failure.
// Thread safety: as Map; one BatchCursor must not be used by two threads at once.
// Ownership: the calls keep nothing; a BatchCursor owns its position (a small buffer); results go into the
//   caller's buffers or vectors.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <ebpf/map.hpp>

namespace ebpf {

enum class BatchMode : std::uint8_t {
    Auto,        // the kernel's batch commands where it has them, else element by element
    PerElement,  // always element by element (comparisons, tests, or kernels whose batch commands misbehave)
};

struct BatchOptions {
    // Updates: Any, NoExist, Exist (| Lock). Lookups: Any, or Lock for values with a struct bpf_spin_lock.
    UpdateFlags elem_flags = UpdateFlags::Any;
    // Elements per system call in whole-map reads (read_all); 0: 1024.
    std::uint32_t chunk = 0;
    BatchMode mode = BatchMode::Auto;
};

// The position of a walk over a map in batches. It starts before the first element; done() is true once a call
// has returned the last one. Reuse one cursor for one walk only (reset() starts over).
class BatchCursor {
public:
    bool done() const noexcept { return done_; }
    // True when the last call used the kernel's batch command (false: element by element).
    bool kernel_batch() const noexcept { return started_ && !per_element_; }
    void reset() noexcept {
        started_ = done_ = per_element_ = false;
        steps_ = 0;
    }

private:
    friend struct BatchCursorAccess;
    std::vector<std::byte> token_;  // the kernel's out_batch, or the last key of a per-element walk
    std::uint64_t steps_ = 0;       // per-element walk: keys visited, bounded by max_entries
    bool started_ = false, done_ = false, per_element_ = false;
};

// Untyped batches. `keys` holds n keys of key_size() bytes, `values` n values of value_buffer_size() bytes
// (per-CPU maps: one aligned value per possible CPU), n = keys.size() / key_size().
// Reads up to n elements from the cursor's position; returns how many were read (0 and done() at the end).
Result<std::size_t> lookup_batch(const Map& map, BatchCursor& cursor, std::span<std::byte> keys,
                                 std::span<std::byte> values, const BatchOptions& options = {});
// The same, removing what it read. Kernel: hash maps only (5.6+); the fallback needs a map that can delete.
Result<std::size_t> lookup_and_erase_batch(const Map& map, BatchCursor& cursor, std::span<std::byte> keys,
                                           std::span<std::byte> values, const BatchOptions& options = {});
// Writes n elements with options.elem_flags; returns n. Errors: as Map::update, saying how many were written.
Result<std::size_t> update_batch(const Map& map, std::span<const std::byte> keys, std::span<const std::byte> values,
                                 const BatchOptions& options = {});
// Removes the given keys; returns how many of them were there (missing keys are skipped, not errors).
Result<std::size_t> erase_batch(const Map& map, std::span<const std::byte> keys, const BatchOptions& options = {});

namespace detail {
std::size_t batch_chunk(const Map& map, const BatchOptions& options) noexcept;
// Elements to reserve room for before a whole-map read: max_entries, capped at 64 MiB of keys and values, so a
// walk does not copy its buffers over and over as they grow, and a huge sparse map does not reserve its maximum.
std::size_t batch_reserve(const Map& map, std::size_t element_bytes) noexcept;
// True for the error of a batch too small for one hash bucket (ENOSPC): read_all() retries with a larger one.
bool batch_too_small(const Error& e) noexcept;
}  // namespace detail

// Typed batches: K and V must match the map (checked through the byte sizes).
template <class K, class V>
Result<std::size_t> lookup_batch(const Map& map, BatchCursor& cursor, std::span<K> keys, std::span<V> values,
                                 const BatchOptions& options = {}) {
    return lookup_batch(map, cursor, std::as_writable_bytes(keys), std::as_writable_bytes(values), options);
}
template <class K, class V>
Result<std::size_t> update_batch(const Map& map, std::span<const K> keys, std::span<const V> values,
                                 const BatchOptions& options = {}) {
    return update_batch(map, std::as_bytes(keys), std::as_bytes(values), options);
}
template <class K>
Result<std::size_t> erase_batch(const Map& map, std::span<const K> keys, const BatchOptions& options = {}) {
    return erase_batch(map, std::as_bytes(keys), options);
}

namespace detail {
template <class K, class V>
Result<void> batch_read(const Map& map, std::vector<K>& keys, std::vector<V>& values, bool erase,
                        const BatchOptions& options) {
    BatchCursor cursor;
    std::size_t chunk = batch_chunk(map, options);
    const std::size_t room = batch_reserve(map, sizeof(K) + sizeof(V));
    keys.reserve(keys.size() + room);
    values.reserve(values.size() + room);
    while (!cursor.done()) {
        const std::size_t at = keys.size();
        keys.resize(at + chunk);
        values.resize(at + chunk);
        const auto ks = std::as_writable_bytes(std::span<K>(keys).subspan(at));
        const auto vs = std::as_writable_bytes(std::span<V>(values).subspan(at));
        auto n = erase ? lookup_and_erase_batch(map, cursor, ks, vs, options)
                       : lookup_batch(map, cursor, ks, vs, options);
        keys.resize(n ? at + *n : at);
        values.resize(n ? at + *n : at);
        if (!n) {
            if (!batch_too_small(n.error()) || chunk >= (1u << 24)) return std::move(n).error();
            chunk *= 2;
        }
    }
    return {};
}
}  // namespace detail

// Every element, appended to `keys` and `values`, in batches of options.chunk (a hash bucket larger than that
// doubles it). V is the value type of the map's value buffer (per-CPU maps: use the untyped calls).
template <class K, class V>
Result<void> read_all(const Map& map, std::vector<K>& keys, std::vector<V>& values, const BatchOptions& options = {}) {
    return detail::batch_read(map, keys, values, false, options);
}
// Untyped: every element's key bytes and value bytes (value_buffer_size() each), appended.
Result<void> read_all_bytes(const Map& map, std::vector<std::byte>& keys, std::vector<std::byte>& values,
                            const BatchOptions& options = {});
// The same, removing the elements as they are read (lookup_and_erase_batch).
template <class K, class V>
Result<void> take_all(const Map& map, std::vector<K>& keys, std::vector<V>& values, const BatchOptions& options = {}) {
    return detail::batch_read(map, keys, values, true, options);
}

}  // namespace ebpf
