/* SPDX-License-Identifier: MIT */
/* A BPF LSM program on the file_open hook that counts this process's opens and denies none (returns 0).
 * tests/kernel/lsm_test.cpp attaches it with BPF_RAW_TRACEPOINT_OPEN; it runs only where "bpf" is an active LSM
 * (lsm=...,bpf on kernels whose default CONFIG_LSM leaves it out, as tools/vm/run.sh does for 5.10). */
#include "ebpf_test.h"

#include <bpf/bpf_tracing.h>

struct file;

/* Set by the test before load: only this process's opens count. */
const volatile __u32 target_tgid = 0;

__u64 lsm_opens = 0;

SEC("lsm/file_open")
int BPF_PROG(on_file_open, struct file *file)
{
    if ((__u32)(bpf_get_current_pid_tgid() >> 32) == target_tgid)
        __sync_fetch_and_add(&lsm_opens, 1);
    return 0; /* allow */
}

char LICENSE[] SEC("license") = "GPL";
