// SPDX-License-Identifier: MIT
// Syscall: BPF_PROG_TYPE_SYSCALL programs, run on request from user space (not attached to a hook).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <ebpf/programs/view.hpp>

namespace ebpf {

// A typed view of a SEC("syscall") program: a sleepable program that user space runs with BPF_PROG_TEST_RUN on a
// context of its own choosing (a struct both sides agree on), e.g. to create maps or load programs from BPF
// (bpf_sys_bpf) or to read kernel state once. There is nothing to attach, so nothing is auto-attached.
// It shares ownership of the Program (see ProgramView).
// Kernel: 5.14+. Errors: InvalidArgument (not loaded, a context above the kernel's limit: EINVAL), Permission.
// Thread safety: as ProgramView; run() may be called concurrently (each call with its own context).
class Syscall : public TypedProgramView<Syscall> {
public:
    static constexpr const char* kName = "Syscall";
    static constexpr ProgramType kType = ProgramType::Syscall;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Syscall};

    // Runs the program once with `ctx` as its context; what the program writes into the context is copied back
    // into `ctx`. Returns the program's return value (r0, as the kernel's 32-bit retval).
    Result<std::int32_t> run(std::span<std::byte> ctx) const;
    // Runs it with no context (ctx NULL in the program).
    Result<std::int32_t> run() const;

private:
    friend class TypedProgramView<Syscall>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
