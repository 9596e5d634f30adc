// SPDX-License-Identifier: MIT
// UProbe and UProbeMulti: programs on instructions of user-space executables and shared libraries, at function
// entry (uprobe) or return (uretprobe), one at a time or many through one link (uprobe.multi, uprobe.session).
//
// Binaries are named by path ("/usr/bin/bash", "./a.out"), by library name ("libc.so.6": found like the dynamic
// loader finds it: the library the process maps when a pid is given, then LD_LIBRARY_PATH, /etc/ld.so.cache and
// the default directories /lib/<multiarch>, /usr/lib/<multiarch>, /lib64, /usr/lib64, /lib, /usr/lib), or by
// executable name ("bash": searched in PATH). Functions are looked up in .dynsym and .symtab, optionally with a
// GNU symbol version ("malloc@GLIBC_2.2.5", "malloc@@GLIBC_2.2.5") and an offset ("main+0x10"); addresses are
// translated to the file offsets the kernel takes through the PT_LOAD program headers (PIE or not, ELF32 or
// ELF64, either byte order).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/programs/view.hpp>

namespace ebpf {

struct UProbeAttachOptions {
    // The process whose hits run the program: -1 every process, 0 this process, else that pid (all its
    // threads). A pid also decides which "libfoo.so" is meant when the process has one mapped.
    int pid = -1;
    std::uint64_t cookie = 0;          // bpf_get_attach_cookie(); needs perf_event links (5.15)
    std::uint64_t ref_ctr_offset = 0;  // file offset of a 2-byte reference counter the kernel maintains (a USDT
                                       // semaphore); needs 4.20
    // Programs without a section (from a pin or an id): attach as a return probe. uretprobe/ sections always are.
    bool retprobe = false;
};

// A typed view of a uprobe program (sections uprobe/<binary>:<function>[+<offset>], uretprobe/..., and the
// sleepable uprobe.s/..., uretprobe.s/...). It shares ownership of the Program (see ProgramView).
// The Link owns a uprobe perf event and, where the kernel has them (5.15+), a bpf_link over it; without the
// uprobe PMU (before 4.17, or when the probe feature:uprobe_pmu is forced off) also a tracefs uprobe_events
// entry, named ebpf_cxx_<pid>_<n>_<function>, removed on detach after the event is closed (entries of dead
// processes are removed by the first tracefs attach of a later process, or by sys-level cleanup).
// Kernel: uprobes 3.5+ (tracefs), uprobe PMU 4.17+, bpf_link and cookies 5.15+, reference counters 4.20+;
//   CONFIG_UPROBES and CONFIG_UPROBE_EVENTS. Sleepable programs (.s sections) need a kernel that loads sleepable
//   kprobe-type programs; the kernel runs them only on uprobes.
// Errors: NotFound naming what was looked for and where ("function 'readline' not found in /usr/bin/bash
//   (.dynsym, .symtab searched)", a library with the places searched, "no process with pid N"); InvalidArgument
//   (not loaded, no target in the section, an ambiguous or IFUNC symbol); NotSupported (a cookie before 5.15, a
//   ref_ctr_offset before 4.20); MalformedElf; Permission.
// Ownership: the Link owns every kernel object and tracefs entry of the attachment; a failed attach leaves none.
// Thread safety: as ProgramView.
class UProbe : public TypedProgramView<UProbe> {
public:
    static constexpr const char* kName = "UProbe";
    static constexpr ProgramType kType = ProgramType::Kprobe;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Uprobe, ProgramKind::Uretprobe};

    // Attaches to `function` of `binary` ("readline" of "/usr/bin/bash", "malloc" of "libc.so.6").
    Result<Link> attach(std::string_view binary, std::string_view function,
                        const UProbeAttachOptions& options = {}) const;
    // Attaches at a file offset of `binary` (nothing is looked up in the file).
    Result<Link> attach_offset(std::string_view binary, std::uint64_t offset,
                               const UProbeAttachOptions& options = {}) const;
    // Attaches at a virtual address of `binary` as its symbols give it (translated to a file offset).
    Result<Link> attach_address(std::string_view binary, std::uint64_t address,
                                const UProbeAttachOptions& options = {}) const;
    // Attaches to what its section names (uprobe//usr/bin/bash:readline). Errors: InvalidArgument when it names
    // no binary and function.
    Result<Link> attach(const UProbeAttachOptions& options = {}) const;
    // True for uretprobe/ sections.
    bool is_retprobe() const noexcept { return prog_.kind() == ProgramKind::Uretprobe; }

private:
    friend class TypedProgramView<UProbe>;
    using TypedProgramView::TypedProgramView;
};

struct UProbeMultiAttachOptions {
    int pid = -1;  // as UProbeAttachOptions::pid
    // bpf_get_attach_cookie() per probe: none, or one per function/offset, in the order given (for a pattern: the
    // order of UProbeMulti::resolve(), i.e. sorted by name).
    std::span<const std::uint64_t> cookies{};
    // Reference counters (file offsets of USDT semaphores): none, or one per function/offset.
    std::span<const std::uint64_t> ref_ctr_offsets{};
    // Programs without a section (from a pin or an id): attach as return probes (uretprobe.multi).
    bool retprobe = false;
};

// A function of a binary, where it is (what UProbeMulti::resolve() returns).
struct UProbeSymbol {
    std::string name;           // with its version when it has one ("malloc@@GLIBC_2.2.5")
    std::uint64_t address = 0;  // virtual address
    std::uint64_t offset = 0;   // file offset
};

// A typed view of a uprobe.multi/<binary>:<pattern>, uretprobe.multi/<binary>:<pattern> or
// uprobe.session/<binary>:<pattern> program (sleepable .s variants too; loaded with expected attach type
// trace_uprobe_multi or trace_uprobe_session). A pattern is a glob ('*' and '?') over the names of the binary's
// functions (.dynsym and .symtab, without versions); IFUNC resolvers are left out. uprobe.session programs run at
// entry and, when the entry run returned 0, at return.
// The Link is one uprobe_multi bpf_link where the kernel has it (6.6+; sessions 6.13+, probed by
// link_supported(TraceUprobeMulti / TraceUprobeSession)); before that, uprobe.multi and uretprobe.multi fall back
// to one perf-event uprobe per function, all owned by the one Link and attached all or nothing (sessions have no
// fallback). A Link of that fallback has no bpf_link: it cannot be pinned; release() returns the first probe's
// fd and leaves the others open for the life of the process.
// Kernel: see above; a kernel with uprobe_multi refuses programs loaded for it on single perf events, so forcing
//   the fallback there (EBPF_CXX_PROBE_OVERRIDE=link:trace_uprobe_multi=0) needs the program loaded without that
//   attach type (set_expected_attach_type(std::nullopt) before load).
// Errors: as UProbe, and NotFound for a pattern matching nothing; InvalidArgument (cookie or counter counts);
//   NotSupported (sessions without the link).
// Thread safety: as ProgramView.
class UProbeMulti : public TypedProgramView<UProbeMulti> {
public:
    static constexpr const char* kName = "UProbeMulti";
    static constexpr ProgramType kType = ProgramType::Kprobe;
    static constexpr ProgramKind kKinds[] = {ProgramKind::UprobeMulti, ProgramKind::UretprobeMulti,
                                             ProgramKind::UprobeSession};

    // Attaches to every function of `binary` matching `pattern` ("ebpf_test_*", "malloc").
    Result<Link> attach(std::string_view binary, std::string_view pattern,
                        const UProbeMultiAttachOptions& options = {}) const;
    // Attaches to what its section names (uprobe.multi//usr/lib/libc.so.6:mem*).
    Result<Link> attach(const UProbeMultiAttachOptions& options = {}) const;
    // Attaches to these functions (names as UProbe::attach takes them: versions and +offsets allowed).
    Result<Link> attach_functions(std::string_view binary, std::span<const std::string> functions,
                                  const UProbeMultiAttachOptions& options = {}) const;
    // Attaches at these file offsets.
    Result<Link> attach_offsets(std::string_view binary, std::span<const std::uint64_t> offsets,
                                const UProbeMultiAttachOptions& options = {}) const;
    // True for uretprobe.multi sections.
    bool is_retprobe() const noexcept { return prog_.kind() == ProgramKind::UretprobeMulti; }

    // The functions `pattern` matches in `binary` (what attach(binary, pattern) attaches to), sorted by name.
    // Errors: NotFound (no such binary, or nothing matches), MalformedElf.
    static Result<std::vector<UProbeSymbol>> resolve(std::string_view binary, std::string_view pattern);

private:
    friend class TypedProgramView<UProbeMulti>;
    using TypedProgramView::TypedProgramView;
};

// The path the kernel would be given for `binary`: a path as is, a library name resolved like the dynamic loader
// (the library process `pid` has mapped under that name first, when pid > 0), an executable name through PATH.
// Errors: NotFound listing the places searched.
Result<std::string> resolve_uprobe_binary(std::string_view binary, int pid = -1);

}  // namespace ebpf
