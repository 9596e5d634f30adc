/* SPDX-License-Identifier: MIT */
/* CO-RE fixture for the pure unit tests (tests/object/core_test.cpp), compiled twice: as is (the "local" object,
 * whose programs carry the relocations) and with -DTARGET (core_fixture_target.bpf.o, types only), whose BTF plays
 * the kernel with other layouts: fields reordered, resized, removed, renamed and moved into an anonymous union,
 * arrays resized, bitfields moved, a typedef widened, enum values changed, a struct turned into a union, flavors.
 * The tests relocate the local programs against the target BTF and check every patched instruction against
 * offsets computed by hand from the two layouts below (each target offset is written next to its field). */
#include "ebpf_test.h"

#include <bpf/bpf_core_read.h>

#define __ka __attribute__((preserve_access_index))

#ifndef TARGET

typedef unsigned int fx_u32;

struct fx_inner {
    int a; /* 0 */
    int b; /* 4 */
} __ka;

struct fx_task {
    int pid;                  /* 0 */
    int tgid;                 /* 4 */
    fx_u32 flags;             /* 8 */
    char comm[16];            /* 12 */
    struct fx_inner inner;    /* 28 */
    struct fx_task *parent;   /* 40 */
    int old_field;            /* 48 */
    int renamed;              /* 52 */
    int arr[4];               /* 56 */
    int kind_changed;         /* 72 */
    unsigned int bits_a: 3;   /* bits 608..610 (76 * 8 = 608) */
    unsigned int bits_b: 5;   /* bits 611..615 */
    unsigned int bits_c: 10;  /* bits 616..625 */
    int signed_bits: 4;       /* bits 626..629 */
} __ka;                       /* size 80 */

enum fx_state {
    FX_A = 1,
    FX_B = 2,
    FX_GONE = 3,
    FX_NEG = -1,
};

#if __clang_major__ >= 15
/* Values above 32 bits make clang 15+ emit an ENUM64. */
enum fx_big {
    FX_BIG_A = 0x100000001ULL,
    FX_BIG_B = 5,
};
#endif

/* Flavors of fx_task: each matches the target's fx_task by its essential name. */
struct fx_task___v1 {
    int pid;
    char comm[16];
} __ka;

struct fx_task___v2 {
    int renamed_v2;
} __ka;

/* Only in the local object. */
struct fx_gone {
    int x;
} __ka;

/* A struct here, a union in the target: no candidate of the same kind. */
struct fx_kind {
    int x;
} __ka;

/* Not used by the programs (so loading the object never trips on them), only present in the BTF: the unit tests
 * call the CO-RE engine on them directly. The target has two flavors of each. */
struct fx_amb {
    int x;
} __ka;
struct fx_amb_size {
    int x;
} __ka;
struct fx_same {
    int x;
} __ka;
struct fx_amb fx_keep_amb;
struct fx_amb_size fx_keep_amb_size;
struct fx_same fx_keep_same;

__u64 out[32];

/* Direct loads (LDX): offsets are patched, and the load size where the field changed size. */
SEC("syscall")
int fx_fields(struct fx_task *t)
{
    out[0] = t->pid;
    out[1] = t->tgid;
    out[2] = t->flags;
    out[3] = t->inner.a;
    out[4] = t->inner.b;
    out[5] = t->arr[3];
    out[6] = t->arr[1];
    out[7] = t->comm[9];
    out[8] = t->comm[3];
    out[9] = t->parent->pid;
    return 0;
}

/* Existence, sizes, offsets, types and enum values (immediates), and guarded reads that are poisoned. */
SEC("syscall")
int fx_exists(struct fx_task *t)
{
    out[0] = bpf_core_field_exists(t->old_field);
    out[1] = bpf_core_field_exists(t->renamed);
    out[2] = bpf_core_field_exists(t->pid);
    out[3] = bpf_core_field_size(t->comm);
    out[4] = bpf_core_field_size(t->flags);
    out[5] = bpf_core_field_size(t->arr);
    out[6] = bpf_core_field_offset(t->tgid);
    out[7] = bpf_core_field_size(t->inner);
    out[8] = bpf_core_type_size(struct fx_task);
    out[9] = bpf_core_type_size(fx_u32);
    out[10] = bpf_core_type_exists(struct fx_gone);
    out[11] = bpf_core_type_exists(struct fx_task);
    out[12] = bpf_core_type_id_kernel(struct fx_task);
    out[13] = bpf_core_enum_value_exists(enum fx_state, FX_GONE);
    out[14] = bpf_core_enum_value(enum fx_state, FX_B);
    out[15] = bpf_core_enum_value(enum fx_state, FX_A);
    out[16] = bpf_core_enum_value_exists(enum fx_state, FX_A);
    out[17] = bpf_core_field_exists(t->kind_changed);
    out[18] = bpf_core_type_exists(struct fx_kind);
    out[19] = bpf_core_field_exists(struct fx_kind, x);
    if (bpf_core_field_exists(t->old_field))
        out[20] = t->old_field;
    if (bpf_core_enum_value_exists(enum fx_state, FX_GONE))
        out[21] = bpf_core_enum_value(enum fx_state, FX_GONE);
    out[22] = bpf_core_type_id_local(struct fx_task);
    out[23] = bpf_core_enum_value(enum fx_state, FX_NEG);
#if __clang_major__ >= 15
    out[24] = bpf_core_enum_value(enum fx_big, FX_BIG_A);
    out[25] = bpf_core_enum_value(enum fx_big, FX_BIG_B);
#endif
    return 0;
}

/* Bitfields: byte offset, byte size, signedness and both shifts of each field. */
SEC("syscall")
int fx_bits(struct fx_task *t)
{
    out[0] = BPF_CORE_READ_BITFIELD(t, bits_a);
    out[1] = BPF_CORE_READ_BITFIELD(t, bits_b);
    out[2] = BPF_CORE_READ_BITFIELD(t, bits_c);
    out[3] = BPF_CORE_READ_BITFIELD(t, signed_bits);
    return 0;
}

/* Flavored local types resolve to the target's fx_task. */
SEC("syscall")
int fx_flavors(struct fx_task *t)
{
    struct fx_task___v1 *v1 = (void *)t;
    struct fx_task___v2 *v2 = (void *)t;
    out[0] = v1->pid;
    out[1] = v1->comm[2];
    out[2] = bpf_core_field_exists(v2->renamed_v2);
    out[3] = v2->renamed_v2;
    out[4] = bpf_core_field_exists(struct fx_task___v1, pid);
#if __clang_major__ >= 15
    /* CO-RE kind 12 needs clang 15+. */
    out[5] = bpf_core_type_matches(struct fx_task___v1);
    out[6] = bpf_core_type_matches(struct fx_inner);
    out[7] = bpf_core_type_matches(struct fx_task___v2);
#endif
    return 0;
}

#else /* TARGET: the "kernel" the local programs are relocated against. */

typedef unsigned long long fx_u32; /* widened: size 8 */

struct fx_inner {
    long long pad; /* 0 */
    int a;         /* 8 */
    short b;       /* 12: a signed field that shrank */
} __ka;            /* size 16 */

struct fx_task {
    long long pad0;           /* 0 */
    struct fx_task *parent;   /* 8 */
    int tgid;                 /* 16 */
    int pid;                  /* 20 */
    char comm[8];             /* 24: 16 -> 8 elements */
    fx_u32 flags;             /* 32: 4 -> 8 bytes (unsigned) */
    union {                   /* 40: anonymous */
        struct fx_inner inner;
        long long inner_raw;
    };
    int renamed_v2;           /* 56: "renamed" is gone */
    int arr[2];               /* 60: 4 -> 2 elements */
    struct fx_inner kind_changed; /* 72: an int became a struct */
    long long pad1;           /* 88 */
    unsigned int pad_bits: 7; /* bits 768..774 (96 * 8 = 768) */
    unsigned int bits_b: 5;   /* bits 775..779 */
    int signed_bits: 6;       /* bits 780..785 */
    unsigned int bits_c: 10;  /* bits 786..795 */
    unsigned long long bits_a: 9; /* bits 796..804 */
} __ka;                       /* size 104; "old_field" is gone */

enum fx_state {
    FX_B = 7,
    FX_A = 3,
    FX_C = 9,
    FX_NEG = -5, /* 32-bit enumerators are sign-extended to 64 bits */
};

#if __clang_major__ >= 15
enum fx_big {
    FX_BIG_B = 0x200000002ULL,
    FX_BIG_A = 6,
};
enum fx_big fx_keep_big;
#endif

union fx_kind {
    int x;
    long long y;
} __ka;

struct fx_amb {
    int x; /* 0 */
} __ka;
struct fx_amb___2 {
    long long pad;
    int x; /* 8: the same field at another offset */
} __ka;
struct fx_amb_size {
    int x; /* 0, 4 bytes */
} __ka;
struct fx_amb_size___2 {
    long long x; /* 0, 8 bytes */
} __ka;
struct fx_same {
    int x;
} __ka;
struct fx_same___dup {
    int x; /* identical: two candidates that agree are not ambiguous */
} __ka;

/* Globals, so clang emits BTF for every type. */
struct fx_task fx_keep_task;
union fx_kind fx_keep_kind;
enum fx_state fx_keep_state;
fx_u32 fx_keep_u32;
struct fx_amb fx_keep_amb;
struct fx_amb___2 fx_keep_amb2;
struct fx_amb_size fx_keep_amb_size;
struct fx_amb_size___2 fx_keep_amb_size2;
struct fx_same fx_keep_same;
struct fx_same___dup fx_keep_same_dup;

/* Every object has a program (tools and tests treat one without as broken); this one relocates nothing. */
SEC("syscall")
int fx_target_anchor(void *ctx)
{
    return 0;
}

#endif

char LICENSE[] SEC("license") = "GPL";
