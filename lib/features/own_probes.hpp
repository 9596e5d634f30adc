// SPDX-License-Identifier: MIT
// Probes that reach only their own recipe, for the library's own fallbacks. has() and link_supported() answer any
// question, so they reach every recipe (the BTF blobs, the PMU files, the helper table, the tracing targets in the
// kernel's BTF, ...); the loader and the attach paths ask through these instead, so a static binary that never
// calls has() or link_supported() itself carries only the probes it can run ("pay for what you use").
// The answers, their cache entries and the forced answers are the same as has() / link_supported() give: the same
// ProbeKey, the same recipe.
#pragma once

#include <ebpf/features.hpp>

namespace ebpf::detail {

// has(f) for the BTF kinds: Feature::Btf .. Feature::BtfEnum64 (InvalidArgument for another feature).
Result<bool> has_btf_feature(Feature f);
// has(Feature::ArrayMmap), has(Feature::MapFreeze), has(Feature::LinkDetach).
Result<bool> has_array_mmap();
Result<bool> has_map_freeze();
Result<bool> has_link_detach();

// link_supported(type) for the attach types whose link path takes a target fd (cgroups, netns, perf events,
// sockmaps); lsm_cgroup (6.0) is answered by the cgroup links' probe (5.7), as its own needs the kernel's BTF.
// For another attach type: false without probing (there is no such link to a target fd).
Result<bool> fd_target_link_supported(AttachType type);
// link_supported(AttachType::StructOps): struct_ops links (6.4).
Result<bool> struct_ops_link_supported();

}  // namespace ebpf::detail
