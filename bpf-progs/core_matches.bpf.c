/* SPDX-License-Identifier: MIT */
/* bpf_core_type_matches (CO-RE kind 12, "the local type matches the kernel's") against the running kernel: whole
 * structs, typedefs, enums, arrays and pointers, matching and not. Needs clang 15 or newer (clang 14 crashes on
 * the builtin), so bpf-progs/meson.build compiles this file with a newer clang when the default one is too old. */
#include "ebpf_test.h"
#include "kernel_types.h"

#include <bpf/bpf_core_read.h>

/* Matches: every member exists in the kernel's task_struct with the same int size and signedness, array
 * length, and (behind pointers) the same name and kind. */
#define MATCH __attribute__((preserve_access_index))

struct task_struct___subset {
    pid_t pid;
    pid_t tgid;
    unsigned int flags;
    struct mm_struct *mm;
} MATCH;

/* Matches only where the kernel's char is signed like BPF's: kernels since 6.2 are built with -funsigned-char,
 * and an INT's signedness is part of the match. */
struct task_struct___comm {
    char comm[16];
} MATCH;

/* pid is an int in the kernel, not a char. */
struct task_struct___narrow_pid {
    char pid;
} MATCH;

/* comm has 16 elements in the kernel. */
struct task_struct___short_comm {
    char comm[8];
} MATCH;

/* Behind a pointer only the name and kind count: a flavored mm_struct with other members still matches... */
struct mm_struct___other {
    char nothing_like_the_kernel;
} MATCH;
struct task_struct___flavored_ptr {
    struct mm_struct___other *mm;
} MATCH;

/* ...but a pointer to a struct of another name does not. */
struct ebpf_cxx_unrelated {
    int x;
} MATCH;
struct task_struct___wrong_ptr {
    struct ebpf_cxx_unrelated *mm;
} MATCH;

struct list_head {
    struct list_head *next, *prev;
} MATCH;

/* Enums match when every local enumerator name exists in the kernel's enum of the same size (values may differ). */
enum pid_type___subset {
    PIDTYPE_SID___subset = 7,
    PIDTYPE_TGID___subset = 8,
};
enum pid_type___extra {
    PIDTYPE_PID___extra,
    PIDTYPE_EBPF_CXX_NOPE___extra,
};

struct matches_out {
    __u32 subset, comm, narrow_pid, short_comm, flavored_ptr, wrong_ptr, list_head, pid_t_match;
    __u32 enum_subset, enum_extra, unrelated;
};
struct matches_out matches;

SEC("syscall")
int type_matches(void *ctx)
{
    matches.subset = bpf_core_type_matches(struct task_struct___subset);
    matches.comm = bpf_core_type_matches(struct task_struct___comm);
    matches.narrow_pid = bpf_core_type_matches(struct task_struct___narrow_pid);
    matches.short_comm = bpf_core_type_matches(struct task_struct___short_comm);
    matches.flavored_ptr = bpf_core_type_matches(struct task_struct___flavored_ptr);
    matches.wrong_ptr = bpf_core_type_matches(struct task_struct___wrong_ptr);
    matches.list_head = bpf_core_type_matches(struct list_head);
    matches.pid_t_match = bpf_core_type_matches(pid_t);
    matches.enum_subset = bpf_core_type_matches(enum pid_type___subset);
    matches.enum_extra = bpf_core_type_matches(enum pid_type___extra);
    matches.unrelated = bpf_core_type_matches(struct ebpf_cxx_unrelated);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
