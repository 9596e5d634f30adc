// SPDX-License-Identifier: MIT
// The BTF -> C header writer behind btf::dump_c(), shared by its two halves: dump_c_layout.cpp decides (C names,
// the selected types, how each record is laid out) and dump_c.cpp emits (declarations in dependency order and the
// text of each type).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include <ebpf/btf.hpp>

#include "base/format.hpp"

namespace ebpf::btf::c_dump {

// Nesting of by-value containment, inline anonymous types and prototypes. vmlinux stays below ~30; crafted BTF can
// nest without limit, and every level is a stack frame.
inline constexpr int kMaxDepth = 256;
// Pointer/qualifier/array steps in one declarator ("char *const *[4]" is 4).
inline constexpr int kMaxChain = 64;
// Sizes past this (in bytes) only come from crafted BTF; it keeps bit arithmetic far from 64-bit overflow.
inline constexpr std::uint64_t kMaxSize = std::uint64_t{1} << 40;

struct Info {
    std::uint64_t size = 0;  // bytes
    std::uint32_t align = 1;
};

struct Item {
    enum Kind : std::uint8_t { Member, Pad, UnionPad } kind = Member;
    std::uint32_t member = 0;   // Member: index
    std::uint32_t bitfield = 0; // Member: width, 0 for a plain member
    std::uint64_t pos = 0;      // Pad: first bit
    std::uint64_t bits = 0;     // Pad, UnionPad: width
};

struct Plan {
    bool packed = false;
    std::uint32_t align = 1;
};

inline Error too_deep(TypeId id) {
    return Error(Errc::MalformedBtf, detail::format("type chain too deep at [%u]", id));
}

class Dumper {
public:
    Dumper(const Spec& spec, const DumpCOptions& opt) : s_(spec), opt_(opt), n_(spec.type_count()) {}

    Result<std::string> run();

private:
    // state_ bits.
    static constexpr std::uint16_t kSelected = 1, kReferenced = 2, kDeclared = 4, kDefining = 8, kDefined = 16,
                                   kNeedBusy = 32, kNeedDone = 64, kInfoBusy = 128, kInfoDone = 256,
                                   kAnonEnumShown = 512, kBodyBusy = 1024, kNeedDoneProto = 2048;

    Type type(TypeId id) const { return s_.type_or_void(id); }

    // Typedefs named like compiler builtins (__builtin_va_list) cannot be redefined, and the builtin differs
    // between targets (an 8-byte pointer for BPF, a 24-byte array on x86-64): uses print the BTF's own type.
    bool transparent(TypeId id) const {
        return type(id).kind() == Kind::Typedef && names_[id].starts_with("__builtin_");
    }

    Result<void> check_budget(const std::string& s) const {
        if (s.size() > opt_.max_output)
            return Error(Errc::ResourceLimit, detail::format("C header exceeds %zu bytes (limit DumpCOptions::max_output)",
                                                             opt_.max_output));
        return {};
    }

    // --- names, selection, layout (dump_c_layout.cpp) ---------------------------------------------------------
    void assign_names();
    const std::string& enumerator_name(TypeId id, std::uint32_t i, std::string& tmp) const;
    template <class F>
    void for_each_ref(const Type& t, F&& f) const;
    void select();
    Result<Info> info(TypeId id, int depth);
    Error contains_itself(TypeId id) const;
    Result<bool> simulate(TypeId id, bool packed, std::vector<Item>* items, std::uint32_t& align, int depth);
    Result<Plan> plan(TypeId id, int depth);

    // --- dependencies and formatting (dump_c.cpp) -------------------------------------------------------------
    void declare(TypeId id);
    Result<void> need(TypeId id, bool by_value, int depth, bool in_proto = false);
    Result<void> define(TypeId id, int depth);
    Result<void> top_level_anon_enum(TypeId id);
    std::string int_name(const Type& t) const;
    Result<void> enum_body(std::string& out, TypeId id, int indent);
    Result<void> body(std::string& out, TypeId id, int indent, int depth);
    Result<void> padding(std::string& out, std::uint64_t pos, std::uint64_t bits, int indent);
    Result<void> decl(std::string& out, TypeId id, std::string inner, int indent, int depth);
    Result<void> base(std::string& out, TypeId id, int indent, int depth);
    // A TYPE_TAG as text: __btf_type_tag("user"), or __btf_type_attr(address_space(1)) for a kind_flag tag (a type
    // attribute); "" for an attribute that is not a plain `name` or `name(args)`. Notes that the macros are needed.
    std::string type_tag_text(const Type& t);

    const Spec& s_;
    const DumpCOptions& opt_;
    const TypeId n_;
    std::vector<std::string> names_;    // C name (without struct/union/enum) of named and renamed types
    std::vector<TypeId> canon_;         // a FWD's full definition, else the id itself
    std::vector<std::uint16_t> state_;  // k* bits
    std::vector<Info> info_;            // arrays
    std::unordered_map<TypeId, Plan> plans_;
    std::unordered_map<std::uint64_t, std::string> enumerator_names_;  // (id << 16 | index) -> renamed enumerator
    TypeId current_body_ = 0;
    bool uses_type_tags_ = false;  // some declaration printed a TYPE_TAG: the header defines the tag macros
    std::string out_;
};

}  // namespace ebpf::btf::c_dump
