// SPDX-License-Identifier: MIT
// Rewriting object BTF for kernels that do not understand some of it (older kernels reject the whole blob).
#pragma once

#include <cstddef>
#include <vector>

#include <ebpf/btf.hpp>

namespace ebpf::btf {

// What the target kernel's BTF loader accepts (probed by the loader; all true on current kernels).
struct BtfSupport {
    bool func = true;           // FUNC / FUNC_PROTO (5.0)
    bool global_func = true;    // FUNC with global linkage (5.6)
    bool datasec = true;        // VAR / DATASEC (5.2)
    bool qmark_datasec = true;  // DATASEC names starting with '?'
    bool float_kind = true;     // FLOAT (5.13)
    bool decl_tag = true;       // DECL_TAG (5.16)
    bool type_tag = true;       // TYPE_TAG (5.17)
    bool enum64 = true;         // ENUM64 and signed ENUM (6.0)
};

// Which BtfSupport fields matter for this spec (false: the spec has nothing the feature would change).
BtfSupport btf_features_used(const Spec& spec);

// A copy of `spec` (host byte order) in which every construct the kernel lacks is replaced by one it has, keeping
// type ids and record sizes (so func_info, map and CO-RE type ids stay valid):
//   VAR -> INT, DATASEC -> STRUCT, DECL_TAG -> INT, FUNC_PROTO -> ENUM, FUNC -> TYPEDEF, global FUNC -> static,
//   FLOAT -> empty STRUCT, TYPE_TAG -> CONST, ENUM64 -> UNION of an "enum64_placeholder" INT, '?' -> '_' in names.
std::vector<std::byte> sanitize(const Spec& spec, const BtfSupport& kernel);

}  // namespace ebpf::btf
