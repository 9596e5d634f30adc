/* SPDX-License-Identifier: MIT */
/* ebpf_log.h: logging from BPF programs into a ring buffer, decoded by ebpf::Logger (include/ebpf/log.hpp).
 * The user guide is docs/logging.md; this comment is the reference.
 *
 *   #include <bpf/bpf_helpers.h>
 *   #include "ebpf_log.h"
 *
 *   ebpf_log_info("connect to %pI4:%u from pid %d", EBPF_IPV4(daddr), port, pid);
 *   ebpf_log_debug("%s: %ph", name, EBPF_HEX(buf, 16));
 *
 * Levels: ebpf_log_error, ebpf_log_warn, ebpf_log_info, ebpf_log_debug, ebpf_log_trace. A call logs when its level
 * is at or below `ebpf_log_level`, a .rodata constant (default EBPF_LOG_DEFAULT_LEVEL, Info unless defined before
 * including this header). Set it at load time without recompiling (ebpf::log_level_global(level) in
 * LoadOptions::globals): the verifier sees the frozen constant and removes the calls above it from the program.
 *
 * Conversions (printf's, plus the kernel printk's address formats). Flags "-+ #0", a field width and a precision
 * (digits, not '*') work as in printf. The argument's C type is recorded with it and checked against the
 * conversion when user space decodes the record: a mismatch is reported, never misread.
 *   %d %i          signed integer (int; hh/h: narrowed to char/short; l/ll: 64-bit)
 *   %u %x %X       unsigned integer, decimal / hex (same length modifiers)
 *   %c             a character (an int argument, as in printf)
 *   %s             a string: char * read with bpf_probe_read_kernel_str (kernel, stack or map memory), at most
 *                  EBPF_LOG_STR_MAX - 1 characters; EBPF_USTR(p) reads a user-space string instead. A string that
 *                  cannot be read prints "(fault)".
 *   %p             a pointer's value (any pointer type other than char *), printed 0x... (not hashed)
 *   %pI4           an IPv4 address: EBPF_IPV4(be32), the address as it is in the packet (network byte order)
 *   %pI6 %pI6c     an IPv6 address: EBPF_IPV6(ptr to 16 bytes); %pI6 prints all 8 groups, %pI6c the RFC 5952 form
 *   %pM            a MAC address: EBPF_MAC(ptr to 6 bytes), aa:bb:cc:dd:ee:ff
 *   %ph %phC %phD %phN   bytes in hex: EBPF_HEX(ptr, len), at most EBPF_LOG_HEX_MAX bytes; separated by spaces,
 *                  colons, dashes, or nothing (the kernel's %*ph family)
 *   %%             a '%'
 * char, short and _Bool arguments are promoted to int as in printf. At most 10 arguments per call.
 *
 * Wire format (version 1; what ebpf::Logger decodes):
 *   .rodata.ebpf_log   one site per call: {u32 magic 'ELGS', u32 id, u32 line, u8 level, u8 nargs, u16 file_len,
 *                      u16 fmt_len, u16 0, char file[file_len], char fmt[fmt_len]} (lengths include the NUL),
 *                      4-byte aligned. Records refer to their site by id, so the format string is never copied at
 *                      run time (docs/logging.md has the measurements behind this choice).
 *   record (ring)      {u16 magic 0xEB10, u8 version 1, u8 nargs, u32 site id, u32 size used, u32 0},
 *                      u8 tags[nargs] padded to 8 bytes, u64 values[nargs], then the data of string, hex, IPv6
 *                      and MAC arguments. Their value is offset (bits 0-15, from the record start) | length
 *                      (bits 16-31) | 1 << 32 if the read failed.
 *
 * Maps and globals it defines: the ring buffer `ebpf_log_buf` (EBPF_LOG_BUF_SIZE bytes, default 64 KiB),
 * `const volatile __u32 ebpf_log_level`, and `__u64 ebpf_log_dropped` (records lost because the ring was full).
 * Include it in one C file per object.
 * Kernel: ring buffers (5.8); %s, %ph, %pI6 and %pM use bpf_probe_read_kernel (5.5; outside tracing programs it
 * needs CAP_PERFMON or root); EBPF_USTR uses bpf_probe_read_user_str.
 */
#pragma once

#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define EBPF_LOG_LEVEL_OFF 0
#define EBPF_LOG_LEVEL_ERROR 1
#define EBPF_LOG_LEVEL_WARN 2
#define EBPF_LOG_LEVEL_INFO 3
#define EBPF_LOG_LEVEL_DEBUG 4
#define EBPF_LOG_LEVEL_TRACE 5

#ifndef EBPF_LOG_DEFAULT_LEVEL
#define EBPF_LOG_DEFAULT_LEVEL EBPF_LOG_LEVEL_INFO
#endif
#ifndef EBPF_LOG_BUF_SIZE
#define EBPF_LOG_BUF_SIZE (64 * 1024)
#endif
#ifndef EBPF_LOG_STR_MAX
#define EBPF_LOG_STR_MAX 64 /* bytes reserved per %s argument, NUL included */
#endif
#ifndef EBPF_LOG_HEX_MAX
#define EBPF_LOG_HEX_MAX 64 /* bytes per %ph argument */
#endif

struct {
    __uint(type, BPF_MAP_TYPE_RINGBUF);
    __uint(max_entries, EBPF_LOG_BUF_SIZE);
} ebpf_log_buf SEC(".maps");

const volatile __u32 ebpf_log_level = EBPF_LOG_DEFAULT_LEVEL;
__u64 ebpf_log_dropped = 0;

/* Argument wrappers for the conversions a C type cannot express. (Functions rather than compound literals, so
 * that the header can look at their types in constant expressions.) */
struct ebpf_log_ipv4 { __u32 addr; };
struct ebpf_log_ipv6 { const void *addr; };
struct ebpf_log_mac { const void *addr; };
struct ebpf_log_hex { const void *data; __u32 len; };
struct ebpf_log_ustr { const void *str; };
static __always_inline struct ebpf_log_ipv4 __ebpf_log_ipv4(__u32 a) { struct ebpf_log_ipv4 r = {a}; return r; }
static __always_inline struct ebpf_log_ipv6 __ebpf_log_ipv6(const void *p) { struct ebpf_log_ipv6 r = {p}; return r; }
static __always_inline struct ebpf_log_mac __ebpf_log_mac(const void *p) { struct ebpf_log_mac r = {p}; return r; }
static __always_inline struct ebpf_log_hex __ebpf_log_hex(const void *p, __u32 n) { struct ebpf_log_hex r = {p, n}; return r; }
static __always_inline struct ebpf_log_ustr __ebpf_log_ustr(const void *p) { struct ebpf_log_ustr r = {p}; return r; }
#define EBPF_IPV4(be32) __ebpf_log_ipv4((__u32)(be32))
#define EBPF_IPV6(ptr) __ebpf_log_ipv6((const void *)(ptr))
#define EBPF_MAC(ptr) __ebpf_log_mac((const void *)(ptr))
#define EBPF_HEX(ptr, len) __ebpf_log_hex((const void *)(ptr), (__u32)(len))
#define EBPF_USTR(ptr) __ebpf_log_ustr((const void *)(ptr))

#define ebpf_log_error(fmt, ...) __ebpf_log(EBPF_LOG_LEVEL_ERROR, fmt, ##__VA_ARGS__)
#define ebpf_log_warn(fmt, ...) __ebpf_log(EBPF_LOG_LEVEL_WARN, fmt, ##__VA_ARGS__)
#define ebpf_log_info(fmt, ...) __ebpf_log(EBPF_LOG_LEVEL_INFO, fmt, ##__VA_ARGS__)
#define ebpf_log_debug(fmt, ...) __ebpf_log(EBPF_LOG_LEVEL_DEBUG, fmt, ##__VA_ARGS__)
#define ebpf_log_trace(fmt, ...) __ebpf_log(EBPF_LOG_LEVEL_TRACE, fmt, ##__VA_ARGS__)

/* ---- implementation ------------------------------------------------------------------------------------- */

#define __EBPF_LOG_SITE_MAGIC 0x53474c45u /* "ELGS" */
#define __EBPF_LOG_MAGIC 0xEB10
#define __EBPF_LOG_VERSION 1
#define __EBPF_LOG_HDR 16

enum {
    __EBPF_LOG_I32 = 1,
    __EBPF_LOG_U32 = 2,
    __EBPF_LOG_I64 = 3,
    __EBPF_LOG_U64 = 4,
    __EBPF_LOG_PTR = 5,
    __EBPF_LOG_STR = 6,
    __EBPF_LOG_HEXB = 7,
    __EBPF_LOG_IP4 = 8,
    __EBPF_LOG_IP6 = 9,
    __EBPF_LOG_MACB = 10,
};

/* Where argument i's tag and value live in a record with n arguments (compile-time constants after inlining). */
#define __EBPF_LOG_TAG_OFF(i) (__EBPF_LOG_HDR + (i))
#define __EBPF_LOG_VAL_OFF(n, i) (__EBPF_LOG_HDR + (((n) + 7) & ~7) + 8 * (i))
#define __EBPF_LOG_DATA_OFF(n) (__EBPF_LOG_HDR + (((n) + 7) & ~7) + 8 * (n))

static __always_inline void __ebpf_log_arg(char *r, __u32 n, __u32 i, __u8 tag, __u64 v)
{
    r[__EBPF_LOG_TAG_OFF(i)] = tag;
    *(__u64 *)(r + __EBPF_LOG_VAL_OFF(n, i)) = v;
}

#define __EBPF_LOG_INT(name, type, tag, wide)                                                          \
    static __always_inline __u32 name(char *r, __u32 n, __u32 i, __u32 d, type v)                      \
    {                                                                                                  \
        __ebpf_log_arg(r, n, i, tag, (__u64)(wide)v);                                                  \
        return d;                                                                                      \
    }
__EBPF_LOG_INT(__ebpf_log_put_i32, int, __EBPF_LOG_I32, __s64)
__EBPF_LOG_INT(__ebpf_log_put_u32, unsigned int, __EBPF_LOG_U32, __u64)
__EBPF_LOG_INT(__ebpf_log_put_i64, long long, __EBPF_LOG_I64, __s64)
__EBPF_LOG_INT(__ebpf_log_put_u64, unsigned long long, __EBPF_LOG_U64, __u64)

static __always_inline __u32 __ebpf_log_put_ptr(char *r, __u32 n, __u32 i, __u32 d, const void *p)
{
    __ebpf_log_arg(r, n, i, __EBPF_LOG_PTR, (__u64)(unsigned long)p);
    return d;
}

static __always_inline __u64 __ebpf_log_blob(__u32 d, long len, long err)
{
    return err < 0 ? ((__u64)d | (1ull << 32)) : ((__u64)d | ((__u64)(len & 0xffff) << 16));
}

static __always_inline __u32 __ebpf_log_put_str(char *r, __u32 n, __u32 i, __u32 d, const char *s)
{
    long got = bpf_probe_read_kernel_str(r + d, EBPF_LOG_STR_MAX, s);
    __ebpf_log_arg(r, n, i, __EBPF_LOG_STR, __ebpf_log_blob(d, got - 1, got <= 0 ? -1 : 0));
    return d + EBPF_LOG_STR_MAX;
}

static __always_inline __u32 __ebpf_log_put_ustr(char *r, __u32 n, __u32 i, __u32 d, struct ebpf_log_ustr s)
{
    long got = bpf_probe_read_user_str(r + d, EBPF_LOG_STR_MAX, s.str);
    __ebpf_log_arg(r, n, i, __EBPF_LOG_STR, __ebpf_log_blob(d, got - 1, got <= 0 ? -1 : 0));
    return d + EBPF_LOG_STR_MAX;
}

static __always_inline __u32 __ebpf_log_put_hex(char *r, __u32 n, __u32 i, __u32 d, struct ebpf_log_hex h)
{
    __u32 len = h.len;
    if (len > EBPF_LOG_HEX_MAX)
        len = EBPF_LOG_HEX_MAX;
    long err = bpf_probe_read_kernel(r + d, len, h.data);
    __ebpf_log_arg(r, n, i, __EBPF_LOG_HEXB, __ebpf_log_blob(d, len, err));
    return d + ((EBPF_LOG_HEX_MAX + 7) & ~7);
}

static __always_inline __u32 __ebpf_log_put_ip4(char *r, __u32 n, __u32 i, __u32 d, struct ebpf_log_ipv4 a)
{
    __ebpf_log_arg(r, n, i, __EBPF_LOG_IP4, a.addr);
    return d;
}

static __always_inline __u32 __ebpf_log_put_ip6(char *r, __u32 n, __u32 i, __u32 d, struct ebpf_log_ipv6 a)
{
    long err = bpf_probe_read_kernel(r + d, 16, a.addr);
    __ebpf_log_arg(r, n, i, __EBPF_LOG_IP6, __ebpf_log_blob(d, 16, err));
    return d + 16;
}

static __always_inline __u32 __ebpf_log_put_mac(char *r, __u32 n, __u32 i, __u32 d, struct ebpf_log_mac a)
{
    long err = bpf_probe_read_kernel(r + d, 6, a.addr);
    __ebpf_log_arg(r, n, i, __EBPF_LOG_MACB, __ebpf_log_blob(d, 6, err));
    return d + 8;
}

/* The writer for an argument, chosen by its type. Narrow integers are promoted like printf's arguments. */
#define __EBPF_LOG_PUTTER(x)                                                                           \
    _Generic((x),                                                                                      \
        _Bool: __ebpf_log_put_i32, char: __ebpf_log_put_i32, signed char: __ebpf_log_put_i32,          \
        unsigned char: __ebpf_log_put_i32, short: __ebpf_log_put_i32, unsigned short: __ebpf_log_put_i32, \
        int: __ebpf_log_put_i32, unsigned int: __ebpf_log_put_u32,                                     \
        long: __ebpf_log_put_i64, unsigned long: __ebpf_log_put_u64,                                   \
        long long: __ebpf_log_put_i64, unsigned long long: __ebpf_log_put_u64,                         \
        char *: __ebpf_log_put_str, const char *: __ebpf_log_put_str,                                  \
        struct ebpf_log_ustr: __ebpf_log_put_ustr, struct ebpf_log_hex: __ebpf_log_put_hex,            \
        struct ebpf_log_ipv4: __ebpf_log_put_ip4, struct ebpf_log_ipv6: __ebpf_log_put_ip6,            \
        struct ebpf_log_mac: __ebpf_log_put_mac,                                                       \
        default: __ebpf_log_put_ptr)

/* Data bytes an argument needs (a constant expression: _Generic does not evaluate its operand). */
#define __EBPF_LOG_DATA_SIZE(x)                                                                        \
    _Generic((x),                                                                                      \
        char *: EBPF_LOG_STR_MAX, const char *: EBPF_LOG_STR_MAX, struct ebpf_log_ustr: EBPF_LOG_STR_MAX, \
        struct ebpf_log_hex: ((EBPF_LOG_HEX_MAX + 7) & ~7), struct ebpf_log_ipv6: 16,                  \
        struct ebpf_log_mac: 8, default: 0)

#define __EBPF_LOG_CAT_(a, b) a##b
#define __EBPF_LOG_CAT(a, b) __EBPF_LOG_CAT_(a, b)
#define __EBPF_LOG_NARGS(...) __EBPF_LOG_NARGS_(0, ##__VA_ARGS__, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define __EBPF_LOG_NARGS_(_0, _1, _2, _3, _4, _5, _6, _7, _8, _9, _10, N, ...) N

/* M(index, argument) for each argument. */
#define __EBPF_LOG_EACH(M, ...) __EBPF_LOG_CAT(__EBPF_LOG_EACH_, __EBPF_LOG_NARGS(__VA_ARGS__))(M, ##__VA_ARGS__)
#define __EBPF_LOG_EACH_0(M)
#define __EBPF_LOG_EACH_1(M, a) M(0, a)
#define __EBPF_LOG_EACH_2(M, a, b) M(0, a) M(1, b)
#define __EBPF_LOG_EACH_3(M, a, b, c) M(0, a) M(1, b) M(2, c)
#define __EBPF_LOG_EACH_4(M, a, b, c, d) M(0, a) M(1, b) M(2, c) M(3, d)
#define __EBPF_LOG_EACH_5(M, a, b, c, d, e) M(0, a) M(1, b) M(2, c) M(3, d) M(4, e)
#define __EBPF_LOG_EACH_6(M, a, b, c, d, e, f) M(0, a) M(1, b) M(2, c) M(3, d) M(4, e) M(5, f)
#define __EBPF_LOG_EACH_7(M, a, b, c, d, e, f, g) M(0, a) M(1, b) M(2, c) M(3, d) M(4, e) M(5, f) M(6, g)
#define __EBPF_LOG_EACH_8(M, a, b, c, d, e, f, g, h) \
    M(0, a) M(1, b) M(2, c) M(3, d) M(4, e) M(5, f) M(6, g) M(7, h)
#define __EBPF_LOG_EACH_9(M, a, b, c, d, e, f, g, h, i) \
    M(0, a) M(1, b) M(2, c) M(3, d) M(4, e) M(5, f) M(6, g) M(7, h) M(8, i)
#define __EBPF_LOG_EACH_10(M, a, b, c, d, e, f, g, h, i, j) \
    M(0, a) M(1, b) M(2, c) M(3, d) M(4, e) M(5, f) M(6, g) M(7, h) M(8, i) M(9, j)

#define __EBPF_LOG_SIZE_OF(i, x) +__EBPF_LOG_DATA_SIZE(x)
#define __EBPF_LOG_PUT(i, x) __d = __EBPF_LOG_PUTTER(x)(__r, __n, i, __d, (x));

#define __ebpf_log(level, fmt, ...) __ebpf_log_site(__COUNTER__, level, fmt, ##__VA_ARGS__)
#define __ebpf_log_site(id, level, fmt, ...) __ebpf_log_emit(id, level, fmt, ##__VA_ARGS__)
#define __ebpf_log_emit(id, level, fmt, ...)                                                           \
    ({                                                                                                 \
        if ((level) <= ebpf_log_level) {                                                               \
            static const struct {                                                                      \
                __u32 magic, site, line;                                                               \
                __u8 lvl, nargs;                                                                       \
                __u16 file_len, fmt_len, zero;                                                         \
                char file[sizeof(__FILE__)];                                                           \
                char text[sizeof(fmt)];                                                                \
            } __ebpf_log_site_##id SEC(".rodata.ebpf_log") __attribute__((used, aligned(4))) = {       \
                __EBPF_LOG_SITE_MAGIC, id, __LINE__, level, __EBPF_LOG_NARGS(__VA_ARGS__),             \
                sizeof(__FILE__), sizeof(fmt), 0, __FILE__, fmt};                                      \
            enum { __n = __EBPF_LOG_NARGS(__VA_ARGS__) };                                              \
            _Static_assert(__n <= 10, "ebpf_log: at most 10 arguments");                               \
            enum { __size = __EBPF_LOG_DATA_OFF(__n) __EBPF_LOG_EACH(__EBPF_LOG_SIZE_OF, ##__VA_ARGS__) }; \
            _Static_assert(__size < 65536, "ebpf_log: record too large");                              \
            char *__r = bpf_ringbuf_reserve(&ebpf_log_buf, __size, 0);                                 \
            if (__r) {                                                                                 \
                __u32 __d = __EBPF_LOG_DATA_OFF(__n);                                                  \
                *(__u16 *)(__r + 0) = __EBPF_LOG_MAGIC;                                                \
                __r[2] = __EBPF_LOG_VERSION;                                                           \
                __r[3] = __n;                                                                          \
                *(__u32 *)(__r + 4) = id;                                                              \
                *(__u32 *)(__r + 8) = __size;                                                          \
                *(__u32 *)(__r + 12) = 0;                                                              \
                if (__n > 0)                                                                           \
                    *(__u64 *)(__r + __EBPF_LOG_HDR) = 0; /* tags (and their padding) */               \
                if (__n > 8)                                                                           \
                    *(__u64 *)(__r + __EBPF_LOG_HDR + 8) = 0;                                          \
                __EBPF_LOG_EACH(__EBPF_LOG_PUT, ##__VA_ARGS__)                                         \
                (void)__d;                                                                             \
                bpf_ringbuf_submit(__r, 0);                                                            \
            } else {                                                                                   \
                __sync_fetch_and_add(&ebpf_log_dropped, 1);                                            \
            }                                                                                          \
        }                                                                                              \
    })
