// SPDX-License-Identifier: MIT
// The per-family probe recipes, shared where one family loads programs the way another probes them.
#pragma once

#include <cstdint>

#include <ebpf/features.hpp>

namespace ebpf::detail {

// How to load a minimal program of a type, and which refusal still proves the kernel knows the type.
struct ProgramRecipe {
    ProgramType type = ProgramType::Unspec;
    std::uint32_t expected_attach_type = 0;
    std::uint32_t flags = 0;
    std::uint32_t attach_btf_id = 0;
    int known_errno = 0;              // 0: only a successful load proves support
    const char* known_log = nullptr;  // with known_errno: the verifier log must contain this too
};

// The recipe for `type` (the default, no attributes, for types without an entry).
ProgramRecipe program_recipe(ProgramType type) noexcept;

// The probes of each family, for cached_probe().
Result<bool> run_program_probe(const ProbeKey& key);

}  // namespace ebpf::detail
