/* SPDX-License-Identifier: MIT */
/* An object that parses but cannot load (ebpf-tool inspect lists its problems; load refuses it): an extern
 * variable and an extern function declared outside .kconfig/.ksyms, which nothing can resolve, a program in a
 * section that names no program type, and a map of a type no kernel has. */
#include "ebpf_test.h"

extern int something_unresolvable __attribute__((weak));
extern int unresolvable_func(int x);

struct {
    __uint(type, 250);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} odd_map SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getpid")
int uses_externs(void *ctx)
{
    return something_unresolvable + unresolvable_func(1);
}

SEC("no_such_program_type")
int in_unknown_section(void *ctx)
{
    __u32 key = 0;
    return bpf_map_lookup_elem(&odd_map, &key) != 0;
}

char LICENSE[] SEC("license") = "GPL";
