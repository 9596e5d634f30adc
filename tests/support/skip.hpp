// SPDX-License-Identifier: MIT
// Skipping a kernel test case for a reason the kernel gives. Catch2 v2 has no "skip"; this is the convention:
//
//   EBPF_SKIP("no kprobe PMU: " << why);              // reports the skip and returns from the test case
//   EBPF_SKIP_IF(test::lacks_program_type(BPF_PROG_TYPE_SYSCALL, "syscall"));  // skips if the probe says why
//   EBPF_MARK_SKIPPED("no tcx links: " << err); return false;  // in a helper: records it; the caller returns
//
// A skip prints one line on stdout,
//   EBPF-SKIP <test case name>: <reason>
// and the test case passes for Catch2 and Meson; the runner's listener (support/catch_main.cpp) reports it as
// SKIP, and tools/matrix counts it as skipped, listing the reason. Rules:
// - The reason comes from the kernel: a probe's result (the errno of a minimal BPF_PROG_LOAD, a missing PMU in
//   /sys/bus/event_source/devices, a type missing from the kernel's BTF), never a kernel version check.
// - Probe first, then skip: check that what is missing really is missing the same way for a minimal case (as
//   core_fentry does), so a library bug cannot hide behind the skip.
// - Skip only from the TEST_CASE body itself (it returns from the enclosing function), before any failed check.
#pragma once

#include <cstdint>
#include <optional>
#include <sstream>
#include <string>

namespace ebpf::test {

// Reports the current test case as skipped with `reason` (prints the EBPF-SKIP line). Use EBPF_SKIP.
void skip_test_case(const std::string& reason);

// The skip reason recorded for the running test case, if any; clears it. (For the runner's listener.)
std::optional<std::string> take_skip_reason();

// Why this kernel cannot load a program of `type` (a BPF_PROG_TYPE_* value; `name` names it in the reason), or
// nullopt if a minimal one ("r0 = 0; exit") loads. The answer of BPF_PROG_LOAD is cached per type.
std::optional<std::string> lacks_program_type(std::uint32_t type, const char* name);

// Why this kernel cannot run a raw tracepoint program through BPF_PROG_TEST_RUN (Linux 5.10: ctx_in only, up to 12
// u64 arguments), or nullopt if it can: a minimal raw_tp program is loaded and run once with 8 bytes of context.
// Cached.
std::optional<std::string> lacks_raw_tp_test_run();

}  // namespace ebpf::test

#define EBPF_SKIP(reason)                                          \
    do {                                                           \
        std::ostringstream ebpf_skip_reason_;                      \
        ebpf_skip_reason_ << reason;                               \
        ::ebpf::test::skip_test_case(ebpf_skip_reason_.str());     \
        return;                                                    \
    } while (0)

// For helpers that cannot return from the test case (a lambda returning bool, a function returning nullopt): records
// the skip and prints the line; the caller must then return without failing a check.
#define EBPF_MARK_SKIPPED(reason)                                  \
    do {                                                           \
        std::ostringstream ebpf_skip_reason_;                      \
        ebpf_skip_reason_ << reason;                               \
        ::ebpf::test::skip_test_case(ebpf_skip_reason_.str());     \
    } while (0)

#define EBPF_SKIP_IF(probe)                                            \
    do {                                                               \
        if (auto ebpf_skip_why_ = (probe)) EBPF_SKIP(*ebpf_skip_why_); \
    } while (0)
