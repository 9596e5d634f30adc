/* SPDX-License-Identifier: MIT */
/* A small shared library with USDT probes (one with a semaphore), GNU symbol versions, a local symbol and an
 * IFUNC, compiled by tests/uprobe/meson.build for several architectures and ELF classes (zig cc: x86_64, i386,
 * aarch64, 32-bit ARM in Thumb state, riscv64, big-endian 32-bit PowerPC; the host's cc for x86_64). The pure
 * tests (tests/elf, tests/object) read the results: real notes, real argument specifications from a real
 * compiler, real program headers. Nothing here runs. */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

__attribute__((used, section(".probes"))) unsigned short ebpf_fixture_args_semaphore;
__attribute__((used, section(".probes"))) unsigned short ebpf_fixture_konst_semaphore;
__attribute__((used, section(".probes"))) unsigned short ebpf_fixture_twice_semaphore;

volatile int ebpf_fixture_sink;

__attribute__((noinline)) int ebpf_fixture_fire(int a, long b, short c, unsigned char d) {
    STAP_PROBE4(ebpf_fixture, args, a, b, c, d);
    STAP_PROBE1(ebpf_fixture, konst, 42);
    return a + (int)b + c + d;
}

/* One probe expanded at two sites. */
static inline __attribute__((always_inline)) void twice(int where) { STAP_PROBE1(ebpf_fixture, twice, where); }
__attribute__((noinline)) void ebpf_fixture_twice(void) {
    twice(1);
    ebpf_fixture_sink = 1;
    twice(2);
}

/* Two versions of one function name: ebpf_fixture_versioned@EBPF_1 and the default @@EBPF_2. */
__attribute__((noinline)) int ebpf_fixture_v1(int x) { return x + 1; }
__attribute__((noinline)) int ebpf_fixture_v2(int x) { return x + 2; }
__asm__(".symver ebpf_fixture_v1, ebpf_fixture_versioned@EBPF_1");
__asm__(".symver ebpf_fixture_v2, ebpf_fixture_versioned@@EBPF_2");

/* A local function (only in .symtab) and one that calls it. */
static __attribute__((noinline, used)) int ebpf_fixture_local(int x) { return x * ebpf_fixture_sink; }
__attribute__((noinline)) int ebpf_fixture_calls_local(int x) { return ebpf_fixture_local(x) + 1; }

/* An IFUNC: its symbol is the resolver. */
static int ebpf_fixture_impl(int x) { return x; }
static void* ebpf_fixture_resolver(void) { return (void*)ebpf_fixture_impl; }
int ebpf_fixture_ifunc(int x) __attribute__((ifunc("ebpf_fixture_resolver")));
