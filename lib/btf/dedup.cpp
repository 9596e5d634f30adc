// SPDX-License-Identifier: MIT
// BTF deduplication: our own implementation of the algorithm described for libbpf's btf__dedup (strings are
// deduplicated by StringTable when the result is encoded).
#include <algorithm>
#include <unordered_map>

#include "base/format.hpp"
#include "btf/mutable.hpp"

namespace ebpf::btf {

namespace btf_dedup_impl {

std::uint64_t mix(std::uint64_t h, std::uint64_t v) noexcept {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h;
}
std::uint64_t hash_str(std::uint64_t h, const std::string& s) noexcept {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return mix(h, s.size());
}

bool is_primitive(Kind k) noexcept {
    return k == Kind::Int || k == Kind::Float || k == Kind::Enum || k == Kind::Enum64 || k == Kind::Fwd;
}

class Dedup {
public:
    explicit Dedup(std::vector<MutType>& t) : t_(t), map_(t.size()) {
        for (std::size_t i = 0; i < map_.size(); ++i) map_[i] = static_cast<TypeId>(i);
    }

    Result<std::vector<TypeId>> run() {
        dedup_primitives();
        dedup_composites();
        resolve_fwds();
        state_.assign(t_.size(), 0);
        for (TypeId id = 1; id < t_.size(); ++id) {
            auto r = dedup_ref(id, 0);
            if (!r) return std::move(r).error();
        }
        return compact();
    }

private:
    TypeId resolve(TypeId id) {
        if (id >= map_.size()) return id;
        TypeId r = id;
        while (map_[r] != r) r = map_[r];
        while (map_[id] != r) {
            const TypeId next = map_[id];
            map_[id] = r;
            id = next;
        }
        return r;
    }

    // Hash and equality of a whole type, with its references resolved to their current representatives.
    std::uint64_t full_hash(const MutType& t) {
        std::uint64_t h = hash_str(static_cast<std::uint64_t>(t.kind) * 31 + t.kflag, t.name);
        h = mix(h, t.func_linkage);
        MutType copy = t;
        for_each_type_ref(copy, [&](std::uint32_t& r) { r = resolve(r); });
        h = mix(h, copy.size_type);
        for (auto d : copy.data) h = mix(h, d);
        for (const auto& it : copy.items) h = mix(hash_str(h, it.name), (std::uint64_t{it.a} << 32) ^ it.b ^ (std::uint64_t{it.c} << 16));
        return h;
    }
    bool full_equal(const MutType& a, const MutType& b) {
        if (a.kind != b.kind || a.kflag != b.kflag || a.name != b.name || a.func_linkage != b.func_linkage ||
            a.data.size() != b.data.size() || a.items.size() != b.items.size())
            return false;
        MutType ca = a, cb = b;
        for_each_type_ref(ca, [&](std::uint32_t& r) { r = resolve(r); });
        for_each_type_ref(cb, [&](std::uint32_t& r) { r = resolve(r); });
        return ca == cb;
    }

    void dedup_primitives() {
        std::unordered_map<std::uint64_t, std::vector<TypeId>> seen;
        for (TypeId id = 1; id < t_.size(); ++id) {
            if (!is_primitive(t_[id].kind)) continue;
            auto& bucket = seen[full_hash(t_[id])];
            bool found = false;
            for (TypeId c : bucket)
                if (full_equal(t_[c], t_[id])) {
                    map_[id] = c;
                    found = true;
                    break;
                }
            if (!found) bucket.push_back(id);
        }
    }

    // Name, size and member layout: what two equivalent composites must share before their graphs are compared.
    std::uint64_t shallow_hash(const MutType& t) {
        std::uint64_t h = hash_str(static_cast<std::uint64_t>(t.kind), t.name);
        h = mix(h, t.size_type);
        for (const auto& m : t.items) h = mix(hash_str(h, m.name), m.b);
        return h;
    }

    void dedup_composites() {
        std::unordered_map<std::uint64_t, std::vector<TypeId>> canon;
        for (TypeId id = 1; id < t_.size(); ++id) {
            const MutType& t = t_[id];
            if (t.kind != Kind::Struct && t.kind != Kind::Union) continue;
            if (map_[id] != id) continue;  // already mapped while an earlier graph was compared
            auto& bucket = canon[shallow_hash(t)];
            bool found = false;
            for (TypeId c : bucket) {
                hypot_.clear();
                hypot_list_.clear();
                if (equiv(id, c, 0)) {
                    merge_hypot();
                    map_[id] = resolve(c);
                    found = true;
                    break;
                }
            }
            if (!found) bucket.push_back(id);
        }
    }

    // Is the graph at `cand` equivalent to the graph at `canon`? Records the pairs it assumes (hypot_), which
    // makes cycles terminate: a pair met again is assumed equal.
    bool equiv(TypeId cand, TypeId canon, int depth) {
        cand = resolve(cand);
        canon = resolve(canon);
        if (cand == canon) return true;
        if (depth > 2000 || cand >= t_.size() || canon >= t_.size()) return false;
        if (auto it = hypot_.find(canon); it != hypot_.end()) {
            if (resolve(it->second) == cand) return true;
            // One compilation unit may repeat an identical type (arrays, prototypes): accept an identical twin.
            return full_equal(t_[resolve(it->second)], t_[cand]);
        }
        hypot_[canon] = cand;
        hypot_list_.push_back(canon);
        const MutType& a = t_[cand];
        const MutType& b = t_[canon];
        const bool a_comp = a.kind == Kind::Struct || a.kind == Kind::Union;
        const bool b_comp = b.kind == Kind::Struct || b.kind == Kind::Union;
        if (a.kind == Kind::Fwd && b_comp) return a.name == b.name && a.kflag == (b.kind == Kind::Union);
        if (b.kind == Kind::Fwd && a_comp) return a.name == b.name && b.kflag == (a.kind == Kind::Union);
        if (a.kind != b.kind) return false;
        switch (a.kind) {
        case Kind::Void: return true;
        case Kind::Int:
        case Kind::Float:
        case Kind::Enum:
        case Kind::Enum64:
        case Kind::Fwd: return full_equal(a, b);
        case Kind::Ptr:
        case Kind::Const:
        case Kind::Volatile:
        case Kind::Restrict: return equiv(a.size_type, b.size_type, depth + 1);
        case Kind::Typedef:
        case Kind::TypeTag: return a.name == b.name && equiv(a.size_type, b.size_type, depth + 1);
        case Kind::Array:
            if (a.data.size() < 3 || b.data.size() < 3 || a.data[2] != b.data[2]) return false;
            return equiv(a.data[1], b.data[1], depth + 1) && equiv(a.data[0], b.data[0], depth + 1);
        case Kind::Struct:
        case Kind::Union:
            if (a.name != b.name || a.size_type != b.size_type || a.kflag != b.kflag || a.items.size() != b.items.size())
                return false;
            for (std::size_t i = 0; i < a.items.size(); ++i)
                if (a.items[i].name != b.items[i].name || a.items[i].b != b.items[i].b) return false;
            for (std::size_t i = 0; i < a.items.size(); ++i)
                if (!equiv(t_[cand].items[i].a, t_[canon].items[i].a, depth + 1)) return false;
            return true;
        case Kind::FuncProto:
            if (a.items.size() != b.items.size()) return false;
            for (std::size_t i = 0; i < a.items.size(); ++i)
                if (a.items[i].name != b.items[i].name) return false;
            if (!equiv(a.size_type, b.size_type, depth + 1)) return false;
            for (std::size_t i = 0; i < t_[cand].items.size(); ++i)
                if (!equiv(t_[cand].items[i].a, t_[canon].items[i].a, depth + 1)) return false;
            return true;
        case Kind::Func:
        case Kind::Var:
        case Kind::DeclTag:
            if (a.name != b.name || a.func_linkage != b.func_linkage || a.data != b.data) return false;
            return equiv(a.size_type, b.size_type, depth + 1);
        case Kind::Datasec: return false;
        }
        return false;
    }

    // After a successful comparison, every composite (and FWD) of the candidate graph maps to its counterpart.
    void merge_hypot() {
        for (TypeId canon : hypot_list_) {
            const TypeId c = resolve(hypot_[canon]);
            const TypeId k = resolve(canon);
            if (c == k) continue;
            const Kind ck = t_[c].kind, kk = t_[k].kind;
            if (ck == Kind::Fwd && (kk == Kind::Struct || kk == Kind::Union)) {
                map_[c] = k;
            } else if ((ck == Kind::Struct || ck == Kind::Union) && ck == kk && map_[c] == c && c > k) {
                map_[c] = k;
            }
        }
    }

    void resolve_fwds() {
        // name -> the only canonical struct (index 0) / union (index 1) of that name, or kAmbiguous.
        constexpr TypeId kAmbiguous = ~TypeId{0};
        std::unordered_map<std::string, std::pair<TypeId, TypeId>> by_name;
        for (TypeId id = 1; id < t_.size(); ++id) {
            const MutType& t = t_[id];
            if ((t.kind != Kind::Struct && t.kind != Kind::Union) || t.name.empty() || resolve(id) != id) continue;
            auto& slot = by_name[t.name];
            TypeId& s = t.kind == Kind::Union ? slot.second : slot.first;
            s = s == 0 ? id : kAmbiguous;
        }
        for (TypeId id = 1; id < t_.size(); ++id) {
            const MutType& t = t_[id];
            if (t.kind != Kind::Fwd || resolve(id) != id) continue;
            auto it = by_name.find(t.name);
            if (it == by_name.end()) continue;
            const TypeId target = t.kflag ? it->second.second : it->second.first;
            if (target != 0 && target != kAmbiguous) map_[id] = target;
        }
    }

    Result<TypeId> dedup_ref(TypeId id, int depth) {
        id = resolve(id);
        if (id == 0 || id >= t_.size()) return id;
        const Kind k = t_[id].kind;
        if (is_primitive(k) || k == Kind::Struct || k == Kind::Union) return id;
        if (state_[id] == 2) return resolve(id);
        if (state_[id] == 1 || depth > 4000)
            return Error(Errc::MalformedBtf, detail::format("BTF type %u: reference loop through no struct or union", id));
        state_[id] = 1;
        // Referenced types first (bottom-up); their representatives replace the references.
        std::vector<std::uint32_t*> refs;
        for_each_type_ref(t_[id], [&](std::uint32_t& r) { refs.push_back(&r); });
        for (std::uint32_t* r : refs) {
            auto nr = dedup_ref(*r, depth + 1);
            if (!nr) return std::move(nr).error();
            *r = *nr;
        }
        state_[id] = 2;
        if (k == Kind::Datasec) return id;
        auto& bucket = refs_[full_hash(t_[id])];
        for (TypeId c : bucket)
            if (full_equal(t_[c], t_[id])) {
                map_[id] = c;
                return c;
            }
        bucket.push_back(id);
        return id;
    }

    std::vector<TypeId> compact() {
        std::vector<TypeId> new_id(t_.size(), 0);
        std::vector<MutType> out(1);
        for (TypeId id = 1; id < t_.size(); ++id) {
            if (resolve(id) != id) continue;
            new_id[id] = static_cast<TypeId>(out.size());
            out.push_back(std::move(t_[id]));
        }
        auto remap = [&](TypeId old) -> TypeId {
            if (old >= new_id.size()) return old;
            return new_id[resolve(old)];
        };
        for (MutType& t : out) for_each_type_ref(t, [&](std::uint32_t& r) { r = remap(r); });
        std::vector<TypeId> result(t_.size());
        for (TypeId id = 0; id < t_.size(); ++id) result[id] = remap(id);
        t_ = std::move(out);
        return result;
    }

    std::vector<MutType>& t_;
    std::vector<TypeId> map_;
    std::unordered_map<TypeId, TypeId> hypot_;
    std::vector<TypeId> hypot_list_;
    std::vector<std::uint8_t> state_;
    std::unordered_map<std::uint64_t, std::vector<TypeId>> refs_;
};

}  // namespace btf_dedup_impl

Result<std::vector<TypeId>> dedup_types(std::vector<MutType>& types) {
    if (types.empty()) types.resize(1);
    return btf_dedup_impl::Dedup(types).run();
}

}  // namespace ebpf::btf
