// SPDX-License-Identifier: MIT
// Program: one BPF program, prepared from its relocated instructions and loaded into the kernel on demand.
// Typed views for attaching live in <ebpf/programs/*.hpp>.
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

// Everything BPF_PROG_LOAD needs. The loader fills it from a ProgramSpec (maps, externs and CO-RE resolved);
// it can also be written by hand for small programs.
struct ProgramDef {
    std::string name;
    std::string section;
    ProgramType type = ProgramType::Unspec;
    std::optional<AttachType> expected_attach_type;
    std::uint32_t flags = 0;  // kProgSleepable, kProgXdpHasFrags
    std::string license = "GPL";
    std::uint32_t kern_version = 0;
    std::vector<Instruction> instructions;  // fully relocated
    std::shared_ptr<const UniqueFd> btf;    // object BTF in the kernel, for func/line info (optional)
    std::vector<btf::FuncInfo> func_info;   // insn_off in instructions
    std::vector<btf::LineInfo> line_info;
    std::uint32_t attach_btf_id = 0;                 // fentry/fexit/tp_btf/lsm/iter target in kernel BTF
    std::shared_ptr<const UniqueFd> attach_btf_obj;  // module BTF holding attach_btf_id (null: vmlinux)
    std::shared_ptr<const UniqueFd> attach_prog;     // freplace target program
    std::vector<std::shared_ptr<const UniqueFd>> fd_array;  // module BTF fds referenced by kfunc calls
    // Instructions the loader made invalid on purpose (an unresolved CO-RE relocation, a missing weak kfunc), with
    // why: only an error if the verifier reaches one, and then the error says which relocation it was.
    std::vector<std::pair<std::uint32_t, std::string>> poisoned;
    std::uint32_t log_level = 0;  // 0: collect the verifier log only when loading fails
    std::uint32_t log_size = 0;   // initial log buffer (0: 64 KiB); grows on ENOSPC
};

struct ProgramInfo {
    ProgramType type = ProgramType::Unspec;
    std::uint32_t id = 0;
    std::string name;
    std::array<std::uint8_t, 8> tag{};
    std::uint32_t jited_size = 0;
    std::uint32_t xlated_size = 0;
    std::uint32_t verified_instructions = 0;
    std::uint32_t btf_id = 0;
    std::uint64_t run_time_ns = 0;
    std::uint64_t run_count = 0;
    std::vector<std::uint32_t> map_ids;
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

// Program owns its definition and, once loaded, the program fd.
// Ownership: move-only. A loaded program stays in the kernel while this fd, a pin or a link holds it.
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

    Program(Program&&) noexcept = default;
    Program& operator=(Program&&) noexcept = default;

    // Loads the program; a no-op once loaded. Retries on EAGAIN, and reloads with a verifier log (grown on
    // ENOSPC) when the first attempt fails. Errors: Verifier (with the log), Permission, NotSupported, ...
    Result<void> load();
    bool loaded() const noexcept { return fd_.valid(); }
    // The program fd; invalid (-1) until loaded.
    FdRef fd() const noexcept { return fd_; }

    const std::string& name() const noexcept { return def_.name; }
    const std::string& section() const noexcept { return def_.section; }
    ProgramType type() const noexcept { return def_.type; }
    std::optional<AttachType> expected_attach_type() const noexcept { return def_.expected_attach_type; }
    const ProgramDef& def() const noexcept { return def_; }
    // The verifier log of the last load when a log level was requested.
    std::string_view verifier_log() const noexcept { return log_; }

    Result<void> pin(const char* path) const;
    Result<ProgramInfo> info() const;
    // Runs the program once (or `repeat` times) on the given input (BPF_PROG_TEST_RUN, 4.12+).
    Result<TestRunResult> test_run(const TestRunOptions& options) const;

private:
    Program() = default;
    Result<void> require_loaded(const char* what) const;
    ProgramDef def_;
    UniqueFd fd_;
    std::string log_;
    std::optional<Error> unloadable_;
};

// Checks that `p` has the given type (used by the typed views). Errors: InvalidArgument.
Result<void> check_program_type(const Program& p, ProgramType type, const char* view_name);

}  // namespace ebpf
