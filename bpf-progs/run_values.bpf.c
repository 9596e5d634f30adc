/* SPDX-License-Identifier: MIT */
/* Globals of many BTF types for `ebpf-tool run --set` and `--dump-maps` (tests/support/ebpf_tool_run_test.sh):
 * integers of every size and sign, bool, char, a negative enumerator, a string, and in .data a struct with
 * bitfields and an array of structs. The tracepoint program only keeps a counter. */
#include <stdbool.h>
#include "ebpf_test.h"

enum run_level { LEVEL_LOW = -1, LEVEL_MID = 0, LEVEL_HIGH = 7 };

struct run_bits {
    __u32 a : 3;
    __s32 b : 5;
    __u32 flag : 1;
    __u16 tail;
};

struct run_pair {
    __u32 x;
    __s16 y;
    char tag[4];
};

const volatile __s8 v_s8 = 0;
const volatile __u8 v_u8 = 0;
const volatile __s16 v_s16 = 0;
const volatile __u16 v_u16 = 0;
const volatile __s32 v_s32 = 0;
const volatile __s64 v_s64 = 0;
const volatile __u64 v_u64 = 0;
const volatile bool v_bool = false;
const volatile char v_char = 0;
const volatile enum run_level v_level = LEVEL_MID;
const volatile char v_name[8] = "";
const volatile __u32 v_array[2] = {};
const volatile struct run_pair v_pair = {};

struct run_bits data_bits = {.a = 5, .b = -3, .flag = 1, .tail = 65535};
struct run_pair data_pairs[2] = {{1, -2, "ab"}, {3, 4, "cd"}};
__u64 getppid_hits = 0;

SEC("tp/syscalls/sys_enter_getppid")
int count_getppid(void *ctx)
{
    if (v_bool && v_level == LEVEL_LOW)
        __sync_fetch_and_add(&getppid_hits, 1);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
