// SPDX-License-Identifier: MIT
// The maps of libbpf's <bpf/usdt.bpf.h> that a USDT program reads, and the entries an attachment writes to them:
// __bpf_usdt_specs (ARRAY: spec id -> struct __bpf_usdt_spec) and __bpf_usdt_ip_to_spec_id (HASH: absolute
// probe address -> spec id, used only where the kernel has no BPF cookies).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include <ebpf/link.hpp>
#include <ebpf/program.hpp>

#include "object/usdt_args.hpp"

namespace ebpf::detail {

struct UsdtMaps {
    UniqueFd specs;                 // __bpf_usdt_specs
    std::uint32_t specs_id = 0;     // its kernel id: spec ids are allocated per map
    std::uint32_t capacity = 0;     // its max_entries (BPF_USDT_MAX_SPEC_CNT)
    UniqueFd ip_to_spec;            // __bpf_usdt_ip_to_spec_id; invalid when the program has none
};

// The usdt.bpf.h maps among the maps the loaded program uses (found by their kernel names, which BPF_OBJ_NAME_LEN
// cuts to "__bpf_usdt_spec" and "__bpf_usdt_ip_t"), checked against the layout written here.
// Errors: InvalidArgument when the program has no such map (it was not written with usdt.bpf.h) or a map has
//   another shape; the BPF_OBJ_GET_INFO_BY_FD / BPF_MAP_GET_FD_BY_ID failures.
Result<UsdtMaps> find_usdt_maps(const Program& program);

using UsdtSpecBytes = std::array<std::byte, kUsdtSpecSize>;

struct UsdtInstall {
    std::vector<std::uint32_t> spec_ids;         // one per spec given, in order
    std::unique_ptr<LinkResource> resource;      // frees the ids and deletes the address entries when undone
};

// Allocates one spec id per spec, writes the specs, and (when `ips` is not empty) the address -> spec id entries
// (ips: absolute address, index into `specs`), refusing an address another attachment owns.
// Errors: ResourceLimit (no free spec id), Exists (an address taken), the map update failures. Nothing stays
//   allocated or written on failure.
Result<UsdtInstall> install_usdt_specs(UsdtMaps maps, const std::vector<UsdtSpecBytes>& specs,
                                       const std::vector<std::pair<std::uint64_t, std::size_t>>& ips);

}  // namespace ebpf::detail
