// SPDX-License-Identifier: MIT
#include <ebpf/programs/cgroup_skb.hpp>

namespace ebpf {

namespace {
AttachType attach_type(CgroupSkbAttachType t) {
    return t == CgroupSkbAttachType::Ingress ? AttachType::CgroupInetIngress : AttachType::CgroupInetEgress;
}
}  // namespace

Result<Link> CgroupSkb::attach(FdRef cgroup, CgroupSkbAttachType type, const CgroupAttachOptions& options) const {
    return attach_cgroup(prog_, cgroup, attach_type(type), options);
}

Result<Link> CgroupSkb::attach(const char* cgroup_path, CgroupSkbAttachType type,
                               const CgroupAttachOptions& options) const {
    return attach_cgroup(prog_, cgroup_path, attach_type(type), options);
}

}  // namespace ebpf
