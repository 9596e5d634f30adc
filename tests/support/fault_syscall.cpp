// SPDX-License-Identifier: MIT
// Replaces lib/sys/syscall.cpp in the fault-injection test binary (see lib/meson.build: ebpf_nosys_dep).
#include "support/fault_syscall.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "sys/syscall.hpp"
#include "sys/syscall6.hpp"

namespace ebpf::test::fault {
namespace {
Plan g_plan;
std::atomic<int> g_calls{0}, g_failed{0};
}  // namespace

void arm(const Plan& p) {
    g_plan = p;
    g_calls = 0;
    g_failed = 0;
}
void disarm() { g_plan = Plan{}; }
int calls() { return g_calls; }
int failed() { return g_failed; }

}  // namespace ebpf::test::fault

namespace {
// Whether this call is planned to fail (it then sets errno).
bool planned_failure(long nr, long a1) {
    using namespace ebpf::test::fault;
    const bool matches = (g_plan.only_nr < 0 || g_plan.only_nr == nr) &&
                         (g_plan.only_cmd < 0 || (nr == SYS_bpf && a1 == g_plan.only_cmd));
    if (matches) {
        const int n = ++g_calls;
        if (g_plan.fail_at > 0 && n >= g_plan.fail_at && n < g_plan.fail_at + g_plan.times) {
            ++g_failed;
            // Linux releases the descriptor even when close() reports an error: a failed close must not leak.
            if (nr == SYS_close) ::syscall(nr, a1);
            errno = g_plan.error;
            return true;
        }
    }
    return false;
}
}  // namespace

long ebpf::sys::syscall_entry(long nr, long a1, long a2, long a3, long a4, long a5) noexcept {
    if (planned_failure(nr, a1)) return -1;
    return ::syscall(nr, a1, a2, a3, a4, a5);
}

// The six-argument seam (mmap), under the same plan.
long ebpf::sys::syscall_entry6(long nr, long a1, long a2, long a3, long a4, long a5, long a6) noexcept {
    if (planned_failure(nr, a1)) return -1;
    return ::syscall(nr, a1, a2, a3, a4, a5, a6);
}
