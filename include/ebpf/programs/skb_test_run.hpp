// SPDX-License-Identifier: MIT
// BPF_PROG_TEST_RUN for programs that see a struct __sk_buff: tc classifiers and actions (Tc), socket filters,
// cgroup_skb and lwt programs. The typed views (Tc::test_run, ...) call test_run_skb().
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <ebpf/error.hpp>

namespace ebpf {

class Program;

// The struct __sk_buff fields a test run may set and reads back (the kernel refuses any other non-zero field).
struct SkbContext {
    std::uint32_t mark = 0;
    std::uint32_t priority = 0;
    std::uint32_t ingress_ifindex = 0;  // an interface of the calling thread's network namespace (5.11+)
    std::uint32_t ifindex = 0;          // the device the skb is on (5.11+)
    std::uint32_t cb[5] = {};           // the control block the program may use as scratch space
    std::uint64_t tstamp = 0;
    std::uint32_t wire_len = 0;  // 5.6+
    std::uint32_t gso_segs = 0;  // 5.6+
    std::uint32_t gso_size = 0;  // 5.10+
    std::uint64_t hwtstamp = 0;  // 5.16+
};

struct SkbTestRunOptions {
    // Sent as the run's struct __sk_buff (5.2+) and read back after it; nullopt sends none.
    std::optional<SkbContext> context{};
    // Runs; 0 and 1 both run once; duration_ns is the average. The kernel keeps one skb for all runs: what the
    // program changes (packet, mark, cb ...) accumulates, and the result is the last run's.
    std::uint32_t repeat = 0;
};

struct SkbTestResult {
    // The program's return value: a TC_ACT_* (TcVerdict) for tc, the bytes to keep for a socket filter, 1/0
    // (allow/drop) for cgroup_skb.
    std::int32_t retval = 0;
    std::vector<std::byte> packet;       // the packet as the program left it, from its Ethernet header
    std::optional<SkbContext> context;   // as the program left it, when options.context was given
    std::uint32_t duration_ns = 0;
};

// Runs a loaded sched_cls, sched_act, socket filter, cgroup_skb or lwt program on `packet` (an Ethernet frame, at
// least 14 bytes) with BPF_PROG_TEST_RUN (4.12+).
// Errors: InvalidArgument (not loaded, another program type, a packet shorter than an Ethernet header, a context
//   the kernel refuses), Permission, and the kernel's refusal naming the program.
// Thread safety: may run concurrently on one loaded program.
Result<SkbTestResult> test_run_skb(const Program& program, std::span<const std::byte> packet,
                                   const SkbTestRunOptions& options = {});

}  // namespace ebpf
