// SPDX-License-Identifier: MIT
// Layouts filled by BPF_OBJ_GET_INFO_BY_FD (struct bpf_{map,prog,btf,link}_info), checked in attr_check.cpp.
#pragma once

#include "sys/attr.hpp"

namespace ebpf::sys {

struct alignas(8) MapInfoRaw {
    u32 type, id, key_size, value_size, max_entries, map_flags;
    char name[16];
    u32 ifindex, btf_vmlinux_value_type_id;
    u64 netns_dev, netns_ino;
    u32 btf_id, btf_key_type_id, btf_value_type_id, pad;
    u64 map_extra;
};

struct alignas(8) ProgInfoRaw {
    u32 type, id;
    unsigned char tag[8];
    u32 jited_prog_len, xlated_prog_len;
    u64 jited_prog_insns, xlated_prog_insns, load_time;
    u32 created_by_uid, nr_map_ids;
    u64 map_ids;
    char name[16];
    u32 ifindex, gpl_compatible;
    u64 netns_dev, netns_ino;
    u32 nr_jited_ksyms, nr_jited_func_lens;
    u64 jited_ksyms, jited_func_lens;
    u32 btf_id, func_info_rec_size;
    u64 func_info;
    u32 nr_func_info, nr_line_info;
    u64 line_info, jited_line_info;
    u32 nr_jited_line_info, line_info_rec_size, jited_line_info_rec_size, nr_prog_tags;
    u64 prog_tags, run_time_ns, run_cnt, recursion_misses;
    u32 verified_insns, attach_btf_obj_id, attach_btf_id, pad;
};

struct alignas(8) BtfInfoRaw {
    u64 btf;
    u32 btf_size, id;
    u64 name;
    u32 name_len, kernel_btf;
};

struct alignas(8) LinkInfoRaw {
    u32 type, id, prog_id;
    alignas(8) unsigned char extra[48];  // per-link-type union, decoded by the link code that needs it
};

}  // namespace ebpf::sys
