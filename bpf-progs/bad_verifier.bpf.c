/* SPDX-License-Identifier: MIT */
/* Programs that compile but that the verifier must reject, to test how failures are reported. */
#include "ebpf_test.h"
#include "kernel_types.h"

#include <bpf/bpf_core_read.h>

/* A field no kernel has. */
struct task_struct___ebpf_cxx_fake {
    int ebpf_cxx_no_such_field;
} __attribute__((preserve_access_index));

SEC("socket")
int reads_uninit_reg(struct __sk_buff *skb)
{
    __u64 y;
    /* r6 is never written before this read: "R6 !read_ok" for every user, privileged or not. */
    asm volatile("%0 = r6" : "=r"(y));
    return (int)y;
}

SEC("?socket")
int good_one(struct __sk_buff *skb)
{
    return 0;
}

/* Reads the missing field without bpf_core_field_exists(): the loader poisons the load, the verifier reaches it,
 * and the error must name the CO-RE relocation. */
SEC("?syscall")
int reads_missing_field(void *ctx)
{
    struct task_struct___ebpf_cxx_fake *task = (void *)bpf_get_current_task_btf();
    return task->ebpf_cxx_no_such_field;
}

char LICENSE[] SEC("license") = "GPL";
