// SPDX-License-Identifier: MIT
// Test-only reference loader: loads each program of each object with the system libbpf, one program at a time (a
// fresh bpf_object per program, every other program with autoload off), and prints one JSON line per program.
// Links the system libbpf; never part of the ebpf-cxx library. Used by parity.py (load mode) and tests/bench.
//
// Output, the same keys as `ebpf-tool load --each --json`:
//   {"obj":PATH,"prog":NAME,"sec":SEC,"ok":BOOL,"err":ERR,"us":MICROSECONDS}
// where err is bpf_object__load's result (0 or a negative errno) and us the wall time of bpf_object__load alone;
// or, when libbpf cannot open the object: {"obj":PATH,"prog":null,"ok":false,"err":-ERRNO,"stage":"open"}.
// Usage: libbpf_ref [--pin-root DIR] OBJECT...   (--pin-root: where maps with LIBBPF_PIN_BY_NAME are pinned,
// libbpf's pin_root_path; default /sys/fs/bpf). Failures are reported in the JSON lines: the exit status is 0
// (2 on bad usage).
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    (void)level;
    if (getenv("LIBBPF_REF_DEBUG"))
        return vfprintf(stderr, fmt, ap);
    return 0;
}

static double monotonic_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        const unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static const char *pin_root;

static struct bpf_object *open_object(const char *path)
{
    LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_root);
    return bpf_object__open_file(path, &opts);
}

/* Names of an object's programs, in libbpf's order; NULL when it cannot be opened (errno set). */
static char **program_names(const char *path, size_t *count)
{
    struct bpf_object *obj = open_object(path);
    if (!obj)
        return NULL;
    size_t n = 0;
    struct bpf_program *p;
    bpf_object__for_each_program(p, obj)
        n++;
    char **names = calloc(n ? n : 1, sizeof(*names));
    size_t i = 0;
    bpf_object__for_each_program(p, obj) {
        if (names)
            names[i] = strdup(bpf_program__name(p));
        i++;
    }
    bpf_object__close(obj);
    if (!names) {
        errno = ENOMEM;
        return NULL;
    }
    *count = n;
    return names;
}

static void print_open_failure(const char *path, const char *name, int err)
{
    printf("{\"obj\":");
    json_string(path);
    printf(",\"prog\":");
    if (name)
        json_string(name);
    else
        printf("null");
    printf(",\"ok\":false,\"err\":%d,\"stage\":\"open\"}\n", err);
}

static void load_one(const char *path, const char *name)
{
    struct bpf_object *obj = open_object(path);
    if (!obj) {
        print_open_failure(path, name, -errno);
        return;
    }
    struct bpf_program *p, *target = NULL;
    bpf_object__for_each_program(p, obj) {
        const int mine = strcmp(bpf_program__name(p), name) == 0;
        bpf_program__set_autoload(p, mine);
        if (mine)
            target = p;
    }
    const double t0 = monotonic_us();
    const int err = bpf_object__load(obj);
    const double us = monotonic_us() - t0;
    printf("{\"obj\":");
    json_string(path);
    printf(",\"prog\":");
    json_string(name);
    printf(",\"sec\":");
    json_string(target ? bpf_program__section_name(target) : "");
    printf(",\"ok\":%s,\"err\":%d,\"us\":%.0f}\n", err ? "false" : "true", err, us);
    bpf_object__close(obj);
}

int main(int argc, char **argv)
{
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--pin-root") == 0) {
        pin_root = argv[2];
        first = 3;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: libbpf_ref [--pin-root DIR] OBJECT...\n");
        return 2;
    }
    libbpf_set_print(print_libbpf);
    for (int i = first; i < argc; i++) {
        size_t n = 0;
        char **names = program_names(argv[i], &n);
        if (!names) {
            print_open_failure(argv[i], NULL, -errno);
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            if (names[k])
                load_one(argv[i], names[k]);
            free(names[k]);
        }
        free(names);
        fflush(stdout);
    }
    return 0;
}
