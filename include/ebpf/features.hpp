// SPDX-License-Identifier: MIT
// Kernel feature probes in families: program types, map types, bpf_link attach types, helpers per program type,
// and miscellaneous features. Each question is answered by trying (the smallest program, the smallest map, a
// BPF_LINK_CREATE with a target the kernel rejects in a telling way), never by version numbers, and the answer is
// cached for the life of the process. docs/features.md lists every recipe and how each errno is read.
//
// Answers: true and false are conclusive, and cached. An Error means the probe could not decide, and is not cached:
//   Permission       the process may not make this bpf() call (no CAP_BPF/CAP_PERFMON/CAP_NET_ADMIN nor
//                    CAP_SYS_ADMIN; or RLIMIT_MEMLOCK on kernels before 5.11). A later call probes again.
//   NotSupported     there is no honest probe for the question (docs/features.md says which and why).
//   InvalidArgument  EBPF_CXX_PROBE_OVERRIDE is malformed: every probe reports it until it is fixed.
//   others           the kernel answered in a way the recipe does not expect (sys_errno() tells how).
// A kernel that refuses something to a privileged process (EPERM although the process has the capabilities and a
// baseline program loads: lockdown, an LSM policy, a kernel that refuses trampolines) answers false.
//
// Thread safety: every function here may be called from any thread. Two threads asking the same new question at
// once may both probe; they get the same answer and one of them is kept.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <ebpf/disasm.hpp>
#include <ebpf/error.hpp>
#include <ebpf/types.hpp>

namespace ebpf {

// Miscellaneous features. The loader sanitizes BTF and chooses code paths with these.
enum class Feature : std::uint8_t {
    Btf,              // BTF_LOAD at all (4.18)
    BtfFunc,          // FUNC / FUNC_PROTO (5.0)
    BtfGlobalFunc,    // FUNC with global linkage (5.6)
    BtfDatasec,       // VAR / DATASEC (5.2)
    BtfQmarkDatasec,  // DATASEC named "?.xxx"
    BtfFloat,         // FLOAT (5.13)
    BtfDeclTag,       // DECL_TAG (5.16)
    BtfTypeTag,       // TYPE_TAG (5.17)
    BtfEnum64,        // ENUM64 and signed enums (6.0)
    ArrayMmap,        // BPF_F_MMAPABLE arrays (5.5)
    BpfCookie,        // bpf_get_attach_cookie() in tracepoint programs (5.15)
    SyscallWrapper,   // syscalls entered through __<arch>_sys_* wrappers (4.17 on x86); read from /proc/kallsyms
    ProgName,         // BPF_PROG_LOAD takes prog_name (4.15)
    GlobalData,       // BPF_PSEUDO_MAP_VALUE: direct access to array map values, i.e. .data/.rodata/.bss (5.2)
    MapFreeze,        // BPF_MAP_FREEZE (5.2)
    LinkDetach,       // BPF_LINK_DETACH (5.9)
    ProgBindMap,      // BPF_PROG_BIND_MAP (5.10)
    RawTpCookie,      // BPF_RAW_TRACEPOINT_OPEN with a cookie (6.10)
    KfuncCall,        // calls to kernel functions (BPF_PSEUDO_KFUNC_CALL) (5.13)
    BoundedLoops,     // the verifier accepts bounded loops (5.3)
    LargeInsnLimit,   // programs of more than 4096 instructions (5.2)
    IsaV2,            // JLT/JLE/JSLT/JSLE jumps (4.14)
    IsaV3,            // JMP32 (5.1)
    IsaV4,            // cpu v4: sign-extending moves and loads, sdiv/smod, bswap, gotol (6.6)
    KprobePmu,        // the kprobe PMU (perf_event_open of kprobes, 4.17); without it kprobes go through tracefs
    UprobePmu,        // the uprobe PMU (4.17); without it uprobes go through tracefs
    Count_,
};

// "btf", "btf_func", ..., "array_mmap", "link_detach" ... ("unknown" for other values).
std::string_view to_string(Feature f) noexcept;
std::optional<Feature> feature_from_string(std::string_view name) noexcept;

// Whether the running kernel has `f`.
// Errors: see the top of this header.
Result<bool> has(Feature f);

// Whether BPF_PROG_LOAD accepts a minimal program (r0 = 0; exit) of this type, with the expected_attach_type,
// flags or attach target the type needs. Unknown values answer false.
// Kernel: tracing, lsm and ext need a BTF attach target: they count as supported when the kernel gets as far as
// rejecting a deliberately wrong target (attach_btf_id 1) with the message that proves it knows the type;
// struct_ops counts as supported when the kernel rejects the program for its missing struct_ops type (ENOTSUPP).
// Errors: see the top of this header.
Result<bool> program_type_supported(ProgramType type);

// Whether BPF_MAP_CREATE accepts a minimal map of this type (with the key/value sizes, flags, inner map, BTF or
// page-sized max_entries the type needs). Unknown values answer false. struct_ops counts as supported when the
// kernel rejects a map for a missing struct_ops type (ENOTSUPP), as libbpf does.
// Errors: see the top of this header.
Result<bool> map_type_supported(MapType type);

// Whether BPF_LINK_CREATE can attach this attach type here, i.e. whether the bpf_link path exists for it (cgroup
// 5.7, netns 5.8, iter 5.8, xdp 5.9, fentry/fexit/lsm after 5.10, perf_event 5.15, kprobe_multi 5.18, lsm_cgroup
// 6.0, struct_ops 6.4, netfilter 6.4, tcx 6.6, uprobe_multi 6.6, netkit 6.7, sockmap 6.10, kprobe_session 6.10 ...).
// False also when the kernel knows the type but cannot use it here (kprobe_multi without CONFIG_FPROBE, netkit
// without CONFIG_NETKIT). Fallbacks (BPF_PROG_ATTACH, netlink, tracefs) choose their path with this.
// Kernel: most recipes call BPF_LINK_CREATE with an invalid target (fd -1, ifindex -1, ...) and read the errno:
// the "bad target" errno means the path exists, EINVAL that it does not. Tracing types (fentry, fexit, fmod_ret,
// lsm, tp_btf) attach for real to a test function of the kernel and detach at once. docs/features.md has the table.
// Errors: NotSupported for the attach types without an honest probe (trace_fsession, the *_multi tracing types);
// see the top of this header for the rest.
Result<bool> link_supported(AttachType type);

// Whether a program of `type` may call helper `helper_id` (enum bpf_func_id), as bpftool decides it: a program
// calling the helper is loaded with a verifier log; the helper is missing when the log says "invalid func",
// "unknown func" or "program of this type cannot use helper", and present otherwise (the verifier then rejects
// the arguments, or the program loads). False for every helper when the program type is not supported.
// Errors: NotSupported for tracing, lsm, ext and struct_ops (their programs need a real attach target before the
// verifier looks at a call); see the top of this header for the rest.
Result<bool> helper_supported(ProgramType type, std::uint32_t helper_id);

// helper_name(), helper_id() and helper_id_end(), the kernel's helper names by id, are in <ebpf/disasm.hpp>
// (pure: the disassembler names helper calls with them); this header includes it.

// --- Testing aids: forcing answers -----------------------------------------------------------------------------
// Tests and VM runs force a probe's answer to exercise fallback paths (e.g. BPF_PROG_ATTACH instead of a cgroup
// bpf_link) without code changes. A forced answer wins over the cache and makes no system call.

enum class ProbeFamily : std::uint8_t { Program, Map, Link, Helper, Feature };

// Names one probe: a program type, map type, attach type, helper of a program type, or feature.
// Text form (to_string / parse_probe_key): "prog:xdp", "map:ringbuf", "link:cgroup_inet_ingress",
// "helper:xdp/map_lookup_elem", "feature:array_mmap"; numbers work for the value too ("prog:6", "helper:6/1").
struct ProbeKey {
    ProbeFamily family = ProbeFamily::Feature;
    std::uint32_t type = 0;       // the ProgramType, MapType, AttachType or Feature value (Helper: the ProgramType)
    std::uint32_t helper_id = 0;  // Helper only

    static constexpr ProbeKey program(ProgramType t) noexcept {
        return {ProbeFamily::Program, static_cast<std::uint32_t>(t), 0};
    }
    static constexpr ProbeKey map(MapType t) noexcept { return {ProbeFamily::Map, static_cast<std::uint32_t>(t), 0}; }
    static constexpr ProbeKey link(AttachType t) noexcept {
        return {ProbeFamily::Link, static_cast<std::uint32_t>(t), 0};
    }
    static constexpr ProbeKey helper(ProgramType t, std::uint32_t id) noexcept {
        return {ProbeFamily::Helper, static_cast<std::uint32_t>(t), id};
    }
    static constexpr ProbeKey feature(Feature f) noexcept {
        return {ProbeFamily::Feature, static_cast<std::uint32_t>(f), 0};
    }
    auto operator<=>(const ProbeKey&) const = default;
};

std::string to_string(const ProbeKey& key);
// Errors: InvalidArgument naming what is wrong.
Result<ProbeKey> parse_probe_key(std::string_view text);

// The environment variable read once, at the first use of any function of this header:
// a comma-separated list of KEY=0|1 (also false|true), e.g.
//   EBPF_CXX_PROBE_OVERRIDE=link:cgroup_inet_ingress=0,map:ringbuf=0,prog:xdp=1,feature:array_mmap=0
// If it is malformed, every probe answers an InvalidArgument error saying so (a typo must not go unnoticed).
inline constexpr const char* kProbeOverrideEnv = "EBPF_CXX_PROBE_OVERRIDE";

// Forces the answer of one probe for this process (nullopt: stop forcing it).
void override_probe(const ProbeKey& key, std::optional<bool> answer);
// Applies a list in the syntax of EBPF_CXX_PROBE_OVERRIDE. Errors: InvalidArgument (nothing is applied then).
Result<void> override_probes(std::string_view spec);
// Stops forcing every answer, including those from EBPF_CXX_PROBE_OVERRIDE (and a malformed-variable error).
void clear_probe_overrides();
// Forgets every cached answer, so the next question probes the kernel again (tests of the probes themselves).
void forget_probe_results();

}  // namespace ebpf
