// SPDX-License-Identifier: MIT
// Tests for the DEFLATE/gzip decoder: real gzip and zlib output, hand-built edge cases, and corrupt input of each kind.
#include "base/inflate.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using ebpf::Errc;
using ebpf::Result;
using ebpf::detail::crc32;
using ebpf::detail::gunzip;
using ebpf::detail::inflate_raw;
using ebpf::detail::maybe_gunzip;
using Bytes = std::vector<std::byte>;

// What every embedded vector decodes to (the stored and multi-block ones: a prefix / all of it).
constexpr std::string_view kText = R"cfg(#
# Automatically generated file; DO NOT EDIT.
# Linux/x86 6.1.0 Kernel Configuration
#
CONFIG_CC_VERSION_TEXT="gcc (Debian 12.2.0-14) 12.2.0"
CONFIG_CC_IS_GCC=y
CONFIG_GCC_VERSION=120200
CONFIG_BPF=y
CONFIG_HAVE_EBPF_JIT=y
CONFIG_BPF_SYSCALL=y
CONFIG_BPF_JIT=y
CONFIG_BPF_JIT_ALWAYS_ON=y
CONFIG_BPF_JIT_DEFAULT_ON=y
CONFIG_BPF_UNPRIV_DEFAULT_OFF=y
CONFIG_BPF_LSM=y
CONFIG_DEBUG_INFO_BTF=y
CONFIG_DEBUG_INFO_BTF_MODULES=y
# CONFIG_BPF_PRELOAD is not set
CONFIG_CGROUP_BPF=y
CONFIG_NET_CLS_BPF=m
CONFIG_NET_ACT_BPF=m
CONFIG_BPF_EVENTS=y
CONFIG_KPROBE_EVENTS=y
CONFIG_UPROBE_EVENTS=y
CONFIG_IKCONFIG=y
CONFIG_IKCONFIG_PROC=y
)cfg";

// Produced once, so the tests need no external tools (2 KB in all):
//   kGzip9, kGzip1:   gzip 1.12 `gzip -9` / `gzip -1` of kText saved as t.txt (header carries FNAME "t.txt")
//   kRawStored:       CPython zlib, level 0, wbits -15, of kText[0, 160)
//   kRawFixed:        CPython zlib, level 9, strategy Z_FIXED
//   kRawDynamic:      CPython zlib, level 9, default strategy
//   kRawMultiBlock:   kText[0,100) at level 0, [100,300) with Z_FIXED, the rest at level 9, each of the first two
//                     ended by Z_FULL_FLUSH: stored, empty stored, fixed, empty stored, then a final dynamic block
//   kGzipAllFields:   "hello, hello, hello!\n" behind a header with FTEXT|FHCRC|FEXTRA|FNAME|FCOMMENT
//   kGzipTwoMembers:  gzip.compress("first member\n") + gzip.compress("second\n")
//   kGzipEmpty:       gzip.compress(b"")
constexpr std::uint8_t kGzip9[] = {
    0x1f, 0x8b, 0x08, 0x08, 0x80, 0x00, 0x92, 0x65, 0x02, 0x03, 0x74, 0x2e, 0x74, 0x78, 0x74, 0x00, 0x75, 0xd1,
    0x41, 0x4f, 0x83, 0x30, 0x14, 0x07, 0xf0, 0xfb, 0x3e, 0xc5, 0xcb, 0xb8, 0xe8, 0x41, 0x04, 0x62, 0x16, 0x13,
    0xc3, 0xa1, 0xb4, 0x05, 0xeb, 0x3a, 0x4a, 0x68, 0x41, 0x77, 0x6a, 0x70, 0x76, 0x0b, 0x09, 0x83, 0x64, 0x63,
    0xc9, 0xf6, 0xed, 0x65, 0xea, 0x64, 0x04, 0xbd, 0x35, 0xbf, 0xff, 0x7b, 0xaf, 0xcd, 0xab, 0x35, 0xb1, 0x00,
    0x1d, 0xda, 0x66, 0x5b, 0xb4, 0xe5, 0xaa, 0xa8, 0xaa, 0x13, 0x6c, 0x4c, 0x6d, 0x76, 0x45, 0x6b, 0x3e, 0x60,
    0x5d, 0x56, 0xe6, 0x09, 0x88, 0x80, 0x58, 0x28, 0xa0, 0x84, 0x29, 0xbb, 0x2b, 0xe6, 0x65, 0x7d, 0x38, 0xde,
    0x1f, 0x1f, 0x67, 0x30, 0xb3, 0x5d, 0xdb, 0x81, 0xb9, 0xd9, 0xd5, 0xa6, 0x02, 0xdc, 0xd4, 0xeb, 0x72, 0x73,
    0xe8, 0x1a, 0xcb, 0xa6, 0x9e, 0x58, 0x13, 0x2c, 0xe2, 0x90, 0x45, 0x1a, 0x63, 0x9d, 0xd3, 0x54, 0x32, 0x11,
    0x6b, 0x45, 0xdf, 0x94, 0x3f, 0xdd, 0xac, 0x56, 0x70, 0x43, 0xcc, 0x7b, 0x59, 0xd4, 0xe0, 0x7a, 0xb6, 0x67,
    0x3b, 0x77, 0xee, 0xc3, 0xed, 0xcf, 0x71, 0x7a, 0xd5, 0xc6, 0xa4, 0x8e, 0x30, 0xf6, 0x4f, 0x17, 0x8a, 0xfa,
    0x51, 0xbe, 0xeb, 0x39, 0x9e, 0xe3, 0x5c, 0x92, 0x20, 0x09, 0xfb, 0xb2, 0x67, 0x94, 0x53, 0x4d, 0x3b, 0xd2,
    0x2f, 0x4c, 0xf5, 0x7c, 0x06, 0xb9, 0x94, 0x18, 0x71, 0x3e, 0xc4, 0x51, 0x55, 0x07, 0x1a, 0xf1, 0x57, 0xb4,
    0x94, 0xba, 0xbb, 0x69, 0x14, 0x11, 0x1a, 0xa2, 0x8c, 0xab, 0x51, 0x96, 0xc5, 0x49, 0xca, 0xf2, 0x3e, 0x0e,
    0xc3, 0x61, 0xce, 0xe5, 0xa2, 0x07, 0x42, 0x83, 0x2c, 0xd2, 0x2c, 0x0e, 0x85, 0x0e, 0x54, 0xf8, 0x9f, 0xeb,
    0x85, 0x20, 0x19, 0xa7, 0xb2, 0xcb, 0x2d, 0xb8, 0x1a, 0x95, 0xa4, 0x94, 0x0b, 0x44, 0xa0, 0xdc, 0x43, 0xdd,
    0xb4, 0xb0, 0x37, 0xed, 0xef, 0xda, 0xa2, 0x54, 0x64, 0xc9, 0x70, 0x21, 0x31, 0x55, 0x1a, 0x73, 0xf9, 0x85,
    0xdb, 0x6b, 0x44, 0x58, 0x0d, 0xf1, 0x3c, 0x9b, 0xe6, 0x34, 0x56, 0xb2, 0xef, 0x9e, 0x27, 0xa9, 0x08, 0xe8,
    0x88, 0xb3, 0xbf, 0x99, 0xcd, 0xbf, 0x0f, 0x63, 0xe9, 0x1e, 0x2d, 0xce, 0x9f, 0xf9, 0x09, 0x4e, 0x17, 0xa2,
    0x29, 0x6f, 0x02, 0x00, 0x00,
};
constexpr std::uint8_t kGzip1[] = {
    0x1f, 0x8b, 0x08, 0x08, 0x80, 0x00, 0x92, 0x65, 0x04, 0x03, 0x74, 0x2e, 0x74, 0x78, 0x74, 0x00, 0x6d, 0x91,
    0x4d, 0x6f, 0x82, 0x30, 0x18, 0xc7, 0xef, 0x7e, 0x8a, 0x27, 0x72, 0xd9, 0x0e, 0x63, 0x40, 0x16, 0xb3, 0x64,
    0xf1, 0x50, 0x4a, 0x61, 0x9d, 0xb5, 0x25, 0xb4, 0xb0, 0x79, 0x6a, 0x98, 0xab, 0x86, 0x04, 0x31, 0x51, 0x4c,
    0xf4, 0xdb, 0xaf, 0x6c, 0x12, 0x74, 0xee, 0xd6, 0xfe, 0x9e, 0xff, 0x4b, 0xf3, 0xd4, 0x19, 0x39, 0x80, 0x0e,
    0xed, 0x76, 0x53, 0xb6, 0xd5, 0xb2, 0xac, 0xeb, 0x13, 0xac, 0x4d, 0x63, 0x76, 0x65, 0x6b, 0xbe, 0x60, 0x55,
    0xd5, 0xe6, 0x05, 0x22, 0x01, 0x5c, 0x28, 0x20, 0x11, 0x55, 0xae, 0x15, 0xb3, 0xaa, 0x39, 0x1c, 0x1f, 0x8f,
    0xcf, 0x13, 0x98, 0xb8, 0xbe, 0xeb, 0xc1, 0xcc, 0xec, 0x1a, 0x53, 0x03, 0xde, 0x36, 0xab, 0x6a, 0x7d, 0xb0,
    0xc6, 0x6a, 0xdb, 0x8c, 0x9c, 0x11, 0x16, 0x3c, 0xa6, 0x89, 0xc6, 0x58, 0x17, 0x24, 0x93, 0x54, 0x70, 0xad,
    0xc8, 0x87, 0x9a, 0x8e, 0xd7, 0xcb, 0x25, 0xdc, 0x45, 0xe6, 0xb3, 0x2a, 0x1b, 0xf0, 0x03, 0x37, 0x70, 0xbd,
    0x07, 0xff, 0xe9, 0xfe, 0x7c, 0x1c, 0x5f, 0xd8, 0xa8, 0xd4, 0x09, 0xc6, 0xd3, 0x53, 0x8f, 0xec, 0xa5, 0x8f,
    0x9a, 0xfa, 0x81, 0x17, 0x78, 0x5e, 0x3f, 0x09, 0xd3, 0x78, 0x90, 0xbd, 0xa2, 0x82, 0x68, 0x62, 0x91, 0x7e,
    0xa3, 0x6a, 0xc0, 0x1d, 0x90, 0x0b, 0x89, 0x11, 0x63, 0xd7, 0xf0, 0x46, 0x65, 0x81, 0x46, 0xec, 0x1d, 0x2d,
    0xa4, 0x16, 0xfc, 0x46, 0xab, 0x23, 0x12, 0xa3, 0x9c, 0xa9, 0x9b, 0x59, 0xce, 0xd3, 0x8c, 0x16, 0xc3, 0x38,
    0xbe, 0x78, 0x53, 0x57, 0xce, 0xe4, 0x7c, 0x08, 0x8b, 0x48, 0x98, 0x27, 0x9a, 0xf2, 0x58, 0xe8, 0x50, 0x5d,
    0x08, 0xaf, 0xb9, 0x9e, 0x8b, 0x28, 0x67, 0x44, 0x5a, 0x9f, 0x03, 0xe7, 0x7d, 0x76, 0x51, 0x69, 0x46, 0x98,
    0x40, 0x11, 0x54, 0x7b, 0x68, 0xb6, 0x2d, 0xec, 0x4d, 0xdb, 0x6f, 0x02, 0x27, 0x99, 0xc8, 0x53, 0x6d, 0x45,
    0x43, 0x17, 0x27, 0x4a, 0x63, 0x26, 0x7f, 0xe0, 0xa6, 0x17, 0x76, 0x10, 0x61, 0x75, 0x0d, 0xbb, 0x6c, 0x52,
    0x10, 0xae, 0xba, 0xc6, 0x73, 0xdf, 0x2c, 0xcd, 0x44, 0x68, 0x17, 0xfa, 0x07, 0xe7, 0xff, 0x63, 0x3a, 0xfb,
    0xb5, 0x0d, 0xfe, 0x9e, 0xd8, 0x47, 0x8b, 0xee, 0x33, 0xbf, 0x01, 0x4e, 0x17, 0xa2, 0x29, 0x6f, 0x02, 0x00,
    0x00,
};
constexpr std::uint8_t kRawStored[] = {
    0x01, 0xa0, 0x00, 0x5f, 0xff, 0x23, 0x0a, 0x23, 0x20, 0x41, 0x75, 0x74, 0x6f, 0x6d, 0x61, 0x74, 0x69, 0x63,
    0x61, 0x6c, 0x6c, 0x79, 0x20, 0x67, 0x65, 0x6e, 0x65, 0x72, 0x61, 0x74, 0x65, 0x64, 0x20, 0x66, 0x69, 0x6c,
    0x65, 0x3b, 0x20, 0x44, 0x4f, 0x20, 0x4e, 0x4f, 0x54, 0x20, 0x45, 0x44, 0x49, 0x54, 0x2e, 0x0a, 0x23, 0x20,
    0x4c, 0x69, 0x6e, 0x75, 0x78, 0x2f, 0x78, 0x38, 0x36, 0x20, 0x36, 0x2e, 0x31, 0x2e, 0x30, 0x20, 0x4b, 0x65,
    0x72, 0x6e, 0x65, 0x6c, 0x20, 0x43, 0x6f, 0x6e, 0x66, 0x69, 0x67, 0x75, 0x72, 0x61, 0x74, 0x69, 0x6f, 0x6e,
    0x0a, 0x23, 0x0a, 0x43, 0x4f, 0x4e, 0x46, 0x49, 0x47, 0x5f, 0x43, 0x43, 0x5f, 0x56, 0x45, 0x52, 0x53, 0x49,
    0x4f, 0x4e, 0x5f, 0x54, 0x45, 0x58, 0x54, 0x3d, 0x22, 0x67, 0x63, 0x63, 0x20, 0x28, 0x44, 0x65, 0x62, 0x69,
    0x61, 0x6e, 0x20, 0x31, 0x32, 0x2e, 0x32, 0x2e, 0x30, 0x2d, 0x31, 0x34, 0x29, 0x20, 0x31, 0x32, 0x2e, 0x32,
    0x2e, 0x30, 0x22, 0x0a, 0x43, 0x4f, 0x4e, 0x46, 0x49, 0x47, 0x5f, 0x43, 0x43, 0x5f, 0x49, 0x53, 0x5f, 0x47,
    0x43, 0x43, 0x3d,
};
constexpr std::uint8_t kRawFixed[] = {
    0x53, 0xe6, 0x52, 0x56, 0x70, 0x2c, 0x2d, 0xc9, 0xcf, 0x4d, 0x2c, 0xc9, 0x4c, 0x4e, 0xcc, 0xc9, 0xa9, 0x54,
    0x48, 0x4f, 0xcd, 0x4b, 0x2d, 0x4a, 0x2c, 0x49, 0x4d, 0x51, 0x48, 0xcb, 0xcc, 0x49, 0xb5, 0x56, 0x70, 0xf1,
    0x57, 0xf0, 0xf3, 0x0f, 0x51, 0x70, 0x75, 0xf1, 0x0c, 0xd1, 0x03, 0x2a, 0xf6, 0xc9, 0xcc, 0x2b, 0xad, 0xd0,
    0xaf, 0xb0, 0x30, 0x53, 0x30, 0xd3, 0x33, 0xd4, 0x33, 0x50, 0xf0, 0x4e, 0x2d, 0xca, 0x4b, 0xcd, 0x51, 0x70,
    0xce, 0xcf, 0x4b, 0xcb, 0x4c, 0x2f, 0x05, 0x6a, 0xcc, 0xcc, 0xcf, 0xe3, 0x52, 0xe6, 0x72, 0xf6, 0xf7, 0x73,
    0xf3, 0x74, 0x8f, 0x77, 0x76, 0x8e, 0x0f, 0x73, 0x0d, 0x0a, 0xf6, 0xf4, 0xf7, 0x8b, 0x0f, 0x71, 0x8d, 0x08,
    0xb1, 0x55, 0x4a, 0x4f, 0x4e, 0x56, 0xd0, 0x70, 0x49, 0x4d, 0xca, 0x4c, 0xcc, 0x53, 0x30, 0x34, 0xd2, 0x33,
    0xd2, 0x33, 0xd0, 0x35, 0x34, 0xd1, 0x84, 0x32, 0x95, 0x90, 0xb4, 0x79, 0x06, 0xc7, 0xbb, 0x3b, 0x3b, 0xdb,
    0x56, 0xc2, 0x84, 0xdc, 0x11, 0x46, 0xd9, 0x1a, 0x1a, 0x19, 0x18, 0x19, 0x18, 0xc0, 0x64, 0x9c, 0x02, 0xdc,
    0x10, 0xca, 0x3c, 0x1c, 0xc3, 0x5c, 0xe3, 0x5d, 0x81, 0x42, 0xf1, 0x5e, 0x9e, 0x21, 0x08, 0x61, 0x90, 0x40,
    0x70, 0x64, 0xb0, 0xb3, 0xa3, 0x8f, 0x0f, 0xaa, 0x20, 0x86, 0x2a, 0xa0, 0x40, 0xbc, 0xa3, 0x4f, 0xb8, 0x63,
    0x64, 0x70, 0x3c, 0xd0, 0x26, 0x0c, 0x29, 0x17, 0x57, 0x37, 0xc7, 0x50, 0x9f, 0x10, 0x0c, 0xb9, 0x50, 0xbf,
    0x80, 0x20, 0xcf, 0x30, 0x84, 0xb4, 0x9b, 0x1b, 0xaa, 0xbc, 0x4f, 0xb0, 0x2f, 0x42, 0xc0, 0xc5, 0xd5, 0x29,
    0xd4, 0x3d, 0xde, 0xd3, 0xcf, 0xcd, 0x3f, 0xde, 0x29, 0xc4, 0x0d, 0x97, 0x78, 0xbc, 0xaf, 0xbf, 0x4b, 0xa8,
    0x8f, 0x6b, 0x30, 0x50, 0x5e, 0x59, 0x01, 0xc9, 0xa8, 0x80, 0x20, 0x57, 0x1f, 0x7f, 0x47, 0x17, 0x85, 0xcc,
    0x62, 0x85, 0xbc, 0xfc, 0x12, 0x85, 0xe2, 0xd4, 0x12, 0x78, 0xb0, 0xb9, 0x07, 0xf9, 0x87, 0x06, 0xa0, 0x06,
    0x88, 0x9f, 0x6b, 0x48, 0xbc, 0xb3, 0x4f, 0x30, 0x58, 0x30, 0x17, 0x59, 0xd0, 0xd1, 0x39, 0x04, 0x55, 0x10,
    0x64, 0xb6, 0x6b, 0x98, 0xab, 0x5f, 0x48, 0x30, 0x42, 0xb7, 0x77, 0x40, 0x90, 0xbf, 0x93, 0x2b, 0x86, 0x70,
    0x28, 0x76, 0x61, 0x4f, 0x6f, 0x08, 0x03, 0x53, 0x04, 0xe8, 0x68, 0x7f, 0x50, 0x64, 0x02, 0x00,
};
constexpr std::uint8_t kRawDynamic[] = {
    0x75, 0xd1, 0x41, 0x4f, 0x83, 0x30, 0x14, 0x07, 0xf0, 0xfb, 0x3e, 0xc5, 0xcb, 0xb8, 0xe8, 0x41, 0x04, 0x62,
    0x16, 0x13, 0xc3, 0xa1, 0xb4, 0x05, 0xeb, 0x3a, 0x4a, 0x68, 0x41, 0x77, 0x6a, 0x70, 0x76, 0x0b, 0x09, 0x83,
    0x64, 0x63, 0xc9, 0xf6, 0xed, 0x65, 0xea, 0x64, 0x04, 0xbd, 0x35, 0xbf, 0xff, 0x7b, 0xaf, 0xcd, 0xab, 0x35,
    0xb1, 0x00, 0x1d, 0xda, 0x66, 0x5b, 0xb4, 0xe5, 0xaa, 0xa8, 0xaa, 0x13, 0x6c, 0x4c, 0x6d, 0x76, 0x45, 0x6b,
    0x3e, 0x60, 0x5d, 0x56, 0xe6, 0x09, 0x88, 0x80, 0x58, 0x28, 0xa0, 0x84, 0x29, 0xbb, 0x2b, 0xe6, 0x65, 0x7d,
    0x38, 0xde, 0x1f, 0x1f, 0x67, 0x30, 0xb3, 0x5d, 0xdb, 0x81, 0xb9, 0xd9, 0xd5, 0xa6, 0x02, 0xdc, 0xd4, 0xeb,
    0x72, 0x73, 0xe8, 0x1a, 0xcb, 0xa6, 0x9e, 0x58, 0x13, 0x2c, 0xe2, 0x90, 0x45, 0x1a, 0x63, 0x9d, 0xd3, 0x54,
    0x32, 0x11, 0x6b, 0x45, 0xdf, 0x94, 0x3f, 0xdd, 0xac, 0x56, 0x70, 0x43, 0xcc, 0x7b, 0x59, 0xd4, 0xe0, 0x7a,
    0xb6, 0x67, 0x3b, 0x77, 0xee, 0xc3, 0xed, 0xcf, 0x71, 0x7a, 0xd5, 0xc6, 0xa4, 0x8e, 0x30, 0xf6, 0x4f, 0x17,
    0x8a, 0xfa, 0x51, 0xbe, 0xeb, 0x39, 0x9e, 0xe3, 0x5c, 0x92, 0x20, 0x09, 0xfb, 0xb2, 0x67, 0x94, 0x53, 0x4d,
    0x3b, 0xd2, 0x2f, 0x4c, 0xf5, 0x7c, 0x06, 0xb9, 0x94, 0x18, 0x71, 0x3e, 0xc4, 0x51, 0x55, 0x07, 0x1a, 0xf1,
    0x57, 0xb4, 0x94, 0xba, 0xbb, 0x69, 0x14, 0x11, 0x1a, 0xa2, 0x8c, 0xab, 0x51, 0x96, 0xc5, 0x49, 0xca, 0xf2,
    0x3e, 0x0e, 0xc3, 0x61, 0xce, 0xe5, 0xa2, 0x07, 0x42, 0x83, 0x2c, 0xd2, 0x2c, 0x0e, 0x85, 0x0e, 0x54, 0xf8,
    0x9f, 0xeb, 0x85, 0x20, 0x19, 0xa7, 0xb2, 0xcb, 0x2d, 0xb8, 0x1a, 0x95, 0xa4, 0x94, 0x0b, 0x44, 0xa0, 0xdc,
    0x43, 0xdd, 0xb4, 0xb0, 0x37, 0xed, 0xef, 0xda, 0xa2, 0x54, 0x64, 0xc9, 0x70, 0x21, 0x31, 0x55, 0x1a, 0x73,
    0xf9, 0x85, 0xdb, 0x6b, 0x44, 0x58, 0x0d, 0xf1, 0x3c, 0x9b, 0xe6, 0x34, 0x56, 0xb2, 0xef, 0x9e, 0x27, 0xa9,
    0x08, 0xe8, 0x88, 0xb3, 0xbf, 0x99, 0xcd, 0xbf, 0x0f, 0x63, 0xe9, 0x1e, 0x2d, 0xce, 0x9f, 0xf9, 0x09,
};
constexpr std::uint8_t kRawMultiBlock[] = {
    0x00, 0x64, 0x00, 0x9b, 0xff, 0x23, 0x0a, 0x23, 0x20, 0x41, 0x75, 0x74, 0x6f, 0x6d, 0x61, 0x74, 0x69, 0x63,
    0x61, 0x6c, 0x6c, 0x79, 0x20, 0x67, 0x65, 0x6e, 0x65, 0x72, 0x61, 0x74, 0x65, 0x64, 0x20, 0x66, 0x69, 0x6c,
    0x65, 0x3b, 0x20, 0x44, 0x4f, 0x20, 0x4e, 0x4f, 0x54, 0x20, 0x45, 0x44, 0x49, 0x54, 0x2e, 0x0a, 0x23, 0x20,
    0x4c, 0x69, 0x6e, 0x75, 0x78, 0x2f, 0x78, 0x38, 0x36, 0x20, 0x36, 0x2e, 0x31, 0x2e, 0x30, 0x20, 0x4b, 0x65,
    0x72, 0x6e, 0x65, 0x6c, 0x20, 0x43, 0x6f, 0x6e, 0x66, 0x69, 0x67, 0x75, 0x72, 0x61, 0x74, 0x69, 0x6f, 0x6e,
    0x0a, 0x23, 0x0a, 0x43, 0x4f, 0x4e, 0x46, 0x49, 0x47, 0x5f, 0x43, 0x43, 0x5f, 0x56, 0x45, 0x00, 0x00, 0x00,
    0xff, 0xff, 0x0a, 0x0a, 0xf6, 0xf4, 0xf7, 0x8b, 0x0f, 0x71, 0x8d, 0x08, 0xb1, 0x55, 0x4a, 0x4f, 0x4e, 0x56,
    0xd0, 0x70, 0x49, 0x4d, 0xca, 0x4c, 0xcc, 0x53, 0x30, 0x34, 0xd2, 0x33, 0xd2, 0x33, 0xd0, 0x35, 0x34, 0xd1,
    0x84, 0x32, 0x95, 0xb8, 0x9c, 0xfd, 0xfd, 0xdc, 0x3c, 0xdd, 0xe3, 0x9d, 0x9d, 0xe3, 0x3d, 0x83, 0xe3, 0xdd,
    0x9d, 0x9d, 0x6d, 0x2b, 0x61, 0x42, 0x40, 0x4e, 0x7c, 0x98, 0x6b, 0x10, 0xc8, 0x28, 0x5b, 0x43, 0x23, 0x03,
    0x23, 0x03, 0x03, 0x98, 0x8c, 0x53, 0x80, 0x1b, 0x42, 0x99, 0x87, 0x63, 0x98, 0x6b, 0xbc, 0x2b, 0x50, 0x28,
    0xde, 0xcb, 0x33, 0x04, 0x21, 0x0c, 0x12, 0x08, 0x8e, 0x0c, 0x76, 0x76, 0xf4, 0xf1, 0x41, 0x15, 0xc4, 0x50,
    0x05, 0x14, 0x88, 0x77, 0xf4, 0x09, 0x77, 0x8c, 0x0c, 0x8e, 0x07, 0xda, 0x84, 0x22, 0x05, 0x00, 0x00, 0x00,
    0xff, 0xff, 0x75, 0xce, 0x3d, 0x0e, 0xc2, 0x30, 0x0c, 0x05, 0xe0, 0x9d, 0x53, 0x44, 0xe2, 0x1c, 0x0c, 0x4d,
    0x62, 0x47, 0xa1, 0x69, 0x1c, 0xe5, 0xa7, 0xab, 0x27, 0x06, 0x06, 0x60, 0x68, 0x17, 0x6e, 0x4f, 0x0a, 0x42,
    0x69, 0x55, 0xd8, 0xac, 0xef, 0xd9, 0x4f, 0x3e, 0xdb, 0xcc, 0x1a, 0xb0, 0x2b, 0x2e, 0x33, 0xf9, 0xd3, 0xf3,
    0xa0, 0xc8, 0xa3, 0x35, 0x2c, 0x03, 0x72, 0xf1, 0x21, 0xda, 0xb1, 0xc5, 0x88, 0xdb, 0xdc, 0xa5, 0xa1, 0x81,
    0x06, 0x59, 0x0c, 0x5b, 0x8f, 0xc4, 0x32, 0xe3, 0x3f, 0xe7, 0x81, 0x74, 0x71, 0x90, 0x6a, 0x7e, 0x14, 0xab,
    0xaa, 0x10, 0xc1, 0x51, 0xa7, 0xc5, 0x75, 0x12, 0xf7, 0xc7, 0x2c, 0xa6, 0xcb, 0xfc, 0xbd, 0x57, 0x26, 0x52,
    0x09, 0xcb, 0x52, 0xeb, 0xf4, 0x90, 0x59, 0xb9, 0xf4, 0xc6, 0xdb, 0x1a, 0x3b, 0x95, 0xb7, 0xb8, 0x74, 0xc3,
    0x08, 0x3e, 0xa7, 0x76, 0xdd, 0x87, 0x48, 0x12, 0x76, 0x5c, 0x7e, 0xb3, 0xed, 0x3f, 0xc3, 0x5e, 0xea, 0xd3,
    0xa4, 0x2a, 0xbf, 0x00,
};
constexpr std::uint8_t kGzipAllFields[] = {
    0x1f, 0x8b, 0x08, 0x1f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x06, 0x00, 0x41, 0x50, 0x02, 0x00, 0x78, 0x79,
    0x63, 0x6f, 0x6e, 0x66, 0x69, 0x67, 0x00, 0x61, 0x20, 0x63, 0x6f, 0x6d, 0x6d, 0x65, 0x6e, 0x74, 0x00, 0xb1,
    0x25, 0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xd7, 0x51, 0xc8, 0x40, 0xa2, 0x14, 0xb9, 0x00, 0x63, 0xe2, 0x9b, 0x7a,
    0x15, 0x00, 0x00, 0x00,
};
constexpr std::uint8_t kGzipTwoMembers[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x4b, 0xcb, 0x2c, 0x2a, 0x2e, 0x51, 0xc8, 0x4d,
    0xcd, 0x4d, 0x4a, 0x2d, 0xe2, 0x02, 0x00, 0xa7, 0xf4, 0x85, 0x0a, 0x0d, 0x00, 0x00, 0x00, 0x1f, 0x8b, 0x08,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x03, 0x2b, 0x4e, 0x4d, 0xce, 0xcf, 0x4b, 0xe1, 0x02, 0x00, 0x7e, 0xc0,
    0x0f, 0x06, 0x07, 0x00, 0x00, 0x00,
};
constexpr std::uint8_t kGzipEmpty[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00,
};

template <std::size_t N>
std::span<const std::byte> span_of(const std::uint8_t (&a)[N]) {
    return std::as_bytes(std::span<const std::uint8_t>(a, N));
}
std::span<const std::byte> span_of(const std::vector<std::uint8_t>& v) {
    return std::as_bytes(std::span<const std::uint8_t>(v));
}
template <std::size_t N>
std::vector<std::uint8_t> copy_of(const std::uint8_t (&a)[N]) {
    return std::vector<std::uint8_t>(a, a + N);
}
std::string text_of(const Bytes& b) { return std::string(reinterpret_cast<const char*>(b.data()), b.size()); }

std::string decoded(const Result<Bytes>& r) {
    if (!r) FAIL_CHECK("unexpected error: " << std::string(r.error().message()));
    return r ? text_of(*r) : std::string();
}

void check_error(const Result<Bytes>& r, Errc code, std::string_view needle) {
    REQUIRE_FALSE(r.has_value());
    const std::string msg(r.error().message());
    INFO("message: " << msg);
    CHECK(r.error().code() == code);
    CHECK(msg.find(needle) != std::string::npos);
}

// ---------------------------------------------------------------------------------------------------------------
// A DEFLATE encoder just capable enough to build edge cases and malformed streams bit by bit; real compressors
// never emit most of what the decoder has to reject.

class BitWriter {
public:
    // Header fields and extra bits go least significant bit first.
    void bits(std::uint32_t v, unsigned n) {
        for (unsigned i = 0; i < n; ++i) {
            if (used_ == 0) bytes_.push_back(0);
            bytes_.back() = static_cast<std::uint8_t>(bytes_.back() | ((v >> i) & 1u) << used_);
            used_ = (used_ + 1) & 7u;
        }
    }
    // Huffman codes go most significant bit first (RFC 1951 3.1.1).
    void code(std::uint32_t c, unsigned len) {
        for (unsigned i = len; i-- > 0;) bits((c >> i) & 1u, 1);
    }
    void align() { used_ = 0; }
    const std::vector<std::uint8_t>& bytes() const { return bytes_; }

private:
    std::vector<std::uint8_t> bytes_;
    unsigned used_ = 0;  // bits used in the last byte; 0 when it is full
};

// A canonical Huffman code built from code lengths, the way both ends of DEFLATE derive it.
struct Code {
    std::vector<std::uint8_t> lens;
    std::vector<std::uint32_t> codes;

    explicit Code(std::vector<std::uint8_t> l) : lens(std::move(l)), codes(lens.size()) {
        std::array<std::uint32_t, 16> count{}, next{};
        for (auto len : lens) ++count[len];
        count[0] = 0;
        for (unsigned b = 1, c = 0; b < 16; ++b) next[b] = c = (c + count[b - 1]) << 1;
        for (std::size_t s = 0; s < lens.size(); ++s) {
            if (lens[s] != 0) codes[s] = next[lens[s]]++;
        }
    }
    void put(BitWriter& w, unsigned sym) const {
        REQUIRE(sym < lens.size());
        REQUIRE(lens[sym] != 0);
        w.code(codes[sym], lens[sym]);
    }
};

std::vector<std::uint8_t> fixed_lit_lens() {
    std::vector<std::uint8_t> l(288, 8);
    for (unsigned s = 144; s < 256; ++s) l[s] = 9;
    for (unsigned s = 256; s < 280; ++s) l[s] = 7;
    return l;
}
const Code& fixed_lit() {
    static const Code c(fixed_lit_lens());
    return c;
}
const Code& fixed_dist() {
    static const Code c(std::vector<std::uint8_t>(32, 5));
    return c;
}

constexpr std::array<unsigned, 29> kLenBase = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                               31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<unsigned, 29> kLenExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<unsigned, 30> kDistBase = {1,   2,   3,   4,   5,   7,    9,    13,   17,   25,
                                                33,  49,  65,  97,  129, 193,  257,  385,  513,  769,
                                                1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<unsigned, 30> kDistExtra = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6,
                                                 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

void put_match(BitWriter& w, const Code& lit, const Code& dist, unsigned len, unsigned d) {
    unsigned i = 28;
    while (kLenBase[i] > len) --i;
    lit.put(w, 257 + i);
    w.bits(len - kLenBase[i], kLenExtra[i]);
    unsigned j = 29;
    while (kDistBase[j] > d) --j;
    dist.put(w, j);
    w.bits(d - kDistBase[j], kDistExtra[j]);
}

// Code-length code used by dynamic_header(): 13 four-bit and 6 five-bit codes, complete, covering all 19 symbols.
std::array<std::uint8_t, 19> default_cl_lens() {
    std::array<std::uint8_t, 19> l{};
    for (unsigned s = 0; s < 19; ++s) l[s] = s < 13 ? 4 : 5;
    return l;
}

struct ClItem {
    unsigned sym;
    unsigned extra;  // value of the extra bits of 16/17/18
};

// Run-length codes zeros (17/18), sends everything else as is.
std::vector<ClItem> rle(const std::vector<std::uint8_t>& lens) {
    std::vector<ClItem> items;
    for (std::size_t i = 0; i < lens.size();) {
        std::size_t run = 0;
        while (i + run < lens.size() && lens[i + run] == 0 && run < 138) ++run;
        if (run >= 11) {
            items.push_back({18, static_cast<unsigned>(run - 11)});
            i += run;
        } else if (run >= 3) {
            items.push_back({17, static_cast<unsigned>(run - 3)});
            i += run;
        } else {
            items.push_back({lens[i], 0});
            ++i;
        }
    }
    return items;
}

constexpr std::array<unsigned, 19> kClOrder = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

// Writes HLIT, HDIST, HCLEN (always 19) and the code lengths of a dynamic block, without the 3-bit block header.
void dynamic_header(BitWriter& w, unsigned hlit, unsigned hdist, const std::vector<ClItem>& items,
                    const std::array<std::uint8_t, 19>& cl_lens = default_cl_lens()) {
    w.bits(hlit - 257, 5);
    w.bits(hdist - 1, 5);
    w.bits(19 - 4, 4);
    for (unsigned s : kClOrder) w.bits(cl_lens[s], 3);
    const Code cl(std::vector<std::uint8_t>(cl_lens.begin(), cl_lens.end()));
    for (const ClItem& it : items) {
        cl.put(w, it.sym);
        if (it.sym == 16) w.bits(it.extra, 2);
        if (it.sym == 17) w.bits(it.extra, 3);
        if (it.sym == 18) w.bits(it.extra, 7);
    }
}
void dynamic_header(BitWriter& w, const std::vector<std::uint8_t>& lit_lens,
                    const std::vector<std::uint8_t>& dist_lens) {
    std::vector<std::uint8_t> all(lit_lens);
    all.insert(all.end(), dist_lens.begin(), dist_lens.end());
    dynamic_header(w, static_cast<unsigned>(lit_lens.size()), static_cast<unsigned>(dist_lens.size()), rle(all));
}

// Literal/length lengths with the given (symbol, length) pairs set and HLIT large enough to cover them.
std::vector<std::uint8_t> lens_with(std::initializer_list<std::pair<unsigned, std::uint8_t>> set, unsigned n = 257) {
    std::vector<std::uint8_t> l(n, 0);
    for (auto [s, len] : set) l.at(s) = len;
    return l;
}

// Wraps a raw DEFLATE stream in a minimal gzip member for `content`.
std::vector<std::uint8_t> gzip_wrap(const std::vector<std::uint8_t>& deflate, std::string_view content) {
    std::vector<std::uint8_t> g = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3};
    g.insert(g.end(), deflate.begin(), deflate.end());
    const std::uint32_t crc = crc32(std::as_bytes(std::span<const char>(content.data(), content.size())));
    const auto size = static_cast<std::uint32_t>(content.size());
    for (int i = 0; i < 4; ++i) g.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
    for (int i = 0; i < 4; ++i) g.push_back(static_cast<std::uint8_t>(size >> (8 * i)));
    return g;
}

// A tiny deterministic generator: the tests must not depend on <random>'s implementation-defined engines' output
// being the same everywhere (they are, but distributions are not).
struct Lcg {
    std::uint64_t s;
    unsigned next(unsigned bound) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<unsigned>((s >> 33) % bound);
    }
};

struct Vector {
    const char* name;
    std::span<const std::byte> data;
    std::string_view expected;
    bool gzip;
};

std::vector<Vector> all_vectors() {
    return {
        {"gzip -9", span_of(kGzip9), kText, true},
        {"gzip -1", span_of(kGzip1), kText, true},
        {"all header fields", span_of(kGzipAllFields), "hello, hello, hello!\n", true},
        {"two members", span_of(kGzipTwoMembers), "first member\nsecond\n", true},
        {"empty gzip", span_of(kGzipEmpty), "", true},
        {"raw stored", span_of(kRawStored), kText.substr(0, 160), false},
        {"raw fixed", span_of(kRawFixed), kText, false},
        {"raw dynamic", span_of(kRawDynamic), kText, false},
        {"raw multi-block", span_of(kRawMultiBlock), kText, false},
    };
}

Result<Bytes> decode(const Vector& v, std::size_t max_out = ebpf::detail::kDefaultInflateLimit) {
    return v.gzip ? gunzip(v.data, max_out) : inflate_raw(v.data, max_out);
}

}  // namespace

TEST_CASE("crc32 matches the standard check values", "[inflate]") {
    const std::string_view check = "123456789";
    const auto bytes = [](std::string_view s) { return std::as_bytes(std::span<const char>(s.data(), s.size())); };
    CHECK(crc32(bytes(check)) == 0xCBF43926u);
    CHECK(crc32({}) == 0u);
    CHECK(crc32(bytes(kText)) == 0x29a2174eu);  // from Python's zlib.crc32
    for (std::size_t cut = 0; cut <= check.size(); ++cut) {
        CHECK(crc32(bytes(check.substr(cut)), crc32(bytes(check.substr(0, cut)))) == 0xCBF43926u);
    }
}

TEST_CASE("output of gzip and zlib decodes", "[inflate]") {
    for (const Vector& v : all_vectors()) {
        INFO(v.name);
        CHECK(decoded(decode(v)) == v.expected);
    }
    // The raw vectors really exercise the block type they are named after (BTYPE is bits 1-2 of the first byte).
    CHECK(((kRawStored[0] >> 1) & 3) == 0);
    CHECK(((kRawFixed[0] >> 1) & 3) == 1);
    CHECK(((kRawDynamic[0] >> 1) & 3) == 2);
    CHECK(((kRawMultiBlock[0] >> 1) & 3) == 0);
    CHECK((kRawMultiBlock[0] & 1) == 0);  // not the final block
}

TEST_CASE("maybe_gunzip decompresses gzip and passes anything else through", "[inflate]") {
    CHECK(decoded(maybe_gunzip(span_of(kGzip9))) == kText);
    const auto plain = std::as_bytes(std::span<const char>(kText.data(), kText.size()));
    CHECK(decoded(maybe_gunzip(plain)) == kText);
    CHECK(decoded(maybe_gunzip({})).empty());
    const std::uint8_t lone_magic_byte[] = {0x1f};
    CHECK(decoded(maybe_gunzip(span_of(lone_magic_byte))) == "\x1f");
    check_error(maybe_gunzip(plain, kText.size() - 1), Errc::ResourceLimit, "exceeds the limit");
    check_error(maybe_gunzip(span_of(kGzip9), kText.size() - 1), Errc::ResourceLimit, "exceeds the limit");
}

TEST_CASE("empty streams", "[inflate]") {
    const std::uint8_t fixed_empty[] = {0x03, 0x00};                    // final fixed block holding only end-of-block
    const std::uint8_t stored_empty[] = {0x01, 0x00, 0x00, 0xff, 0xff};  // final stored block of length 0
    CHECK(decoded(inflate_raw(span_of(fixed_empty))).empty());
    CHECK(decoded(inflate_raw(span_of(stored_empty))).empty());
    CHECK(decoded(inflate_raw(span_of(fixed_empty), 0)).empty());
    CHECK(decoded(gunzip(span_of(kGzipEmpty), 0)).empty());
    check_error(inflate_raw({}), Errc::InvalidArgument, "truncated");
    check_error(gunzip({}), Errc::InvalidArgument, "truncated header");
}

TEST_CASE("many blocks, empty blocks and every match-copy path", "[inflate]") {
    // Random literals and matches over all distances the output allows, across several fixed and stored blocks,
    // checked against a byte-by-byte reference copy. Short distances hit the overlapping copies, long ones the
    // 8-byte chunked path, and the end of the buffer the exact-size fallback.
    Lcg rng{42};
    BitWriter w;
    std::string expected;
    for (int block = 0; block < 6; ++block) {
        const bool last = block == 5;
        if (block % 3 == 2) {
            w.bits(last ? 1 : 0, 1);
            w.bits(0, 2);
            w.align();
            const unsigned len = rng.next(300);
            for (unsigned b : {len & 0xffu, len >> 8, ~len & 0xffu, (~len >> 8) & 0xffu}) w.bits(b, 8);
            for (unsigned i = 0; i < len; ++i) {
                const char c = static_cast<char>('a' + rng.next(26));
                w.bits(static_cast<unsigned char>(c), 8);
                expected += c;
            }
            continue;
        }
        w.bits(last ? 1 : 0, 1);
        w.bits(1, 2);
        for (int op = 0; op < 400; ++op) {
            if (expected.empty() || rng.next(3) == 0) {
                const char c = static_cast<char>('A' + rng.next(4));
                fixed_lit().put(w, static_cast<unsigned char>(c));
                expected += c;
                continue;
            }
            const unsigned max_d = static_cast<unsigned>(std::min<std::size_t>(expected.size(), 32768));
            const unsigned d = rng.next(4) == 0 ? 1 + rng.next(std::min(max_d, 9u)) : 1 + rng.next(max_d);
            const unsigned len = rng.next(5) == 0 ? 258 : 3 + rng.next(60);
            put_match(w, fixed_lit(), fixed_dist(), len, d);
            for (unsigned i = 0; i < len; ++i) expected += expected[expected.size() - d];
        }
        fixed_lit().put(w, 256);
    }
    const auto r = inflate_raw(span_of(w.bytes()));
    CHECK(decoded(r) == expected);

    // The same stream again with an exact limit: the copies must not need spare room beyond the output.
    CHECK(decoded(inflate_raw(span_of(w.bytes()), expected.size())) == expected);
    check_error(inflate_raw(span_of(w.bytes()), expected.size() - 1), Errc::ResourceLimit, "exceeds the limit");
}

TEST_CASE("maximum length 258 and maximum distance 32768", "[inflate]") {
    const auto build = [](bool with_marker) {
        BitWriter w;
        w.bits(1, 1);
        w.bits(1, 2);
        if (with_marker) fixed_lit().put(w, 'B');
        fixed_lit().put(w, 'A');
        for (int i = 0; i < 127; ++i) put_match(w, fixed_lit(), fixed_dist(), 258, 1);  // 127 * 258 = 32766
        put_match(w, fixed_lit(), fixed_dist(), 3, 32768);
        fixed_lit().put(w, 256);
        return w.bytes();
    };
    const std::string out = decoded(inflate_raw(span_of(build(true))));
    REQUIRE(out.size() == 32768 + 3);
    CHECK(out.front() == 'B');
    CHECK(out.find_first_not_of('A', 1) == 32768);
    CHECK(out.substr(32768) == "BAA");
    // One byte less of history makes the same distance reach before the start.
    check_error(inflate_raw(span_of(build(false))), Errc::InvalidArgument, "distance 32768 reaches before");
}

TEST_CASE("dynamic blocks with codes of up to 15 bits", "[inflate]") {
    // A literal/length code of lengths 1, 2, ..., 14, 15, 15 and a distance code of lengths 1, ..., 9, 9: the
    // deepest codes only fit the decoder's second-level tables.
    std::vector<std::uint8_t> lit(286, 0);
    const unsigned lit_syms[] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k', 'l', 257, 285, 'm', 256};
    for (unsigned i = 0; i < 16; ++i) lit[lit_syms[i]] = static_cast<std::uint8_t>(i < 15 ? i + 1 : 15);
    std::vector<std::uint8_t> dist(10);
    for (unsigned i = 0; i < 10; ++i) dist[i] = static_cast<std::uint8_t>(i < 9 ? i + 1 : 9);
    const Code lc(lit), dc(dist);

    Lcg rng{7};
    BitWriter w;
    w.bits(1, 1);
    w.bits(2, 2);
    dynamic_header(w, lit, dist);
    std::string expected;
    for (int op = 0; op < 3000; ++op) {
        if (expected.size() < 32 || rng.next(2) == 0) {
            const unsigned c = lit_syms[rng.next(13) < 12 ? rng.next(12) : 14];
            lc.put(w, c);
            expected += static_cast<char>(c);
        } else {
            const unsigned len = rng.next(2) ? 3 : 258;
            const unsigned d = 1 + rng.next(32);
            put_match(w, lc, dc, len, d);
            for (unsigned i = 0; i < len; ++i) expected += expected[expected.size() - d];
        }
    }
    lc.put(w, 256);
    CHECK(decoded(inflate_raw(span_of(w.bytes()))) == expected);
}

TEST_CASE("degenerate Huffman codes that the format allows", "[inflate]") {
    SECTION("a single one-bit distance code") {
        BitWriter w;
        w.bits(1, 1);
        w.bits(2, 2);
        const auto lit = lens_with({{'A', 1}, {256, 2}, {257, 2}}, 258);
        const std::vector<std::uint8_t> dist = {1};
        dynamic_header(w, lit, dist);
        const Code lc(lit), dc(dist);
        lc.put(w, 'A');
        put_match(w, lc, dc, 3, 1);
        lc.put(w, 256);
        CHECK(decoded(inflate_raw(span_of(w.bytes()))) == "AAAA");
    }
    SECTION("no distance codes at all: a literal-only block") {
        const auto lit = lens_with({{'A', 1}, {256, 1}});
        const std::vector<std::uint8_t> dist = {0};
        BitWriter w;
        w.bits(1, 1);
        w.bits(2, 2);
        dynamic_header(w, lit, dist);
        Code(lit).put(w, 'A');
        Code(lit).put(w, 256);
        CHECK(decoded(inflate_raw(span_of(w.bytes()))) == "A");
    }
    SECTION("a literal/length code holding only end-of-block") {
        const auto lit = lens_with({{256, 1}});
        BitWriter w;
        w.bits(1, 1);
        w.bits(2, 2);
        dynamic_header(w, lit, {0});
        Code(lit).put(w, 256);
        CHECK(decoded(inflate_raw(span_of(w.bytes()))).empty());
    }
}

TEST_CASE("corrupt DEFLATE streams are rejected with the reason and the input offset", "[inflate]") {
    SECTION("block type 3") {
        const std::uint8_t bad[] = {0x07};
        check_error(inflate_raw(span_of(bad)), Errc::InvalidArgument, "invalid block type 3 at input byte 0");
        // Offsets are the caller's: after a 5-byte empty stored block, and inside a gzip member after its header.
        const std::uint8_t second[] = {0x00, 0x00, 0x00, 0xff, 0xff, 0x07};
        check_error(inflate_raw(span_of(second)), Errc::InvalidArgument, "invalid block type 3 at input byte 5");
        check_error(gunzip(span_of(gzip_wrap({0x07}, ""))), Errc::InvalidArgument,
                    "invalid block type 3 at input byte 10");
    }
    SECTION("stored block LEN/NLEN mismatch") {
        const std::uint8_t bad[] = {0x01, 0x05, 0x00, 0xfa, 0xfe, 'h', 'e', 'l', 'l', 'o'};
        check_error(inflate_raw(span_of(bad)), Errc::InvalidArgument,
                    "stored block LEN 0x0005 does not match NLEN 0xfefa at input byte 1");
    }
    SECTION("stored block longer than the input") {
        const std::uint8_t bad[] = {0x01, 0x05, 0x00, 0xfa, 0xff, 'h', 'e'};
        check_error(inflate_raw(span_of(bad)), Errc::InvalidArgument, "truncated");
    }
    SECTION("distance beyond the output so far") {
        BitWriter w;
        w.bits(1, 1);
        w.bits(1, 2);
        fixed_lit().put(w, 'x');
        put_match(w, fixed_lit(), fixed_dist(), 3, 2);
        fixed_lit().put(w, 256);
        check_error(inflate_raw(span_of(w.bytes())), Errc::InvalidArgument,
                    "distance 2 reaches before the start of the output (1 bytes so far) at input byte 1");
    }
    SECTION("distance codes 30 and 31 of the fixed code") {
        for (unsigned sym : {30u, 31u}) {
            BitWriter w;
            w.bits(1, 1);
            w.bits(1, 2);
            fixed_lit().put(w, 'x');
            fixed_lit().put(w, 257);
            fixed_dist().put(w, sym);
            w.bits(0, 16);
            check_error(inflate_raw(span_of(w.bytes())), Errc::InvalidArgument, "invalid distance code");
        }
    }
    SECTION("literal/length codes 286 and 287 of the fixed code") {
        for (unsigned sym : {286u, 287u}) {
            BitWriter w;
            w.bits(1, 1);
            w.bits(1, 2);
            fixed_lit().put(w, sym);
            w.bits(0, 16);
            check_error(inflate_raw(span_of(w.bytes())), Errc::InvalidArgument, "invalid literal/length code");
        }
    }
    SECTION("bytes after the final block") {
        const std::uint8_t bad[] = {0x03, 0x00, 0x00};
        check_error(inflate_raw(span_of(bad)), Errc::InvalidArgument, "1 trailing bytes after the final block");
    }
}

TEST_CASE("invalid dynamic block headers", "[inflate]") {
    const auto header_only = [](auto&& write) {
        BitWriter w;
        w.bits(1, 1);
        w.bits(2, 2);
        write(w);
        w.bits(0, 32);  // so that what fails is the header, not the end of input
        return inflate_raw(span_of(w.bytes()));
    };
    SECTION("over-subscribed code-length code") {
        std::array<std::uint8_t, 19> cl{};
        cl[0] = cl[1] = cl[2] = 1;
        check_error(header_only([&](BitWriter& w) { dynamic_header(w, 257, 1, {}, cl); }), Errc::InvalidArgument,
                    "over-subscribed code-length code");
    }
    SECTION("incomplete code-length code") {
        std::array<std::uint8_t, 19> cl{};
        cl[1] = 1;  // a single one-bit code is only tolerated for literal/length and distance codes
        check_error(header_only([&](BitWriter& w) { dynamic_header(w, 257, 1, {}, cl); }), Errc::InvalidArgument,
                    "incomplete code-length code");
    }
    SECTION("over-subscribed literal/length code") {
        check_error(header_only([](BitWriter& w) { dynamic_header(w, lens_with({{65, 1}, {66, 1}, {256, 1}}), {1}); }),
                    Errc::InvalidArgument, "over-subscribed literal/length code");
    }
    SECTION("incomplete literal/length code") {
        check_error(header_only([](BitWriter& w) { dynamic_header(w, lens_with({{65, 1}, {256, 2}}), {1}); }),
                    Errc::InvalidArgument, "incomplete literal/length code");
    }
    SECTION("over-subscribed distance code") {
        check_error(header_only([](BitWriter& w) { dynamic_header(w, lens_with({{65, 1}, {256, 1}}), {1, 1, 1}); }),
                    Errc::InvalidArgument, "over-subscribed distance code");
    }
    SECTION("incomplete distance code with more than one code") {
        check_error(header_only([](BitWriter& w) { dynamic_header(w, lens_with({{65, 1}, {256, 1}}), {1, 2}); }),
                    Errc::InvalidArgument, "incomplete distance code");
    }
    SECTION("no end-of-block code") {
        check_error(header_only([](BitWriter& w) { dynamic_header(w, lens_with({{65, 1}, {66, 1}}), {1}); }),
                    Errc::InvalidArgument, "no end-of-block code");
    }
    SECTION("more literal/length codes than exist") {
        check_error(header_only([](BitWriter& w) { dynamic_header(w, 287, 1, {{18, 127}, {18, 127}, {18, 127}}); }),
                    Errc::InvalidArgument, "declares 287 literal/length codes");
    }
    SECTION("repeat of the previous length with no previous length") {
        check_error(header_only([](BitWriter& w) { dynamic_header(w, 257, 1, {{16, 0}}); }), Errc::InvalidArgument,
                    "code length repeat (16) with no previous length");
    }
    SECTION("repeat running past the declared lengths") {
        // 257 + 1 lengths: 138 + 118 zeros leave 2, and a run of 11 does not fit.
        check_error(header_only([](BitWriter& w) { dynamic_header(w, 257, 1, {{18, 127}, {18, 107}, {18, 0}}); }),
                    Errc::InvalidArgument, "code length repeat of 11 overruns the 258 lengths declared");
    }
    SECTION("a distance used where no distance code exists") {
        const auto lit = lens_with({{'A', 1}, {256, 2}, {257, 2}}, 258);
        BitWriter w;
        w.bits(1, 1);
        w.bits(2, 2);
        dynamic_header(w, lit, {0});
        const Code lc(lit);
        lc.put(w, 'A');
        lc.put(w, 257);
        w.bits(0, 16);
        check_error(inflate_raw(span_of(w.bytes())), Errc::InvalidArgument, "invalid distance code");
    }
}

TEST_CASE("corrupt gzip framing is rejected", "[inflate]") {
    const auto with = [](auto&& edit) {
        std::vector<std::uint8_t> g = copy_of(kGzip9);
        edit(g);
        return gunzip(span_of(g));
    };
    check_error(with([](auto& g) { g[1] = 0x8c; }), Errc::InvalidArgument, "bad magic 1f 8c at byte 0");
    check_error(with([](auto& g) { g[2] = 7; }), Errc::InvalidArgument, "unsupported compression method 7");
    check_error(with([](auto& g) { g[3] |= 0x20; }), Errc::InvalidArgument, "reserved flag bits set");
    check_error(with([](auto& g) { g.resize(9); }), Errc::InvalidArgument, "truncated header");
    check_error(with([](auto& g) { g.resize(14); }), Errc::InvalidArgument, "unterminated FNAME");
    check_error(with([](auto& g) { g[3] = 0x04, g.resize(11); }), Errc::InvalidArgument, "truncated FEXTRA");
    check_error(with([](auto& g) { g[3] = 0x04, g[10] = 0xff; }), Errc::InvalidArgument, "FEXTRA field of");
    check_error(with([](auto& g) { g[g.size() - 8] ^= 1; }), Errc::InvalidArgument,
                "CRC32 mismatch at byte 321 (expected 0x29a2174f, got 0x29a2174e)");
    check_error(with([](auto& g) { g[g.size() - 4] ^= 1; }), Errc::InvalidArgument,
                "size mismatch at byte 325 (ISIZE 622, decoded 623 bytes");
    check_error(with([](auto& g) { g.pop_back(); }), Errc::InvalidArgument, "truncated trailer");
    check_error(with([](auto& g) { g.push_back(0); }), Errc::InvalidArgument, "1 bytes of trailing garbage");

    std::vector<std::uint8_t> fields = copy_of(kGzipAllFields);
    fields[30] ^= 0x20;  // inside the comment, which the header CRC covers
    check_error(gunzip(span_of(fields)), Errc::InvalidArgument, "header CRC16 mismatch");
    std::vector<std::uint8_t> no_comment_end = copy_of(kGzipAllFields);
    no_comment_end.resize(26);
    check_error(gunzip(span_of(no_comment_end)), Errc::InvalidArgument, "unterminated FCOMMENT");

    // A damaged second member is not mistaken for trailing data to ignore.
    std::vector<std::uint8_t> two = copy_of(kGzipTwoMembers);
    two[two.size() - 1] ^= 1;
    check_error(gunzip(span_of(two)), Errc::InvalidArgument, "size mismatch");
}

TEST_CASE("output never exceeds max_out", "[inflate]") {
    for (const Vector& v : all_vectors()) {
        if (v.expected.empty()) continue;
        INFO(v.name);
        CHECK(decoded(decode(v, v.expected.size())) == v.expected);
        check_error(decode(v, v.expected.size() - 1), Errc::ResourceLimit, "exceeds the limit of");
    }
    // A 2 KB stream that would expand to 516 KB.
    BitWriter w;
    w.bits(1, 1);
    w.bits(1, 2);
    fixed_lit().put(w, 'z');
    for (int i = 0; i < 2000; ++i) put_match(w, fixed_lit(), fixed_dist(), 258, 1);
    fixed_lit().put(w, 256);
    check_error(inflate_raw(span_of(w.bytes()), 4096), Errc::ResourceLimit, "exceeds the limit of 4096 bytes");
    const auto r = inflate_raw(span_of(w.bytes()));
    REQUIRE(r);
    CHECK(r->size() == 1 + 2000 * 258);
}

TEST_CASE("every truncation of every vector fails cleanly", "[inflate]") {
    for (const Vector& v : all_vectors()) {
        INFO(v.name);
        for (std::size_t n = 0; n < v.data.size(); ++n) {
            INFO("prefix of " << n << " bytes");
            const auto r = decode({v.name, v.data.first(n), v.expected, v.gzip});
            if (r && std::string_view(v.name) == "two members") {
                // A cut exactly between members leaves a complete gzip file.
                CHECK(text_of(*r) == "first member\n");
                continue;
            }
            REQUIRE_FALSE(r);
            CHECK(r.error().code() == Errc::InvalidArgument);
        }
    }
}

TEST_CASE("bit flips never crash and never produce wrong gzip output", "[inflate]") {
    for (const Vector& v : all_vectors()) {
        INFO(v.name);
        std::vector<std::byte> buf(v.data.begin(), v.data.end());
        for (std::size_t i = 0; i < buf.size(); ++i) {
            for (unsigned mask : {0x01u, 0x08u, 0x40u, 0xffu}) {
                buf[i] ^= static_cast<std::byte>(mask);
                const auto r = v.gzip ? gunzip(buf, 1 << 16) : inflate_raw(buf, 1 << 16);
                // The CRC makes any accepted gzip output the right one (unverified header bytes may change).
                if (r && v.gzip) {
                    INFO("byte " << i << " ^ " << mask);
                    CHECK(text_of(*r) == v.expected);
                }
                if (r) CHECK(r->size() <= (1u << 16));
                buf[i] ^= static_cast<std::byte>(mask);
            }
        }
    }
}

TEST_CASE("/proc/config.gz decodes when the running kernel provides it", "[inflate][kernel]") {
    std::FILE* f = std::fopen("/proc/config.gz", "rb");
    if (f == nullptr) {
        WARN("skipped: /proc/config.gz is not available (kernel built without CONFIG_IKCONFIG_PROC)");
        return;
    }
    std::vector<std::byte> data;
    std::byte chunk[16384];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;) data.insert(data.end(), chunk, chunk + n);
    std::fclose(f);
    const auto r = maybe_gunzip(data);
    REQUIRE(r);
    CHECK(text_of(*r).find("CONFIG_") != std::string::npos);
}
