// SPDX-License-Identifier: MIT
// KSyscall: kprobes on a system call's kernel entry function, named portably (ksyscall/openat).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <ebpf/programs/view.hpp>

namespace ebpf {

struct KSyscallAttachOptions {
    std::uint64_t cookie = 0;  // bpf_get_attach_cookie(); needs perf_event links (5.15)
    unsigned maxactive = 0;    // kretsyscall: see KProbeAttachOptions::maxactive
};

// A typed view of a ksyscall/<name> or kretsyscall/<name> program: a kprobe (kretprobe) on the function the
// kernel enters the system call through. Where the kernel has syscall wrappers (x86_64 4.17+, arm64 4.19+, s390,
// riscv, ...: Feature::SyscallWrapper) that is __<arch>_sys_<name>, whose single argument is the user's pt_regs
// (libbpf's BPF_KSYSCALL macro reads the arguments from it, using the LINUX_HAS_SYSCALL_WRAPPER kconfig extern);
// elsewhere __se_sys_<name> (or sys_<name>), which takes the arguments directly. It shares ownership of the
// Program (see ProgramView); the Link is a KProbe Link (PMU or tracefs, see kprobe.hpp).
// Kernel: as KProbe.
// Errors: NotFound naming the system call and the function looked for; otherwise as KProbe::attach.
// Thread safety: as ProgramView.
class KSyscall : public TypedProgramView<KSyscall> {
public:
    static constexpr const char* kName = "KSyscall";
    static constexpr ProgramType kType = ProgramType::Kprobe;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Ksyscall, ProgramKind::Kretsyscall};

    // Attaches to system call `syscall` ("openat", "getppid": the name without sys_).
    Result<Link> attach(std::string_view syscall, const KSyscallAttachOptions& options = {}) const;
    // Attaches to the system call its section names (ksyscall/openat).
    Result<Link> attach(const KSyscallAttachOptions& options = {}) const;
    bool is_retprobe() const noexcept { return prog_.kind() == ProgramKind::Kretsyscall; }

    // The kernel function system call `syscall` enters through here ("__x64_sys_openat").
    // Errors: NotSupported (wrappers on an architecture whose prefix is unknown), the probe's error.
    static Result<std::string> kernel_function(std::string_view syscall);

private:
    friend class TypedProgramView<KSyscall>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
