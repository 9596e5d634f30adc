// SPDX-License-Identifier: MIT
// Map: an owned BPF map, with untyped element access. Typed views live in <ebpf/maps/*.hpp>.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>
#include <ebpf/types.hpp>

namespace ebpf {

struct MapSpec;

// Flags for update(): Kernel: BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK.
enum class UpdateFlags : std::uint64_t { Any = 0, NoExist = 1, Exist = 2, Lock = 4 };

struct MapInfo {
    MapType type = MapType::Unspec;
    std::uint32_t id = 0;
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;
    std::uint32_t max_entries = 0;
    std::uint32_t flags = 0;
    std::uint64_t map_extra = 0;
    std::uint32_t btf_id = 0;
    std::string name;
};

// Options for creating a map from a MapSpec.
struct MapCreateOptions {
    int btf_fd = -1;          // object BTF loaded in the kernel, for key/value type ids (optional)
    int inner_map_fd = -1;    // template for *_OF_MAPS
    std::string kernel_name;  // name given to the kernel (<= 15 chars); default: derived from the spec name
};

// Map owns one BPF map file descriptor.
// Ownership: move-only; closing the last fd (and unpinning) frees the map in the kernel.
// Kernel: BPF_MAP_CREATE (3.18+); names need 4.15; BTF key/value types need 4.18.
class Map {
public:
    // Creates a map in the kernel from its spec. Errors: the BPF_MAP_CREATE failure, with the map's name.
    static Result<Map> create(const MapSpec& spec, const MapCreateOptions& options = {});
    // Opens a map pinned in bpffs. Errors: NotFound, Permission, InvalidArgument (not a map).
    static Result<Map> from_pin(const char* path);
    // Adopts an fd to an existing map (queries its shape with BPF_OBJ_GET_INFO_BY_FD).
    static Result<Map> from_fd(UniqueFd fd);
    static Result<Map> from_id(std::uint32_t id);

    Map(Map&&) noexcept = default;
    Map& operator=(Map&&) noexcept = default;

    FdRef fd() const noexcept { return fd_; }
    const std::string& name() const noexcept { return name_; }
    MapType type() const noexcept { return type_; }
    std::uint32_t key_size() const noexcept { return key_size_; }
    std::uint32_t value_size() const noexcept { return value_size_; }
    std::uint32_t max_entries() const noexcept { return max_entries_; }
    std::uint32_t flags() const noexcept { return flags_; }
    // Bytes user space reads or writes per value: value_size, or round_up(value_size, 8) * possible CPUs for
    // per-CPU maps.
    std::size_t value_buffer_size() const noexcept { return value_buf_size_; }

    // Element access. `value` must be value_buffer_size() bytes, `key` key_size() bytes.
    // Errors: NotFound when the key is absent; InvalidArgument for wrong buffer sizes.
    Result<void> lookup(std::span<const std::byte> key, std::span<std::byte> value) const;
    Result<void> update(std::span<const std::byte> key, std::span<const std::byte> value,
                        UpdateFlags flags = UpdateFlags::Any) const;
    Result<void> erase(std::span<const std::byte> key) const;
    Result<void> lookup_and_erase(std::span<const std::byte> key, std::span<std::byte> value) const;
    // Writes the key following `key` (or the first key when `key` is empty). Returns false after the last key.
    Result<bool> next_key(std::span<const std::byte> key, std::span<std::byte> next) const;

    // Makes the map read-only for user space (BPF_MAP_FREEZE, 5.2+).
    Result<void> freeze() const;
    // Pins the map at a bpffs path. Errors: Exists, NotFound (no bpffs), Permission.
    Result<void> pin(const char* path) const;
    Result<MapInfo> info() const;

private:
    friend void detail_rename_map(Map& m, std::string name);
    Map(UniqueFd fd, std::string name, MapType type, std::uint32_t key_size, std::uint32_t value_size,
        std::uint32_t max_entries, std::uint32_t flags);
    Result<void> check_sizes(std::size_t key, std::size_t value, bool need_value) const;

    UniqueFd fd_;
    std::string name_;
    MapType type_ = MapType::Unspec;
    std::uint32_t key_size_ = 0, value_size_ = 0, max_entries_ = 0, flags_ = 0;
    std::size_t value_buf_size_ = 0;
};

// Loader-internal: gives a map opened from a pin the name its object uses for it.
void detail_rename_map(Map& m, std::string name);

// Number of possible CPUs (/sys/devices/system/cpu/possible), which sizes per-CPU values. Cached.
Result<std::uint32_t> possible_cpus();

// True for map types whose values are per CPU (PERCPU_HASH, PERCPU_ARRAY, LRU_PERCPU_HASH, PERCPU_CGROUP_STORAGE).
bool is_per_cpu(MapType type) noexcept;

// Raw bytes of a trivially copyable object, for the untyped Map API.
template <class T>
std::span<const std::byte> as_bytes_of(const T& v) noexcept {
    return std::span<const std::byte>(reinterpret_cast<const std::byte*>(&v), sizeof(T));
}
template <class T>
std::span<std::byte> as_writable_bytes_of(T& v) noexcept {
    return std::span<std::byte>(reinterpret_cast<std::byte*>(&v), sizeof(T));
}

}  // namespace ebpf
