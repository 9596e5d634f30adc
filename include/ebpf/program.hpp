// SPDX-License-Identifier: MIT
// Program: a handle to one BPF program, prepared from its relocated instructions, configurable until it is
// loaded into the kernel. Typed views for attaching live in <ebpf/programs/*.hpp>.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ebpf/btf.hpp>
#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>
#include <ebpf/spec.hpp>
#include <ebpf/types.hpp>

namespace ebpf {

struct ProgramDef;

// Finds the kernel BTF id of a BTF-attached program's target (fentry/fexit/fmod_ret: FUNC <name>; tp_btf:
// btf_trace_<name>; lsm: bpf_lsm_<hook>; iter: bpf_iter_<target>) when the program is loaded. The loader
// installs one that searches the running kernel's BTF (vmlinux and modules); hand-made programs may bring their
// own or set ProgramDef::attach_btf_id directly.
class AttachTargetResolver {
public:
    virtual ~AttachTargetResolver() = default;
    // Fills def.attach_btf_id (and def.attach_btf_obj for a module) for def.attach_target.
    // Errors: NotFound naming the target and where it was looked for; NotSupported without kernel BTF.
    virtual Result<void> resolve(ProgramDef& def) const = 0;
};

// Everything BPF_PROG_LOAD needs. The loader fills it from a ProgramSpec (maps, externs and CO-RE resolved);
// it can also be written by hand for small programs.
struct ProgramDef {
    std::string name;
    std::string section;
    ProgramKind kind = ProgramKind::Unknown;  // Unknown: Program::prepare() derives it from `section`
    ProgramType type = ProgramType::Unspec;
    std::optional<AttachType> expected_attach_type;
    // The attach target named by the section ("do_unlinkat", "sched/sched_switch", "/bin/bash:readline"), or set
    // with Program::set_attach_target(). For BTF-attached kinds it is resolved to attach_btf_id at load.
    std::string attach_target;
    std::uint32_t flags = 0;    // kProgSleepable, kProgXdpHasFrags, kProgXdpDevBoundOnly
    std::uint32_t ifindex = 0;  // prog_ifindex: the device of an offloaded or dev-bound XDP program
    std::string license = "GPL";
    std::uint32_t kern_version = 0;
    std::vector<Instruction> instructions;  // fully relocated
    // The maps whose fds the instructions carry: held open until the program is loaded (then the kernel holds
    // them), so taking a map out of its Object, or dropping every handle to it, cannot invalidate the program.
    std::vector<std::shared_ptr<const UniqueFd>> map_fds;
    std::shared_ptr<const UniqueFd> btf;    // object BTF in the kernel, for func/line info (optional)
    std::vector<btf::FuncInfo> func_info;   // insn_off in instructions
    std::vector<btf::LineInfo> line_info;
    std::uint32_t attach_btf_id = 0;                 // fentry/fexit/tp_btf/lsm/iter/freplace target's BTF id
    std::shared_ptr<const UniqueFd> attach_btf_obj;  // module BTF holding attach_btf_id (null: vmlinux)
    std::shared_ptr<const UniqueFd> attach_prog;     // target program of freplace, or fentry/fexit on a program
    std::shared_ptr<const AttachTargetResolver> resolver;  // finds attach_btf_id at load (null: none)
    std::vector<std::shared_ptr<const UniqueFd>> fd_array;  // module BTF fds referenced by kfunc calls
    // Instructions the loader made invalid on purpose (an unresolved CO-RE relocation, a missing weak kfunc), with
    // why: only an error if the verifier reaches one, and then the error says which relocation it was.
    std::vector<std::pair<std::uint32_t, std::string>> poisoned;
    std::uint32_t log_level = 0;  // 0: collect the verifier log only when loading fails
    std::uint32_t log_size = 0;   // initial log buffer (0: 64 KiB); grows on ENOSPC
};

// BPF_F_XDP_DEV_BOUND_ONLY (6.3): an XDP program bound to ProgramDef::ifindex that may use device kfuncs.
inline constexpr std::uint32_t kProgXdpDevBoundOnly = 1u << 6;

// `flags` without the ones a program of `type` cannot be loaded with (the kernel refuses them): sleepable outside
// tracing, LSM, kprobe (uprobe), struct_ops and syscall programs; the XDP flags outside XDP. What changing a
// program's type keeps of the flags its section gave (Program::set_type, LoadOptions::program_types), as libbpf
// forgets a section's settings when the type changes.
constexpr std::uint32_t flags_for_program_type(std::uint32_t flags, ProgramType type) noexcept {
    const bool can_sleep = type == ProgramType::Tracing || type == ProgramType::Lsm || type == ProgramType::Kprobe ||
                           type == ProgramType::StructOps || type == ProgramType::Syscall;
    if (!can_sleep) flags &= ~kProgSleepable;
    if (type != ProgramType::Xdp) flags &= ~(kProgXdpHasFrags | kProgXdpDevBoundOnly);
    return flags;
}

struct ProgramInfo {
    ProgramType type = ProgramType::Unspec;
    std::uint32_t id = 0;
    std::string name;       // the kernel's name: at most 15 characters, longer names cut there
    std::string full_name;  // name, or the function's whole name from the program's BTF when name was cut (as
                            // bpftool shows it); equal to name when the program has no BTF or it cannot be read
    std::array<std::uint8_t, 8> tag{};
    std::uint32_t jited_size = 0;
    std::uint32_t xlated_size = 0;
    std::uint32_t verified_instructions = 0;
    std::uint32_t btf_id = 0;
    std::uint64_t run_time_ns = 0;   // 5.1+, counted only while stats are enabled (sysctl kernel.bpf_stats_enabled)
    std::uint64_t run_count = 0;
    std::uint64_t recursion_misses = 0;  // 5.12+
    std::vector<std::uint32_t> map_ids;
    std::uint64_t load_time_ns = 0;   // CLOCK_BOOTTIME of the load, in ns
    std::uint32_t created_by_uid = 0;
    bool gpl_compatible = false;
    std::uint32_t ifindex = 0;            // offloaded or dev-bound programs
    std::uint32_t attach_btf_obj_id = 0;  // 5.18+: BTF object of a BTF-attached program's target
    std::uint32_t attach_btf_id = 0;      // 5.18+: the target's type id in it
};

struct TestRunOptions {
    std::span<const std::byte> data_in{};
    std::span<std::byte> data_out{};
    std::span<const std::byte> ctx_in{};  // syscall programs: the kernel writes the context back here
    std::span<std::byte> ctx_out{};
    std::uint32_t repeat = 0;  // 0 runs once; syscall programs require 0
    std::uint32_t flags = 0;
    std::uint32_t cpu = 0;
};

struct TestRunResult {
    std::uint32_t retval = 0;
    std::uint32_t duration_ns = 0;  // average per run
    std::uint32_t data_size_out = 0;
    std::uint32_t ctx_size_out = 0;
};

namespace detail {
// What every copy of a Program shares. Internal; use Program's members.
struct ProgramState {
    ProgramDef def;
    UniqueFd fd;
    std::string log;
    std::optional<Error> unloadable;
};
}  // namespace detail

// Program is a reference-counted handle to one program: its definition before load, its fd after.
// Ownership: copies share the same program (configuring or loading through one is seen through all); the fd
//   closes when the last copy or view is gone. A loaded program stays in the kernel while an fd, a pin or a link
//   holds it. A Program is never empty: there is no default constructor and moving copies the handle.
// Configuration (set_*) is allowed until load(); afterwards it returns InvalidArgument.
// Thread safety: configure and load a program from one thread at a time (the calls are not synchronised, also
//   not across copies). Once loaded, its const members (fd, info, test_run, pin) may be called concurrently.
// Kernel: BPF_PROG_LOAD. When the verifier rejects the program the error has Errc::Verifier and the full log.
class Program {
public:
    // Wraps a definition without loading it. Errors: InvalidArgument (no instructions, unknown type).
    static Result<Program> prepare(ProgramDef def);
    // A program that cannot be loaded, for instance because its CO-RE relocations fail: load() returns `why`.
    // The loader uses it so that one bad program does not stop the others of an object from loading.
    static Program unloadable(ProgramDef def, Error why);
    static Result<Program> from_pin(const char* path);
    static Result<Program> from_fd(UniqueFd fd);
    static Result<Program> from_id(std::uint32_t id);

    Program(const Program&) noexcept = default;
    Program& operator=(const Program&) noexcept = default;
    ~Program() = default;

    // --- Configuration before load. Errors: InvalidArgument once loaded (and as said per call).
    // The attach target: a function, tracepoint or hook name as the section would give it ("do_unlinkat",
    // "module:function", "sched/sched_switch"). BTF-attached kinds resolve it at load.
    Result<void> set_attach_target(std::string_view target);
    // A BPF program as the target: freplace replaces `function` (a global function of `target`); fentry/fexit/
    // fmod_ret trace it. `target` must be loaded and have BTF. Errors: InvalidArgument (kind, not loaded).
    Result<void> set_attach_target(const Program& target, std::string_view function);
    // The program type. Load flags the new type cannot have are dropped (flags_for_program_type(): a syscall
    // section's sleepable flag on a raw tracepoint, say); set_flags() afterwards sets others.
    Result<void> set_type(ProgramType type);
    Result<void> set_expected_attach_type(std::optional<AttachType> type);
    // Device of an offloaded or dev-bound XDP program (with kProgXdpDevBoundOnly in flags for dev-bound).
    Result<void> set_ifindex(std::uint32_t ifindex);
    // BPF_F_* load flags: kProgSleepable, kProgXdpHasFrags, kProgXdpDevBoundOnly.
    Result<void> set_flags(std::uint32_t flags);
    // Verifier log level (1: basic, 2: verbose, 4: stats); 0 collects a log only when loading fails.
    Result<void> set_log_level(std::uint32_t level);

    // Loads the program; a no-op once loaded. Resolves a BTF attach target first. Retries on EAGAIN, and reloads
    // with a verifier log (grown on ENOSPC) when the first attempt fails.
    // Errors: Verifier (with the log), Permission, NotSupported, NotFound (attach target), ...
    Result<void> load();
    bool loaded() const noexcept { return s_->fd.valid(); }
    // The program fd; invalid (-1) until loaded.
    FdRef fd() const noexcept { return s_->fd; }
    // The fd, shared: holding it keeps the program open (e.g. as the target of an freplace program).
    std::shared_ptr<const UniqueFd> shared_fd() const noexcept { return {s_, &s_->fd}; }

    const std::string& name() const noexcept { return s_->def.name; }
    const std::string& section() const noexcept { return s_->def.section; }
    ProgramKind kind() const noexcept { return s_->def.kind; }
    ProgramType type() const noexcept { return s_->def.type; }
    std::optional<AttachType> expected_attach_type() const noexcept { return s_->def.expected_attach_type; }
    const std::string& attach_target() const noexcept { return s_->def.attach_target; }
    std::uint32_t flags() const noexcept { return s_->def.flags; }
    bool sleepable() const noexcept { return (s_->def.flags & kProgSleepable) != 0; }
    const ProgramDef& def() const noexcept { return s_->def; }
    // The verifier log of the last load when a log level was requested.
    std::string_view verifier_log() const noexcept { return s_->log; }
    // True when both handles refer to the same program (copies of one Program).
    bool same_handle(const Program& other) const noexcept { return s_ == other.s_; }

    Result<void> pin(const char* path) const;
    Result<ProgramInfo> info() const;
    // Runs the program once (or `repeat` times) on the given input (BPF_PROG_TEST_RUN, 4.12+).
    Result<TestRunResult> test_run(const TestRunOptions& options) const;

private:
    explicit Program(std::shared_ptr<detail::ProgramState> s) noexcept : s_(std::move(s)) {}
    Result<void> require_loaded(const char* what) const;
    Result<void> require_unloaded(const char* what) const;
    Result<void> resolve_attach_target();
    std::shared_ptr<detail::ProgramState> s_;
};

// Ids of every program loaded in the kernel, in id order.
// Kernel: BPF_PROG_GET_NEXT_ID, BPF_PROG_GET_FD_BY_ID (4.13+). Requires: CAP_SYS_ADMIN. Errors: Permission.
Result<std::vector<std::uint32_t>> loaded_program_ids();
// The info of every program loaded in the kernel (what `bpftool prog show` lists). Programs unloaded between
// listing and opening are skipped: the list is a snapshot that may already be stale. Opens and closes one fd per
// program (no fd stays open). Requires: CAP_SYS_ADMIN. Errors: Permission; the failing step, naming the id.
// Thread safety: none needed (no shared state).
Result<std::vector<ProgramInfo>> loaded_programs();

// Turns on the kernel's run statistics of every BPF program (run_time_ns and run_count in ProgramInfo) while the
// returned descriptor is open; they are off again (unless the sysctl kernel.bpf_stats_enabled keeps them on) once
// every such descriptor is closed. Statistics cost a little per program run, so hold it only while measuring.
// Kernel: BPF_ENABLE_STATS with BPF_STATS_RUN_TIME, 5.8+.
// Requires: CAP_SYS_ADMIN.
// Errors: Permission (no CAP_SYS_ADMIN), NotSupported or InvalidArgument (kernels before 5.8), each naming
//   BPF_ENABLE_STATS.
// Ownership: the caller owns the descriptor (UniqueFd closes it).
// Thread safety: may be called from any thread; each call returns a new descriptor.
Result<UniqueFd> enable_stats();

}  // namespace ebpf
