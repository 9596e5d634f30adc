// SPDX-License-Identifier: MIT
// libbpf's ring buffer consumer cost, the reference for `ebpf-tool bench ringbuf`: the object's `produce` syscall
// program fills `rb` with `count` records of `rec_size` bytes (untimed), then ring_buffer__consume() is timed with a
// callback that reads each record's first byte. Median of RUNS. Last line:
//   rec_size=<S> events_per_s=<E> ns_per_event=<T>
// Usage: libbpf_ringbuf_bench OBJECT SIZE [RUNS [COUNT]]
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static unsigned acc;

static int on_record(void *ctx, void *data, size_t size) {
    (void)ctx;
    (void)size;
    acc += *(unsigned char *)data;
    return 0;
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
    unsigned size = (unsigned)atoi(argv[2]);
    int runs = argc > 3 ? atoi(argv[3]) : 15;
    unsigned count = argc > 4 ? (unsigned)atoi(argv[4]) : 100000;
    if (runs < 1 || runs > 1000) runs = 15;
    struct bpf_object *obj = bpf_object__open_file(argv[1], NULL);
    if (!obj) {
        fprintf(stderr, "open %s failed\n", argv[1]);
        return 1;
    }
    struct bpf_map *rodata = NULL, *m;
    bpf_object__for_each_map(m, obj) {
        const char *n = bpf_map__name(m);
        if (strstr(n, ".rodata")) rodata = m;
    }
    if (!rodata) {
        fprintf(stderr, "no .rodata\n");
        return 1;
    }
    size_t vsz = 0;
    unsigned *ro = (unsigned *)bpf_map__initial_value(rodata, &vsz);
    if (!ro || vsz < 8) {
        fprintf(stderr, "bad .rodata\n");
        return 1;
    }
    ro[0] = size;  // rec_size, then count (declaration order in ringbuf_bench.bpf.c)
    ro[1] = count;
    if (bpf_object__load(obj)) {
        fprintf(stderr, "load failed\n");
        return 1;
    }
    struct bpf_program *prog = bpf_object__find_program_by_name(obj, "produce");
    int rb_fd = bpf_object__find_map_fd_by_name(obj, "rb");
    struct ring_buffer *rb = ring_buffer__new(rb_fd, on_record, NULL, NULL);
    if (!prog || !rb) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    double *ns = calloc((size_t)runs, sizeof *ns);
    for (int r = 0; r < runs; ++r) {
        LIBBPF_OPTS(bpf_test_run_opts, opts);
        if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts)) {
            fprintf(stderr, "test run failed\n");
            return 1;
        }
        double t0 = now_ns();
        int n = ring_buffer__consume(rb);
        double t1 = now_ns();
        if (n != (int)count) {
            fprintf(stderr, "consumed %d of %u\n", n, count);
            return 1;
        }
        ns[r] = (t1 - t0) / count;
    }
    qsort(ns, (size_t)runs, sizeof *ns, by_value);
    double med = ns[runs / 2];
    printf("rec_size=%u events_per_s=%.0f ns_per_event=%.3f\n", size, 1e9 / med, med);
    ring_buffer__free(rb);
    bpf_object__close(obj);
    return acc == 0xffffffff;  // keeps acc alive
}
