/* SPDX-License-Identifier: MIT */
/* Logging from BPF (bpf-progs/include/ebpf_log.h) for tests/kernel/log_test.cpp: every conversion and level,
 * and calls whose arguments do not match their formats (decoded as errors, never misread). */
#include "ebpf_test.h"
#include "ebpf_log.h"

/* Big-endian constants without bpf_endian.h: the test runs on little-endian hosts and checks the text. */
#define BE32(x) __builtin_bswap32(x)

__u32 runs = 0;

SEC("syscall")
int log_all(void *ctx)
{
    char name[8] = "ebpf";
    __u8 mac[6] = {0x02, 0x00, 0x5e, 0x10, 0xaa, 0xff};
    __u8 v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01};
    __u8 bytes[4] = {0xde, 0xad, 0xbe, 0xef};
    long neg = -5000000000L;
    unsigned long big = 18000000000000000000UL;
    int minus3 = -3;
    unsigned int x1ff = 0x1ff;

    runs++;
    ebpf_log_error("error %d", -1);
    ebpf_log_warn("warn %u", 4000000000u);
    ebpf_log_info("ints %d %i %u %x %X", -42, 7, 42u, 0xbeefu, 0xbeefu);
    ebpf_log_info("longs %ld %lu %lld %llx %li", neg, big, neg, big, 9L);
    ebpf_log_info("narrow %hd %hu %hhd %hhx %hhu", minus3, 70000u, 200, x1ff, 258);
    ebpf_log_info("chars %c%c %% '%s' '%s'", 'o', 'k', name, "literal");
    ebpf_log_info("pointer %p %p", (void *)0x1234, (void *)0);
    ebpf_log_info("ipv4 %pI4 %pI4", EBPF_IPV4(BE32(0xc0a80001)), EBPF_IPV4(BE32(0x7f000001)));
    ebpf_log_info("ipv6 %pI6 %pI6c", EBPF_IPV6(v6), EBPF_IPV6(v6));
    ebpf_log_info("mac %pM", EBPF_MAC(mac));
    ebpf_log_info("hex %ph|%phC|%phD|%phN|%ph", EBPF_HEX(bytes, 4), EBPF_HEX(bytes, 4), EBPF_HEX(bytes, 4),
                  EBPF_HEX(bytes, 4), EBPF_HEX(bytes, 0));
    ebpf_log_info("width [%5d] [%-5d] [%05d] [%#x] [%+d] [%.3s] [%6s] [%-6s]", 42, 42, 42, 255u, 7, name, name, name);
    ebpf_log_info("fault '%s'", (const char *)0);
    ebpf_log_info("ten %d %d %d %d %d %d %d %d %d %d", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    ebpf_log_info("no arguments");
    ebpf_log_debug("debug %d", 4);
    ebpf_log_trace("trace %d", 5);
    return 0;
}

/* Arguments that do not fit their formats: compiled fine (C cannot check), reported by the decoder. */
SEC("syscall")
int log_bad(void *ctx)
{
    long long wide = 5;
    ebpf_log_error("wide %d", wide);
    ebpf_log_error("extra %d", 1, 2);
    ebpf_log_error("missing %d %d", 1);
    ebpf_log_error("string %s", 7);
    ebpf_log_error("ipv4 %pI4", 7u);
    ebpf_log_error("unknown %q", 7);
    ebpf_log_error("after the bad ones %d", 8);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
