// SPDX-License-Identifier: MIT
// StructOps: a kernel struct of callbacks (struct tcp_congestion_ops, struct sched_ext_ops, ...) implemented by BPF
// programs, registered with the kernel as a BPF_MAP_TYPE_STRUCT_OPS map.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <ebpf/link.hpp>
#include <ebpf/map.hpp>
#include <ebpf/program.hpp>

namespace ebpf {

class StructOps;

namespace detail {
// What the loader computed for a struct_ops variable (see Object::struct_ops()).
struct StructOpsParts;
}  // namespace detail

// One struct_ops variable of a loaded Object (SEC(".struct_ops") or SEC(".struct_ops.link")): its map, laid out as
// the running kernel's struct (members matched by name; data members copied from the variable, e.g. a congestion
// control's name) and the programs of its function-pointer members (each loaded for its member: attach_btf_id the
// kernel struct, expected_attach_type the member's index).
//
// attach() registers it. How, decided once when the Object created the map (probe link_supported(StructOps)):
//   - a .struct_ops.link variable on Linux 6.4+: the map is created with BPF_F_LINK; attach() writes its value and
//     creates a struct_ops bpf_link (BPF_LINK_CREATE with the map); destroying the Link unregisters it, and the map
//     may be registered again by another attach(). update() swaps a link to another map without a gap.
//   - a .struct_ops variable, or any on kernels before 6.4: the map update registers it ("register on update");
//     the Link deletes the map's element to unregister it, after which the kernel does not let that map register
//     again (load the object again for that).
// Kernel: struct_ops 5.6 (tcp_congestion_ops 5.6; others as the kernel has them); links 6.4; link update 6.4.
//   The kernel struct is looked up in vmlinux BTF as <type_name>, with its value type bpf_struct_ops_<type_name>.
// Requires: CAP_BPF (or CAP_SYS_ADMIN); the struct's own rules (tcp_congestion_ops: ssthresh, undo_cwnd and
//   cong_avoid or cong_control, a unique name).
// Errors (attach): InvalidArgument (a program of it did not load: the load's error, naming it), Exists (the kernel
//   says EEXIST: e.g. a congestion control of that name is registered, naming it), Busy (a register-on-update map
//   registered already or unregistered), NotSupported, and the kernel's refusal; each naming the variable and its
//   struct.
// Ownership: shares the map and the programs (handles); the Link owns the registration (the bpf_link, or a
//   duplicate of the map fd to delete the element with).
// Thread safety: attach()/update() of one StructOps, or of two sharing programs, must not run concurrently (they
//   may load those programs); distinct ones may.
class StructOps {
public:
    struct Slot {
        std::string member;        // the function-pointer member
        std::uint32_t index = 0;   // its index in the kernel struct (the program's expected attach type)
        std::uint32_t offset = 0;  // byte offset of the pointer in the map's value
        Program program;
    };

    explicit StructOps(detail::StructOpsParts parts);

    const std::string& name() const noexcept { return name_; }            // the variable and its map
    const std::string& type_name() const noexcept { return type_name_; }  // "tcp_congestion_ops"
    const Map& map() const noexcept { return map_; }
    // The map was created with BPF_F_LINK: attach() makes a struct_ops bpf_link.
    bool uses_link() const noexcept { return link_; }
    std::span<const Slot> programs() const noexcept { return slots_; }
    // The value written to the map, program slots still zero (kernel layout; for tools and tests).
    std::span<const std::byte> value() const noexcept { return value_; }
    // The text of a "name" member (a congestion control's name), or empty.
    const std::string& ops_name() const noexcept { return ops_name_; }

    // Loads the programs that are not loaded yet, writes the value (program fds, data) and registers it.
    Result<Link> attach() const;
    // Makes `link` (a struct_ops bpf_link made by attach() of another StructOps of the same struct type) use this
    // map instead, without a gap (BPF_LINK_UPDATE with new_map_fd; the kernel struct may require more, e.g.
    // tcp_congestion_ops: the same name). Errors: NotSupported (this map is not a link map; kernel < 6.4),
    // InvalidArgument (link is empty or no bpf_link), and the kernel's refusal.
    Result<void> update(Link& link) const;

private:
    // Loads the programs and builds the map's value with their fds.
    Result<std::vector<std::byte>> value_with_programs(const std::string& what) const;

    std::string name_, type_name_, ops_name_;
    Map map_;
    bool link_ = false;
    std::vector<std::byte> value_;
    std::vector<Slot> slots_;
};

namespace detail {
struct StructOpsParts {
    std::string name, type_name, ops_name;
    Map map;
    bool link = false;
    std::vector<std::byte> value;
    std::vector<StructOps::Slot> slots;
};
}  // namespace detail

}  // namespace ebpf
