/* SPDX-License-Identifier: MIT */
/* Half of a statically linked object (tests/kernel/linker_test.cpp, tests/support/ebpf_tool_link_test.sh): uses a
 * function, a hidden function, a map and a variable defined in link_b.bpf.c, and a weak variable link_b overrides. */
#include "link_common.h"

extern LINK_SHARED_MAP_DEF shared_map SEC(".maps");

extern __u64 b_scale(__u64 x);
extern __hidden int b_hidden_add(__u64 *acc, __u64 v);
extern __u64 b_counter;
extern unsigned int LINUX_KERNEL_VERSION __kconfig;

const volatile __u64 a_ro = 3; /* .rodata */
__u64 a_data = 1;              /* .data */
__u64 a_bss;                   /* .bss: link_a_prog's result */
__u64 a_extra;                 /* .bss */
__weak __u64 ws_var = 1;       /* link_b's strong definition wins: 42 */
struct link_node a_node;       /* keeps struct link_node in this file's BTF */

/* Same name as a static function of link_b: each file must call its own. */
static __noinline __u64 local_helper(__u64 x)
{
    return x + 1000;
}

SEC("syscall")
int link_a_prog(struct link_args *ctx)
{
    __u32 key = 0;
    struct link_val *val;
    __u64 v = b_scale(ctx->in); /* in * 7 + 2 */

    b_hidden_add(&v, a_ro);     /* + 3 */
    v += ws_var;                /* + 42 */
    v += b_counter;             /* + 9 */
    v += a_data;                /* + 1 */
    a_bss = v;
    val = bpf_map_lookup_elem(&shared_map, &key);
    if (val) {
        val->count += 1;
        val->sum += v;
    }
    a_extra = local_helper(LINUX_KERNEL_VERSION != 0); /* 1001 */
    a_node.val.count = v;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
