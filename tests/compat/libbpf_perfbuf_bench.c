// SPDX-License-Identifier: MIT
// libbpf's perf buffer consumer cost, the reference for `ebpf-tool bench perfbuf`: the object's `produce` program
// (a tracepoint on sys_enter_getppid) writes `burst` samples of `rec_size` bytes per getppid() of this process, all
// on CPU 0 (untimed); then perf_buffer__consume() is timed with a callback that reads each sample's first byte.
// Median of RUNS. Last line: rec_size=<S> events_per_s=<E> ns_per_event=<T>
// Usage: libbpf_perfbuf_bench OBJECT SIZE [RUNS [COUNT]]
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static unsigned acc;
static unsigned long long got, lost;

static void on_sample(void *ctx, int cpu, void *data, __u32 size) {
    (void)ctx;
    (void)cpu;
    (void)size;
    acc += *(unsigned char *)data;
    ++got;
}

static void on_lost(void *ctx, int cpu, __u64 n) {
    (void)ctx;
    (void)cpu;
    lost += n;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s OBJECT SIZE [RUNS [COUNT]]\n", argv[0]);
        return 2;
    }
    const unsigned burst = 500;
    unsigned size = (unsigned)atoi(argv[2]);
    int runs = argc > 3 ? atoi(argv[3]) : 15;
    unsigned count = argc > 4 ? (unsigned)atoi(argv[4]) : 100000;
    if (runs < 1 || runs > 1000) runs = 15;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    if (sched_setaffinity(0, sizeof one, &one)) return 1;
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) return 1;
    struct bpf_map *rodata = NULL, *m;
    bpf_object__for_each_map(m, obj) if (strstr(bpf_map__name(m), ".rodata")) rodata = m;
    size_t vsz = 0;
    unsigned *ro = rodata ? (unsigned *)bpf_map__initial_value(rodata, &vsz) : NULL;
    if (!ro || vsz < 12) return 1;
    ro[0] = (unsigned)getpid();  // target_tgid, rec_size, burst (declaration order in perfbuf_bench.bpf.c)
    ro[1] = size;
    ro[2] = burst;
    if (bpf_object__load(obj)) return 1;
    struct bpf_program *prog = bpf_object__find_program_by_name(obj, "produce");
    struct bpf_link *link = prog ? bpf_program__attach(prog) : NULL;
    if (!link) {
        fprintf(stderr, "attach failed\n");
        return 1;
    }
    unsigned long long bytes = (unsigned long long)count * (((size + 4 + 7) / 8) * 8 + 8) * 2;
    size_t pages = 1;
    while (pages * (size_t)sysconf(_SC_PAGESIZE) < bytes) pages <<= 1;
    struct perf_buffer *pb = perf_buffer__new(bpf_object__find_map_fd_by_name(obj, "pb"), pages, on_sample, on_lost,
                                              NULL, NULL);
    if (!pb) return 1;
    unsigned calls = (count + burst - 1) / burst, total = calls * burst;
    double *ns = calloc((size_t)runs, sizeof *ns);
    for (int r = 0; r < runs; ++r) {
        for (unsigned c = 0; c < calls; ++c) (void)getppid();
        got = 0;
        double t0 = now_ns();
        int err = perf_buffer__consume(pb);
        double t1 = now_ns();
        if (err || got != total || lost) {
            fprintf(stderr, "consumed %llu of %u, lost %llu\n", got, total, lost);
            return 1;
        }
        ns[r] = (t1 - t0) / total;
    }
    qsort(ns, (size_t)runs, sizeof *ns, by_value);
    double med = ns[runs / 2];
    printf("rec_size=%u events_per_s=%.0f ns_per_event=%.3f\n", size, 1e9 / med, med);
    perf_buffer__free(pb);
    bpf_link__destroy(link);
    bpf_object__close(obj);
    return acc == 0xffffffff;
}
