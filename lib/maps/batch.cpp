// SPDX-License-Identifier: MIT
// Batch operations: the kernel's BPF_MAP_*_BATCH commands, or one element at a time where they are missing
// (the choice: batch_support.cpp).
#include <ebpf/maps/batch.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/format.hpp"
#include "maps/batch_support.hpp"
#include "sys/map_batch.hpp"

namespace ebpf {

using detail::format;

// Gives batch.cpp access to a cursor's state (BatchCursor befriends it).
struct BatchCursorAccess {
    static std::vector<std::byte>& token(BatchCursor& c) noexcept { return c.token_; }
    static std::uint64_t& steps(BatchCursor& c) noexcept { return c.steps_; }
    static bool& started(BatchCursor& c) noexcept { return c.started_; }
    static bool& done(BatchCursor& c) noexcept { return c.done_; }
    static bool& per_element(BatchCursor& c) noexcept { return c.per_element_; }
};

namespace detail {

std::size_t batch_chunk(const Map& map, const BatchOptions& options) noexcept {
    if (options.chunk != 0) return options.chunk;
    return std::clamp<std::size_t>(map.max_entries(), 1, 1024);
}

std::size_t batch_reserve(const Map& map, std::size_t element_bytes) noexcept {
    constexpr std::size_t kMaxBytes = std::size_t{64} << 20;
    return std::min<std::size_t>(map.max_entries(), kMaxBytes / std::max<std::size_t>(element_bytes, 1));
}

bool batch_too_small(const Error& e) noexcept { return e.sys_errno() == ENOSPC; }

}  // namespace detail

namespace {

using Cur = BatchCursorAccess;

// The number of elements in the caller's buffers, checked against the map's sizes.
Result<std::size_t> element_count(const Map& m, const char* op, std::size_t key_bytes, std::size_t value_bytes,
                                  bool with_values) {
    if (m.key_size() == 0)
        return Error(Errc::InvalidArgument, format("map '%s': %s: a %.*s map has no keys to batch", m.name().c_str(),
                                                   op, EBPF_SV(to_string(m.type()))));
    if (key_bytes % m.key_size() != 0)
        return Error(Errc::InvalidArgument, format("map '%s': %s: %zu bytes of keys is not a whole number of %u-byte "
                                                   "keys",
                                                   m.name().c_str(), op, key_bytes, m.key_size()));
    const std::size_t n = key_bytes / m.key_size();
    if (with_values && value_bytes != n * m.value_buffer_size())
        return Error(Errc::InvalidArgument, format("map '%s': %s: %zu keys need %zu bytes of values (%zu each), "
                                                   "got %zu",
                                                   m.name().c_str(), op, n, n * m.value_buffer_size(),
                                                   m.value_buffer_size(), value_bytes));
    return n;
}

Error batch_error(const Map& m, const char* op, sys::Cmd cmd, int err, std::size_t done, std::size_t total) {
    Error e = Error::from_errno(err, sys::cmd_name(cmd));
    if (err == E2BIG) e.context(format("the map is full (max_entries %u)", m.max_entries()));
    if (err == ENOSPC) e.context("a hash bucket holds more elements than the batch has room for; use a larger batch");
    return std::move(e).context(format("map '%s': %s (%zu of %zu elements done)", m.name().c_str(), op, done, total));
}

Error element_error(Error e, const Map& m, const char* op, std::size_t done, std::size_t total) {
    return std::move(e).context(format("%s, element by element (%zu of %zu elements done)", op, done, total))
        .context(format("map '%s'", m.name().c_str()));
}

sys::MapBatchAttr batch_attr(const Map& m, const void* keys, const void* values, std::size_t n,
                             const BatchOptions& o) {
    sys::MapBatchAttr a{};
    a.map_fd = static_cast<sys::u32>(m.fd().get());
    a.keys = sys::ptr_to_u64(keys);
    a.values = sys::ptr_to_u64(values);
    a.count = static_cast<sys::u32>(n);
    a.elem_flags = static_cast<std::uint64_t>(o.elem_flags);
    return a;
}

// One chunk of a walk, element by element: BPF_MAP_GET_NEXT_KEY from the cursor's last key, then a lookup.
Result<std::size_t> walk_elements(const Map& m, BatchCursor& c, std::span<std::byte> keys,
                                  std::span<std::byte> values, std::size_t n, LookupFlags lf) {
    const std::size_t ks = m.key_size(), vs = m.value_buffer_size();
    std::vector<std::byte>& last = Cur::token(c);
    std::size_t got = 0;
    while (got < n) {
        if (Cur::steps(c) >= m.max_entries()) {
            Cur::done(c) = true;
            break;
        }
        const bool first = Cur::steps(c)++ == 0;
        const std::span<std::byte> key = keys.subspan(got * ks, ks);
        auto more = m.next_key(first ? std::span<const std::byte>{} : std::span<const std::byte>(last.data(), ks), key);
        if (!more) return element_error(std::move(more).error(), m, "lookup batch", got, n);
        if (!*more) {
            Cur::done(c) = true;
            break;
        }
        std::memcpy(last.data(), key.data(), ks);
        auto found = m.lookup(key, values.subspan(got * vs, vs), lf);
        if (!found) return element_error(std::move(found).error(), m, "lookup batch", got, n);
        if (*found) ++got;  // else: deleted since its key was listed
    }
    return got;
}

// One chunk of a draining walk, element by element: the first key (what was read is gone), a lookup, a delete.
Result<std::size_t> take_elements(const Map& m, BatchCursor& c, std::span<std::byte> keys,
                                  std::span<std::byte> values, std::size_t n, LookupFlags lf) {
    const std::size_t ks = m.key_size(), vs = m.value_buffer_size();
    std::size_t got = 0;
    while (got < n) {
        if (Cur::steps(c)++ >= m.max_entries()) {
            Cur::done(c) = true;
            break;
        }
        const std::span<std::byte> key = keys.subspan(got * ks, ks);
        auto more = m.next_key({}, key);
        if (!more) return element_error(std::move(more).error(), m, "lookup and delete batch", got, n);
        if (!*more) {
            Cur::done(c) = true;
            break;
        }
        auto found = m.lookup(key, values.subspan(got * vs, vs), lf);
        if (!found) return element_error(std::move(found).error(), m, "lookup and delete batch", got, n);
        if (!*found) continue;
        auto erased = m.erase(key);
        if (!erased) return element_error(std::move(erased).error(), m, "lookup and delete batch", got, n);
        if (*erased) ++got;  // else: someone else removed it between our lookup and delete
    }
    return got;
}

Result<std::size_t> batch_walk(const Map& m, BatchCursor& c, std::span<std::byte> keys, std::span<std::byte> values,
                         const BatchOptions& o, bool take) {
    const char* op = take ? "lookup and delete batch" : "lookup batch";
    auto count = element_count(m, op, keys.size(), values.size(), true);
    if (!count) return std::move(count).error();
    const std::size_t n = *count;
    if (Cur::done(c) || n == 0) return std::size_t{0};
    if (!Cur::started(c)) {
        Cur::per_element(c) = !detail::use_kernel_batch(o, 0);
        // The kernel's token is a u32 bucket (hash maps) or a key (arrays, tries); the fallback keeps the last key.
        Cur::token(c).assign(std::max<std::size_t>(m.key_size(), 8), std::byte{0});
    }
    if (!Cur::per_element(c)) {
        const sys::Cmd cmd = take ? sys::Cmd::MapLookupAndDeleteBatch : sys::Cmd::MapLookupBatch;
        sys::MapBatchAttr a = batch_attr(m, keys.data(), values.data(), n, o);
        a.in_batch = Cur::started(c) ? sys::ptr_to_u64(Cur::token(c).data()) : 0;
        a.out_batch = sys::ptr_to_u64(Cur::token(c).data());
        const sys::BatchOutcome out = sys::map_batch(cmd, a);
        if (out.err == 0 || out.err == ENOENT) {  // ENOENT: the end of the map, with this last chunk
            Cur::started(c) = true;
            Cur::done(c) = out.err == ENOENT;
            return std::size_t{out.count};
        }
        if (Cur::started(c) || detail::use_kernel_batch(o, out.err))
            return batch_error(m, op, cmd, out.err, out.count, n);
        Cur::per_element(c) = true;  // this map type has no such batch: element by element from the start
    }
    Cur::started(c) = true;
    const LookupFlags lf = (o.elem_flags & UpdateFlags::Lock) == UpdateFlags::Lock ? LookupFlags::Lock
                                                                                   : LookupFlags::Any;
    return take ? take_elements(m, c, keys, values, n, lf) : walk_elements(m, c, keys, values, n, lf);
}

}  // namespace

Result<std::size_t> lookup_batch(const Map& map, BatchCursor& cursor, std::span<std::byte> keys,
                                 std::span<std::byte> values, const BatchOptions& options) {
    return batch_walk(map, cursor, keys, values, options, false);
}

Result<std::size_t> lookup_and_erase_batch(const Map& map, BatchCursor& cursor, std::span<std::byte> keys,
                                           std::span<std::byte> values, const BatchOptions& options) {
    return batch_walk(map, cursor, keys, values, options, true);
}

Result<std::size_t> update_batch(const Map& m, std::span<const std::byte> keys, std::span<const std::byte> values,
                                 const BatchOptions& o) {
    auto count = element_count(m, "update batch", keys.size(), values.size(), true);
    if (!count) return std::move(count).error();
    const std::size_t n = *count;
    if (n == 0) return std::size_t{0};
    if (detail::use_kernel_batch(o, 0)) {
        sys::MapBatchAttr a = batch_attr(m, keys.data(), values.data(), n, o);
        const sys::BatchOutcome out = sys::map_batch(sys::Cmd::MapUpdateBatch, a);
        if (out.err == 0) return n;
        if (out.count != 0 || detail::use_kernel_batch(o, out.err))
            return batch_error(m, "update batch", sys::Cmd::MapUpdateBatch, out.err, out.count, n);
    }
    const std::size_t ks = m.key_size(), vs = m.value_buffer_size();
    for (std::size_t i = 0; i < n; ++i) {
        auto r = m.update(keys.subspan(i * ks, ks), values.subspan(i * vs, vs), o.elem_flags);
        if (!r) return element_error(std::move(r).error(), m, "update batch", i, n);
    }
    return n;
}

Result<std::size_t> erase_batch(const Map& m, std::span<const std::byte> keys, const BatchOptions& o) {
    auto count = element_count(m, "delete batch", keys.size(), 0, false);
    if (!count) return std::move(count).error();
    const std::size_t n = *count, ks = m.key_size();
    std::size_t i = 0, erased = 0;
    if (n != 0 && detail::use_kernel_batch(o, 0)) {
        while (i < n) {
            sys::MapBatchAttr a = batch_attr(m, keys.data() + i * ks, nullptr, n - i, o);
            const sys::BatchOutcome out = sys::map_batch(sys::Cmd::MapDeleteBatch, a);
            erased += out.count;
            if (out.err == 0) return erased;
            if (out.err == ENOENT) {  // keys[i + count] is not there: skip it and go on after it
                i += out.count + 1;
                continue;
            }
            if (i != 0 || out.count != 0 || detail::use_kernel_batch(o, out.err))
                return batch_error(m, "delete batch", sys::Cmd::MapDeleteBatch, out.err, i + out.count, n);
            break;  // no delete batch for this map type: element by element
        }
        if (i >= n) return erased;
    }
    for (; i < n; ++i) {
        auto r = m.erase(keys.subspan(i * ks, ks));
        if (!r) return element_error(std::move(r).error(), m, "delete batch", i, n);
        if (*r) ++erased;
    }
    return erased;
}

Result<void> read_all_bytes(const Map& m, std::vector<std::byte>& keys, std::vector<std::byte>& values,
                            const BatchOptions& o) {
    BatchCursor cursor;
    std::size_t chunk = detail::batch_chunk(m, o);
    const std::size_t ks = m.key_size(), vs = m.value_buffer_size();
    const std::size_t room = detail::batch_reserve(m, ks + vs);
    keys.reserve(keys.size() + room * ks);
    values.reserve(values.size() + room * vs);
    while (!cursor.done()) {
        const std::size_t kat = keys.size(), vat = values.size();
        keys.resize(kat + chunk * ks);
        values.resize(vat + chunk * vs);
        auto n = lookup_batch(m, cursor, std::span<std::byte>(keys).subspan(kat),
                              std::span<std::byte>(values).subspan(vat), o);
        keys.resize(kat + (n ? *n : 0) * ks);
        values.resize(vat + (n ? *n : 0) * vs);
        if (!n) {
            if (!detail::batch_too_small(n.error()) || chunk >= (1u << 24)) return std::move(n).error();
            chunk *= 2;
        }
    }
    return {};
}
}  // namespace ebpf
