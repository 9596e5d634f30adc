// SPDX-License-Identifier: MIT
// An editable copy of BTF types (names as strings, references as plain ids) for tools that rewrite BTF: the static
// linker appends several objects' types, deduplicates them and writes one blob. Pure: no syscalls.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <ebpf/btf.hpp>

#include "base/bytes.hpp"

namespace ebpf::btf {

// One entry of a type's variable-length part. Members: name, a=type, b=offset word (bitfield size << 24 | bit
// offset when the kind flag is set). Enumerators: name, a=value (ENUM64: a=low, b=high word). Params: name, a=type.
// DATASEC entries: a=type, b=offset, c=size.
struct MutItem {
    std::string name;
    std::uint32_t a = 0, b = 0, c = 0;
    bool operator==(const MutItem&) const = default;
};

struct MutType {
    Kind kind = Kind::Void;
    bool kflag = false;
    std::uint16_t func_linkage = 0;  // FUNC: kept in vlen
    std::string name;
    std::uint32_t size_type = 0;      // size or referenced type, as the kind says
    std::vector<std::uint32_t> data;  // INT: 1 word; ARRAY: elem, index, nelems; VAR: linkage; DECL_TAG: component
    std::vector<MutItem> items;
    bool operator==(const MutType&) const = default;
};

// size_type holds a size when kind_has_size(kind) (<ebpf/btf.hpp>), else a type id (FWD holds 0).

// Calls f(std::uint32_t& id) for every type id the type refers to.
template <class F>
void for_each_type_ref(MutType& t, F&& f) {
    if (kind_has_type(t.kind)) f(t.size_type);
    switch (t.kind) {
    case Kind::FuncProto:
        for (auto& p : t.items) f(p.a);  // the parameters (the return type: above)
        break;
    case Kind::Array:
        if (t.data.size() >= 2) {
            f(t.data[0]);
            f(t.data[1]);
        }
        break;
    case Kind::Struct:
    case Kind::Union:
    case Kind::Datasec:
        for (auto& m : t.items) f(m.a);
        break;
    default: break;
    }
}

// Every type of a spec (its own, not a base's), as MutTypes; index 0 is VOID. Errors: MalformedBtf.
Result<std::vector<MutType>> decode_mut_types(const Spec& spec);

// A string section under construction: "" at offset 0, each distinct string once.
class StringTable {
public:
    StringTable() { add(""); }
    std::uint32_t add(std::string_view s);
    const std::string& data() const noexcept { return data_; }

private:
    std::string data_;
    std::unordered_map<std::string, std::uint32_t> index_;
};

// Type records (index 0, VOID, is not written) as host-order words; names go into `strs`.
std::vector<std::uint32_t> encode_mut_types(const std::vector<MutType>& types, StringTable& strs);
// A complete .BTF blob (24-byte header, types, strings) in byte order `e`.
std::vector<std::byte> assemble_btf(const std::vector<std::uint32_t>& type_words, const StringTable& strs,
                                    detail::Endian e);

// The BTF deduplication algorithm (as described for libbpf's btf__dedup): equal primitive types collapse; STRUCT
// and UNION graphs are compared with a hypothetical mapping (cycles through pointers included) and equivalent ones
// collapse, a FWD matching a full type in the compared graph resolving to it; a FWD left over resolves to the only
// STRUCT/UNION of its name and kind when there is exactly one; then reference types (pointers, typedefs,
// qualifiers, arrays, prototypes, FUNC, VAR, DECL_TAG, TYPE_TAG) collapse bottom-up. DATASECs are kept.
// Rewrites `types` (compacted, references renumbered) and returns the map from old ids to new ones.
// Errors: MalformedBtf for reference loops that pass through no STRUCT/UNION.
Result<std::vector<TypeId>> dedup_types(std::vector<MutType>& types);

}  // namespace ebpf::btf
