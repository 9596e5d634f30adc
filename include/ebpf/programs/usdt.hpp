// SPDX-License-Identifier: MIT
// Usdt: programs on USDT probes (user statically defined tracepoints: the STAP_PROBE / DTRACE_PROBE macros of
// <sys/sdt.h>), written the libbpf way: BPF_USDT() and bpf_usdt_arg() from <bpf/usdt.bpf.h>, unmodified.
//
// How it works (the contract of usdt.bpf.h, kept here): each probe site is a uprobe at the address its
// .note.stapsdt note gives; its argument specification ("-4@%edi 8@-8(%rbp)") is decoded and written to the
// program's map __bpf_usdt_specs (an array of struct __bpf_usdt_spec) under a spec id; the BPF side finds the
// spec id from the attach cookie (bpf_get_attach_cookie(), where LINUX_HAS_BPF_COOKIE: 5.15+) or, before that,
// from the map __bpf_usdt_ip_to_spec_id keyed by the probe's absolute address. The user cookie is stored in the
// spec and read with bpf_usdt_cookie(). Semaphores (probes built with _SDT_HAS_SEMAPHORES) are incremented by the
// kernel through the uprobe's reference counter (ref_ctr_offset, 4.20+) while the probe is attached; this library
// never writes to another process's memory.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/programs/view.hpp>

namespace ebpf {

struct UsdtAttachOptions {
    // The process whose hits run the program: -1 every process, 0 this process, else that pid. Needed for a
    // probe in a shared library or PIE executable on kernels without BPF cookies (before 5.15): the BPF side
    // then identifies the probe by its absolute address in that process.
    int pid = -1;
    std::uint64_t cookie = 0;  // what bpf_usdt_cookie() returns
};

// A USDT probe site of a binary (what Usdt::probes() lists).
struct UsdtProbe {
    std::string provider, name;
    std::string arguments;                // the argument specification, as the note has it
    std::uint64_t address = 0;            // virtual address of the site
    std::uint64_t offset = 0;             // its file offset
    std::uint64_t semaphore_address = 0;  // 0: no semaphore
    std::uint64_t semaphore_offset = 0;
};

// A typed view of a usdt program (sections usdt, usdt/<binary>:<provider>:<name>, usdt.s/...).
// It shares ownership of the Program (see ProgramView).
// The Link attaches every site of the probe (a probe may be expanded at several places): one uprobe_multi
// bpf_link where the kernel has it (6.6+) and the program was loaded for it (Usdt::load() does that), else one
// perf-event uprobe per site (bpf_link 5.15+, PERF_EVENT_IOC_SET_BPF before; uprobe PMU 4.17+, tracefs before).
// It also owns the spec ids and map entries it wrote: detaching frees them.
// Kernel: uprobes as UProbe; BPF cookies 5.15+ (else the address map, which needs a pid for position-independent
//   files); semaphores 4.20+; x86_64, aarch64, arm and riscv64 argument specifications.
// Errors: NotFound (no such binary or probe: the message names provider, name, file and what the file has;
//   no process); InvalidArgument (not loaded; an argument specification this library cannot express, naming the
//   argument; a program without the usdt.bpf.h maps); NotSupported (a binary of another architecture; a
//   position-independent file without a pid before 5.15; semaphores before 4.20; a semaphore whose file page an
//   earlier writable segment also maps, as lld's separate RELRO segment does: the kernel would raise the counter
//   there, so the message says to link with -z norelro, or to give a pid for a binary ld.so loads); ResourceLimit (no free slot in
//   __bpf_usdt_specs, whose size is BPF_USDT_MAX_SPEC_CNT); Exists (without cookies: another attachment already
//   owns a probe address).
// Thread safety: as ProgramView. Spec ids are allocated under a process-wide lock per map; two processes must not
//   attach through the same (pinned) maps.
class Usdt : public TypedProgramView<Usdt> {
public:
    static constexpr const char* kName = "Usdt";
    static constexpr ProgramType kType = ProgramType::Kprobe;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Usdt};

    // Loads the program; where the kernel has uprobe_multi links (6.6+, probed) and no attach type was set, as a
    // uprobe_multi program first (libbpf does the same), so that attach() makes one link for every site.
    Result<void> load();

    // Attaches to every site of probe `provider`:`name` in `binary` (a path, library or executable name as
    // UProbe takes them).
    Result<Link> attach(std::string_view binary, std::string_view provider, std::string_view name,
                        const UsdtAttachOptions& options = {}) const;
    // Attaches to what its section names (usdt//usr/bin/python3:python:function__entry).
    Result<Link> attach(const UsdtAttachOptions& options = {}) const;

    // Every USDT probe site of `binary`, in note order. Errors: NotFound (no such file), MalformedElf.
    static Result<std::vector<UsdtProbe>> probes(std::string_view binary);

private:
    friend class TypedProgramView<Usdt>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
