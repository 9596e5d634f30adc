// SPDX-License-Identifier: MIT
// btf dump --format raw|json: BTF types as text lines (the layout of `bpftool btf dump ... format raw`) or JSON.
#pragma once

#include <span>
#include <string>

#include <ebpf/btf.hpp>

namespace ebpf::tool {

// One line per type ("[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED"), members, enumerators,
// parameters and section entries on their own tab-indented lines, appended to `out`.
void append_btf_raw(const btf::Spec& spec, std::span<const btf::TypeId> ids, std::string& out);
// The same types as a JSON array of objects with bpftool's JSON keys (id, kind, name, size, members, ...).
std::string btf_types_json(const btf::Spec& spec, std::span<const btf::TypeId> ids);

}  // namespace ebpf::tool
