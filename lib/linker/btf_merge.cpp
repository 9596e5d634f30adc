// SPDX-License-Identifier: MIT
// Static linker: merging the inputs' .BTF (one VAR/FUNC per global symbol, DATASECs rebuilt for the merged
// sections), type checks between an extern and its definition, deduplication, and .BTF.ext rebasing.
#include <algorithm>

#include "base/format.hpp"
#include "base/try.hpp"
#include "linker/linker_impl.hpp"

namespace ebpf::linker_impl {

using btf::Kind;
using btf::MutType;
using btf::TypeId;
using detail::format;

namespace {

bool non_static(Kind k, const btf::Type& t) {
    return (k == Kind::Var && t.linkage() != btf::kVarStatic) || (k == Kind::Func && t.linkage() != btf::kFuncStatic);
}
bool non_static(const MutType& t) {
    return (t.kind == Kind::Var && !t.data.empty() && t.data[0] != btf::kVarStatic) ||
           (t.kind == Kind::Func && t.func_linkage != btf::kFuncStatic);
}

struct TypeCheck {
    const btf::Spec& a;
    const btf::Spec& b;
    std::string why;

    bool fail(std::string s) {
        if (why.empty()) why = std::move(s);
        return false;
    }
    // Shape compatibility of two types (modifiers and typedefs skipped). `exact` compares struct members too;
    // behind a pointer only the kind and name must agree (a FWD matches a struct or union of its name).
    bool match(TypeId ia, TypeId ib, bool exact, int depth) {
        if (depth > 64) return fail("types nest too deeply");
        auto ra = a.skip_modifiers(ia);
        auto rb = b.skip_modifiers(ib);
        if (!ra || !rb) return fail("a type id is invalid");
        const btf::Type ta = *ra, tb = *rb;
        const Kind ka = ta.kind(), kb = tb.kind();
        if (!exact && (ka == Kind::Fwd) != (kb == Kind::Fwd)) {
            const btf::Type& f = ka == Kind::Fwd ? ta : tb;
            const btf::Type& c = ka == Kind::Fwd ? tb : ta;
            if (ta.name() != tb.name()) return fail(format("'%.*s' vs '%.*s'", EBPF_SV(ta.name()), EBPF_SV(tb.name())));
            if ((f.kind_flag() && c.kind() == Kind::Union) || (!f.kind_flag() && c.kind() == Kind::Struct)) return true;
            return fail("forward declaration of another kind");
        }
        if (ka != kb)
            return fail(format("%.*s vs %.*s", EBPF_SV(btf::to_string(ka)), EBPF_SV(btf::to_string(kb))));
        switch (ka) {
        case Kind::Struct:
        case Kind::Union:
        case Kind::Enum:
        case Kind::Enum64:
        case Kind::Fwd:
            if (ta.name() != tb.name())
                return fail(format("%.*s '%.*s' vs '%.*s'", EBPF_SV(btf::to_string(ka)), EBPF_SV(ta.name()),
                                   EBPF_SV(tb.name())));
            break;
        default: break;
        }
        switch (ka) {
        case Kind::Void:
        case Kind::Fwd: return true;
        case Kind::Int:
        case Kind::Float:
        case Kind::Enum:
        case Kind::Enum64:
            if (ta.size() != tb.size()) return fail(format("sizes %u and %u", ta.size(), tb.size()));
            return true;
        case Kind::Ptr: return match(ta.type(), tb.type(), false, depth + 1);
        case Kind::Array: return match(ta.array().elem_type, tb.array().elem_type, exact, depth + 1);
        case Kind::Func:
        case Kind::Var:
            if ((ta.linkage() == 0) != (tb.linkage() == 0)) return fail("static and global linkage");
            return match(ta.type(), tb.type(), exact, depth + 1);
        case Kind::Struct:
        case Kind::Union:
            if (!exact) return true;
            if (ta.vlen() != tb.vlen()) return fail(format("%u and %u members", ta.vlen(), tb.vlen()));
            for (std::uint32_t i = 0; i < ta.vlen(); ++i) {
                const btf::Member ma = ta.member(i), mb = tb.member(i);
                if (ma.name != mb.name || ma.bit_offset != mb.bit_offset)
                    return fail(format("member %u ('%.*s' vs '%.*s')", i, EBPF_SV(ma.name), EBPF_SV(mb.name)));
                if (!match(ma.type, mb.type, exact, depth + 1)) return false;
            }
            return true;
        case Kind::FuncProto:
            if (ta.vlen() != tb.vlen()) return fail(format("%u and %u parameters", ta.vlen(), tb.vlen()));
            for (std::uint32_t i = 0; i < ta.vlen(); ++i)
                if (!match(ta.param(i).type, tb.param(i).type, exact, depth + 1)) return false;
            return match(ta.type(), tb.type(), exact, depth + 1);
        default: return fail("unsupported kind " + std::string(btf::to_string(ka)));
        }
    }
    // BTF-defined maps: the same members, the same numbers in `__uint(x, N)` (pointer to an array of N), and
    // matching key and value types.
    bool match_map(TypeId va, TypeId vb) {
        auto ra = a.skip_modifiers(a.type_or_void(va).type());
        auto rb = b.skip_modifiers(b.type_or_void(vb).type());
        if (!ra || !rb || ra->kind() != Kind::Struct || rb->kind() != Kind::Struct) return fail("not a map definition");
        if (ra->vlen() != rb->vlen()) return fail("different map definition fields");
        for (std::uint32_t i = 0; i < ra->vlen(); ++i) {
            const btf::Member ma = ra->member(i), mb = rb->member(i);
            if (ma.name != mb.name) return fail(format("map field '%.*s' vs '%.*s'", EBPF_SV(ma.name), EBPF_SV(mb.name)));
            auto pa = a.skip_modifiers(ma.type), pb = b.skip_modifiers(mb.type);
            if (!pa || !pb) return fail("bad map field type");
            if (pa->kind() == Kind::Ptr && pb->kind() == Kind::Ptr) {
                auto ea = a.skip_modifiers(pa->type()), eb = b.skip_modifiers(pb->type());
                if (ea && eb && ea->kind() == Kind::Array && eb->kind() == Kind::Array) {
                    if (ea->array().nelems != eb->array().nelems)
                        return fail(format("map %.*s %u vs %u", EBPF_SV(ma.name), ea->array().nelems, eb->array().nelems));
                    continue;
                }
                if (!match(pa->type(), pb->type(), true, 0)) return fail("map " + std::string(ma.name) + " type");
                continue;
            }
            if (!match(ma.type, mb.type, true, 0)) return false;
        }
        return true;
    }
};

}  // namespace

Result<std::pair<TypeId, std::string>> find_symbol_btf(const Input& in, std::string_view name) {
    const btf::Spec& s = *in.btf;
    TypeId loose = 0;
    for (TypeId id = 1; id < s.type_count(); ++id) {
        const btf::Type t = s.type_or_void(id);
        const Kind k = t.kind();
        if (k == Kind::Var || k == Kind::Func) {
            if (non_static(k, t) && t.name() == name) loose = id;
            continue;
        }
        if (k != Kind::Datasec) continue;
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            const TypeId v = t.secinfo(i).type;
            const btf::Type vt = s.type_or_void(v);
            if (vt.name() == name && non_static(vt.kind(), vt)) return std::pair{v, std::string(t.name())};
        }
    }
    if (loose) return std::pair{loose, std::string()};
    return Error(Errc::MalformedBtf, in.name + ": no BTF VAR or FUNC describes global symbol '" + std::string(name) + "'");
}

Result<void> check_global_types(const Linker& l, const Global& g, std::string_view name, std::size_t in,
                                TypeId id) {
    const Input& first = l.inputs[g.btf_input];
    TypeCheck c{*first.btf, *l.inputs[in].btf, {}};
    const bool is_map = g.sec != kNone && g.sec < l.secs.size() && l.secs[g.sec].name == ".maps";
    if (is_map ? c.match_map(g.btf_orig, id) : c.match(g.btf_orig, id, true, 0)) return {};
    return Error(Errc::MalformedObject, format("symbol '%.*s' has conflicting types in %s and %s: %s", EBPF_SV(name),
                                               first.name.c_str(), l.inputs[in].name.c_str(), c.why.c_str()));
}

Result<void> append_btf(Linker& l, std::size_t idx) {
    Input& in = l.inputs[idx];
    if (!in.btf) return {};
    l.any_btf = true;
    EBPF_TRY_ASSIGN(std::vector<MutType> types, btf::decode_mut_types(*in.btf));
    in.type_map.assign(types.size(), 0);
    const std::size_t start = l.types.size();
    for (TypeId i = 1; i < types.size(); ++i) {
        MutType& t = types[i];
        if (t.kind == Kind::Datasec) continue;  // rebuilt for the merged sections
        Global* g = nullptr;
        if (non_static(t)) {
            auto it = l.global_index.find(t.name);
            if (it == l.global_index.end()) continue;  // e.g. the LICENSE of a repeated license section
            g = &l.globals[it->second];
            if (g->btf_id) {
                in.type_map[i] = g->btf_id;
                continue;
            }
        }
        in.type_map[i] = static_cast<TypeId>(l.types.size());
        if (g) g->btf_id = in.type_map[i];
        l.types.push_back(t);
    }
    for (std::size_t i = start; i < l.types.size(); ++i)
        btf::for_each_type_ref(l.types[i], [&](std::uint32_t& r) { r = r < in.type_map.size() ? in.type_map[r] : 0; });
    // Definitions that replaced an extern or a weak definition of an earlier input: the VAR/FUNC kept from that
    // input now describes this input's definition.
    for (Global& g : l.globals) {
        if (g.def_input != idx || g.pending_underlying == 0 || g.btf_id == 0) continue;
        const MutType& def = types[g.pending_underlying];
        MutType& kept = l.types[g.btf_id];
        if (kept.kind == Kind::Var) {
            kept.data = {btf::kVarGlobalAllocated};
        } else {
            kept.func_linkage = btf::kFuncGlobal;
            // Extern prototypes lack parameter names; give the old one the definition's so dedup can merge them.
            const TypeId old_proto = kept.size_type;
            if (old_proto < l.types.size() && l.types[old_proto].kind == Kind::FuncProto &&
                def.size_type < types.size() && types[def.size_type].items.size() == l.types[old_proto].items.size()) {
                auto& items = l.types[old_proto].items;
                for (std::size_t p = 0; p < items.size(); ++p)
                    if (!types[def.size_type].items[p].name.empty()) items[p].name = types[def.size_type].items[p].name;
            }
        }
        kept.size_type = def.size_type < in.type_map.size() ? in.type_map[def.size_type] : 0;
        g.pending_underlying = 0;
    }
    // DATASEC entries, at their offsets in the merged sections.
    for (TypeId i = 1; i < types.size(); ++i) {
        const MutType& ds = types[i];
        if (ds.kind != Kind::Datasec || ds.name == ".extern") continue;
        std::uint32_t out = kNone;
        std::uint64_t base = 0;
        bool skipped = false;
        const elf::Section* uncarried = nullptr;
        for (const elf::Section& s : in.elf.sections()) {
            if (s.index == 0 || s.name != ds.name) continue;
            if (in.secs[s.index].out == kNone) {
                uncarried = &s;
                continue;
            }
            out = in.secs[s.index].out;
            base = in.secs[s.index].off;
            skipped = in.secs[s.index].skipped;
        }
        if (skipped) continue;
        if (out == kNone) {
            // A DATASEC whose section the output does not carry (neither PROGBITS nor NOBITS) would describe
            // variables of a section that is not there (found by the linker fuzzer).
            if (uncarried)
                return Error(Errc::MalformedObject,
                             format("%s: BTF DATASEC %s describes section %s of type %#x, which is not linked (only "
                                    "PROGBITS and NOBITS sections are)",
                                    in.name.c_str(), ds.name.c_str(), ds.name.c_str(), uncarried->type));
            // No section at all: the object parser ignores a sized or empty DATASEC there (a hand-made or
            // stripped object), so the output drops it too; written out, it would describe a missing section.
            if (ds.name != ".kconfig" && ds.name != ".ksyms" && (ds.size_type != 0 || ds.items.empty())) continue;
            out = l.find_or_add_sec(ds.name);  // only externs: .kconfig, .ksyms, an extern map
        }
        OutSec& os = l.secs[out];
        os.has_btf = true;
        for (const btf::MutItem& v : ds.items) {
            const TypeId nid = v.a < in.type_map.size() ? in.type_map[v.a] : 0;
            if (nid == 0) continue;
            const MutType& mt = l.types[nid];
            Global* g = nullptr;
            if (non_static(mt)) {
                auto it = l.global_index.find(mt.name);
                if (it != l.global_index.end()) g = &l.globals[it->second];
            }
            if (g && g->var_idx >= 0 && g->var_sec != out)
                return Error(Errc::MalformedObject, in.name + ": global '" + mt.name + "' is in section " + ds.name +
                                                        ", but in " + l.secs[g->var_sec].name + " in another input");
            if (g && g->var_idx >= 0) {
                if (mt.kind == Kind::Var && g->def_input == idx && !g->is_extern) os.vars[g->var_idx].size = v.c;
                continue;
            }
            os.vars.push_back({nid, static_cast<std::uint32_t>(base + v.b), v.c});
            if (g) {
                g->var_idx = static_cast<int>(os.vars.size() - 1);
                g->var_sec = out;
            }
        }
    }
    return {};
}

namespace {

template <class T>
struct ExtOut {
    std::vector<std::pair<std::uint32_t, std::vector<T>>> secs;  // (output section, records)
    std::vector<T>& for_sec(std::uint32_t s) {
        for (auto& p : secs)
            if (p.first == s) return p.second;
        secs.push_back({s, {}});
        return secs.back().second;
    }
};

void put32(std::vector<std::byte>& out, std::uint32_t v, detail::Endian e) {
    for (int i = 0; i < 4; ++i) out.push_back(std::byte(v >> (8 * (e == detail::Endian::Little ? i : 3 - i))));
}

}  // namespace

Result<std::pair<std::vector<std::byte>, std::vector<std::byte>>> finish_btf(Linker& l, const LinkOptions& o) {
    if (!l.any_btf) return std::pair<std::vector<std::byte>, std::vector<std::byte>>{};
    for (std::uint32_t si = 0; si < l.secs.size(); ++si) {
        OutSec& s = l.secs[si];
        if (!s.has_btf) continue;
        // A BTF-only section (externs) left without variables: no DATASEC, as a second link would drop it.
        if (s.type == 0 && s.vars.empty()) continue;
        // Globals sit where their definition ended up (an extern seen first recorded no real offset).
        for (const Global& g : l.globals) {
            if (g.var_idx < 0 || g.is_extern || g.var_sec != si || g.sec != si) continue;
            VarEntry& v = s.vars[static_cast<std::size_t>(g.var_idx)];
            if (l.types[v.type].kind != Kind::Var) continue;
            v.offset = static_cast<std::uint32_t>(l.syms[g.sym].value);
        }
        MutType ds;
        ds.kind = Kind::Datasec;
        ds.name = s.name;
        ds.size_type = s.type == 0 ? 0 : static_cast<std::uint32_t>(s.size);
        for (const VarEntry& v : s.vars) ds.items.push_back({"", v.type, v.offset, v.size});
        l.types.push_back(std::move(ds));
    }
    std::vector<TypeId> remap(l.types.size());
    for (TypeId i = 0; i < remap.size(); ++i) remap[i] = i;
    if (o.dedup_btf) {
        auto r = btf::dedup_types(l.types);
        if (!r) return std::move(std::move(r).error().context("BTF dedup"));
        remap = std::move(*r);
    }
    btf::StringTable strs;
    const std::vector<std::uint32_t> words = btf::encode_mut_types(l.types, strs);

    ExtOut<btf::FuncInfo> funcs;
    ExtOut<btf::LineInfo> lines;
    ExtOut<btf::CoreRelo> relos;
    auto id_of = [&](const Input& in, TypeId t) -> TypeId {
        const TypeId m = t < in.type_map.size() ? in.type_map[t] : 0;
        return m < remap.size() ? remap[m] : 0;
    };
    auto str_of = [&](const Input& in, std::uint32_t off) { return strs.add(in.btf->string(off).value_or("")); };
    for (const Input& in : l.inputs) {
        if (!in.ext) continue;
        auto locate = [&](const std::string& name, std::uint32_t& out, std::uint64_t& base) -> Result<void> {
            for (const elf::Section& s : in.elf.sections())
                if (s.index != 0 && s.name == name && in.secs[s.index].out != kNone) {
                    out = in.secs[s.index].out;
                    base = in.secs[s.index].off;
                    return {};
                }
            return Error(Errc::MalformedBtf, in.name + ": .BTF.ext names section " + name + ", which is not linked");
        };
        // Each block's records move with their section and get the merged BTF's ids and strings.
        auto rebase = [&](const auto& blocks, auto& out_blocks, auto&& convert) -> Result<void> {
            for (const auto& es : blocks) {
                std::uint32_t out = 0;
                std::uint64_t base = 0;
                EBPF_TRY(locate(es.section, out, base));
                auto& recs = out_blocks.for_sec(out);
                for (const auto& r : es.records) recs.push_back(convert(r, static_cast<std::uint32_t>(r.insn_off + base)));
            }
            return {};
        };
        EBPF_TRY(rebase(in.ext->func_info, funcs, [&](const auto& r, std::uint32_t at) {
            return btf::FuncInfo{at, id_of(in, r.type)};
        }));
        EBPF_TRY(rebase(in.ext->line_info, lines, [&](const auto& r, std::uint32_t at) {
            return btf::LineInfo{at, str_of(in, r.file_name_off), str_of(in, r.line_off), r.line_col};
        }));
        EBPF_TRY(rebase(in.ext->core_relos, relos, [&](const auto& r, std::uint32_t at) {
            return btf::CoreRelo{at, id_of(in, r.type), str_of(in, r.access_str_off), r.kind};
        }));
    }
    std::vector<std::byte> ext;
    const bool have_ext = std::any_of(l.inputs.begin(), l.inputs.end(), [](const Input& in) { return in.ext.has_value(); });
    if (have_ext) {
        const detail::Endian e = l.endian;
        auto block = [&](auto& eo, std::uint32_t rec_size, auto&& write_rec) {
            std::vector<std::byte> b;
            if (eo.secs.empty()) return b;
            std::sort(eo.secs.begin(), eo.secs.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
            put32(b, rec_size, e);
            for (auto& [sec, recs] : eo.secs) {
                put32(b, strs.add(l.secs[sec].name), e);
                put32(b, static_cast<std::uint32_t>(recs.size()), e);
                for (const auto& r : recs) write_rec(b, r);
            }
            return b;
        };
        auto fb = block(funcs, 8, [&](std::vector<std::byte>& b, const btf::FuncInfo& r) {
            put32(b, r.insn_off, e);
            put32(b, r.type, e);
        });
        auto lb = block(lines, 16, [&](std::vector<std::byte>& b, const btf::LineInfo& r) {
            put32(b, r.insn_off, e);
            put32(b, r.file_name_off, e);
            put32(b, r.line_off, e);
            put32(b, r.line_col, e);
        });
        auto cb = block(relos, 16, [&](std::vector<std::byte>& b, const btf::CoreRelo& r) {
            put32(b, r.insn_off, e);
            put32(b, r.type, e);
            put32(b, r.access_str_off, e);
            put32(b, static_cast<std::uint32_t>(r.kind), e);
        });
        // Header: magic, version, flags, hdr_len, then (offset, length) of each block after the header.
        ext.push_back(std::byte(e == detail::Endian::Little ? 0x9f : 0xeb));
        ext.push_back(std::byte(e == detail::Endian::Little ? 0xeb : 0x9f));
        ext.push_back(std::byte{1});
        ext.push_back(std::byte{0});
        put32(ext, 32, e);
        const auto fl = static_cast<std::uint32_t>(fb.size()), ll = static_cast<std::uint32_t>(lb.size()),
                   cl = static_cast<std::uint32_t>(cb.size());
        put32(ext, 0, e);
        put32(ext, fl, e);
        put32(ext, fl, e);
        put32(ext, ll, e);
        put32(ext, fl + ll, e);
        put32(ext, cl, e);
        ext.insert(ext.end(), fb.begin(), fb.end());
        ext.insert(ext.end(), lb.begin(), lb.end());
        ext.insert(ext.end(), cb.begin(), cb.end());
    }
    return std::pair{btf::assemble_btf(words, strs, l.endian), std::move(ext)};
}

}  // namespace ebpf::linker_impl
