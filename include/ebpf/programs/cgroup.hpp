// SPDX-License-Identifier: MIT
// Attaching programs to cgroups (shared by the cgroup program types): the attach mode, the order among the
// programs of one cgroup hook, and what a cgroup hook has attached (BPF_PROG_QUERY).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <ebpf/link.hpp>
#include <ebpf/program.hpp>
#include <ebpf/programs/net.hpp>

namespace ebpf {

// A cgroup v2 directory: an open directory fd (borrowed for the call) or a path, opened for the call.
// Thread safety: a value type.
class CgroupDir {
public:
    CgroupDir(FdRef fd) noexcept : fd_(fd.get()) {}            // NOLINT: attach(cgroup_fd) is the point
    CgroupDir(int fd) noexcept : fd_(fd) {}                    // NOLINT
    CgroupDir(const UniqueFd& fd) noexcept : fd_(fd.get()) {}  // NOLINT
    CgroupDir(const char* path) : path_(path ? path : "") {}   // NOLINT
    CgroupDir(const std::string& path) : path_(path) {}        // NOLINT

    bool by_path() const noexcept { return fd_ < 0; }
    FdRef fd() const noexcept { return fd_; }                  // -1 when given by path
    const std::string& path() const noexcept { return path_; }  // empty when given by fd
    // The path, or "fd N", for messages.
    std::string describe() const;

private:
    int fd_ = -1;
    std::string path_;
};

// Kernel: BPF_F_ALLOW_OVERRIDE / BPF_F_ALLOW_MULTI of BPF_PROG_ATTACH. A cgroup bpf_link (5.7+) is always
// AllowMultiple, so Single and AllowOverride attach with BPF_PROG_ATTACH on every kernel; AllowMultiple takes a
// bpf_link where the kernel has cgroup links (probed) and BPF_PROG_ATTACH before.
//   Single         the only program of this hook in the cgroup; descendants may not attach their own
//   AllowOverride  the only program here; a descendant's program replaces it for that descendant
//   AllowMultiple  up to 64 programs here, run in order (see CgroupOrder), after the descendants' own
// One cgroup hook has one mode: attaching with another mode than the programs already there is refused (Busy).
enum class CgroupAttachMode { Single, AllowOverride, AllowMultiple };

// Where a program goes among the programs of one cgroup hook (AllowMultiple): BPF_F_BEFORE / BPF_F_AFTER with a
// relative program or link (by fd or id). The default appends (runs last among this cgroup's programs).
// A program attached through a bpf_link is named by its link: the kernel refuses its program (InvalidArgument).
// Kernel: ordering needs Linux 6.17 (cgroup "mprog"); older kernels refuse anything but the default (NotSupported).
// It orders the programs of this cgroup only: programs inherited from ancestors still run after them (or before
// them, with CgroupAttachOptions::preorder).
// Thread safety: a value type; it borrows the relative program's or link's fd until the attach call returns.
// The same value type as the TCX/netkit ordering (<ebpf/programs/net.hpp>): one kind of position for every
// multi-program hook.
using CgroupOrder = LinkOrder;

struct CgroupAttachOptions {
    CgroupAttachMode mode = CgroupAttachMode::AllowMultiple;
    // AllowMultiple only: the position among this cgroup's programs of the hook, and the revision of the hook the
    // attach expects (0: any; see query_cgroup()). Both need Linux 6.17.
    CgroupOrder order{};
    std::uint64_t expected_revision = 0;
    // BPF_F_PREORDER (6.15): run before the programs inherited from ancestor cgroups instead of after them.
    bool preorder = false;
    // BPF_PROG_ATTACH with AllowMultiple only (BPF_F_REPLACE, 5.6): atomically replace this attached program.
    // With a bpf_link use Link::update() instead; asking for it forces BPF_PROG_ATTACH.
    const Program* replace = nullptr;
};

// Attaches a loaded program to a cgroup v2 directory (open as `cgroup`) with a bpf_link, or with
// BPF_PROG_ATTACH (kernels without cgroup links, < 5.7, decided by a probe; or a mode other than AllowMultiple).
// The Link detaches on destruction: it closes the bpf_link, or runs BPF_PROG_DETACH for this program.
// Kernel: cgroup v2; the program's expected attach type (from its section) must be `type`.
// Errors: InvalidArgument (not loaded; loaded for another attach type; an unusable relative program or link),
//   NotFound (no such cgroup directory; the relative program or link is not on this hook), Busy (the hook has
//   programs attached with another mode, naming it; the hook's revision is not options.expected_revision),
//   Exists (this program is already attached here with BPF_PROG_ATTACH), NotSupported (ordering or preorder on a
//   kernel without them), ResourceLimit (64 programs), Permission; each naming the program, cgroup and type.
// Ownership: the Link holds the bpf_link, or duplicates of the cgroup and program fds to detach with.
// Thread safety: may be called concurrently for different programs and cgroups.
Result<Link> attach_cgroup(const Program& prog, FdRef cgroup, AttachType type, const CgroupAttachOptions& options = {});
// Same, opening the cgroup directory by path (e.g. "/sys/fs/cgroup/my.slice").
Result<Link> attach_cgroup(const Program& prog, const char* cgroup_path, AttachType type,
                           const CgroupAttachOptions& options = {});

// One program attached to a cgroup hook.
struct CgroupProgram {
    std::uint32_t program_id = 0;
    // Its own BPF_F_* attach flags (BPF_F_PREORDER, ...; Linux 6.0+ reports them, 0 before and for effective
    // queries).
    std::uint32_t attach_flags = 0;
};

// What a cgroup hook has: BPF_PROG_QUERY.
struct CgroupPrograms {
    // The hook's mode in this cgroup (BPF_F_ALLOW_OVERRIDE / BPF_F_ALLOW_MULTI, or 0 for Single or nothing).
    std::uint32_t attach_flags = 0;
    // The hook's revision (Linux 6.17+; 0 before): pass it as CgroupAttachOptions::expected_revision.
    std::uint64_t revision = 0;
    std::vector<CgroupProgram> programs;  // in the order they run

    CgroupAttachMode mode() const noexcept;
};

struct CgroupQueryOptions {
    // BPF_F_QUERY_EFFECTIVE: the programs that run for this cgroup, inherited ones included, in run order.
    bool effective = false;
};

// The programs attached to a cgroup hook. Kernel: 4.15+ (per-program flags 6.0, revision 6.17).
// Errors: NotFound (no such cgroup directory), InvalidArgument (not a cgroup v2 directory; not a cgroup attach
//   type), Permission.
// Thread safety: any thread; the answer is a snapshot.
Result<CgroupPrograms> query_cgroup(const CgroupDir& cgroup, AttachType type, const CgroupQueryOptions& options = {});

namespace detail {
// Attaches `prog` at `type` of `cgroup` after checking what every cgroup view checks (loaded, expected attach type).
Result<Link> attach_cgroup_view(const Program& prog, const CgroupDir& cgroup, AttachType type,
                                const CgroupAttachOptions& options);
}  // namespace detail

}  // namespace ebpf
