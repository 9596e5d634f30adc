// SPDX-License-Identifier: MIT
// A syscall entry point for tests that forwards to the kernel but fails the N-th call with a chosen errno.
#pragma once

namespace ebpf::test::fault {

struct Plan {
    int fail_at = 0;      // 1-based index of the call to fail; 0: fail nothing
    int error = 0;        // errno for the failed call
    int times = 1;        // how many consecutive matching calls fail (EAGAIN retries)
    long only_nr = -1;    // count only this syscall number (-1: all)
    long only_cmd = -1;   // with SYS_bpf: count only this command (-1: all)
};

void arm(const Plan& p);  // also resets the counter
void disarm();
int calls();              // matching calls since arm()
int failed();             // calls failed since arm()

}  // namespace ebpf::test::fault
