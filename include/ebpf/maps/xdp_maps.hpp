// SPDX-License-Identifier: MIT
// Redirect targets of XDP programs: DevMap (DEVMAP, DEVMAP_HASH), CpuMap (CPUMAP) and XskMap (XSKMAP).
#pragma once

#include <optional>
#include <vector>

#include <ebpf/maps/view.hpp>

namespace ebpf {

// What a devmap slot holds: the interface, and the id of the XDP program that runs on redirected frames (0: none).
struct DevMapEntry {
    std::uint32_t ifindex = 0;
    std::uint32_t program_id = 0;
};

// What a cpumap slot holds: the queue size of the CPU's kthread, and the id of its XDP program (0: none).
struct CpuMapEntry {
    std::uint32_t queue_size = 0;
    std::uint32_t program_id = 0;
};

// DevMap shares ownership of a DEVMAP (u32 index < size()) or DEVMAP_HASH (any u32 key) map.
// Values: 4 bytes (an ifindex) or 8 bytes (struct bpf_devmap_val: ifindex + a program, 5.8+).
// Kernel: DEVMAP 4.14+, DEVMAP_HASH 5.4+. A program in a slot must be an XDP program loaded for devmaps
//   (SEC("xdp/devmap"), expected attach type BPF_XDP_DEVMAP). Deleting an empty slot succeeds (the kernel says so).
// Errors: InvalidArgument for an index >= size() of a DEVMAP, a program on a 4-byte-value map, a program that is
//   not loaded, an unknown ifindex (the kernel's EINVAL); the kernel's refusal otherwise.
// Thread safety: as Map. Ownership: holds a Map handle; the map holds the devices and programs it points to.
class DevMap {
public:
    static Result<DevMap> from(const Map& map);

    const Map& map() const noexcept { return map_; }
    bool hashed() const noexcept { return map_.type() == MapType::DevmapHash; }

    Result<void> set(std::uint32_t key, std::uint32_t ifindex, UpdateFlags flags = UpdateFlags::Any) const;
    template <ProgramHandle P>
    Result<void> set(std::uint32_t key, std::uint32_t ifindex, const P& program,
                     UpdateFlags flags = UpdateFlags::Any) const {
        return set_with_program_fd(key, ifindex, program.fd(), flags);
    }
    Result<void> set_with_program_fd(std::uint32_t key, std::uint32_t ifindex, FdRef program_fd,
                                     UpdateFlags flags = UpdateFlags::Any) const;
    Result<bool> clear(std::uint32_t key) const;
    Result<std::optional<DevMapEntry>> get(std::uint32_t key) const;
    // DEVMAP_HASH keys (bounded walk; see HashMap::keys()); for a DEVMAP, the indices.
    Result<std::vector<std::uint32_t>> keys() const;

private:
    explicit DevMap(const Map& m) : map_(m) {}
    Map map_;
};

// CpuMap shares ownership of a CPUMAP (key: a CPU number < size()).
// Values: 4 bytes (the queue size) or 8 bytes (struct bpf_cpumap_val: queue size + a program, 5.9+).
// Kernel: CPUMAP 4.15+. Setting a slot starts a kernel thread for that CPU; programs must be loaded for cpumaps
//   (SEC("xdp/cpumap"), expected attach type BPF_XDP_CPUMAP). queue_size must be >= 1.
// Errors: InvalidArgument (index, queue size 0, a program on a 4-byte map), NoDevice (an offline CPU), the
//   kernel's refusal. Thread safety: as Map. Ownership: holds a Map handle.
class CpuMap {
public:
    static Result<CpuMap> from(const Map& map);

    const Map& map() const noexcept { return map_; }
    std::uint32_t size() const noexcept { return map_.max_entries(); }

    Result<void> set(std::uint32_t cpu, std::uint32_t queue_size) const;
    template <ProgramHandle P>
    Result<void> set(std::uint32_t cpu, std::uint32_t queue_size, const P& program) const {
        return set_with_program_fd(cpu, queue_size, program.fd());
    }
    Result<void> set_with_program_fd(std::uint32_t cpu, std::uint32_t queue_size, FdRef program_fd) const;
    Result<bool> clear(std::uint32_t cpu) const;
    Result<std::optional<CpuMapEntry>> get(std::uint32_t cpu) const;

private:
    explicit CpuMap(const Map& m) : map_(m) {}
    Map map_;
};

// XskMap shares ownership of an XSKMAP: AF_XDP sockets (bound to a device queue) by index.
// Kernel: XSKMAP 4.18+; user space can set and clear slots but not read them (the kernel refuses lookups).
// Errors: InvalidArgument for an index >= size(); NotSupported / InvalidArgument from the kernel for a socket that
//   is not a bound AF_XDP socket. Thread safety: as Map. Ownership: holds a Map handle.
class XskMap {
public:
    static Result<XskMap> from(const Map& map);

    const Map& map() const noexcept { return map_; }
    std::uint32_t size() const noexcept { return map_.max_entries(); }

    Result<void> set(std::uint32_t index, FdRef xdp_socket) const;
    Result<bool> clear(std::uint32_t index) const;

private:
    explicit XskMap(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
