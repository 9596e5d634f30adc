// SPDX-License-Identifier: MIT
// BTF walkers shared by the BTF, .BTF.ext and object fuzz targets: every accessor, lookup and resolver, plus
// the contracts btf.hpp promises (type(id) works below type_count(), find() finds what exists, ...).
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "btf/patch.hpp"
#include "fuzz.hpp"

namespace ebpf::fuzz {

namespace {

constexpr btf::Kind kAllKinds[] = {
    btf::Kind::Int,      btf::Kind::Ptr,     btf::Kind::Array,    btf::Kind::Struct,  btf::Kind::Union,
    btf::Kind::Enum,     btf::Kind::Fwd,     btf::Kind::Typedef,  btf::Kind::Volatile, btf::Kind::Const,
    btf::Kind::Restrict, btf::Kind::Func,    btf::Kind::FuncProto, btf::Kind::Var,    btf::Kind::Datasec,
    btf::Kind::Float,    btf::Kind::DeclTag, btf::Kind::TypeTag,  btf::Kind::Enum64,
};

void walk_type(const btf::Type& t) {
    sink(static_cast<std::uint64_t>(t.kind()));
    sink(btf::to_string(t.kind()));
    sink(t.name());
    sink(t.name_off());
    sink(t.kind_flag());
    sink(t.size());
    sink(t.type());
    sink(t.int_encoding());
    sink(t.int_offset());
    sink(t.int_bits());
    sink(t.is_signed());
    const btf::ArrayInfo a = t.array();
    sink(a.elem_type + a.index_type + a.nelems);
    sink(t.linkage());
    sink(static_cast<std::uint32_t>(t.component_idx()));
    sink(t.is_qualifier());
    sink(t.is_composite());
    // Every accessor for every index, whatever the kind: the ones that do not apply must return zeros, not read.
    // Kinds without per-index records (FUNC keeps its linkage in vlen) get a few indices only: up to 65535
    // of them would cost far more than they test.
    const bool has_records = t.is_composite() || t.kind() == btf::Kind::Enum || t.kind() == btf::Kind::Enum64 ||
                             t.kind() == btf::Kind::FuncProto || t.kind() == btf::Kind::Datasec;
    const std::uint32_t vlen = has_records ? t.vlen() : std::min<std::uint32_t>(t.vlen(), 3);
    for (std::uint32_t i = 0; i <= vlen; ++i) {
        const btf::Member m = t.member(i);
        sink(m.name);
        sink(m.type + m.bit_offset + m.bitfield_size);
        const btf::Enumerator e = t.enumerator(i);
        sink(e.name);
        sink(static_cast<std::uint64_t>(e.value));
        const btf::Param p = t.param(i);
        sink(p.name);
        sink(p.type);
        const btf::VarSecinfo v = t.secinfo(i);
        sink(v.type + v.offset + v.size);
    }
}

}  // namespace

void walk_btf(const btf::Spec& spec, std::uint32_t max_types) {
    const std::uint32_t count = spec.type_count();
    const btf::TypeId first = spec.first_id();
    EBPF_FUZZ_CHECK(count >= 1);
    EBPF_FUZZ_CHECK(first < count || (first == count && spec.base() != nullptr));
    sink(spec.swapped());
    sink(spec.big_endian());
    sink(spec.raw());
    sink(spec.string_section_size());
    sink(spec.header_len());
    if (const btf::Spec* base = spec.base()) EBPF_FUZZ_CHECK(base->type_count() == first);

    // Strings: both ends of the section and just past it.
    for (std::uint32_t off : {0u, 1u, spec.string_section_size() - 1, spec.string_section_size(),
                              spec.string_section_size() + 1, 0xffffffffu})
        if (auto s = spec.string(off)) sink(*s);

    const std::uint32_t end = count - std::min(count, first) > max_types ? first + max_types : count;
    for (btf::TypeId id = 0; id < end; ++id) {
        auto t = spec.type(id);
        EBPF_FUZZ_CHECK(t.has_value());  // every id below type_count() exists
        EBPF_FUZZ_CHECK(t->id() == id);
        walk_type(*t);
        const btf::Type u = spec.type_or_void(id);
        EBPF_FUZZ_CHECK(u.id() == id && u.kind() == t->kind());
        if (auto r = spec.resolve_size(id)) sink(*r);
        if (auto r = spec.skip_modifiers(id)) {
            EBPF_FUZZ_CHECK(r->kind() != btf::Kind::Typedef && !r->is_qualifier());
            walk_type(*r);
        }
        sink(spec.describe(id));
    }
    // Past the end: an error and VOID, never a read.
    EBPF_FUZZ_CHECK(!spec.type(count).has_value());
    EBPF_FUZZ_CHECK(spec.type_or_void(count).kind() == btf::Kind::Void);
    EBPF_FUZZ_CHECK(!spec.type(0xffffffffu).has_value());
    sink(spec.describe(count));
    if (auto r = spec.resolve_size(count)) sink(*r);

    // Lookups: every named type of the first few must be found again by name (the lowest id with that name).
    // Split BTF indexes only names in its own string section (a documented limit), so the check is for base BTF.
    const std::uint32_t lookups = std::min<std::uint32_t>(end, first + 64);
    for (btf::TypeId id = std::max<btf::TypeId>(first, 1); id < lookups; ++id) {
        const btf::Type t = spec.type_or_void(id);
        const std::string_view name = t.name();
        if (name.empty() || t.kind() == btf::Kind::Void) continue;
        auto found = spec.find(name, t.kind());
        if (!spec.base()) EBPF_FUZZ_CHECK(found.has_value());
        if (found) {
            EBPF_FUZZ_CHECK(*found <= id || spec.base());
            const btf::Type f = spec.type_or_void(*found);
            EBPF_FUZZ_CHECK(f.name() == name && f.kind() == t.kind());
        }
        const auto cands = spec.find_candidates(btf::essential_name(name), t.kind());
        if (!spec.base()) EBPF_FUZZ_CHECK(std::find(cands.begin(), cands.end(), id) != cands.end());
        for (btf::TypeId c : cands) EBPF_FUZZ_CHECK(c < count);
    }
    // Names that are usually absent (and the empty name), for every kind: misses must be clean errors.
    for (btf::Kind k : kAllKinds) {
        for (std::string_view n : {std::string_view{}, std::string_view{"int"}, std::string_view{".data"},
                                   std::string_view{"task_struct___v2"}}) {
            if (auto r = spec.find(n, k)) EBPF_FUZZ_CHECK(*r < count);
            sink(spec.find_candidates(btf::essential_name(n), k).size());
        }
    }
    if (auto v = spec.validate()) sink(1);
}

void walk_patcher(const btf::Spec& spec, std::uint32_t max_types) {
    if (spec.base() || spec.type_count() - 1 > max_types) return;  // Patcher copies base BTF only
    const btf::Patcher p(spec);
    const std::uint32_t count = spec.type_count();
    EBPF_FUZZ_CHECK(p.type_count() == count);
    for (btf::TypeId id = 1; id < count; ++id) {
        const std::size_t words = p.record_words(id);
        EBPF_FUZZ_CHECK(words >= 3);
        for (std::size_t w = 0; w < words; ++w) sink(p.word(id, w));
        EBPF_FUZZ_CHECK((p.word(id, 1) >> 24 & 0x1f) == static_cast<std::uint32_t>(spec.type_or_void(id).kind()));
    }
    EBPF_FUZZ_CHECK(p.record_words(0) == 0 && p.record_words(count) == 0);

    // An unmodified copy re-serialised in host order must decode to the same types.
    auto copy = btf::Spec::parse(SharedBytes(p.bytes()));
    EBPF_FUZZ_CHECK(copy.has_value());
    EBPF_FUZZ_CHECK(copy->type_count() == count);
    EBPF_FUZZ_CHECK(!copy->swapped());
    for (btf::TypeId id = 1; id < count; ++id) {
        const btf::Type a = spec.type_or_void(id), b = copy->type_or_void(id);
        EBPF_FUZZ_CHECK(a.kind() == b.kind() && a.name() == b.name() && a.vlen() == b.vlen() && a.size() == b.size() &&
                        a.type() == b.type());
        EBPF_FUZZ_CHECK(spec.describe(id) == copy->describe(id));
    }
    EBPF_FUZZ_CHECK(spec.validate().has_value() == copy->validate().has_value());

    // Edits: patch words (in and out of range), append a string and an INT naming it; the result must still parse.
    btf::Patcher q(spec);
    for (btf::TypeId id = 0; id <= count; ++id) q.set_word(id, 100, 0xdeadbeef);  // out of range: ignored
    if (count > 1) q.set_word(1, 0, 0);
    const std::uint32_t name = q.add_string("fuzz_int");
    const btf::TypeId added = q.add_type({name, 1u << 24, 4, 32});
    EBPF_FUZZ_CHECK(added == count);
    auto edited = btf::Spec::parse(SharedBytes(q.bytes()));
    EBPF_FUZZ_CHECK(edited.has_value());
    EBPF_FUZZ_CHECK(edited->type_count() == count + 1);
    EBPF_FUZZ_CHECK(edited->type_or_void(added).name() == "fuzz_int");
    EBPF_FUZZ_CHECK(edited->resolve_size(added).value_or(0) == 4);
}

}  // namespace ebpf::fuzz
