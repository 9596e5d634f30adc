/* SPDX-License-Identifier: MIT */
/* An lsm_cgroup program on socket_bind that counts this process's binds and allows them (returns 1)
 * (tests/kernel/lsm_test.cpp). Kernel 6.0+ with BPF trampolines. */
#include "ebpf_test.h"

#include <bpf/bpf_tracing.h>

struct socket;
struct sockaddr;

const volatile __u32 target_tgid = 0;

__u64 binds = 0;

SEC("lsm_cgroup/socket_bind")
int BPF_PROG(count_bind, struct socket *sock, struct sockaddr *address, int addrlen)
{
    if ((__u32)(bpf_get_current_pid_tgid() >> 32) == target_tgid)
        __sync_fetch_and_add(&binds, 1);
    return 1; /* allow */
}

char LICENSE[] SEC("license") = "GPL";
