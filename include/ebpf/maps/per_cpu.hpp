// SPDX-License-Identifier: MIT
// Per-CPU maps: PerCpuValues<V> (one V per possible CPU), PerCpuHashMap<K, V> (PERCPU_HASH, LRU_PERCPU_HASH) and
// PerCpuArray<V> (PERCPU_ARRAY).
#pragma once

#include <cstring>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include <ebpf/maps/batch.hpp>
#include <ebpf/maps/view.hpp>

namespace ebpf {

// The value of one key of a per-CPU map: one V for each *possible* CPU (not only the online ones), in CPU
// order, laid out as the kernel copies it (each V padded to 8 bytes). Reading it copies nothing more.
// Ownership: a value type holding the buffer. Thread safety: a plain value.
template <class V>
class PerCpuValues {
    static_assert(std::is_trivially_copyable_v<V>, "map values must be trivially copyable");

public:
    static constexpr std::size_t kStride = (sizeof(V) + 7) / 8 * 8;

    PerCpuValues() = default;
    // `cpus` zero values (possible_cpus() of them for a map's value).
    explicit PerCpuValues(std::uint32_t cpus) : buf_(cpus * kStride), cpus_(cpus) {}
    // The same V on every CPU.
    PerCpuValues(std::uint32_t cpus, const V& v) : PerCpuValues(cpus) {
        for (std::uint32_t i = 0; i < cpus; ++i) set(i, v);
    }

    std::uint32_t size() const noexcept { return cpus_; }
    // The value on CPU `cpu` (< size(); not checked, like std::vector::operator[]).
    V operator[](std::uint32_t cpu) const noexcept {
        V v;
        std::memcpy(&v, buf_.data() + cpu * kStride, sizeof(V));
        return v;
    }
    void set(std::uint32_t cpu, const V& v) noexcept { std::memcpy(buf_.data() + cpu * kStride, &v, sizeof(V)); }
    // CPU `cpu`'s bytes (sizeof(V) of them).
    std::span<const std::byte> cpu_bytes(std::uint32_t cpu) const noexcept {
        return std::span<const std::byte>(buf_).subspan(cpu * kStride, sizeof(V));
    }
    std::vector<V> to_vector() const {
        std::vector<V> out;
        out.reserve(cpus_);
        for (std::uint32_t i = 0; i < cpus_; ++i) out.push_back((*this)[i]);
        return out;
    }
    // The sum over every CPU (counters).
    V sum() const noexcept
        requires std::is_arithmetic_v<V>
    {
        V total{};
        for (std::uint32_t i = 0; i < cpus_; ++i) total += (*this)[i];
        return total;
    }

    // The buffer in the kernel's layout (size() * kStride bytes), for Map::lookup/update.
    std::span<std::byte> bytes() noexcept { return buf_; }
    std::span<const std::byte> bytes() const noexcept { return buf_; }

    class const_iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = V;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = V;
        const_iterator() = default;
        const_iterator(const PerCpuValues* p, std::uint32_t i) : p_(p), i_(i) {}
        V operator*() const noexcept { return (*p_)[i_]; }
        const_iterator& operator++() noexcept {
            ++i_;
            return *this;
        }
        const_iterator operator++(int) noexcept {
            const_iterator t = *this;
            ++i_;
            return t;
        }
        bool operator==(const const_iterator& o) const noexcept { return i_ == o.i_; }

    private:
        const PerCpuValues* p_ = nullptr;
        std::uint32_t i_ = 0;
    };
    const_iterator begin() const noexcept { return {this, 0}; }
    const_iterator end() const noexcept { return {this, cpus_}; }

private:
    std::vector<std::byte> buf_;
    std::uint32_t cpus_ = 0;
};

namespace detail {
// Possible CPUs of a per-CPU map, from the size of its value buffer (no system call).
inline std::uint32_t cpus_of(const Map& m, std::size_t stride) noexcept {
    return static_cast<std::uint32_t>(m.value_buffer_size() / stride);
}
// Errors: InvalidArgument unless `given` is the map's number of possible CPUs.
Result<void> check_cpu_count(const Map& m, std::size_t given);
}  // namespace detail

// PerCpuHashMap<K, V>: PERCPU_HASH (4.6+) or LRU_PERCPU_HASH (4.10+) with keys K and one V per possible CPU.
// Kernel: user space always reads and writes every possible CPU's value at once (value buffers of
//   round_up(sizeof(V), 8) * possible CPUs bytes).
// Lookups return every CPU's value; updates set every CPU's value (from one V, or one per CPU).
// Thread safety: as Map. Ownership: holds a Map handle.
// Errors: as HashMap; InvalidArgument when a span of values does not have one per possible CPU.
template <class K, class V>
class PerCpuHashMap {
    static_assert(std::is_trivially_copyable_v<K> && std::is_trivially_copyable_v<V>,
                  "map keys and values must be trivially copyable");

public:
    using Values = PerCpuValues<V>;
    static Result<PerCpuHashMap> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::PercpuHash, MapType::LruPercpuHash}, sizeof(K), sizeof(V),
                                            "PerCpuHashMap");
            !r)
            return std::move(r).error();
        return PerCpuHashMap(map);
    }

    const Map& map() const noexcept { return map_; }
    std::uint32_t cpus() const noexcept { return detail::cpus_of(map_, Values::kStride); }

    // Every CPU's value, or empty when the key is absent. Allocates the value buffer.
    Result<std::optional<Values>> get(const K& key) const {
        Values v(cpus());
        auto r = map_.lookup(as_bytes_of(key), v.bytes());
        if (!r) return std::move(r).error();
        if (!*r) return std::optional<Values>{};
        return std::optional<Values>(std::move(v));
    }
    // Into a caller's buffer (reused: no allocation once it has the right size). False when absent.
    Result<bool> get(const K& key, Values& out) const {
        if (out.size() != cpus()) out = Values(cpus());
        return map_.lookup(as_bytes_of(key), out.bytes());
    }
    // The same value on every possible CPU.
    Result<void> insert(const K& key, const V& value, UpdateFlags flags = UpdateFlags::Any) const {
        return insert(key, Values(cpus(), value), flags);
    }
    Result<void> insert(const K& key, const Values& values, UpdateFlags flags = UpdateFlags::Any) const {
        if (auto r = detail::check_cpu_count(map_, values.size()); !r) return r;
        return map_.update(as_bytes_of(key), values.bytes(), flags);
    }
    // One value per possible CPU, in CPU order.
    Result<void> insert(const K& key, std::span<const V> per_cpu, UpdateFlags flags = UpdateFlags::Any) const {
        if (auto r = detail::check_cpu_count(map_, per_cpu.size()); !r) return r;
        Values v(cpus());
        for (std::uint32_t i = 0; i < per_cpu.size(); ++i) v.set(i, per_cpu[i]);
        return map_.update(as_bytes_of(key), v.bytes(), flags);
    }
    Result<bool> remove(const K& key) const { return map_.erase(as_bytes_of(key)); }
    // Bounded walk; see HashMap::keys() for what happens when the map changes underneath.
    Result<std::vector<K>> keys() const { return detail::keys_as<K>(map_); }
    // Every key with its per-CPU values, read in batches (see batch.hpp).
    Result<std::vector<std::pair<K, Values>>> entries(const BatchOptions& options = {}) const {
        std::vector<std::byte> kb, vb;
        auto r = read_all_bytes(map_, kb, vb, options);
        if (!r) return std::move(r).error();
        std::vector<std::pair<K, Values>> out;
        const std::size_t n = kb.size() / sizeof(K), vs = map_.value_buffer_size();
        out.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            K k;
            std::memcpy(&k, kb.data() + i * sizeof(K), sizeof(K));
            Values v(cpus());
            std::memcpy(v.bytes().data(), vb.data() + i * vs, vs);
            out.emplace_back(k, std::move(v));
        }
        return out;
    }

private:
    explicit PerCpuHashMap(const Map& m) : map_(m) {}
    Map map_;
};

// PerCpuArray<V>: PERCPU_ARRAY (4.6+), u32 indices, one V per possible CPU; elements always exist.
// Thread safety: as Map. Ownership: holds a Map handle. Errors: InvalidArgument for an index >= size().
template <class V>
class PerCpuArray {
    static_assert(std::is_trivially_copyable_v<V>, "map values must be trivially copyable");

public:
    using Values = PerCpuValues<V>;
    static Result<PerCpuArray> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::PercpuArray}, sizeof(std::uint32_t), sizeof(V),
                                            "PerCpuArray");
            !r)
            return std::move(r).error();
        return PerCpuArray(map);
    }

    const Map& map() const noexcept { return map_; }
    std::uint32_t size() const noexcept { return map_.max_entries(); }
    std::uint32_t cpus() const noexcept { return detail::cpus_of(map_, Values::kStride); }

    Result<Values> get(std::uint32_t index) const {
        Values v(cpus());
        auto r = get(index, v);
        if (!r) return std::move(r).error();
        return v;
    }
    // Into a caller's buffer (no allocation once it has the right size).
    Result<void> get(std::uint32_t index, Values& out) const {
        if (index >= size()) return detail::index_out_of_range(map_, index);
        if (out.size() != cpus()) out = Values(cpus());
        auto r = map_.lookup(as_bytes_of(index), out.bytes());
        if (!r) return std::move(r).error();
        return {};
    }
    Result<void> set(std::uint32_t index, const V& value) const { return set(index, Values(cpus(), value)); }
    Result<void> set(std::uint32_t index, const Values& values) const {
        if (index >= size()) return detail::index_out_of_range(map_, index);
        if (auto r = detail::check_cpu_count(map_, values.size()); !r) return r;
        return map_.update(as_bytes_of(index), values.bytes());
    }
    Result<void> set(std::uint32_t index, std::span<const V> per_cpu) const {
        if (auto r = detail::check_cpu_count(map_, per_cpu.size()); !r) return r;
        Values v(cpus());
        for (std::uint32_t i = 0; i < per_cpu.size(); ++i) v.set(i, per_cpu[i]);
        return set(index, v);
    }

private:
    explicit PerCpuArray(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
