// SPDX-License-Identifier: MIT
// Iter: BPF iterators, programs that walk kernel objects (tasks, files, maps, sockets ...) and write text or
// binary records (bpf_seq_printf, bpf_seq_write) that user space reads like a file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <ebpf/programs/view.hpp>

namespace ebpf {

// enum bpf_cgroup_iter_order (6.1).
enum class CgroupIterOrder : std::uint32_t { Default = 0, SelfOnly, DescendantsPre, DescendantsPost, AncestorsUp };

// The parameter some iterators take (union bpf_iter_link_info); leave the rest at their defaults.
struct IterAttachOptions {
    // bpf_map_elem, bpf_sk_storage_map, sockmap: the map to walk (e.g. Map::fd()). 5.9+.
    FdRef map = -1;
    // task, task_file, task_vma: only this thread (tid), or this process (pid), or the process of a pidfd. 6.1+.
    std::uint32_t task_tid = 0;
    std::uint32_t task_pid = 0;
    FdRef task_pidfd = -1;
    // cgroup: where to start (a cgroup v2 directory fd, or its id) and how to walk. 6.1+.
    FdRef cgroup = -1;
    std::uint64_t cgroup_id = 0;
    CgroupIterOrder cgroup_order = CgroupIterOrder::Default;
};

// A typed view of an iter/<target> program (bpf_map, bpf_map_elem, task, task_file, task_vma, tcp, udp, unix,
// bpf_prog, bpf_link, bpf_sk_storage_map, sockmap, cgroup, ksym, ...; also iter.s). The target is fixed when it
// loads (bpf_iter_<target> in the kernel's BTF). It shares ownership of the Program (see ProgramView).
// attach() makes an iterator link (a bpf_link); each open() of that link starts a fresh walk whose output is read
// from the returned fd until read(2) returns 0; read_all() does both. A link may also be pinned in bpffs, where
// every `cat` of the pin runs the iterator.
// Kernel: 5.8+ (BPF_LINK_CREATE with BPF_TRACE_ITER, BPF_ITER_CREATE); map parameter 5.9; task and cgroup
//   parameters 6.1. Errors: InvalidArgument (not loaded; a bad parameter: EINVAL), NotSupported (before 5.8),
//   NoDevice/NotFound as the kernel says for a missing map or cgroup (EBADF: a bad fd).
// Thread safety: as ProgramView; open() and read_all() may run concurrently on one link.
class Iter : public TypedProgramView<Iter> {
public:
    static constexpr const char* kName = "Iter";
    static constexpr ProgramType kType = ProgramType::Tracing;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Iter};

    Result<Link> attach(const IterAttachOptions& options = {}) const;

    // Starts a walk of the iterator `link` (BPF_ITER_CREATE): read the fd until read(2) returns 0.
    // Ownership: the caller owns the fd; it keeps the link alive while open.
    // Errors: InvalidArgument (not an iterator bpf_link), the kernel's refusal.
    static Result<UniqueFd> open(const Link& link);
    // Runs the iterator once and returns everything it wrote.
    // Errors: as open(); ResourceLimit past `max_bytes`; a read error (the program's, e.g. E2BIG from a too-long
    //   bpf_seq_printf, comes from read(2)).
    static Result<std::string> read_all(const Link& link, std::size_t max_bytes = std::size_t{64} << 20);
    // Reads an fd (e.g. from open(), or a pinned iterator) to its end.
    static Result<std::string> read_all(FdRef fd, std::size_t max_bytes = std::size_t{64} << 20);

private:
    friend class TypedProgramView<Iter>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
