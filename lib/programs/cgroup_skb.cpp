// SPDX-License-Identifier: MIT
#include <ebpf/programs/cgroup_skb.hpp>

#include <fcntl.h>

#include "base/try.hpp"

namespace ebpf {

Result<CgroupSkb> CgroupSkb::from(Program& p) {
    EBPF_TRY(check_program_type(p, kType, "CgroupSkb"));
    return CgroupSkb(p);
}

Result<Link> CgroupSkb::attach(FdRef cgroup, CgroupSkbAttachType type, const CgroupAttachOptions& options) const {
    const AttachType at =
        type == CgroupSkbAttachType::Ingress ? AttachType::CgroupInetIngress : AttachType::CgroupInetEgress;
    return attach_cgroup(*prog_, cgroup, at, options);
}

Result<Link> CgroupSkb::attach(const char* cgroup_path, CgroupSkbAttachType type,
                               const CgroupAttachOptions& options) const {
    EBPF_TRY_ASSIGN(const UniqueFd fd, UniqueFd::open(cgroup_path, O_DIRECTORY));
    return attach(fd, type, options);
}

}  // namespace ebpf
