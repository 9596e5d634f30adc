// SPDX-License-Identifier: MIT
#include "support/skip.hpp"

#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>

namespace ebpf::test {

namespace {

// BPF_PROG_LOAD of a two-instruction program (`first`; exit): the fd, or -1 with errno set.
long load_minimal(std::uint32_t type, const bpf_insn& first, std::uint32_t flags = 0) {
    const bpf_insn insns[2] = {first, {.code = BPF_JMP | BPF_EXIT, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0}};
    const char license[] = "GPL";
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.prog_type = type;
    a.insns = reinterpret_cast<std::uintptr_t>(insns);
    a.insn_cnt = 2;
    a.license = reinterpret_cast<std::uintptr_t>(license);
    a.prog_flags = flags;
    return ::syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
}
std::optional<std::string> g_reason;
}

void skip_test_case(const std::string& reason) {
    const std::string name = Catch::getResultCapture().getCurrentTestName();
    std::printf("EBPF-SKIP %s: %s\n", name.c_str(), reason.c_str());
    std::fflush(stdout);
    g_reason = reason;
}

std::optional<std::string> take_skip_reason() {
    std::optional<std::string> r;
    r.swap(g_reason);
    return r;
}

std::optional<std::string> lacks_program_type(std::uint32_t type, const char* name) {
    static std::mutex mu;
    static std::map<std::uint32_t, std::optional<std::string>> cache;
    const std::lock_guard lock(mu);
    if (auto it = cache.find(type); it != cache.end()) return it->second;
    // r0 = 0. "Syscall programs can only be sleepable" (the verifier's words), the only way the library loads them.
    const long fd = load_minimal(type, {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
                                 type == BPF_PROG_TYPE_SYSCALL ? BPF_F_SLEEPABLE : 0);
    std::optional<std::string> why;
    if (fd >= 0) {
        ::close(static_cast<int>(fd));
    } else {
        const int e = errno;
        why = std::string("this kernel has no ") + name + " programs: BPF_PROG_LOAD of a minimal one (r0 = 0; exit) fails: " +
              std::strerror(e) + " (errno " + std::to_string(e) + ")";
    }
    cache.emplace(type, why);
    return why;
}

std::optional<std::string> lacks_raw_tp_test_run() {
    static const std::optional<std::string> why = []() -> std::optional<std::string> {
        if (auto no_type = lacks_program_type(BPF_PROG_TYPE_RAW_TRACEPOINT, "raw_tracepoint")) return no_type;
        // r0 = *(u64 *)(r1 + 0); exit: the run must hand the context over and return what the program read.
        const long fd = load_minimal(BPF_PROG_TYPE_RAW_TRACEPOINT,
                                     {.code = BPF_LDX | BPF_MEM | BPF_DW, .dst_reg = 0, .src_reg = 1, .off = 0, .imm = 0});
        auto fail = [](const char* what) {
            const int e = errno;
            return std::string("no raw_tp test runs (5.10): ") + what + " of a minimal raw_tp program fails: " +
                   std::strerror(e) + " (errno " + std::to_string(e) + ")";
        };
        if (fd < 0) return fail("BPF_PROG_LOAD");
        std::uint64_t arg = 42;
        union bpf_attr t;
        std::memset(&t, 0, sizeof t);
        t.test.prog_fd = static_cast<std::uint32_t>(fd);
        t.test.ctx_in = reinterpret_cast<std::uintptr_t>(&arg);
        t.test.ctx_size_in = sizeof arg;
        const long rc = ::syscall(SYS_bpf, BPF_PROG_TEST_RUN, &t, sizeof t);
        std::optional<std::string> r;
        if (rc != 0) r = fail("BPF_PROG_TEST_RUN");
        else if (t.test.retval != 42)
            r = "raw_tp test runs do not pass the context: the minimal program returned " +
                std::to_string(t.test.retval) + ", not 42";
        ::close(static_cast<int>(fd));
        return r;
    }();
    return why;
}

}  // namespace ebpf::test
