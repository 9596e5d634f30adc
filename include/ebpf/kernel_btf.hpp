// SPDX-License-Identifier: MIT
// KernelBtf: the running kernel's type information (vmlinux and module BTF), parsed once per process.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/btf.hpp>
#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>

namespace ebpf {

// Kernel: /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF, 5.4+) and /sys/kernel/btf/<module> (5.11+).
// The vmlinux blob is mapped read-only when the kernel allows it (6.16+) and read otherwise.
// Ownership: shared; specs handed out stay valid while the KernelBtf lives.
class KernelBtf {
public:
    // The running kernel's BTF, cached for the process (thread-safe). Errors: NotSupported when the kernel has
    // no BTF, with what to do about it (pass a BTF file, e.g. from BTFHub, with LoadOptions::target_btf).
    static Result<std::shared_ptr<const KernelBtf>> running();
    // Loads the running kernel's BTF afresh, without the process-wide cache (benchmarks, long-lived daemons that
    // want to drop it again).
    static Result<std::shared_ptr<const KernelBtf>> load_running();
    // BTF read from a file: raw BTF (as in /sys/kernel/btf/vmlinux) or an ELF file with a .BTF section.
    // Module BTF is not available for such targets.
    static Result<std::shared_ptr<const KernelBtf>> from_file(const char* path);
    // From a parsed spec (tests, synthetic targets).
    static std::shared_ptr<const KernelBtf> from_spec(btf::Spec vmlinux);

    const btf::Spec& vmlinux() const noexcept { return vmlinux_; }
    bool is_running_kernel() const noexcept { return running_; }

    // Names of the modules with BTF (empty for file targets).
    const std::vector<std::string>& module_names() const noexcept { return module_names_; }
    // A module's BTF (split on vmlinux), parsed on first use. Errors: NotFound, MalformedBtf.
    Result<const btf::Spec*> module(std::string_view name) const;
    // Every module's BTF (parses them all on first call).
    Result<std::vector<std::pair<std::string, const btf::Spec*>>> all_modules() const;
    // The kernel BTF object fd of a module, for BPF_PROG_LOAD's attach_btf_obj_fd and fd_array.
    Result<std::shared_ptr<const UniqueFd>> module_fd(std::string_view name) const;

    KernelBtf(const KernelBtf&) = delete;
    KernelBtf& operator=(const KernelBtf&) = delete;
    ~KernelBtf();

    struct State;  // opaque; lazily filled module data

private:
    KernelBtf(btf::Spec vmlinux, bool running);
    btf::Spec vmlinux_;
    bool running_ = false;
    std::vector<std::string> module_names_;
    std::unique_ptr<State> state_;
};

// A BTF object loaded in the kernel: vmlinux, a module's, or one a program or map was loaded with.
struct BtfInfo {
    std::uint32_t id = 0;
    std::string name;         // 5.11+: "vmlinux" or the module name for kernel BTF; empty for loaded objects
    std::uint32_t size = 0;   // bytes of raw BTF
    bool kernel_btf = false;  // 5.11+: vmlinux or module BTF
};

// BTF read from a file: raw BTF (as in /sys/kernel/btf/*) or an ELF file's .BTF section. With `base`, the file is
// split BTF on top of it (a module's /sys/kernel/btf/<module> on vmlinux's): its type ids continue after the base's
// and its names resolve through the base's strings; the returned Spec keeps the base alive.
// Errors: the read's (NotFound, Permission, ...); NotFound for an ELF file without .BTF; MalformedBtf, naming the
// file. Thread safety: none needed (no shared state).
Result<btf::Spec> btf_from_file(const char* path, const btf::Spec* base = nullptr);

// Ids of every BTF object in the kernel, in id order.
// Kernel: BPF_BTF_GET_NEXT_ID, BPF_BTF_GET_FD_BY_ID (5.4+); names and kernel_btf 5.11+. Requires: CAP_SYS_ADMIN.
// Errors: Permission.
Result<std::vector<std::uint32_t>> loaded_btf_ids();
// The info of every BTF object in the kernel (what `bpftool btf list` shows). Objects freed between listing and
// opening are skipped. Opens and closes one fd per object. Requires: CAP_SYS_ADMIN. Errors: Permission; the
// failing step, naming the id. Thread safety: none needed (no shared state).
Result<std::vector<BtfInfo>> loaded_btfs();
// The info of one BTF object. Errors: NotFound (no such id), Permission.
Result<BtfInfo> loaded_btf_info(std::uint32_t id);
// The types of one BTF object (BPF_OBJ_GET_INFO_BY_FD with a buffer), parsed. Module BTF is split on vmlinux: it
// is parsed on the running kernel's vmlinux BTF. Ownership: the Spec owns a copy of the bytes; no fd stays open.
// Errors: NotFound (no such id), Permission, MalformedBtf.
Result<btf::Spec> loaded_btf_spec(std::uint32_t id);

}  // namespace ebpf
