// SPDX-License-Identifier: MIT
// CO-RE matching and value computation (see core.hpp for the contract).
#include "btf/core.hpp"

#include <optional>

#include "base/bytes.hpp"
#include "base/format.hpp"
#include "base/try.hpp"

namespace ebpf::btf {

using detail::format;

namespace {

// Nesting deeper than this is rejected, as by the kernel and libbpf (BPF_CORE_SPEC_MAX_LEN).
constexpr std::size_t kMaxSpecLen = 64;
constexpr int kMaxCompatDepth = 32;

Error relo_error(std::string msg) { return Error(Errc::Relocation, std::move(msg)); }

bool is_field_based(CoreReloKind k) { return static_cast<unsigned>(k) <= 5; }
bool is_type_based(CoreReloKind k) {
    return (k >= CoreReloKind::TypeIdLocal && k <= CoreReloKind::TypeSize) || k == CoreReloKind::TypeMatches;
}
bool is_enumval_based(CoreReloKind k) {
    return k == CoreReloKind::EnumvalExists || k == CoreReloKind::EnumvalValue;
}
bool is_any_enum(Kind k) { return k == Kind::Enum || k == Kind::Enum64; }
bool kinds_core_compatible(Kind a, Kind b) { return a == b || (is_any_enum(a) && is_any_enum(b)); }

bool essential_names_equal(std::string_view a, std::string_view b) { return essential_name(a) == essential_name(b); }

// Skips typedefs and qualifiers; an invalid id or a loop gives VOID so callers treat it as "no match".
Type resolved(const Spec& b, TypeId id) {
    auto t = b.skip_modifiers(id);
    return t ? *t : b.type_or_void(0);
}

Result<std::uint32_t> size_of(const Spec& b, TypeId id) {
    auto sz = b.resolve_size(id);
    if (!sz) return relo_error(format("cannot size type %u: %.*s", id, EBPF_SV(sz.error().message())));
    return *sz;
}

// A zero-length array that is the last member of its struct: indexing past its end is allowed.
bool is_flexible_array(const Spec& b, const CoreAccessor* container, const ArrayInfo& a) {
    if (!container || container->name.empty() || a.nelems > 0) return false;
    const Type t = b.type_or_void(container->type);
    return container->idx + 1u == t.vlen();
}

// Field types compatible for a field access (libbpf's "fields are compat").
bool fields_compatible(const Spec& local, TypeId lid, const Spec& target, TypeId tid) {
    for (int depth = 0; depth < kMaxCompatDepth; ++depth) {
        const Type l = resolved(local, lid), t = resolved(target, tid);
        if (l.is_composite() && t.is_composite()) return true;
        if (!kinds_core_compatible(l.kind(), t.kind())) return false;
        switch (l.kind()) {
        case Kind::Ptr:
        case Kind::Float: return true;
        case Kind::Fwd:
        case Kind::Enum:
        case Kind::Enum64: {
            const auto ln = essential_name(l.name()), tn = essential_name(t.name());
            return ln.empty() || tn.empty() || ln == tn;
        }
        case Kind::Int: return l.int_offset() == 0 && t.int_offset() == 0;
        case Kind::Array:
            lid = l.array().elem_type;
            tid = t.array().elem_type;
            continue;
        default: return false;
        }
    }
    return false;
}

Result<bool> types_compatible(const Spec& local, TypeId lid, const Spec& target, TypeId tid, int level) {
    for (; level > 0; --level) {
        auto lt = local.skip_modifiers(lid);
        auto tt = target.skip_modifiers(tid);
        if (!lt || !tt) return relo_error("type loop or bad type id while checking compatibility");
        if (!kinds_core_compatible(lt->kind(), tt->kind())) return false;
        switch (lt->kind()) {
        case Kind::Void:
        case Kind::Struct:
        case Kind::Union:
        case Kind::Enum:
        case Kind::Enum64:
        case Kind::Fwd: return true;
        case Kind::Int: return lt->int_offset() == 0 && tt->int_offset() == 0;
        case Kind::Ptr:
            lid = lt->type();
            tid = tt->type();
            continue;
        case Kind::Array:
            lid = lt->array().elem_type;
            tid = tt->array().elem_type;
            continue;
        case Kind::FuncProto: {
            if (lt->vlen() != tt->vlen()) return false;
            for (std::uint32_t i = 0; i < lt->vlen(); ++i) {
                EBPF_TRY_ASSIGN(const bool ok,
                                types_compatible(local, lt->param(i).type, target, tt->param(i).type, level - 1));
                if (!ok) return false;
            }
            lid = lt->type();
            tid = tt->type();
            continue;
        }
        default: return false;
        }
    }
    return relo_error("type compatibility check nests too deeply");
}

bool names_match(std::string_view local, std::string_view target) {
    if (target.empty()) return local.empty();
    return essential_names_equal(local, target);
}

Result<bool> types_match(const Spec& local, TypeId lid, const Spec& target, TypeId tid, bool behind_ptr, int level);

// Every local enumerator must exist (by flavor-less name) in the target; sizes must agree. Values may differ.
bool enums_match(const Type& l, const Type& t) {
    if (l.size() != t.size()) return false;
    for (std::uint32_t i = 0; i < l.vlen(); ++i) {
        bool found = false;
        for (std::uint32_t j = 0; j < t.vlen() && !found; ++j)
            found = names_match(l.enumerator(i).name, t.enumerator(j).name);
        if (!found) return false;
    }
    return true;
}

Result<bool> composites_match(const Spec& local, const Type& l, const Spec& target, const Type& t, bool behind_ptr,
                              int level) {
    if (l.vlen() > t.vlen()) return false;
    for (std::uint32_t i = 0; i < l.vlen(); ++i) {
        const Member lm = l.member(i);
        bool found = false;
        for (std::uint32_t j = 0; j < t.vlen() && !found; ++j) {
            const Member tm = t.member(j);
            if (!names_match(lm.name, tm.name)) continue;
            EBPF_TRY_ASSIGN(found, types_match(local, lm.type, target, tm.type, behind_ptr, level - 1));
        }
        if (!found) return false;
    }
    return true;
}

Result<bool> types_match(const Spec& local, TypeId lid, const Spec& target, TypeId tid, bool behind_ptr, int level) {
    for (; level > 0; --level) {
        auto lt = local.skip_modifiers(lid);
        auto tt = target.skip_modifiers(tid);
        if (!lt || !tt) return relo_error("type loop or bad type id while matching types");
        if (!names_match(lt->name(), tt->name())) return false;
        const Kind lk = lt->kind(), tk = tt->kind();
        switch (lk) {
        case Kind::Void: return lk == tk;
        case Kind::Fwd: {
            const bool lf = lt->kind_flag();
            if (behind_ptr) {
                if (lk == tk) return lf == tt->kind_flag();
                // A forward declaration's kind flag says union (1) or struct (0).
                return (tk == Kind::Struct && !lf) || (tk == Kind::Union && lf);
            }
            return lk == tk && lf == tt->kind_flag();
        }
        case Kind::Enum:
        case Kind::Enum64: return is_any_enum(tk) && enums_match(*lt, *tt);
        case Kind::Struct:
        case Kind::Union:
            if (behind_ptr) {
                if (lk == tk) return true;
                return tk == Kind::Fwd && (lk == Kind::Union) == tt->kind_flag();
            }
            if (lk != tk) return false;
            return composites_match(local, *lt, target, *tt, behind_ptr, level);
        case Kind::Int:
            return lk == tk && lt->size() == tt->size() &&
                   (lt->int_encoding() & kIntSigned) == (tt->int_encoding() & kIntSigned);
        case Kind::Ptr:
            if (lk != tk) return false;
            behind_ptr = true;
            lid = lt->type();
            tid = tt->type();
            continue;
        case Kind::Array:
            if (lk != tk || lt->array().nelems != tt->array().nelems) return false;
            lid = lt->array().elem_type;
            tid = tt->array().elem_type;
            continue;
        case Kind::FuncProto: {
            if (lk != tk || lt->vlen() != tt->vlen()) return false;
            for (std::uint32_t i = 0; i < lt->vlen(); ++i) {
                EBPF_TRY_ASSIGN(const bool ok,
                                types_match(local, lt->param(i).type, target, tt->param(i).type, behind_ptr, level - 1));
                if (!ok) return false;
            }
            lid = lt->type();
            tid = tt->type();
            continue;
        }
        default: return false;
        }
    }
    return relo_error("type match check nests too deeply");
}

// Finds the member named like local accessor `la` in target composite `tid`, descending into anonymous members.
// Appends the raw indices of the path and adds its bit offset. Returns false when there is no such member or
// the field types are not compatible.
Result<bool> match_member(const Spec& local, const CoreAccessor& la, const Spec& target, TypeId tid,
                          CoreSpec& ts, TypeId& next, int depth) {
    if (depth > kMaxCompatDepth) return relo_error("anonymous members nest too deeply");
    const Type lt = local.type_or_void(la.type);
    const Member lm = lt.member(la.idx);
    const Type t = resolved(target, tid);
    if (!t.is_composite()) return false;
    for (std::uint32_t i = 0; i < t.vlen(); ++i) {
        const Member m = t.member(i);
        if (ts.raw.size() >= kMaxSpecLen) return relo_error("field access nests too deeply");
        ts.raw.push_back(i);
        ts.bit_offset += m.bit_offset;
        if (m.name.empty()) {
            EBPF_TRY_ASSIGN(const bool found, match_member(local, la, target, m.type, ts, next, depth + 1));
            if (found) return true;
        } else if (m.name == lm.name) {
            if (!fields_compatible(local, lm.type, target, m.type)) return false;
            ts.access.push_back({t.id(), i, m.name});
            next = m.type;
            return true;
        }
        ts.raw.pop_back();
        ts.bit_offset -= m.bit_offset;
    }
    return false;
}

// Matches a local spec against one candidate; fills `ts` and returns true on a match.
Result<bool> spec_match(const CoreSpec& ls, const Spec& target, TypeId tid, CoreSpec& ts) {
    ts = CoreSpec{};
    ts.btf = &target;
    ts.root = tid;
    ts.kind = ls.kind;
    if (is_type_based(ls.kind)) {
        if (ls.kind == CoreReloKind::TypeMatches) return types_match(*ls.btf, ls.root, target, tid, false, kMaxCompatDepth);
        return types_compatible(*ls.btf, ls.root, target, tid, kMaxCompatDepth);
    }
    if (is_enumval_based(ls.kind)) {
        const Type t = resolved(target, tid);
        if (!is_any_enum(t.kind())) return false;
        const std::string_view want = essential_name(ls.access[0].name);
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            const std::string_view n = t.enumerator(i).name;
            if (essential_name(n) != want) continue;
            ts.access.push_back({t.id(), i, n});
            ts.raw.push_back(i);
            return true;
        }
        return false;
    }
    // Field-based: the first step is an array index on the root, then members by name and array indices.
    TypeId cur = tid;
    for (std::size_t i = 0; i < ls.access.size(); ++i) {
        const CoreAccessor& la = ls.access[i];
        if (i > 0) {
            if (!la.name.empty()) {
                TypeId next = 0;
                EBPF_TRY_ASSIGN(const bool found, match_member(*ls.btf, la, target, cur, ts, next, 0));
                if (!found) return false;
                cur = next;
                continue;
            }
            const Type arr = resolved(target, cur);
            if (arr.kind() != Kind::Array) return false;
            const ArrayInfo a = arr.array();
            const CoreAccessor* container = ts.access.empty() ? nullptr : &ts.access.back();
            if (!is_flexible_array(target, container, a) && la.idx >= a.nelems) return false;
            cur = resolved(target, a.elem_type).id();
            if (cur == 0 && a.elem_type != 0) return relo_error("bad array element type in target BTF");
        } else {
            cur = resolved(target, cur).id();
        }
        if (ts.raw.size() >= kMaxSpecLen) return relo_error("field access nests too deeply");
        ts.access.push_back({cur, la.idx, {}});
        ts.raw.push_back(la.idx);
        EBPF_TRY_ASSIGN(const std::uint32_t sz, size_of(target, cur));
        ts.bit_offset += la.idx * sz * 8;
    }
    return true;
}

// Value of a field relocation for one spec; `spec == nullptr` means "no target".
Result<void> calc_field(const CoreSpec* spec, CoreReloKind kind, std::uint64_t& val, std::uint32_t& field_size,
                        TypeId& field_type, bool* validate, bool& poison) {
    field_size = 0;
    if (kind == CoreReloKind::FieldExists) {
        val = spec ? 1 : 0;
        return {};
    }
    if (!spec) {
        poison = true;
        return {};
    }
    const Spec& b = *spec->btf;
    const CoreAccessor& acc = spec->access.back();
    if (acc.name.empty()) {  // an array element (a[n]) rather than a named member
        EBPF_TRY_ASSIGN(const std::uint32_t sz, size_of(b, acc.type));
        if (kind == CoreReloKind::FieldByteOffset) {
            val = spec->bit_offset / 8;
            field_size = sz;
            field_type = acc.type;
        } else if (kind == CoreReloKind::FieldByteSize) {
            val = sz;
        } else {
            return relo_error(format("%.*s cannot be applied to an array element", EBPF_SV(to_string(kind))));
        }
        if (validate) *validate = true;
        return {};
    }
    const Type container = b.type_or_void(acc.type);
    const Member m = container.member(acc.idx);
    auto mt_r = b.skip_modifiers(m.type);
    if (!mt_r) return std::move(mt_r).error();
    const Type mt = *mt_r;
    const std::uint32_t bit_off = spec->bit_offset;
    std::uint32_t bit_sz = m.bitfield_size;
    const bool bitfield = bit_sz > 0;
    std::uint32_t byte_sz, byte_off;
    if (bitfield) {
        byte_sz = mt.size();
        if (byte_sz == 0) return relo_error("bitfield of a type without size");
        byte_off = bit_off / 8 / byte_sz * byte_sz;
        // The smallest naturally aligned load that contains the whole bitfield.
        while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
            if (byte_sz >= 8) return relo_error("bitfield cannot be read with a 64-bit load");
            byte_sz *= 2;
            byte_off = bit_off / 8 / byte_sz * byte_sz;
        }
    } else {
        EBPF_TRY_ASSIGN(byte_sz, size_of(b, mt.id()));
        byte_off = bit_off / 8;
        bit_sz = byte_sz * 8;
    }
    // The compiler and we may disagree on bitfield loads, so only signedness and shifts are checked for them.
    if (validate) *validate = !bitfield;
    switch (kind) {
    case CoreReloKind::FieldByteOffset:
        val = byte_off;
        if (!bitfield) {
            field_size = byte_sz;
            field_type = mt.id();
        }
        break;
    case CoreReloKind::FieldByteSize: val = byte_sz; break;
    case CoreReloKind::FieldSigned:
        val = (is_any_enum(mt.kind()) && mt.kind_flag()) ||
              (mt.kind() == Kind::Int && (mt.int_encoding() & kIntSigned));
        if (validate) *validate = true;
        break;
    case CoreReloKind::FieldLshiftU64:
        // The BPF program runs in host byte order.
        if (detail::host_endian() == detail::Endian::Little) val = 64 - (bit_off + bit_sz - byte_off * 8);
        else val = (8 - byte_sz) * 8 + (bit_off - byte_off * 8);
        break;
    case CoreReloKind::FieldRshiftU64:
        val = 64 - bit_sz;
        if (validate) *validate = true;
        break;
    default: return relo_error("unsupported field relocation kind");
    }
    return {};
}

Result<void> calc_type(const CoreSpec* spec, CoreReloKind kind, std::uint64_t& val, bool* validate) {
    if (!spec) {
        val = 0;
        return {};
    }
    if (validate) *validate = true;
    switch (kind) {
    case CoreReloKind::TypeIdLocal:
    case CoreReloKind::TypeIdTarget: val = spec->root; break;
    case CoreReloKind::TypeExists:
    case CoreReloKind::TypeMatches: val = 1; break;
    case CoreReloKind::TypeSize: {
        EBPF_TRY_ASSIGN(const std::uint32_t sz, size_of(*spec->btf, spec->root));
        val = sz;
        break;
    }
    default: return relo_error("unsupported type relocation kind");
    }
    return {};
}

Result<void> calc_enumval(const CoreSpec* spec, CoreReloKind kind, std::uint64_t& val, bool& poison) {
    if (kind == CoreReloKind::EnumvalExists) {
        val = spec ? 1 : 0;
        return {};
    }
    if (!spec) {
        poison = true;
        return {};
    }
    const Type t = spec->btf->type_or_void(spec->access[0].type);
    const Enumerator e = t.enumerator(spec->access[0].idx);
    // 32-bit enumerator values are sign-extended, as libbpf does.
    val = t.kind() == Kind::Enum ? static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(e.value)))
                                 : static_cast<std::uint64_t>(e.value);
    return {};
}

// One result for a (local, target) pair; target null means no candidate matched.
Result<CoreResult> calc(const CoreSpec& local, const CoreSpec* target) {
    CoreResult r;
    const CoreReloKind k = local.kind;
    if (is_field_based(k)) {
        bool dummy_poison = false;
        EBPF_TRY(calc_field(&local, k, r.orig_val, r.orig_size, r.orig_type, &r.validate, dummy_poison));
        EBPF_TRY(calc_field(target, k, r.new_val, r.new_size, r.new_type, nullptr, r.poison));
        if (!r.poison && r.orig_size != r.new_size) {
            // Resizing a load is only safe for pointers (32-bit kernel pointers) and unsigned integers.
            const Type o = local.btf->type_or_void(r.orig_type);
            const Type n = target ? target->btf->type_or_void(r.new_type) : Type();
            const bool ptrs = o.kind() == Kind::Ptr && n.kind() == Kind::Ptr;
            const bool uints = o.kind() == Kind::Int && n.kind() == Kind::Int && !(o.int_encoding() & kIntSigned) &&
                               !(n.int_encoding() & kIntSigned);
            r.fail_memsz_adjust = !ptrs && !uints;
        }
    } else if (is_type_based(k)) {
        EBPF_TRY(calc_type(&local, k, r.orig_val, &r.validate));
        EBPF_TRY(calc_type(target, k, r.new_val, nullptr));
    } else {
        bool dummy_poison = false;
        EBPF_TRY(calc_enumval(&local, k, r.orig_val, dummy_poison));
        EBPF_TRY(calc_enumval(target, k, r.new_val, r.poison));
    }
    if (target) {
        r.target_root = target->root;
        r.target_btf = target->btf;
    }
    return r;
}

}  // namespace

Result<CoreSpec> core_parse_spec(const Spec& b, TypeId root, std::string_view access, CoreReloKind kind) {
    CoreSpec s;
    s.btf = &b;
    s.root = root;
    s.kind = kind;
    // "0:1:2" -> {0, 1, 2}
    std::size_t i = 0;
    while (i < access.size()) {
        std::uint64_t v = 0;
        const std::size_t start = i;
        while (i < access.size() && access[i] >= '0' && access[i] <= '9') {
            v = v * 10 + static_cast<std::uint64_t>(access[i] - '0');
            if (v > 0xffffffffu) return relo_error(format("access string '%.*s': index too large", EBPF_SV(access)));
            ++i;
        }
        if (i == start || (i < access.size() && access[i] != ':'))
            return relo_error(format("malformed access string '%.*s'", EBPF_SV(access)));
        if (i < access.size()) {
            ++i;
            if (i == access.size()) return relo_error(format("malformed access string '%.*s'", EBPF_SV(access)));
        }
        if (s.raw.size() >= kMaxSpecLen) return relo_error("access string nests too deeply");
        s.raw.push_back(static_cast<std::uint32_t>(v));
    }
    if (s.raw.empty()) return relo_error("empty access string");
    if (is_type_based(kind)) {
        if (s.raw.size() != 1 || s.raw[0] != 0)
            return relo_error(format("type relocation with access string '%.*s' (expected \"0\")", EBPF_SV(access)));
        return s;
    }
    auto root_t = b.skip_modifiers(root);
    if (!root_t) return std::move(root_t).error();
    if (is_enumval_based(kind)) {
        if (!is_any_enum(root_t->kind()) || s.raw.size() != 1 || s.raw[0] >= root_t->vlen())
            return relo_error(format("enum value relocation on %s with access '%.*s'", b.describe(root).c_str(),
                                     EBPF_SV(access)));
        s.access.push_back({root_t->id(), s.raw[0], root_t->enumerator(s.raw[0]).name});
        return s;
    }
    if (!is_field_based(kind)) return relo_error(format("unknown CO-RE relocation kind %u", static_cast<unsigned>(kind)));
    TypeId id = root_t->id();
    s.access.push_back({id, s.raw[0], {}});
    EBPF_TRY_ASSIGN(const std::uint32_t root_size, size_of(b, id));
    s.bit_offset = s.raw[0] * root_size * 8;
    for (std::size_t k = 1; k < s.raw.size(); ++k) {
        auto t_r = b.skip_modifiers(id);
        if (!t_r) return std::move(t_r).error();
        const Type t = *t_r;
        id = t.id();
        const std::uint32_t idx = s.raw[k];
        if (t.is_composite()) {
            if (idx >= t.vlen())
                return relo_error(format("access '%.*s': member %u of %s does not exist", EBPF_SV(access), idx,
                                         b.describe(id).c_str()));
            const Member m = t.member(idx);
            s.bit_offset += m.bit_offset;
            if (!m.name.empty()) s.access.push_back({id, idx, m.name});
            id = m.type;
        } else if (t.kind() == Kind::Array) {
            const ArrayInfo a = t.array();
            auto elem = b.skip_modifiers(a.elem_type);
            if (!elem) return std::move(elem).error();
            const CoreAccessor* container = &s.access.back();
            if (!is_flexible_array(b, container, a) && idx >= a.nelems)
                return relo_error(format("access '%.*s': index %u is outside %s", EBPF_SV(access), idx,
                                         b.describe(t.id()).c_str()));
            id = elem->id();
            s.access.push_back({id, idx, {}});
            EBPF_TRY_ASSIGN(const std::uint32_t sz, size_of(b, id));
            s.bit_offset += idx * sz * 8;
        } else {
            return relo_error(format("access '%.*s' steps into %s, which is neither a struct, union nor array",
                                     EBPF_SV(access), b.describe(id).c_str()));
        }
    }
    return s;
}

std::vector<CoreCandidateCache::Candidate>& CoreCandidateCache::get(const Spec& local, TypeId local_id,
                                                                          const CoreTargets& targets) {
    auto it = cache_.find(local_id);
    if (it != cache_.end()) return it->second;
    std::vector<Candidate> out;
    const Type lt = local.type_or_void(local_id);
    const std::string_view name = essential_name(lt.name());
    auto add_from = [&](const Spec& target) {
        // ENUM and ENUM64 are interchangeable candidates.
        std::vector<Kind> kinds{lt.kind()};
        if (lt.kind() == Kind::Enum) kinds.push_back(Kind::Enum64);
        if (lt.kind() == Kind::Enum64) kinds.push_back(Kind::Enum);
        for (Kind k : kinds)
            for (TypeId id : target.find_candidates(name, k)) {
                // Module BTF repeats no vmlinux types, but find_candidates also lists its base: skip those.
                if (target.base() && id < target.first_id()) continue;
                out.push_back({&target, id});
            }
    };
    if (targets.vmlinux) add_from(*targets.vmlinux);
    if (out.empty() && targets.modules)
        for (const Spec* m : targets.modules()) add_from(*m);
    return cache_.emplace(local_id, std::move(out)).first->second;
}

Result<CoreResult> core_calc(const Spec& local, TypeId root, std::string_view access, CoreReloKind kind,
                             const CoreTargets& targets, CoreCandidateCache& cache) {
    EBPF_TRY_ASSIGN(const CoreSpec ls, core_parse_spec(local, root, access, kind));
    if (kind == CoreReloKind::TypeIdLocal) {
        CoreResult r;
        r.orig_val = r.new_val = root;
        return r;
    }
    if (local.type_or_void(root).name().empty())
        return relo_error(format("CO-RE relocation against an anonymous type (%s) cannot be matched by name",
                                 local.describe(root).c_str()));
    auto& cands = cache.get(local, root, targets);
    std::optional<CoreResult> chosen;
    CoreSpec chosen_spec, ts;
    std::vector<CoreCandidateCache::Candidate> matching;
    for (const auto& c : cands) {
        EBPF_TRY_ASSIGN(const bool matched, spec_match(ls, *c.btf, c.id, ts));
        if (!matched) continue;
        matching.push_back(c);
        EBPF_TRY_ASSIGN(CoreResult r, calc(ls, &ts));
        if (!chosen) {
            chosen = r;
            chosen_spec = ts;
            continue;
        }
        if (is_field_based(kind) && ts.bit_offset != chosen_spec.bit_offset)
            return relo_error(format("%s: field offset ambiguity between candidates %s and %s", core_describe(ls).c_str(),
                                     core_describe(chosen_spec).c_str(), core_describe(ts).c_str()));
        if (r.poison != chosen->poison || (!r.poison && r.new_val != chosen->new_val))
            return relo_error(format("%s: relocation decision ambiguity between candidates %s (%llu) and %s (%llu)",
                                     core_describe(ls).c_str(), core_describe(chosen_spec).c_str(),
                                     static_cast<unsigned long long>(chosen->new_val), core_describe(ts).c_str(),
                                     static_cast<unsigned long long>(r.new_val)));
    }
    if (chosen) {
        cands = std::move(matching);
        return *chosen;
    }
    return calc(ls, nullptr);
}

std::string core_describe(const CoreSpec& s) {
    const Spec& b = *s.btf;
    std::string out = format("[%u] %s", s.root, b.describe(s.root).c_str());
    if (is_type_based(s.kind)) return out;
    if (is_enumval_based(s.kind)) {
        if (!s.access.empty()) out += "::" + std::string(s.access[0].name);
        return out;
    }
    for (std::size_t i = 1; i < s.access.size(); ++i) {
        if (s.access[i].name.empty()) out += format("[%u]", s.access[i].idx);
        else out += "." + std::string(s.access[i].name);
    }
    std::string raw;
    for (std::uint32_t r : s.raw) raw += (raw.empty() ? "" : ":") + std::to_string(r);
    return out + format(" (%s @ offset %u)", raw.c_str(), s.bit_offset / 8);
}

Result<bool> core_types_compatible(const Spec& local, TypeId lid, const Spec& target, TypeId tid) {
    return types_compatible(local, lid, target, tid, kMaxCompatDepth);
}

Result<bool> core_types_match(const Spec& local, TypeId lid, const Spec& target, TypeId tid) {
    return types_match(local, lid, target, tid, false, kMaxCompatDepth);
}

}  // namespace ebpf::btf
