// SPDX-License-Identifier: MIT
// The kernel suites' SEC("syscall") programs, run once through BPF_PROG_TEST_RUN, on kernels without syscall
// programs (5.14) too: there each one is loaded as a raw tracepoint program instead, which BPF_PROG_TEST_RUN runs
// since Linux 5.10 (ctx_in only: up to 12 u64 arguments the program may read, nothing written back; the tracing
// helpers plus the base ones: maps, ring buffers, probe_read, get_current_task...). Where the kernel has syscall
// programs nothing changes, so the same test runs the same program with the same checks on every kernel.
//
//   EBPF_SKIP_IF(test::cannot_run_syscall_programs());
//   Object obj = test::load_object("ringbuf_test.bpf.o");
//   test::runnable(obj);                       // before any of its programs is loaded
//   test::run_once(*obj.program("produce"));   // load (if needed), one test run, REQUIREs success
//
// A case whose program needs a syscall program itself (it writes its context back, which only syscall programs'
// test runs copy out; or it calls a syscall-only helper such as bpf_sys_bpf) skips with
// EBPF_SKIP_IF(test::needs_syscall_programs("why")).
#pragma once

#include <linux/bpf.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include <catch2/catch.hpp>

#include <ebpf/ebpf.hpp>

#include "support/skip.hpp"

namespace ebpf::test {

// True when this kernel has no syscall programs but runs raw tracepoint programs with BPF_PROG_TEST_RUN: the
// syscall-section programs of the tests are then loaded as raw tracepoint programs (both answers are probes).
inline bool syscall_programs_as_raw_tp() {
    return lacks_program_type(BPF_PROG_TYPE_SYSCALL, "syscall") && !lacks_raw_tp_test_run();
}

// Why the tests' syscall-section programs cannot run here (neither syscall programs, 5.14, nor raw_tp test runs,
// 5.10), or nullopt.
inline std::optional<std::string> cannot_run_syscall_programs() {
    auto sys = lacks_program_type(BPF_PROG_TYPE_SYSCALL, "syscall");
    if (!sys) return std::nullopt;
    auto raw = lacks_raw_tp_test_run();
    if (!raw) return std::nullopt;
    return "neither syscall programs (5.14) nor raw_tp test runs (5.10): " + *sys + "; " + *raw;
}

// For a case whose program only a syscall program can be: why not here (`why`: what it needs, e.g. "its program
// writes the context back"), or nullopt.
inline std::optional<std::string> needs_syscall_programs(const char* why) {
    auto sys = lacks_program_type(BPF_PROG_TYPE_SYSCALL, "syscall");
    if (!sys) return std::nullopt;
    return std::string("needs a syscall program (5.14), a raw_tp test run cannot stand in: ") + why + "; " + *sys;
}

// Why the tests' syscall-section programs, of the type they are loaded as here, cannot call helper `id` (enum
// bpf_func_id; `name` names it), or nullopt: the library's helper probe (features.hpp), asked for that type.
inline std::optional<std::string> syscall_programs_lack_helper(std::uint32_t id, const char* name) {
    const ProgramType t = syscall_programs_as_raw_tp() ? ProgramType::RawTracepoint : ProgramType::Syscall;
    auto has = helper_supported(t, id);
    const std::string type(to_string(t));
    if (!has) return "probe of helper " + std::string(name) + " in " + type + " programs: " + std::string(has.error().message());
    if (*has) return std::nullopt;
    return std::string(name) + " is not a helper of " + type + " programs in this kernel (helper probe)";
}

// Makes a syscall-section program loadable here, before load: nothing where the kernel has syscall programs (or for
// other kinds); otherwise the raw tracepoint type (set_type() drops the section's sleepable flag, which raw
// tracepoint programs cannot have). No Catch2 macros: callable from any thread. False if the setter failed.
inline bool make_runnable(Program& p) {
    if (p.kind() != ProgramKind::Syscall || p.loaded() || !syscall_programs_as_raw_tp()) return true;
    return static_cast<bool>(p.set_type(ProgramType::RawTracepoint));
}

inline void runnable(Program& p) { REQUIRE(make_runnable(p)); }

// Every syscall-section program of `obj` (call it before load_programs() or any program's load()).
inline void runnable(Object& obj) {
    for (Program& p : obj.programs()) runnable(p);
}

// Loads `p` (made runnable first) unless it is loaded, and runs it once with `ctx` as its input (ctx_in).
// REQUIREs success, naming the kernel's error; returns the result (retval: the program's r0).
inline TestRunResult run_once(Program p, std::span<const std::byte> ctx = {}) {
    runnable(p);
    auto l = p.load();
    INFO((l ? std::string() : std::string(l.error().message())));
    REQUIRE(l);
    TestRunOptions o;
    o.ctx_in = ctx;
    auto r = p.test_run(o);
    INFO((r ? std::string() : std::string(r.error().message())));
    REQUIRE(r);
    return *r;
}

}  // namespace ebpf::test
