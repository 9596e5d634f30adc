// SPDX-License-Identifier: MIT
// Compile-time proof that our attr structs and enums match the system UAPI header for every field it has.
#include <linux/bpf.h>

#include <ebpf/types.hpp>

#include "sys/attr.hpp"

namespace ebpf::sys {

#define EBPF_SAME_OFFSET(ours, field, theirs) \
    static_assert(offsetof(ours, field) == offsetof(union bpf_attr, theirs), #ours "." #field)

EBPF_SAME_OFFSET(MapCreateAttr, map_type, map_type);
EBPF_SAME_OFFSET(MapCreateAttr, map_name, map_name);
EBPF_SAME_OFFSET(MapCreateAttr, map_ifindex, map_ifindex);
EBPF_SAME_OFFSET(MapCreateAttr, btf_vmlinux_value_type_id, btf_vmlinux_value_type_id);
EBPF_SAME_OFFSET(MapCreateAttr, map_extra, map_extra);
EBPF_SAME_OFFSET(MapElemAttr, key, key);
EBPF_SAME_OFFSET(MapElemAttr, value, value);
EBPF_SAME_OFFSET(MapElemAttr, flags, flags);
EBPF_SAME_OFFSET(MapBatchAttr, count, batch.count);
EBPF_SAME_OFFSET(MapBatchAttr, flags, batch.flags);
EBPF_SAME_OFFSET(ProgLoadAttr, log_buf, log_buf);
EBPF_SAME_OFFSET(ProgLoadAttr, prog_name, prog_name);
EBPF_SAME_OFFSET(ProgLoadAttr, expected_attach_type, expected_attach_type);
EBPF_SAME_OFFSET(ProgLoadAttr, func_info, func_info);
EBPF_SAME_OFFSET(ProgLoadAttr, line_info_cnt, line_info_cnt);
EBPF_SAME_OFFSET(ProgLoadAttr, attach_prog_fd, attach_prog_fd);
EBPF_SAME_OFFSET(ProgLoadAttr, fd_array, fd_array);
EBPF_SAME_OFFSET(ProgLoadAttr, core_relo_rec_size, core_relo_rec_size);
EBPF_SAME_OFFSET(ObjAttr, file_flags, file_flags);
EBPF_SAME_OFFSET(ProgAttachAttr, replace_bpf_fd, replace_bpf_fd);
EBPF_SAME_OFFSET(TestRunAttr, ctx_out, test.ctx_out);
EBPF_SAME_OFFSET(TestRunAttr, batch_size, test.batch_size);
EBPF_SAME_OFFSET(GetIdAttr, open_flags, open_flags);
EBPF_SAME_OFFSET(InfoAttr, info, info.info);
EBPF_SAME_OFFSET(QueryAttr, prog_cnt, query.prog_cnt);
EBPF_SAME_OFFSET(RawTracepointAttr, prog_fd, raw_tracepoint.prog_fd);
EBPF_SAME_OFFSET(BtfLoadAttr, btf_log_level, btf_log_level);
EBPF_SAME_OFFSET(LinkCreateAttr, flags, link_create.flags);
EBPF_SAME_OFFSET(LinkCreateAttr, target_btf_id, link_create.target_btf_id);
EBPF_SAME_OFFSET(LinkCreateAttr, perf_event.bpf_cookie, link_create.perf_event.bpf_cookie);
EBPF_SAME_OFFSET(LinkCreateAttr, kprobe_multi.cookies, link_create.kprobe_multi.cookies);
EBPF_SAME_OFFSET(LinkCreateAttr, iter.iter_info_len, link_create.iter_info_len);
EBPF_SAME_OFFSET(LinkUpdateAttr, old_prog_fd, link_update.old_prog_fd);
EBPF_SAME_OFFSET(ProgBindMapAttr, flags, prog_bind_map.flags);
#if defined(BPF_F_PATH_FD)
EBPF_SAME_OFFSET(ObjAttr, path_fd, path_fd);
#endif

static_assert(static_cast<unsigned>(ProgramType::Syscall) == BPF_PROG_TYPE_SYSCALL);
static_assert(static_cast<unsigned>(ProgramType::CgroupSkb) == BPF_PROG_TYPE_CGROUP_SKB);
static_assert(static_cast<unsigned>(ProgramType::Lsm) == BPF_PROG_TYPE_LSM);
static_assert(static_cast<unsigned>(AttachType::LsmCgroup) == BPF_LSM_CGROUP);
static_assert(static_cast<unsigned>(AttachType::TraceKprobeMulti) == BPF_TRACE_KPROBE_MULTI);
static_assert(static_cast<unsigned>(AttachType::Xdp) == BPF_XDP);
static_assert(static_cast<unsigned>(AttachType::CgroupInetSockRelease) == BPF_CGROUP_INET_SOCK_RELEASE);
static_assert(static_cast<unsigned>(MapType::UserRingbuf) == BPF_MAP_TYPE_USER_RINGBUF);
static_assert(static_cast<unsigned>(MapType::Ringbuf) == BPF_MAP_TYPE_RINGBUF);
static_assert(static_cast<unsigned>(LinkType::StructOps) == BPF_LINK_TYPE_STRUCT_OPS);
static_assert(static_cast<unsigned>(LinkType::KprobeMulti) == BPF_LINK_TYPE_KPROBE_MULTI);

}  // namespace ebpf::sys

#include "sys/info.hpp"

namespace ebpf::sys {
#define EBPF_SAME_INFO(ours, theirs, field) \
    static_assert(offsetof(ours, field) == offsetof(struct theirs, field), #ours "." #field)
EBPF_SAME_INFO(MapInfoRaw, bpf_map_info, name);
EBPF_SAME_INFO(MapInfoRaw, bpf_map_info, btf_value_type_id);
EBPF_SAME_INFO(MapInfoRaw, bpf_map_info, map_extra);
static_assert(sizeof(MapInfoRaw) == sizeof(struct bpf_map_info));
EBPF_SAME_INFO(ProgInfoRaw, bpf_prog_info, name);
EBPF_SAME_INFO(ProgInfoRaw, bpf_prog_info, netns_dev);
EBPF_SAME_INFO(ProgInfoRaw, bpf_prog_info, btf_id);
EBPF_SAME_INFO(ProgInfoRaw, bpf_prog_info, run_cnt);
EBPF_SAME_INFO(ProgInfoRaw, bpf_prog_info, verified_insns);
EBPF_SAME_INFO(ProgInfoRaw, bpf_prog_info, attach_btf_id);
static_assert(sizeof(ProgInfoRaw) == sizeof(struct bpf_prog_info));
EBPF_SAME_INFO(BtfInfoRaw, bpf_btf_info, kernel_btf);
static_assert(offsetof(LinkInfoRaw, extra) == offsetof(struct bpf_link_info, raw_tracepoint));
}  // namespace ebpf::sys
