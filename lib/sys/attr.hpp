// SPDX-License-Identifier: MIT
// Per-command views of union bpf_attr with the kernel's exact layout, so we can use fields newer than the
// UAPI headers we build against. attr_check.cpp verifies every offset the system header knows.
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
    u32 target_fd, attach_type, query_flags, attach_flags;
    u64 prog_ids;
    u32 prog_cnt;
};

struct RawTracepointAttr {
    u64 name;
    u32 prog_fd;
    alignas(8) u64 cookie;  // 6.10+
};

struct BtfLoadAttr {
    u64 btf, btf_log_buf;
    u32 btf_size, btf_log_size, btf_log_level, btf_log_true_size;  // btf_log_true_size: 6.4+
};

// Per-link-type parts of BPF_LINK_CREATE (declared outside the union: C++ allows no types inside anonymous unions).
struct LinkIterOpts {
    u64 iter_info;
    u32 iter_info_len;
};
struct LinkPerfEventOpts {
    u64 bpf_cookie;
};
struct LinkKprobeMultiOpts {
    u32 flags, cnt;
    u64 syms, addrs, cookies;
};
struct LinkTracingOpts {
    u32 target_btf_id;
    alignas(8) u64 cookie;
};
struct LinkNetfilterOpts {
    u32 pf, hooknum;
    s32 priority;
    u32 flags;
};
struct LinkTcxOpts {
    u32 relative_fd;  // also relative_id
    alignas(8) u64 expected_revision;
};
struct LinkUprobeMultiOpts {
    u64 path, offsets, ref_ctr_offsets, cookies;
    u32 cnt, flags, pid;
};

struct LinkCreateAttr {
    u32 prog_fd;    // also map_fd
    u32 target_fd;  // also target_ifindex
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

}  // namespace ebpf::sys
