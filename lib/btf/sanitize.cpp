// SPDX-License-Identifier: MIT
#include "btf/sanitize.hpp"

#include <string>

#include "btf/patch.hpp"

namespace ebpf::btf {

namespace {
std::uint32_t info(Kind k, std::uint32_t vlen = 0, bool kflag = false) {
    return static_cast<std::uint32_t>(k) << 24 | (vlen & 0xffff) | (kflag ? 1u << 31 : 0u);
}
constexpr std::uint32_t kInt8Bits = 8;  // BTF_INT_ENC(0, 0, 8)
}  // namespace

BtfSupport btf_features_used(const Spec& spec) {
    BtfSupport used{false, false, false, false, false, false, false, false};
    for (TypeId id = 1; id < spec.type_count(); ++id) {
        const Type t = spec.type_or_void(id);
        switch (t.kind()) {
        case Kind::Func:
            used.func = true;
            used.global_func = used.global_func || t.linkage() == kFuncGlobal;
            break;
        case Kind::FuncProto: used.func = true; break;
        case Kind::Var: used.datasec = true; break;
        case Kind::Datasec:
            used.datasec = true;
            used.qmark_datasec = used.qmark_datasec || (!t.name().empty() && t.name()[0] == '?');
            break;
        case Kind::Float: used.float_kind = true; break;
        case Kind::DeclTag: used.decl_tag = true; break;
        case Kind::TypeTag: used.type_tag = true; break;
        case Kind::Enum64: used.enum64 = true; break;
        case Kind::Enum: used.enum64 = used.enum64 || t.kind_flag(); break;
        default: break;
        }
    }
    return used;
}

std::vector<std::byte> sanitize(const Spec& spec, const BtfSupport& k) {
    Patcher p(spec);
    TypeId enum64_placeholder = 0;
    // Names with '.' or '?' become C identifiers with '_' when a DATASEC turns into a STRUCT.
    auto renamed = [&](std::string_view name, bool dots) {
        std::string n(name);
        for (char& c : n)
            if (c == '?' || (dots && c == '.')) c = '_';
        return p.add_string(n);
    };
    const TypeId n = spec.type_count();
    for (TypeId id = 1; id < n; ++id) {
        const Type t = spec.type_or_void(id);
        switch (t.kind()) {
        case Kind::Var:
            if (!k.datasec) {
                p.set_word(id, 1, info(Kind::Int));
                p.set_word(id, 2, 1);
                p.set_word(id, 3, kInt8Bits);
            }
            break;
        case Kind::Datasec:
            if (!k.datasec) {
                p.set_word(id, 0, renamed(t.name(), true));
                p.set_word(id, 1, info(Kind::Struct, t.vlen()));
                for (std::uint32_t i = 0; i < t.vlen(); ++i) {
                    const VarSecinfo v = t.secinfo(i);
                    const Type var = spec.type_or_void(v.type);
                    p.set_word(id, 3 + 3 * i, var.name_off());
                    p.set_word(id, 4 + 3 * i, var.kind() == Kind::Var ? var.type() : v.type);
                    p.set_word(id, 5 + 3 * i, v.offset * 8);
                }
            } else if (!k.qmark_datasec && !t.name().empty() && t.name()[0] == '?') {
                p.set_word(id, 0, renamed(t.name(), false));
            }
            break;
        case Kind::DeclTag:
            if (!k.decl_tag) {
                p.set_word(id, 0, 0);
                p.set_word(id, 1, info(Kind::Int));
                p.set_word(id, 2, 1);
                p.set_word(id, 3, kInt8Bits);
            }
            break;
        case Kind::FuncProto:
            if (!k.func) {
                p.set_word(id, 1, info(Kind::Enum, t.vlen()));
                p.set_word(id, 2, 4);
            }
            break;
        case Kind::Func:
            if (!k.func) {
                p.set_word(id, 1, info(Kind::Typedef));
            } else if (!k.global_func && t.linkage() == kFuncGlobal) {
                p.set_word(id, 1, info(Kind::Func, kFuncStatic));
            }
            break;
        case Kind::Float:
            if (!k.float_kind) {
                p.set_word(id, 0, 0);
                p.set_word(id, 1, info(Kind::Struct));
            }
            break;
        case Kind::TypeTag:
            if (!k.type_tag) {
                p.set_word(id, 0, 0);
                p.set_word(id, 1, info(Kind::Const));
            }
            break;
        case Kind::Enum:
            if (!k.enum64 && t.kind_flag()) p.set_word(id, 1, info(Kind::Enum, t.vlen()));
            break;
        case Kind::Enum64:
            if (!k.enum64) {
                if (!enum64_placeholder) {
                    const std::uint32_t name = p.add_string("enum64_placeholder");
                    enum64_placeholder = p.add_type({name, info(Kind::Int), 1, kInt8Bits});
                }
                p.set_word(id, 1, info(Kind::Union, t.vlen()));
                for (std::uint32_t i = 0; i < t.vlen(); ++i) {
                    p.set_word(id, 4 + 3 * i, enum64_placeholder);
                    p.set_word(id, 5 + 3 * i, 0);
                }
            }
            break;
        default: break;
        }
    }
    return p.bytes();
}

}  // namespace ebpf::btf
