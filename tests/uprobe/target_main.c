/* SPDX-License-Identifier: MIT */
/* uprobe_target: a PIE executable linked with libebpf_uprobe_target.so, run by the kernel tests as a child:
 *   uprobe_target N
 * prints "ready\n", waits for a line on stdin, then N times calls its own function (USDT probe
 * ebpf_target:main inside) and the library's (ebpf_target_lib_add, ebpf_target_versioned), prints
 * "done <sum>\n" and exits. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/sdt.h>

int ebpf_target_lib_add(int a, int b);
int ebpf_target_versioned(int x);

__attribute__((noinline)) int ebpf_target_main_fn(int x) {
    STAP_PROBE1(ebpf_target, main, x);
    return x * 2;
}

int main(int argc, char** argv) {
    const int n = argc > 1 ? atoi(argv[1]) : 1;
    printf("ready\n");
    fflush(stdout);
    char line[64];
    if (!fgets(line, sizeof line, stdin)) return 1;
    long sum = 0;
    for (int i = 0; i < n; ++i) sum += ebpf_target_main_fn(i) + ebpf_target_lib_add(i, 1) + ebpf_target_versioned(i);
    printf("done %ld\n", sum);
    fflush(stdout);
    return 0;
}
