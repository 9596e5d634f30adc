// SPDX-License-Identifier: MIT
// Lsm: a BTF-attached program (programs/tracing.cpp). LsmCgroup: a cgroup attachment of type lsm_cgroup.
#include <ebpf/programs/cgroup.hpp>
#include <ebpf/programs/lsm.hpp>

#include "programs/btf_program.hpp"

namespace ebpf {

Result<Link> Lsm::attach(const LsmAttachOptions& options) const {
    return detail::attach_btf_program(prog_, "lsm", options.cookie);
}

Result<Link> LsmCgroup::attach(FdRef cgroup) const { return attach_cgroup(prog_, cgroup, AttachType::LsmCgroup); }

Result<Link> LsmCgroup::attach(const char* cgroup_path) const {
    return attach_cgroup(prog_, cgroup_path, AttachType::LsmCgroup);
}

}  // namespace ebpf
