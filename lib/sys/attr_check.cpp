// SPDX-License-Identifier: MIT
// Compile-time proof that our attr structs and enums match the system UAPI header for every field it has, and
// that fields newer than that header sit where the kernel's layout puts them.
#include <linux/bpf.h>
#include <linux/version.h>

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
EBPF_SAME_OFFSET(QueryAttr, prog_attach_flags, query.prog_attach_flags);
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

// BPF_LINK_CREATE: every per-type part the system header has...
EBPF_SAME_OFFSET(LinkCreateAttr, prog_fd, link_create.prog_fd);
EBPF_SAME_OFFSET(LinkCreateAttr, target_ifindex, link_create.target_ifindex);
EBPF_SAME_OFFSET(LinkCreateAttr, attach_type, link_create.attach_type);
EBPF_SAME_OFFSET(LinkCreateAttr, iter.iter_info, link_create.iter_info);
EBPF_SAME_OFFSET(LinkCreateAttr, kprobe_multi.flags, link_create.kprobe_multi.flags);
EBPF_SAME_OFFSET(LinkCreateAttr, kprobe_multi.cnt, link_create.kprobe_multi.cnt);
EBPF_SAME_OFFSET(LinkCreateAttr, kprobe_multi.syms, link_create.kprobe_multi.syms);
EBPF_SAME_OFFSET(LinkCreateAttr, kprobe_multi.addrs, link_create.kprobe_multi.addrs);
EBPF_SAME_OFFSET(LinkCreateAttr, tracing.target_btf_id, link_create.tracing.target_btf_id);
EBPF_SAME_OFFSET(LinkCreateAttr, tracing.cookie, link_create.tracing.cookie);
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
EBPF_SAME_OFFSET(LinkCreateAttr, netfilter.pf, link_create.netfilter.pf);
EBPF_SAME_OFFSET(LinkCreateAttr, netfilter.hooknum, link_create.netfilter.hooknum);
EBPF_SAME_OFFSET(LinkCreateAttr, netfilter.priority, link_create.netfilter.priority);
EBPF_SAME_OFFSET(LinkCreateAttr, netfilter.flags, link_create.netfilter.flags);
EBPF_SAME_OFFSET(LinkCreateAttr, map_fd, link_create.map_fd);
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
EBPF_SAME_OFFSET(LinkCreateAttr, tcx.relative_fd, link_create.tcx.relative_fd);
EBPF_SAME_OFFSET(LinkCreateAttr, tcx.relative_id, link_create.tcx.relative_id);
EBPF_SAME_OFFSET(LinkCreateAttr, tcx.expected_revision, link_create.tcx.expected_revision);
EBPF_SAME_OFFSET(LinkCreateAttr, uprobe_multi.path, link_create.uprobe_multi.path);
EBPF_SAME_OFFSET(LinkCreateAttr, uprobe_multi.offsets, link_create.uprobe_multi.offsets);
EBPF_SAME_OFFSET(LinkCreateAttr, uprobe_multi.ref_ctr_offsets, link_create.uprobe_multi.ref_ctr_offsets);
EBPF_SAME_OFFSET(LinkCreateAttr, uprobe_multi.cookies, link_create.uprobe_multi.cookies);
EBPF_SAME_OFFSET(LinkCreateAttr, uprobe_multi.cnt, link_create.uprobe_multi.cnt);
EBPF_SAME_OFFSET(LinkCreateAttr, uprobe_multi.flags, link_create.uprobe_multi.flags);
EBPF_SAME_OFFSET(LinkCreateAttr, uprobe_multi.pid, link_create.uprobe_multi.pid);
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
EBPF_SAME_OFFSET(QueryAttr, target_ifindex, query.target_ifindex);
EBPF_SAME_OFFSET(QueryAttr, count, query.count);
EBPF_SAME_OFFSET(QueryAttr, link_ids, query.link_ids);
EBPF_SAME_OFFSET(QueryAttr, link_attach_flags, query.link_attach_flags);
EBPF_SAME_OFFSET(QueryAttr, revision, query.revision);
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
EBPF_SAME_OFFSET(LinkCreateAttr, netkit.relative_fd, link_create.netkit.relative_fd);
EBPF_SAME_OFFSET(LinkCreateAttr, netkit.expected_revision, link_create.netkit.expected_revision);
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
EBPF_SAME_OFFSET(MapCreateAttr, value_type_btf_obj_fd, value_type_btf_obj_fd);
EBPF_SAME_OFFSET(MapCreateAttr, map_token_fd, map_token_fd);
EBPF_SAME_OFFSET(ProgLoadAttr, prog_token_fd, prog_token_fd);
EBPF_SAME_OFFSET(BtfLoadAttr, btf_flags, btf_flags);
EBPF_SAME_OFFSET(BtfLoadAttr, btf_token_fd, btf_token_fd);
EBPF_SAME_OFFSET(TokenCreateAttr, flags, token_create.flags);
EBPF_SAME_OFFSET(TokenCreateAttr, bpffs_fd, token_create.bpffs_fd);
#endif
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
EBPF_SAME_OFFSET(ProgLoadAttr, fd_array_cnt, fd_array_cnt);
#endif

// ...and the kernel's layout for all of them, whatever the header (offsets from include/uapi/linux/bpf.h of the
// release named in attr.hpp; a 64-bit kernel reads these same offsets from 32-bit processes).
#define EBPF_AT(ours, field, offset) static_assert(offsetof(ours, field) == (offset), #ours "." #field)
EBPF_AT(MapCreateAttr, map_extra, 64);
EBPF_AT(MapCreateAttr, value_type_btf_obj_fd, 72);
EBPF_AT(MapCreateAttr, map_token_fd, 76);
EBPF_AT(ProgLoadAttr, log_true_size, 140);
EBPF_AT(ProgLoadAttr, prog_token_fd, 144);
EBPF_AT(ProgLoadAttr, fd_array_cnt, 148);
EBPF_AT(BtfLoadAttr, btf_log_true_size, 28);
EBPF_AT(BtfLoadAttr, btf_flags, 32);
EBPF_AT(BtfLoadAttr, btf_token_fd, 36);
EBPF_AT(TokenCreateAttr, bpffs_fd, 4);
EBPF_AT(QueryAttr, prog_cnt, 24);
EBPF_AT(QueryAttr, prog_attach_flags, 32);
EBPF_AT(QueryAttr, link_ids, 40);
EBPF_AT(QueryAttr, link_attach_flags, 48);
EBPF_AT(QueryAttr, revision, 56);
EBPF_AT(LinkCreateAttr, target_btf_id, 16);
EBPF_AT(LinkCreateAttr, iter.iter_info_len, 24);
EBPF_AT(LinkCreateAttr, perf_event.bpf_cookie, 16);
EBPF_AT(LinkCreateAttr, kprobe_multi.cookies, 40);
EBPF_AT(LinkCreateAttr, tracing.cookie, 24);
EBPF_AT(LinkCreateAttr, netfilter.pf, 16);
EBPF_AT(LinkCreateAttr, netfilter.hooknum, 20);
EBPF_AT(LinkCreateAttr, netfilter.priority, 24);
EBPF_AT(LinkCreateAttr, netfilter.flags, 28);
EBPF_AT(LinkCreateAttr, tcx.relative_fd, 16);
EBPF_AT(LinkCreateAttr, tcx.relative_id, 16);
EBPF_AT(LinkCreateAttr, tcx.expected_revision, 24);
EBPF_AT(LinkCreateAttr, netkit.expected_revision, 24);
EBPF_AT(LinkCreateAttr, uprobe_multi.path, 16);
EBPF_AT(LinkCreateAttr, uprobe_multi.offsets, 24);
EBPF_AT(LinkCreateAttr, uprobe_multi.ref_ctr_offsets, 32);
EBPF_AT(LinkCreateAttr, uprobe_multi.cookies, 40);
EBPF_AT(LinkCreateAttr, uprobe_multi.cnt, 48);
EBPF_AT(LinkCreateAttr, uprobe_multi.flags, 52);
EBPF_AT(LinkCreateAttr, uprobe_multi.pid, 56);
static_assert(sizeof(LinkCreateAttr) == 64, "link_create ends with uprobe_multi.pid (padded to 8)");
#undef EBPF_AT

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
