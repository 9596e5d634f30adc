// SPDX-License-Identifier: MIT
// Map: a handle to a BPF map, with untyped element access. Typed views live in <ebpf/maps/*.hpp>.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>
#include <ebpf/types.hpp>

namespace ebpf {

struct MapSpec;

// Flags for update(). Kernel: BPF_ANY, BPF_NOEXIST, BPF_EXIST, BPF_F_LOCK (5.1+, maps whose value has a
// struct bpf_spin_lock). Combine with |, e.g. UpdateFlags::Exist | UpdateFlags::Lock.
enum class UpdateFlags : std::uint64_t { Any = 0, NoExist = 1, Exist = 2, Lock = 4 };
constexpr UpdateFlags operator|(UpdateFlags a, UpdateFlags b) noexcept {
    return static_cast<UpdateFlags>(static_cast<std::uint64_t>(a) | static_cast<std::uint64_t>(b));
}
constexpr UpdateFlags operator&(UpdateFlags a, UpdateFlags b) noexcept {
    return static_cast<UpdateFlags>(static_cast<std::uint64_t>(a) & static_cast<std::uint64_t>(b));
}

// What the kernel says about a map (BPF_OBJ_GET_INFO_BY_FD, 4.13+; fields newer than the running kernel are 0).
// BPF_F_* flags of BPF_MAP_CREATE (MapSpec::flags), the ones the views care about.
inline constexpr std::uint32_t kMapNoPrealloc = 1u << 0;    // hash maps; required by LPM tries, storage maps
inline constexpr std::uint32_t kMapRdonly = 1u << 3;        // read-only for user space
inline constexpr std::uint32_t kMapStackBuildId = 1u << 5;  // stack traces hold build ids
inline constexpr std::uint32_t kMapMmapable = 1u << 10;     // arrays (5.5+) and arenas: user space may mmap it
inline constexpr std::uint32_t kMapInnerMap = 1u << 12;     // inner-map template: max_entries may differ (5.10+)

// Flags for lookups. Kernel: BPF_F_LOCK (5.1+): copy the value under its struct bpf_spin_lock.
enum class LookupFlags : std::uint64_t { Any = 0, Lock = 4 };

struct MapInfo {
    MapType type = MapType::Unspec;
    std::uint32_t id = 0;
    std::uint32_t key_size = 0;
    std::uint32_t value_size = 0;
    std::uint32_t max_entries = 0;
    std::uint32_t flags = 0;
    std::uint64_t map_extra = 0;                  // 5.16+: bloom filter hashes, arena address
    std::uint32_t btf_id = 0;                     // 4.18+: the BTF object holding the key/value types
    std::uint32_t btf_key_type_id = 0;
    std::uint32_t btf_value_type_id = 0;
    std::uint32_t btf_vmlinux_value_type_id = 0;  // struct_ops maps
    std::uint32_t ifindex = 0;                    // offloaded maps
    std::string name;                             // 4.15+, at most 15 characters
};

// Options for creating a map from a MapSpec.
struct MapCreateOptions {
    int btf_fd = -1;          // object BTF loaded in the kernel, for key/value type ids (optional)
    int inner_map_fd = -1;    // template for *_OF_MAPS
    std::string kernel_name;  // name given to the kernel (<= 15 chars); default: derived from the spec name
};

namespace detail {
struct Mapping;  // an mmap of a map's memory (lib/maps/mapped.cpp)

// What every copy of a Map shares: the fd and the map's shape. Internal; use Map's accessors.
struct MapState {
    UniqueFd fd;
    std::string name;
    MapType type = MapType::Unspec;
    std::uint32_t key_size = 0, value_size = 0, max_entries = 0, flags = 0;
    std::uint64_t map_extra = 0;
    std::size_t value_buf_size = 0;
    std::shared_ptr<const MapSpec> inner;  // *_OF_MAPS created from a spec: the inner maps' template
    // The process's mapping of this map's memory, shared by every MappedMemory (an arena can be mapped only once).
    std::mutex memory_mutex;
    std::weak_ptr<const Mapping> memory;
};
}  // namespace detail

// Map is a reference-counted handle to one BPF map.
// Ownership: copies share one file descriptor (and so one kernel map); the fd closes when the last copy, view
//   or program that references the map is gone, and the kernel frees the map when nothing else (a pin, a loaded
//   program, a map-in-map slot) holds it. A Map is never empty: there is no default constructor and moving
//   copies the handle. dup() gives an independent descriptor instead (e.g. to hand to another process).
// Thread safety: element operations (lookup, update, erase, next_key, ...) may be called concurrently from any
//   thread, on one Map or its copies: the kernel serialises them (per-element atomicity is the map type's).
// Kernel: BPF_MAP_CREATE (3.18+); names need 4.15; BTF key/value types need 4.18.
class Map {
public:
    // Creates a map in the kernel from its spec. Errors: the BPF_MAP_CREATE failure, with the map's name;
    // Io when the possible-CPU count (per-CPU maps) cannot be read. A map-in-map keeps spec.inner (inner_spec()),
    // so new inner maps can be made from it (ArrayOfMaps::create_inner).
    static Result<Map> create(const MapSpec& spec, const MapCreateOptions& options = {});
    // Opens a map pinned in bpffs (BPF_OBJ_GET, 4.4+). Errors: NotFound, Permission, InvalidArgument (not a map).
    static Result<Map> from_pin(const char* path);
    // Adopts an fd to an existing map (queries its shape with BPF_OBJ_GET_INFO_BY_FD).
    static Result<Map> from_fd(UniqueFd fd);
    // Opens a loaded map by its id (BPF_MAP_GET_FD_BY_ID, 4.13+; needs CAP_SYS_ADMIN).
    // Errors: NotFound (no map with that id, or it was freed meanwhile), Permission.
    static Result<Map> from_id(std::uint32_t id);

    Map(const Map&) noexcept = default;
    Map& operator=(const Map&) noexcept = default;
    ~Map() = default;

    // A new Map with its own descriptor (F_DUPFD_CLOEXEC) for the same kernel map.
    Result<Map> dup() const;

    FdRef fd() const noexcept { return s_->fd; }
    // The descriptor, shared: holding it keeps this map open (programs use it to keep the maps they reference).
    std::shared_ptr<const UniqueFd> shared_fd() const noexcept { return {s_, &s_->fd}; }
    const std::string& name() const noexcept { return s_->name; }
    MapType type() const noexcept { return s_->type; }
    std::uint32_t key_size() const noexcept { return s_->key_size; }
    std::uint32_t value_size() const noexcept { return s_->value_size; }
    std::uint32_t max_entries() const noexcept { return s_->max_entries; }
    std::uint32_t flags() const noexcept { return s_->flags; }
    std::uint64_t map_extra() const noexcept { return s_->map_extra; }
    // The template of this map-in-map's inner maps when it was created from a spec (by Map::create or the
    // loader); null for maps opened by pin, fd or id.
    const MapSpec* inner_spec() const noexcept { return s_->inner.get(); }
    // Bytes user space reads or writes per value: value_size, or round_up(value_size, 8) * possible CPUs for
    // per-CPU maps.
    std::size_t value_buffer_size() const noexcept { return s_->value_buf_size; }
    // True when both handles refer to the same descriptor (copies of one Map).
    bool same_handle(const Map& other) const noexcept { return s_ == other.s_; }

    // Element access. `value` must be value_buffer_size() bytes, `key` key_size() bytes.
    // A missing key is not an error: lookup() returns false and allocates nothing.
    // Errors: InvalidArgument for wrong buffer sizes; the kernel's refusal otherwise.
    // LookupFlags::Lock reads a value with a struct bpf_spin_lock consistently (InvalidArgument without one).
    Result<bool> lookup(std::span<const std::byte> key, std::span<std::byte> value,
                        LookupFlags flags = LookupFlags::Any) const;
    // Errors: Exists (NoExist and the key is there), NotFound (Exist and it is not), ResourceLimit (the map is
    // full: E2BIG), InvalidArgument.
    Result<void> update(std::span<const std::byte> key, std::span<const std::byte> value,
                        UpdateFlags flags = UpdateFlags::Any) const;
    // Returns false when the key was not there.
    Result<bool> erase(std::span<const std::byte> key) const;
    // Reads and removes one element (hash maps 5.14+; queues and stacks: `key` must be empty). False when absent
    // or the queue is empty.
    Result<bool> lookup_and_erase(std::span<const std::byte> key, std::span<std::byte> value) const;
    // Writes the key following `key` (or the first key when `key` is empty). Returns false after the last key.
    // Kernel: if `key` is no longer in a hash map, the kernel restarts from the first key.
    Result<bool> next_key(std::span<const std::byte> key, std::span<std::byte> next) const;

    // Makes the map read-only for user space (BPF_MAP_FREEZE, 5.2+).
    Result<void> freeze() const;
    // Pins the map at a bpffs path. Errors: Exists, NotFound (no bpffs), Permission.
    Result<void> pin(const char* path) const;
    // Removes the pin at `path`, after checking that it pins this map (by id): another map's pin is left alone.
    // The map lives on while this handle (or anything else) holds it.
    // Errors: NotFound (nothing pinned there), InvalidArgument (a pin of another map or object), Permission.
    Result<void> unpin(const char* path) const;
    // Errors: the BPF_OBJ_GET_INFO_BY_FD failure.
    Result<MapInfo> info() const;

private:
    friend void detail_rename_map(Map& m, std::string name);
    friend class MappedMemory;
    explicit Map(std::shared_ptr<detail::MapState> s) noexcept : s_(std::move(s)) {}
    static Result<Map> make(UniqueFd fd, std::string name, MapType type, std::uint32_t key_size,
                            std::uint32_t value_size, std::uint32_t max_entries, std::uint32_t flags,
                            std::uint64_t map_extra);
    Result<void> check_sizes(std::size_t key, std::size_t value, bool need_value) const;

    std::shared_ptr<detail::MapState> s_;
};

// Loader-internal: gives a map opened from a pin the name its object uses for it (before it is shared).
void detail_rename_map(Map& m, std::string name);

// Ids of every map loaded in the kernel, in id order (BPF_MAP_GET_NEXT_ID, 4.13+; needs CAP_SYS_ADMIN).
// Errors: Permission.
Result<std::vector<std::uint32_t>> loaded_map_ids();
// The info of every map loaded in the kernel. Maps freed between listing and opening are skipped: the list is a
// snapshot that may already be stale. Opens and closes one fd per map. Errors: Permission.
Result<std::vector<MapInfo>> loaded_maps();

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
