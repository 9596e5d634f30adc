// SPDX-License-Identifier: MIT
// The consumer projects' BPF program: an XDP program that counts the frames it sees and their bytes in an array
// map. It needs no headers at all (neither libbpf's nor the kernel's), so any clang with the BPF target builds it:
//   clang -O2 -g -target bpf -c count.bpf.c -o count.bpf.o
// (-g gives the object BTF, which BTF-defined maps such as `counts` need).

#define SEC(name) __attribute__((section(name), used))
// BTF-defined map attributes: the map loader reads them from the member types.
#define __uint(name, val) int(*name)[val]
#define __type(name, val) __typeof__(val) *name

typedef unsigned int u32;
typedef unsigned long long u64;

enum { BPF_MAP_TYPE_ARRAY = 2 };  // <linux/bpf.h>
enum { XDP_PASS = 2 };
struct xdp_md {  // the UAPI context of XDP programs (first fields)
    u32 data;
    u32 data_end;
    u32 data_meta;
};
// Helper 1 is bpf_map_lookup_elem.
static void* (*bpf_map_lookup_elem)(void* map, const void* key) = (void*)1;

struct {
    __uint(type, BPF_MAP_TYPE_ARRAY);
    __uint(max_entries, 2);
    __type(key, u32);
    __type(value, u64);
} counts SEC(".maps");

SEC("xdp")
int count_frames(struct xdp_md* ctx) {
    u32 key = 0;
    u64* frames = bpf_map_lookup_elem(&counts, &key);
    if (frames) __sync_fetch_and_add(frames, 1);
    key = 1;
    u64* bytes = bpf_map_lookup_elem(&counts, &key);
    if (bytes) __sync_fetch_and_add(bytes, ctx->data_end - ctx->data);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
