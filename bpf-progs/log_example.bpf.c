/* SPDX-License-Identifier: MIT */
/* Logging from a tracepoint (docs/logging.md, docs/examples/bpf_logging.cpp): who calls getppid(). */
#include "ebpf_test.h"
#include "ebpf_log.h"

const volatile __u32 target_tgid = 0; /* 0: every process */
__u32 calls = 0;

SEC("tp/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
    __u64 id = bpf_get_current_pid_tgid();
    __u32 tgid = id >> 32;
    char comm[16];

    if (target_tgid && tgid != target_tgid)
        return 0;
    calls++;
    bpf_get_current_comm(comm, sizeof(comm));
    ebpf_log_info("getppid() #%u from %s (pid %u, tid %u)", calls, comm, tgid, (__u32)id);
    if (calls % 3 == 0)
        ebpf_log_warn("%u calls so far: 0x%08x", calls, calls);
    ebpf_log_debug("debug lines appear only when loaded with LogLevel::Debug or Trace");
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
