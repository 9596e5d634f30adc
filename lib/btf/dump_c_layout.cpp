// SPDX-License-Identifier: MIT
// BTF -> C header, the deciding half: C names for every type (clashes get "___N"), the types a dump selects, and the
// layout of each struct and union as a C compiler would place its members (padded or packed to match the BTF).
#include <algorithm>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/format.hpp"
#include "base/try.hpp"
#include "btf/dump_c_impl.hpp"

namespace ebpf::btf::c_dump {

using detail::format;

namespace {

std::uint32_t natural_align(std::uint64_t size) {
    return size == 1 || size == 2 || size == 4 || size == 8 || size == 16 ? static_cast<std::uint32_t>(size) : 1;
}

std::uint64_t round_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

// C has one namespace for struct/union/enum tags and one for typedefs and enumerators. Within each, the first
// type (by id) keeps its name and later different types with that name get "___2", "___3", ...
struct CNameScope {
    std::unordered_set<std::string> used;
    std::unordered_map<std::string, unsigned> next;
    std::string claim(std::string_view base) {
        std::string name(base);
        if (used.insert(name).second) return name;
        unsigned& k = next.try_emplace(name, 2).first->second;
        for (;; ++k) {
            std::string c = name + "___" + std::to_string(k);
            if (used.insert(c).second) return c;
        }
    }
};

}  // namespace

// --- names -----------------------------------------------------------------------------------------------------
void Dumper::assign_names() {
    CNameScope tags, idents;
    // A FWD names the full definition of the same tag when there is one, so both print as the same type.
    std::unordered_map<std::string_view, TypeId> first_struct, first_union, first_fwd_struct, first_fwd_union;
    for (TypeId id = 1; id < n_; ++id) {
        const Type t = type(id);
        canon_[id] = id;
        const std::string_view name = t.name();
        switch (t.kind()) {
        case Kind::Struct:
        case Kind::Union:
        case Kind::Enum:
        case Kind::Enum64:
            if (name.empty()) break;
            names_[id] = tags.claim(name);
            if (names_[id] == name && t.kind() == Kind::Struct) first_struct.emplace(name, id);
            if (names_[id] == name && t.kind() == Kind::Union) first_union.emplace(name, id);
            break;
        case Kind::Typedef:
            if (name.empty()) names_[id] = format("__btf_typedef_%u", id);
            else if (name.starts_with("__builtin_")) names_[id] = std::string(name);  // the compiler's own
            else names_[id] = idents.claim(name);
            break;
        default: break;
        }
        if (t.kind() == Kind::Enum || t.kind() == Kind::Enum64) {
            for (std::uint32_t i = 0; i < t.vlen(); ++i) {
                const std::string_view e = t.enumerator(i).name;
                std::string c = idents.claim(e);
                if (c != e) enumerator_names_.emplace(std::uint64_t{id} << 16 | i, std::move(c));
            }
        }
    }
    for (TypeId id = 1; id < n_; ++id) {
        const Type t = type(id);
        if (t.kind() != Kind::Fwd) continue;
        const std::string_view name = t.name();
        const bool is_union = t.kind_flag();
        auto& defs = is_union ? first_union : first_struct;
        auto& fwds = is_union ? first_fwd_union : first_fwd_struct;
        if (name.empty()) {
            names_[id] = format("__btf_fwd_%u", id);
        } else if (auto it = defs.find(name); it != defs.end()) {
            canon_[id] = it->second;
        } else if (auto f = fwds.find(name); f != fwds.end()) {
            canon_[id] = f->second;
        } else {
            names_[id] = tags.claim(name);
            fwds.emplace(name, id);
        }
    }
}

const std::string& Dumper::enumerator_name(TypeId id, std::uint32_t i, std::string& tmp) const {
    if (auto it = enumerator_names_.find(std::uint64_t{id} << 16 | i); it != enumerator_names_.end())
        return it->second;
    tmp = std::string(type(id).enumerator(i).name);
    return tmp;
}

// --- selection -------------------------------------------------------------------------------------------------
template <class F>
void Dumper::for_each_ref(const Type& t, F&& f) const {
    switch (t.kind()) {
    case Kind::Ptr:
    case Kind::Typedef:
    case Kind::Volatile:
    case Kind::Const:
    case Kind::Restrict:
    case Kind::TypeTag:
    case Kind::Func:
    case Kind::Var: f(t.type()); break;
    case Kind::Array: f(t.array().elem_type); break;
    case Kind::Struct:
    case Kind::Union:
        for (std::uint32_t i = 0; i < t.vlen(); ++i) f(t.member(i).type);
        break;
    case Kind::FuncProto:
        f(t.type());
        for (std::uint32_t i = 0; i < t.vlen(); ++i) f(t.param(i).type);
        break;
    case Kind::Datasec:
        for (std::uint32_t i = 0; i < t.vlen(); ++i) f(t.secinfo(i).type);
        break;
    default: break;
    }
}

void Dumper::select() {
    if (opt_.roots.empty()) {
        for (TypeId id = 1; id < n_; ++id) state_[id] |= kSelected;
    } else {
        std::vector<TypeId> work(opt_.roots.begin(), opt_.roots.end());
        for (TypeId r : work) state_[r] |= kSelected;
        while (!work.empty()) {
            const Type t = type(work.back());
            work.pop_back();
            for_each_ref(t, [&](TypeId ref) {
                if (ref > 0 && ref < n_ && !(state_[ref] & kSelected)) {
                    state_[ref] |= kSelected;
                    work.push_back(ref);
                }
            });
        }
    }
    // Anonymous enums nobody uses are printed on their own (they exist for their constants).
    for (TypeId id = 1; id < n_; ++id) {
        if (!(state_[id] & kSelected)) continue;
        const Type t = type(id);
        if (t.kind() == Kind::Var || t.kind() == Kind::Datasec || t.kind() == Kind::Func) continue;
        for_each_ref(t, [&](TypeId ref) {
            if (ref < n_) state_[ref] |= kReferenced;
        });
    }
}

// --- layout ----------------------------------------------------------------------------------------------------
Result<Info> Dumper::info(TypeId id, int depth) {
    for (int step = 0;; ++step) {
        if (step > kMaxChain || depth > kMaxDepth) return too_deep(id);
        const Type t = type(id);
        switch (t.kind()) {
        case Kind::Int:
        case Kind::Float:
        case Kind::Enum:
        case Kind::Enum64: return Info{t.size(), natural_align(t.size())};
        case Kind::Ptr: return Info{8, 8};
        case Kind::Typedef:
        case Kind::Volatile:
        case Kind::Const:
        case Kind::Restrict:
        case Kind::TypeTag: id = t.type(); continue;
        case Kind::Fwd:
            if (canon_[id] == id) return Info{};
            id = canon_[id];
            continue;
        case Kind::Array: {
            if (state_[id] & kInfoDone) return info_[id];
            if (state_[id] & kInfoBusy) return contains_itself(id);
            state_[id] |= kInfoBusy;
            auto e = info(t.array().elem_type, depth + 1);
            state_[id] &= ~kInfoBusy;
            if (!e) return std::move(e).error();
            const std::uint64_t size = e->size * t.array().nelems;  // both < 2^40: no overflow
            if (size > kMaxSize) return Error(Errc::MalformedBtf, format("array [%u] is too large", id));
            info_[id] = Info{size, e->align};
            state_[id] |= kInfoDone;
            return info_[id];
        }
        case Kind::Struct:
        case Kind::Union: {
            EBPF_TRY_ASSIGN(const Plan p, plan(id, depth + 1));
            return Info{t.size(), p.align};
        }
        default: return Info{};  // void, prototypes, variables: not placeable, only in crafted BTF
        }
    }
}

Error Dumper::contains_itself(TypeId id) const {
    return Error(Errc::MalformedBtf,
                 format("type [%u] '%.*s' contains itself", id, EBPF_SV(type(id).name())));
}

// Places the members of a struct/union as a C compiler would (packed or not), padding up to each BTF offset.
// Returns false when some member or the total size cannot be matched that way.
Result<bool> Dumper::simulate(TypeId id, bool packed, std::vector<Item>* items, std::uint32_t& align, int depth) {
    const Type t = type(id);
    const bool is_union = t.kind() == Kind::Union;
    const std::uint64_t total = std::uint64_t{t.size()} * 8;
    std::uint64_t pos = 0;
    bool ok = true;
    align = 1;
    auto pad = [&](std::uint64_t to) {
        if (items && to > pos) items->push_back({Item::Pad, 0, 0, pos, to - pos});
        if (to > pos) pos = to;
    };
    for (std::uint32_t i = 0; i < t.vlen(); ++i) {
        const Member m = t.member(i);
        EBPF_TRY_ASSIGN(const Info mi, info(m.type, depth + 1));
        std::uint64_t target = is_union ? 0 : m.bit_offset;
        std::uint32_t bf = m.bitfield_size;
        if (!t.kind_flag()) {
            // Old-style bitfields: the member's INT itself says how many bits it has and where.
            const Type mt = type(m.type);
            if (mt.kind() == Kind::Int && (mt.int_bits() != mt.size() * 8 || mt.int_offset() != 0)) {
                bf = mt.int_bits();
                target += mt.int_offset();
            }
        }
        const std::uint32_t a = packed ? 1 : mi.align;
        align = std::max(align, a);
        if (items) items->push_back({Item::Member, i, bf, 0, 0});
        if (is_union) {
            pos = std::max(pos, bf ? std::uint64_t{bf} : mi.size * 8);
            continue;
        }
        const std::uint64_t abits = std::uint64_t{a} * 8;
        if (bf) {
            // A bitfield moves to the next unit of its type when it would straddle one (not when packed).
            auto fits = [&](std::uint64_t p) { return packed || p / abits * abits + mi.size * 8 >= p + bf; };
            const std::uint64_t natural = fits(pos) ? pos : round_up(pos, abits);
            if (natural != target) {
                if (target < pos || !fits(target)) ok = false;
                else if (items) items->insert(items->end() - 1, {Item::Pad, 0, 0, pos, target - pos});
            }
            pos = std::max(pos, target + bf);
        } else {
            const std::uint64_t natural = round_up(pos, abits);
            if (natural != target) {
                if (target < pos || target % abits != 0) ok = false;
                else if (items) items->insert(items->end() - 1, {Item::Pad, 0, 0, pos, target - pos});
            }
            pos = std::max(pos, target + mi.size * 8);
        }
    }
    const std::uint64_t abits = std::uint64_t{align} * 8;
    if (round_up(pos, abits) != total) {
        if (pos > total || total % abits != 0) ok = false;
        else if (is_union) {
            if (items) items->push_back({Item::UnionPad, 0, 0, 0, total});
        } else {
            pad(total);
        }
    }
    return ok;
}

Result<Plan> Dumper::plan(TypeId id, int depth) {
    if (depth > kMaxDepth) return too_deep(id);
    if (state_[id] & kInfoDone) return plans_[id];
    if (state_[id] & kInfoBusy) return contains_itself(id);
    state_[id] |= kInfoBusy;
    Plan p;
    auto natural = simulate(id, false, nullptr, p.align, depth);
    if (natural && !*natural) {
        p.packed = true;
        natural = simulate(id, true, nullptr, p.align, depth);
    }
    state_[id] &= ~kInfoBusy;
    if (!natural) return std::move(natural).error();
    state_[id] |= kInfoDone;
    plans_[id] = p;
    return p;
}

}  // namespace ebpf::btf::c_dump
