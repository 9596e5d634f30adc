/* SPDX-License-Identifier: MIT */
/* Types shared by link_a.bpf.c and link_b.bpf.c, which ebpf-tool link (and bpftool gen object) link into one
 * object: both files carry these types in their BTF, and BTF dedup must leave one copy of each. */
#pragma once

#include "ebpf_test.h"

/* The programs' context: one u64 input, which a raw tracepoint program (the tests' stand-in for a syscall program
 * before Linux 5.14) may read too. Results go to globals: only a syscall program could write them back here. */
struct link_args {
    __u64 in;
};

struct link_val {
    __u64 count;
    __u64 sum;
};

/* A self-referencing struct (a linked list node): dedup must handle the cycle through the pointer. */
struct link_node {
    struct link_node *next;
    struct link_val val;
};

#define LINK_SHARED_MAP_DEF            \
    struct {                           \
        __uint(type, BPF_MAP_TYPE_ARRAY); \
        __uint(max_entries, 4);        \
        __type(key, __u32);            \
        __type(value, struct link_val); \
    }
