/* SPDX-License-Identifier: MIT */
/* The skeleton example and test (ebpf-tool gen skeleton; docs/examples/skeleton_counter.cpp,
 * tests/skeleton): a tracepoint on getppid(2) counting one process's calls into globals of every data section
 * and into maps keyed and valued by structs. */
#include "ebpf_test.h"

struct call_key {
    __u32 tgid;
    __u16 kind;
    __u16 flags;
};

struct call_stats {
    __u64 count;
    __s32 bias;
    __u8 tag[4];
    union {
        __u32 last_cpu;
        __u8 cpu_bytes[4];
    };
};

enum demo_mode { MODE_OFF = 0, MODE_COUNT = 1, MODE_COUNT_TWICE = 2 };

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, struct call_key);
    __type(value, struct call_stats);
} calls SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 4);
    __type(key, __u32);
    __type(value, __u64);
} totals SEC(".maps");

const volatile __u32 target_tgid = 0;     /* .rodata: set before load */
const volatile __u64 increment = 1;       /* .rodata */
__s32 bias = -3;                          /* .data */
enum demo_mode mode = MODE_COUNT;         /* .data */
__u64 hits;                               /* .bss */
struct call_key last_key;                 /* .bss: a struct global */

SEC("tp/syscalls/sys_enter_getppid")
int on_getppid(void *ctx)
{
    __u32 tgid = bpf_get_current_pid_tgid() >> 32;
    if (tgid != target_tgid || mode == MODE_OFF)
        return 0;
    __u64 add = mode == MODE_COUNT_TWICE ? 2 * increment : increment;
    __sync_fetch_and_add(&hits, add);
    struct call_key key = {.tgid = tgid, .kind = 1, .flags = 0};
    last_key = key;
    struct call_stats *s = bpf_map_lookup_elem(&calls, &key);
    if (s) {
        __sync_fetch_and_add(&s->count, add);
        s->last_cpu = bpf_get_smp_processor_id();
    } else {
        struct call_stats fresh = {.count = add, .bias = bias, .tag = {'s', 'k', 'e', 'l'}};
        fresh.last_cpu = bpf_get_smp_processor_id();
        bpf_map_update_elem(&calls, &key, &fresh, BPF_ANY);
    }
    __u32 slot = 0;
    __u64 *total = bpf_map_lookup_elem(&totals, &slot);
    if (total)
        __sync_fetch_and_add(total, add);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
