// SPDX-License-Identifier: MIT
// Per-command views of union bpf_attr with the kernel's exact layout, so we can use fields newer than the
// UAPI headers we build against (Debian 12: 6.1). attr_check.cpp verifies every offset the system header knows and
// pins the others to the kernel's documented layout; a field newer than 6.1 names the release that added it.
// Commands are sized to what they use, and kernels accept a larger attr whose extra bytes are zero, so adding a
// field here never breaks an older kernel as long as it stays 0.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ebpf::sys {

using u32 = std::uint32_t;
using u64 = std::uint64_t;
using s32 = std::int32_t;

inline u64 ptr_to_u64(const void* p) noexcept { return static_cast<u64>(reinterpret_cast<std::uintptr_t>(p)); }

struct MapCreateAttr {
    u32 map_type, key_size, value_size, max_entries, map_flags, inner_map_fd, numa_node;
    char map_name[16];
    u32 map_ifindex, btf_fd, btf_key_type_id, btf_value_type_id, btf_vmlinux_value_type_id;
    alignas(8) u64 map_extra;
    s32 value_type_btf_obj_fd;  // 6.9, with BPF_F_VTYPE_BTF_OBJ_FD
    s32 map_token_fd;           // 6.9, with BPF_F_TOKEN_FD
};

struct MapElemAttr {
    u32 map_fd;
    alignas(8) u64 key;
    u64 value;  // also next_key
    u64 flags;
};

struct MapBatchAttr {
    u64 in_batch, out_batch, keys, values;
    u32 count, map_fd;
    u64 elem_flags, flags;
};

struct ProgLoadAttr {
    u32 prog_type, insn_cnt;
    u64 insns, license;
    u32 log_level, log_size;
    u64 log_buf;
    u32 kern_version, prog_flags;
    char prog_name[16];
    u32 prog_ifindex, expected_attach_type, prog_btf_fd, func_info_rec_size;
    u64 func_info;
    u32 func_info_cnt, line_info_rec_size;
    u64 line_info;
    u32 line_info_cnt, attach_btf_id;
    u32 attach_prog_fd;  // also attach_btf_obj_fd
    u32 core_relo_cnt;
    u64 fd_array, core_relos;
    u32 core_relo_rec_size, log_true_size;  // log_true_size: 6.4+
    s32 prog_token_fd;                       // 6.9, with BPF_F_TOKEN_FD in prog_flags
    u32 fd_array_cnt;                        // 6.14
};

struct ObjAttr {
    u64 pathname;
    u32 bpf_fd, file_flags;
    s32 path_fd;  // 6.5+, with BPF_F_PATH_FD
};

struct ProgAttachAttr {
    u32 target_fd, attach_bpf_fd, attach_type, attach_flags, replace_bpf_fd;
};

struct TestRunAttr {
    u32 prog_fd, retval, data_size_in, data_size_out;
    u64 data_in, data_out;
    u32 repeat, duration, ctx_size_in, ctx_size_out;
    u64 ctx_in, ctx_out;
    u32 flags, cpu, batch_size;
};

struct GetIdAttr {
    u32 id;  // start_id, prog_id, map_id, btf_id or link_id
    u32 next_id, open_flags;
};

struct InfoAttr {
    u32 bpf_fd, info_len;
    u64 info;
};

struct QueryAttr {
    union {
        u32 target_fd;
        u32 target_ifindex;  // tcx, netkit: 6.6
    };
    u32 attach_type, query_flags, attach_flags;
    u64 prog_ids;
    union {
        u32 prog_cnt;
        u32 count;  // in: room in the arrays, out: programs attached
    };
    alignas(8) u64 prog_attach_flags;  // 6.0
    u64 link_ids, link_attach_flags;   // 6.6 (multi-prog hooks: tcx, netkit)
    u64 revision;                      // 6.6, out: the hook's revision, for expected_revision
};

struct RawTracepointAttr {
    u64 name;
    u32 prog_fd;
    alignas(8) u64 cookie;  // 6.10+
};

struct BtfLoadAttr {
    u64 btf, btf_log_buf;
    u32 btf_size, btf_log_size, btf_log_level, btf_log_true_size;  // btf_log_true_size: 6.4+
    u32 btf_flags;     // 6.9 (BPF_F_TOKEN_FD)
    s32 btf_token_fd;  // 6.9
};

// Per-link-type parts of BPF_LINK_CREATE (declared outside the union: C++ allows no types inside anonymous unions).
// Every u64 is aligned to 8 as in the kernel's 64-bit layout (the 32-bit ABIs we build for, armhf and the 64-bit
// ones, agree; i386 would not for the plain __u64 fields of tracing and tcx).
struct LinkIterOpts {  // BPF_TRACE_ITER, 5.9
    u64 iter_info;     // union bpf_iter_link_info*
    u32 iter_info_len;
};
struct LinkPerfEventOpts {  // BPF_PERF_EVENT, 5.15
    u64 bpf_cookie;
};
struct LinkKprobeMultiOpts {  // BPF_TRACE_KPROBE_MULTI, 5.18 (cookies too)
    u32 flags, cnt;           // flags: BPF_F_KPROBE_MULTI_RETURN
    u64 syms, addrs, cookies;
};
struct LinkTracingOpts {  // fentry/fexit/fmod_ret/lsm/freplace: target_btf_id 5.10, cookie 5.19
    u32 target_btf_id;
    alignas(8) u64 cookie;
};
struct LinkNetfilterOpts {  // BPF_NETFILTER, 6.4
    u32 pf, hooknum;        // NFPROTO_*, NF_INET_*
    s32 priority;
    u32 flags;              // BPF_F_NETFILTER_IP_DEFRAG (6.6)
};
struct LinkTcxOpts {  // BPF_TCX_INGRESS/EGRESS 6.6; the same layout serves netkit (6.7)
    union {
        u32 relative_fd;
        u32 relative_id;  // with BPF_F_ID
    };
    alignas(8) u64 expected_revision;
};
using LinkNetkitOpts = LinkTcxOpts;
struct LinkUprobeMultiOpts {  // BPF_TRACE_UPROBE_MULTI, 6.6
    u64 path, offsets, ref_ctr_offsets, cookies;
    u32 cnt, flags, pid;  // flags: BPF_F_UPROBE_MULTI_RETURN
};

struct LinkCreateAttr {
    union {
        u32 prog_fd;
        u32 map_fd;  // struct_ops links, 6.4
    };
    union {
        u32 target_fd;
        u32 target_ifindex;  // XDP, tcx, netkit
    };
    u32 attach_type, flags;
    union {
        u32 target_btf_id;
        LinkIterOpts iter;
        LinkPerfEventOpts perf_event;
        LinkKprobeMultiOpts kprobe_multi;
        LinkTracingOpts tracing;
        LinkNetfilterOpts netfilter;
        LinkTcxOpts tcx;
        LinkUprobeMultiOpts uprobe_multi;
        LinkNetkitOpts netkit;
    };
};

struct LinkUpdateAttr {
    u32 link_fd, new_prog_fd, flags, old_prog_fd;
};

struct LinkDetachAttr {
    u32 link_fd;
};

struct IterCreateAttr {
    u32 link_fd, flags;
};

struct ProgBindMapAttr {
    u32 prog_fd, map_fd, flags;
};

struct EnableStatsAttr {
    u32 type;
};

struct TokenCreateAttr {  // BPF_TOKEN_CREATE, 6.9
    u32 flags, bpffs_fd;
};

}  // namespace ebpf::sys
