// SPDX-License-Identifier: MIT
// Map keys and values as JSON, formatted by their BTF types (map dump): integers in decimal, structs and unions as
// objects keyed by member name, arrays as arrays, char arrays as strings, enums by enumerator name.
#pragma once

#include <cstddef>
#include <span>

#include <ebpf/btf.hpp>

#include "json.hpp"

namespace ebpf::tool {

// Writes `bytes` (host byte order) as the value of BTF type `id`. Bytes the type does not cover are ignored; a type
// larger than `bytes` writes the hex bytes instead.
void write_btf_value(Json& j, const btf::Spec& spec, btf::TypeId id, std::span<const std::byte> bytes);
// Without BTF: the bytes as an array of "0x.." strings.
void write_hex_bytes(Json& j, std::span<const std::byte> bytes);

}  // namespace ebpf::tool
