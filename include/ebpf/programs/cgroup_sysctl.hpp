// SPDX-License-Identifier: MIT
// CgroupSysctl and CgroupDevice: programs that decide on /proc/sys accesses and device accesses of a cgroup.
#pragma once

#include <ebpf/programs/cgroup.hpp>
#include <ebpf/programs/view.hpp>

namespace ebpf {

// A typed view of a BPF_PROG_TYPE_CGROUP_SYSCTL program (section cgroup/sysctl). It runs when a task of the cgroup
// reads or writes a file under /proc/sys, sees struct bpf_sysctl (write, file_pos) and the bpf_sysctl_* helpers
// (name, current and new value; it may replace the new value), and returns 1 to allow or 0 to refuse (EPERM).
// The Link is a cgroup bpf_link, or a BPF_PROG_ATTACH registration (see attach_cgroup()).
// Kernel: 5.2; cgroup links 5.7.
// Requires: CAP_NET_ADMIN (or CAP_SYS_ADMIN) and CAP_BPF; cgroup v2.
// Errors: as attach_cgroup(). Ownership: the view shares the Program; the Link owns the attachment.
// Thread safety: as ProgramView.
class CgroupSysctl : public TypedProgramView<CgroupSysctl> {
public:
    static constexpr const char* kName = "CgroupSysctl";
    static constexpr ProgramType kType = ProgramType::CgroupSysctl;
    static constexpr ProgramKind kKinds[] = {ProgramKind::CgroupSysctl};

    Result<Link> attach(const CgroupDir& cgroup, const CgroupAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<CgroupSysctl>;
    using TypedProgramView::TypedProgramView;
};

// A typed view of a BPF_PROG_TYPE_CGROUP_DEVICE program (section cgroup/dev): the cgroup v2 device controller. It
// runs when a task of the cgroup opens a device node or calls mknod(2), sees struct bpf_cgroup_dev_ctx (access_type:
// BPF_DEVCG_DEV_* | BPF_DEVCG_ACC_* << 16, major, minor) and returns 1 to allow or 0 to refuse (EPERM).
// The Link is a cgroup bpf_link, or a BPF_PROG_ATTACH registration (see attach_cgroup()).
// Kernel: 4.15; cgroup links 5.7.
// Requires, Errors, Ownership, Thread safety: as CgroupSysctl.
class CgroupDevice : public TypedProgramView<CgroupDevice> {
public:
    static constexpr const char* kName = "CgroupDevice";
    static constexpr ProgramType kType = ProgramType::CgroupDevice;
    static constexpr ProgramKind kKinds[] = {ProgramKind::CgroupDevice};

    Result<Link> attach(const CgroupDir& cgroup, const CgroupAttachOptions& options = {}) const;

private:
    friend class TypedProgramView<CgroupDevice>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
