// SPDX-License-Identifier: MIT
// Local storage maps, keyed by the object an fd refers to: SkStorage<V> (sockets), InodeStorage<V> (files),
// TaskStorage<V> (tasks, by pidfd), CgrpStorage<V> (cgroups, by directory fd); and the older per-attachment
// CgroupStorage<V> / PerCpuCgroupStorage<V>.
#pragma once

#include <optional>

#include <ebpf/maps/per_cpu.hpp>
#include <ebpf/maps/view.hpp>

namespace ebpf {

namespace detail {
template <MapType T>
struct StorageName;
template <>
struct StorageName<MapType::SkStorage> {
    static constexpr const char* value = "SkStorage";
};
template <>
struct StorageName<MapType::InodeStorage> {
    static constexpr const char* value = "InodeStorage";
};
template <>
struct StorageName<MapType::TaskStorage> {
    static constexpr const char* value = "TaskStorage";
};
template <>
struct StorageName<MapType::CgrpStorage> {
    static constexpr const char* value = "CgrpStorage";
};
}  // namespace detail

// FdStorage<T, V>: one V per kernel object, the object named by an fd the caller holds (the key is that fd, an
// int). The value lives as long as the object (the socket, inode, task or cgroup), not the fd.
// Kernel: SK_STORAGE 5.2+, INODE_STORAGE 5.10+ (needs the BPF LSM active: "lsm=...,bpf"; without it the kernel
//   answers EBADF), TASK_STORAGE 5.11+ (pidfd keys), CGRP_STORAGE 6.2+. Such maps are created with
//   BPF_F_NO_PREALLOC, max_entries 0 and BTF for the key and value (Map::create needs MapCreateOptions::btf_fd);
//   they cannot be iterated from user space (no keys).
// Errors: InvalidArgument when the map is of another type or V's size differs, or for a closed fd; the kernel's
//   refusal for an fd of the wrong kind (EBADF, ENOTSOCK ...).
// Thread safety: as Map. Ownership: holds a Map handle.
template <MapType T, class V>
class FdStorage {
    static_assert(std::is_trivially_copyable_v<V>, "map values must be trivially copyable");

public:
    static Result<FdStorage> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {T}, sizeof(int), sizeof(V), detail::StorageName<T>::value); !r)
            return std::move(r).error();
        return FdStorage(map);
    }

    const Map& map() const noexcept { return map_; }

    // The value stored for the object behind `fd`, or empty.
    Result<std::optional<V>> get(FdRef fd) const {
        const int key = fd.get();
        return detail::lookup_as<V>(map_, as_bytes_of(key));
    }
    // NoExist creates only; Exist replaces only. Lock for values with a struct bpf_spin_lock.
    Result<void> set(FdRef fd, const V& value, UpdateFlags flags = UpdateFlags::Any) const {
        const int key = fd.get();
        return map_.update(as_bytes_of(key), as_bytes_of(value), flags);
    }
    // False when the object had no value.
    Result<bool> remove(FdRef fd) const {
        const int key = fd.get();
        return map_.erase(as_bytes_of(key));
    }

private:
    explicit FdStorage(const Map& m) : map_(m) {}
    Map map_;
};

template <class V>
using SkStorage = FdStorage<MapType::SkStorage, V>;
template <class V>
using InodeStorage = FdStorage<MapType::InodeStorage, V>;
template <class V>
using TaskStorage = FdStorage<MapType::TaskStorage, V>;
template <class V>
using CgrpStorage = FdStorage<MapType::CgrpStorage, V>;

// The key of CGROUP_STORAGE maps: the cgroup (its inode number, the cgroup id) and the attach type of the program
// using the storage (struct bpf_cgroup_storage_key). Maps may also use the cgroup id alone (std::uint64_t keys,
// 5.9+), shared by every attach type.
struct CgroupStorageKey {
    std::uint64_t cgroup_inode_id = 0;
    std::uint32_t attach_type = 0;
    std::uint32_t pad_ = 0;
};

// CgroupStorage<V, Key>: CGROUP_STORAGE (4.19+), one V per (cgroup, attach type) that a program using the map is
// attached to. Elements exist only while such an attachment does: they cannot be created or deleted from user
// space (NoExist updates and erase are refused by the kernel), only read and overwritten.
// Errors, thread safety, ownership: as FdStorage.
template <class V, class Key = CgroupStorageKey>
class CgroupStorage {
    static_assert(std::is_trivially_copyable_v<V>, "map values must be trivially copyable");
    static_assert(std::is_same_v<Key, CgroupStorageKey> || std::is_same_v<Key, std::uint64_t>,
                  "cgroup storage keys are CgroupStorageKey or a u64 cgroup id");

public:
    static Result<CgroupStorage> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::CgroupStorage}, sizeof(Key), sizeof(V), "CgroupStorage");
            !r)
            return std::move(r).error();
        return CgroupStorage(map);
    }
    const Map& map() const noexcept { return map_; }
    Result<std::optional<V>> get(const Key& key) const { return detail::lookup_as<V>(map_, as_bytes_of(key)); }
    Result<void> set(const Key& key, const V& value, UpdateFlags flags = UpdateFlags::Any) const {
        return map_.update(as_bytes_of(key), as_bytes_of(value), flags);
    }
    Result<std::vector<Key>> keys() const { return detail::keys_as<Key>(map_); }

private:
    explicit CgroupStorage(const Map& m) : map_(m) {}
    Map map_;
};

// PerCpuCgroupStorage<V, Key>: PERCPU_CGROUP_STORAGE (4.20+), as CgroupStorage with one V per possible CPU.
template <class V, class Key = CgroupStorageKey>
class PerCpuCgroupStorage {
    static_assert(std::is_trivially_copyable_v<V>, "map values must be trivially copyable");

public:
    using Values = PerCpuValues<V>;
    static Result<PerCpuCgroupStorage> from(const Map& map) {
        if (auto r = detail::check_map_view(map, {MapType::PercpuCgroupStorage}, sizeof(Key), sizeof(V),
                                            "PerCpuCgroupStorage");
            !r)
            return std::move(r).error();
        return PerCpuCgroupStorage(map);
    }
    const Map& map() const noexcept { return map_; }
    std::uint32_t cpus() const noexcept { return detail::cpus_of(map_, Values::kStride); }
    Result<std::optional<Values>> get(const Key& key) const {
        Values v(cpus());
        auto r = map_.lookup(as_bytes_of(key), v.bytes());
        if (!r) return std::move(r).error();
        if (!*r) return std::optional<Values>{};
        return std::optional<Values>(std::move(v));
    }
    Result<void> set(const Key& key, const Values& values, UpdateFlags flags = UpdateFlags::Any) const {
        if (auto r = detail::check_cpu_count(map_, values.size()); !r) return r;
        return map_.update(as_bytes_of(key), values.bytes(), flags);
    }
    Result<std::vector<Key>> keys() const { return detail::keys_as<Key>(map_); }

private:
    explicit PerCpuCgroupStorage(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
