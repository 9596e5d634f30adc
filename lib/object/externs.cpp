// SPDX-License-Identifier: MIT
// Externs: undefined symbols declared in the .kconfig or .ksyms DATASECs. Their layout in the .kconfig map is
// decided here, and the object BTF is rewritten so the kernel accepts it (it rejects extern linkage).
#include <algorithm>

#include "base/index_sort.hpp"
#include "base/try.hpp"
#include "object/parser.hpp"

namespace ebpf::detail {

namespace {


// Natural alignment of a kconfig value type (ints, bools, enums, char arrays).
std::uint32_t align_of(const btf::Spec& b, btf::TypeId id) {
    for (int depth = 0; depth < 32; ++depth) {
        const btf::Type t = b.type_or_void(id);
        switch (t.kind()) {
        case btf::Kind::Int:
        case btf::Kind::Enum:
        case btf::Kind::Enum64:
        case btf::Kind::Float: return std::min<std::uint32_t>(std::max<std::uint32_t>(t.size(), 1), 8);
        case btf::Kind::Ptr: return 8;
        case btf::Kind::Array: id = t.array().elem_type; continue;
        case btf::Kind::Typedef:
        case btf::Kind::Const:
        case btf::Kind::Volatile:
        case btf::Kind::Restrict:
        case btf::Kind::TypeTag: id = t.type(); continue;
        default: return 8;
        }
    }
    return 8;
}

btf::TypeId find_or_add_int(btf::Patcher& patch, const btf::Spec& b) {
    if (auto id = b.find("int", btf::Kind::Int)) {
        const btf::Type t = b.type_or_void(*id);
        if (t.size() == 4 && t.int_bits() == 32) return *id;
    }
    const std::uint32_t name = patch.add_string("int");
    return patch.add_type({name, static_cast<std::uint32_t>(btf::Kind::Int) << 24, 4,
                           btf::kIntSigned << 24 | 32u});
}

}  // namespace

Result<void> collect_externs(ObjectParser& p) {
    std::vector<const elf::Symbol*> undef;
    for (const elf::Symbol& s : p.symbols)
        if (s.index != 0 && s.shndx == elf::SHN_UNDEF && !s.name.empty() &&
            (s.bind == elf::STB_GLOBAL || s.bind == elf::STB_WEAK))
            undef.push_back(&s);
    if (undef.empty()) return {};
    // With ParseOptions::collect_problems an extern nothing can resolve is kept (ExternKind::Unresolved) and the
    // reason recorded, so that tools can still show the object.
    auto unresolved = [&](const elf::Symbol& s, std::string reason, bool is_func) -> Result<void> {
        if (!p.collect_problems)
            return p.fail(Errc::MalformedObject, format("extern '%.*s' ", EBPF_SV(s.name)) + reason);
        ExternSpec e;
        e.name = std::string(s.name);
        e.kind = ExternKind::Unresolved;
        e.weak = s.bind == elf::STB_WEAK;
        e.is_func = is_func;
        p.out.problems.push_back({"extern '" + e.name + "'", std::move(reason)});
        p.extern_index[e.name] = static_cast<std::uint32_t>(p.out.externs.size());
        p.out.externs.push_back(std::move(e));
        return {};
    };
    if (!p.raw_btf) {
        for (const elf::Symbol* s : undef)
            EBPF_TRY(unresolved(*s, "needs BTF to be resolved (compile with clang -g)", false));
        return {};
    }
    const btf::Spec& b = *p.raw_btf;
    btf::Patcher& patch = *p.patch;
    const auto kconfig_id = b.find(".kconfig", btf::Kind::Datasec);
    const auto ksyms_id = b.find(".ksyms", btf::Kind::Datasec);

    // Which DATASEC (if any) lists each extern, and with which BTF type.
    struct Found {
        btf::TypeId ds = 0, var = 0;
        std::uint32_t slot = 0;
    };
    auto locate = [&](std::string_view name) -> Found {
        for (auto ds_id : {kconfig_id, ksyms_id}) {
            if (!ds_id) continue;
            const btf::Type ds = b.type_or_void(*ds_id);
            for (std::uint32_t i = 0; i < ds.vlen(); ++i) {
                const btf::Type v = b.type_or_void(ds.secinfo(i).type);
                if (v.name() == name) return {*ds_id, v.id(), i};
            }
        }
        return {};
    };

    std::vector<std::pair<std::uint32_t, std::uint32_t>> kconfig;  // (extern index, DATASEC slot)
    for (const elf::Symbol* s : undef) {
        const Found f = locate(s->name);
        if (!f.ds) {
            // A FUNC of that name in the BTF says it is a function (clang emits one for a called extern).
            const auto fn = b.find(s->name, btf::Kind::Func);
            EBPF_TRY(unresolved(*s, "is not declared in .kconfig or .ksyms (use __kconfig or __ksym)", fn.has_value()));
            continue;
        }
        const btf::Type var = b.type_or_void(f.var);
        ExternSpec e;
        e.name = std::string(s->name);
        e.weak = s->bind == elf::STB_WEAK;
        e.btf_id = f.var;
        e.type = var.type();
        if (kconfig_id && f.ds == *kconfig_id) {
            if (var.kind() != btf::Kind::Var)
                return p.fail(Errc::MalformedObject, format("kconfig extern '%s' is not a variable", e.name.c_str()));
            e.kind = ExternKind::Kconfig;
            auto sz = b.resolve_size(e.type);
            if (!sz || *sz == 0)
                return p.fail(Errc::MalformedObject, format("kconfig extern '%s' has no usable size", e.name.c_str()));
            // Config values are numbers and short strings; a huge type is a broken or hostile object.
            if (*sz > 4096)
                return p.fail(Errc::MalformedObject,
                              format("kconfig extern '%s' is %u bytes; at most 4096 are supported", e.name.c_str(), *sz));
            e.size = *sz;
            kconfig.emplace_back(static_cast<std::uint32_t>(p.out.externs.size()), f.slot);
        } else {
            e.kind = ExternKind::Ksym;
            e.is_func = var.kind() == btf::Kind::Func;
            if (e.is_func) e.type = var.type();
            else if (auto t = b.skip_modifiers(var.type()); t && t->kind() == btf::Kind::Void) e.type = 0;  // untyped
        }
        p.extern_index[e.name] = static_cast<std::uint32_t>(p.out.externs.size());
        p.out.externs.push_back(std::move(e));
    }

    if (!kconfig.empty()) {
        // Lay out by decreasing alignment so padding stays minimal, then by increasing size, ties by name: libbpf's
        // order (cmp_externs), so the map matches what libbpf-generated skeletons expect.
        std::vector<std::uint32_t> order(kconfig.size());
        for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
        stable_sort_indices(order, [&](std::uint32_t ia, std::uint32_t ib) {
            const ExternSpec &x = p.out.externs[kconfig[ia].first], &y = p.out.externs[kconfig[ib].first];
            const auto ax = align_of(b, x.type), ay = align_of(b, y.type);
            if (ax != ay) return ax > ay;
            return x.size != y.size ? x.size < y.size : x.name < y.name;
        });
        std::uint32_t off = 0;
        for (const std::uint32_t k : order) {
            ExternSpec& e = p.out.externs[kconfig[k].first];
            const std::uint32_t a = align_of(b, e.type);
            off = (off + a - 1) / a * a;
            e.offset = off;
            off += e.size;
        }
        const std::uint32_t total = (off + 7) / 8 * 8;
        // Rewrite the DATASEC: offsets in slot order must increase, so re-sort the entries by the new offsets.
        const btf::Type ds = b.type_or_void(*kconfig_id);
        std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> entries;  // (offset, type, size)
        for (std::uint32_t i = 0; i < ds.vlen(); ++i) {
            const btf::VarSecinfo vs = ds.secinfo(i);
            const btf::Type v = b.type_or_void(vs.type);
            auto it = p.extern_index.find(v.name());
            if (it == p.extern_index.end())
                return p.fail(Errc::MalformedObject,
                              format(".kconfig variable '%.*s' has no ELF symbol", EBPF_SV(v.name())));
            const ExternSpec& e = p.out.externs[it->second];
            entries.emplace_back(e.offset, vs.type, e.size);
            patch.set_word(vs.type, 3, btf::kVarGlobalAllocated);
        }
        std::vector<std::uint32_t> by_offset(entries.size());
        for (std::size_t i = 0; i < by_offset.size(); ++i) by_offset[i] = static_cast<std::uint32_t>(i);
        stable_sort_indices(by_offset, [&](std::uint32_t x, std::uint32_t y) { return entries[x] < entries[y]; });
        patch.set_word(ds.id(), 2, total);
        for (std::size_t i = 0; i < by_offset.size(); ++i) {
            const auto& entry = entries[by_offset[i]];
            patch.set_word(ds.id(), 3 + 3 * i, std::get<1>(entry));
            patch.set_word(ds.id(), 4 + 3 * i, std::get<0>(entry));
            patch.set_word(ds.id(), 5 + 3 * i, std::get<2>(entry));
        }
        MapSpec m;
        m.name = ".kconfig";
        m.type = MapType::Array;
        m.key_size = 4;
        m.value_size = total;
        m.max_entries = 1;
        m.flags = kMapRdonlyProg;
        m.kind = MapKind::Kconfig;
        m.value_type = ds.id();
        m.contents.assign(total, std::byte{0});
        p.out.maps.push_back(std::move(m));
    }

    if (ksyms_id) {
        // The kernel only accepts allocated VARs in a DATASEC: present every ksym as an int, and point kfunc
        // entries at one dummy VAR (whose name also fills in unnamed kfunc parameters the kernel would reject).
        const btf::Type ds = b.type_or_void(*ksyms_id);
        const btf::TypeId int_id = find_or_add_int(patch, b);
        const std::uint32_t dummy_name = patch.add_string("dummy_ksym");
        const btf::TypeId dummy = patch.add_type({dummy_name, static_cast<std::uint32_t>(btf::Kind::Var) << 24, int_id,
                                                  btf::kVarGlobalAllocated});
        std::uint32_t off = 0;
        for (std::uint32_t i = 0; i < ds.vlen(); ++i, off += 4) {
            const btf::VarSecinfo vs = ds.secinfo(i);
            const btf::Type t = b.type_or_void(vs.type);
            if (t.kind() == btf::Kind::Func) {
                const btf::Type proto = b.type_or_void(t.type());
                for (std::uint32_t j = 0; j < proto.vlen(); ++j) {
                    const btf::Param prm = proto.param(j);
                    if (prm.type && prm.name.empty()) patch.set_word(proto.id(), 3 + 2 * j, dummy_name);
                }
                // Extern linkage is invalid in kernel BTF; global keeps the prototype checked.
                patch.set_word(t.id(), 1, static_cast<std::uint32_t>(btf::Kind::Func) << 24 | btf::kFuncGlobal);
                patch.set_word(ds.id(), 3 + 3 * i, dummy);
            } else if (t.kind() == btf::Kind::Var) {
                patch.set_word(t.id(), 2, int_id);
                patch.set_word(t.id(), 3, btf::kVarGlobalAllocated);
            }
            patch.set_word(ds.id(), 4 + 3 * i, off);
            patch.set_word(ds.id(), 5 + 3 * i, 4);
        }
        patch.set_word(ds.id(), 2, off);
    }
    return {};
}

}  // namespace ebpf::detail
