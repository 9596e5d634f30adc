// SPDX-License-Identifier: MIT
// Test-only benchmark peer of `ebpf-tool bench btf`, with the system libbpf (tests/bench/bench.py, 'btf'): parse the
// running kernel's BTF and look up struct names, measured the same way.
//   parse_ms:  median over RUNS of btf__load_vmlinux_btf().
//   lookup_ns: median over RUNS of the mean time of one btf__find_by_name_kind(BTF_KIND_STRUCT), over 1000 distinct
//              named structs taken evenly along the type ids (every k-th one in id order), on that run's fresh BTF.
//   rss_kb:    peak RSS of this process image (VmHWM, as ebpf-tool reports it).
// Usage: libbpf_btf_bench [RUNS]   (1..64, default 15)
// Last line: "libbpf parse_ms=<x> lookup_ns=<y> rss_kb=<z> types=<n>".
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_RUNS 64
#define NAMES 1000

static double ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof(*v), by_value);
    return v[n / 2];
}

static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

static int is_named_struct(const struct btf_type *t)
{
    return btf_is_struct(t) && t->name_off != 0;
}

int main(int argc, char **argv)
{
    int runs = argc > 1 ? atoi(argv[1]) : 15;
    if (runs < 1 || runs > MAX_RUNS)
        runs = 15;
    static char *names[NAMES];
    int count = 0;

    struct btf *btf = btf__load_vmlinux_btf();
    if (!btf) {
        fprintf(stderr, "libbpf_btf_bench: cannot load the kernel's BTF\n");
        return 1;
    }
    const unsigned types = btf__type_cnt(btf);
    unsigned named = 0;
    for (unsigned id = 1; id < types; id++)
        named += is_named_struct(btf__type_by_id(btf, id));
    const unsigned step = named / NAMES ? named / NAMES : 1;
    unsigned seen = 0;
    for (unsigned id = 1; id < types && count < NAMES; id++) {
        const struct btf_type *t = btf__type_by_id(btf, id);
        if (!is_named_struct(t))
            continue;
        if (seen++ % step == 0)
            names[count++] = strdup(btf__name_by_offset(btf, t->name_off));
    }
    btf__free(btf);

    double parse[MAX_RUNS], lookup[MAX_RUNS];
    for (int r = 0; r < runs; r++) {
        double t0 = ms_now();
        btf = btf__load_vmlinux_btf();
        parse[r] = ms_now() - t0;
        if (!btf) {
            fprintf(stderr, "libbpf_btf_bench: cannot load the kernel's BTF\n");
            return 1;
        }
        int found = 0;
        t0 = ms_now();
        for (int k = 0; k < count; k++)
            found += names[k] && btf__find_by_name_kind(btf, names[k], BTF_KIND_STRUCT) > 0;
        lookup[r] = count ? (ms_now() - t0) * 1e6 / count : 0;
        if (found != count)
            fprintf(stderr, "libbpf_btf_bench: found %d of %d names\n", found, count);
        btf__free(btf);
    }
    printf("libbpf parse_ms=%.3f lookup_ns=%.0f rss_kb=%ld types=%u\n", median(parse, runs), median(lookup, runs),
           peak_rss_kb(), types - 1);
    for (int k = 0; k < count; k++)
        free(names[k]);
    return 0;
}
