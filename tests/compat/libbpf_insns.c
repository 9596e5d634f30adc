// SPDX-License-Identifier: MIT
// Test-only reference: the final (relocated) instructions libbpf produces for each program of an object, as one
// JSON line per program. Links the system libbpf; never part of the ebpf-cxx library.
//
// Each program is loaded alone (the others have autoload off), like libbpf_ref.c next to it, so one program
// the verifier rejects does not hide the others. libbpf relocates before it calls BPF_PROG_LOAD and keeps the
// relocated copy, so the instructions are printed even when the kernel refused the program ("ok": false).
//
// With --btf FILE, CO-RE relocations are made against FILE (raw BTF or an ELF object with .BTF) instead of the
// running kernel's BTF (libbpf's btf_custom_path).
//
// Output: {"obj":PATH,"prog":NAME,"sec":SEC,"ok":BOOL,"err":ERRNO,"insns":[[code,dst,src,off,imm],...]}
// or, when libbpf cannot open the object, {"obj":PATH,"prog":null,"ok":false,"err":ERRNO,"stage":"open"}.
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
    (void)level;
    if (getenv("LIBBPF_INSNS_DEBUG"))
        return vfprintf(stderr, fmt, ap);
    return 0;
}

static void print_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", *s);
        else
            putchar(*s);
    }
    putchar('"');
}

/* The name of the object's map with this fd, without libbpf's "<object prefix>." for global data. */
static const char *map_name(struct bpf_object *obj, int fd)
{
    struct bpf_map *m;
    bpf_object__for_each_map(m, obj) {
        if (bpf_map__fd(m) == fd) {
            const char *name = bpf_map__name(m);
            const char *dot = strchr(name, '.');
            return bpf_map__is_internal(m) && dot ? dot : name;
        }
    }
    return "?";
}

static const char *custom_btf;

static struct bpf_object *open_object(const char *path)
{
    LIBBPF_OPTS(bpf_object_open_opts, opts, .btf_custom_path = custom_btf);
    return bpf_object__open_file(path, &opts);
}

static int dump_object(const char *path)
{
    struct bpf_object *obj = open_object(path);
    if (!obj) {
        printf("{\"obj\":");
        print_json_string(path);
        printf(",\"prog\":null,\"ok\":false,\"err\":%d,\"stage\":\"open\"}\n", -errno);
        return 1;
    }
    char names[256][128];
    int n = 0;
    struct bpf_program *p;
    bpf_object__for_each_program(p, obj) {
        if (n < 256)
            snprintf(names[n++], sizeof(names[0]), "%s", bpf_program__name(p));
    }
    bpf_object__close(obj);

    for (int k = 0; k < n; k++) {
        obj = open_object(path);
        if (!obj)
            return 1;
        struct bpf_program *target = NULL;
        bpf_object__for_each_program(p, obj) {
            const int mine = strcmp(bpf_program__name(p), names[k]) == 0;
            bpf_program__set_autoload(p, mine);
            if (mine)
                target = p;
        }
        const int err = bpf_object__load(obj);
        printf("{\"obj\":");
        print_json_string(path);
        printf(",\"prog\":");
        print_json_string(names[k]);
        printf(",\"sec\":");
        print_json_string(bpf_program__section_name(target));
        printf(",\"ok\":%s,\"err\":%d,\"insns\":[", err ? "false" : "true", err);
        const struct bpf_insn *insns = bpf_program__insns(target);
        const size_t cnt = bpf_program__insn_cnt(target);
        for (size_t i = 0; insns && i < cnt; i++) {
            printf("%s[%u,%u,%u,%d,%d", i ? "," : "", insns[i].code, insns[i].dst_reg, insns[i].src_reg,
                   insns[i].off, insns[i].imm);
            /* Map references hold an fd, which differs between loaders: name the map as well. */
            if (insns[i].code == (BPF_LD | BPF_IMM | BPF_DW) &&
                (insns[i].src_reg == BPF_PSEUDO_MAP_FD || insns[i].src_reg == BPF_PSEUDO_MAP_VALUE)) {
                putchar(',');
                print_json_string(map_name(obj, insns[i].imm));
            }
            putchar(']');
        }
        printf("]}\n");
        bpf_object__close(obj);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int first = 1;
    if (argc > 2 && strcmp(argv[1], "--btf") == 0) {
        custom_btf = argv[2];
        first = 3;
    }
    if (argc <= first) {
        fprintf(stderr, "usage: libbpf_insns [--btf FILE] OBJECT...\n");
        return 2;
    }
    libbpf_set_print(quiet);
    int failed = 0;
    for (int i = first; i < argc; i++)
        failed |= dump_object(argv[i]);
    return failed;
}
