// SPDX-License-Identifier: MIT
// Walking BTF type graphs: skipping typedefs/qualifiers, sizes, C-like descriptions and full validation.
#include <string>

#include "base/format.hpp"
#include "base/try.hpp"
#include "btf/spec_impl.hpp"

namespace ebpf::btf {

using detail::format;

namespace {
// Deeper chains than this only occur in crafted BTF (a loop); the kernel and libbpf use the same bound.
constexpr int kMaxResolveDepth = 32;
}  // namespace

Result<Type> Spec::skip_modifiers(TypeId id) const {
    for (int depth = 0; depth < kMaxResolveDepth; ++depth) {
        auto t = type(id);
        if (!t) return std::move(t).error();
        if (t->kind() != Kind::Typedef && !t->is_qualifier()) return *t;
        id = t->type();
    }
    return malformed(format("BTF type %u: typedef/qualifier chain deeper than %d (a loop?)", id, kMaxResolveDepth));
}

Result<std::uint32_t> Spec::resolve_size(TypeId id) const {
    std::uint64_t mult = 1;
    const TypeId start = id;
    for (int depth = 0; depth < kMaxResolveDepth; ++depth) {
        auto t = type(id);
        if (!t) return std::move(t).error();
        std::uint64_t size;
        switch (t->kind()) {
        case Kind::Int:
        case Kind::Struct:
        case Kind::Union:
        case Kind::Enum:
        case Kind::Enum64:
        case Kind::Datasec:
        case Kind::Float: size = t->size(); break;
        case Kind::Ptr: size = 8; break;  // BPF pointers are 64-bit whatever the host
        case Kind::Typedef:
        case Kind::Volatile:
        case Kind::Const:
        case Kind::Restrict:
        case Kind::TypeTag:
        case Kind::Var:
        case Kind::DeclTag:
            id = t->type();
            continue;
        case Kind::Array: {
            const ArrayInfo a = t->array();
            mult *= a.nelems;
            if (mult > 0xffffffffu) return malformed(format("BTF type %u: array size overflows 32 bits", start));
            id = a.elem_type;
            continue;
        }
        default:
            return Error(Errc::InvalidArgument, format("BTF type %u (%.*s) has no size", id,
                                                       EBPF_SV(to_string(t->kind()))));
        }
        const std::uint64_t total = size * mult;
        if (total > 0xffffffffu) return malformed(format("BTF type %u: size overflows 32 bits", start));
        return static_cast<std::uint32_t>(total);
    }
    return malformed(format("BTF type %u: type chain deeper than %d (a loop?)", start, kMaxResolveDepth));
}

std::string Spec::describe(TypeId id) const {
    std::string suffix;
    for (int depth = 0; depth < kMaxResolveDepth; ++depth) {
        const Type t = type_or_void(id);
        const std::string_view n = t.name();
        const std::string name = n.empty() ? std::string("(anon)") : std::string(n);
        switch (t.kind()) {
        case Kind::Void: return "void" + suffix;
        case Kind::Ptr: suffix = " *" + suffix; id = t.type(); continue;
        case Kind::Const: suffix = " const" + suffix; id = t.type(); continue;
        case Kind::Volatile: suffix = " volatile" + suffix; id = t.type(); continue;
        case Kind::Restrict: suffix = " restrict" + suffix; id = t.type(); continue;
        case Kind::TypeTag: suffix = " __tag(" + name + ")" + suffix; id = t.type(); continue;
        case Kind::Array: suffix += format("[%u]", t.array().nelems); id = t.array().elem_type; continue;
        case Kind::Struct: return "struct " + name + suffix;
        case Kind::Union: return "union " + name + suffix;
        case Kind::Enum:
        case Kind::Enum64: return "enum " + name + suffix;
        case Kind::Fwd: return (t.kind_flag() ? "union " : "struct ") + name + suffix;
        case Kind::FuncProto: return "func_proto" + suffix;
        default: return name + suffix;
        }
    }
    return "(loop)";
}

Result<void> Spec::validate() const {
    const Impl& im = *impl_;
    const std::uint32_t count = type_count();
    auto check_ref = [&](TypeId self, TypeId ref, const char* what) -> Result<void> {
        if (ref >= count)
            return malformed(format("type %u: %s refers to type id %u, but there are only %u types", self, what, ref,
                                    count));
        return {};
    };
    auto check_name = [&](TypeId self, std::uint32_t off, const char* what) -> Result<void> {
        if (!im.string(off))
            return malformed(format("type %u: %s name offset %u is outside the string section", self, what, off));
        return {};
    };
    for (TypeId id = im.first_id; id < count; ++id) {
        const Type t = type_or_void(id);
        EBPF_TRY(check_name(id, t.name_off(), "type"));
        const Kind k = t.kind();
        switch (k) {
        case Kind::Int: {
            if (t.int_bits() > 128 || t.int_offset() + t.int_bits() > 8u * t.size())
                return malformed(format("type %u: int of %u bits at offset %u does not fit in %u bytes", id,
                                        t.int_bits(), t.int_offset(), t.size()));
            break;
        }
        case Kind::Ptr:
        case Kind::Typedef:
        case Kind::Volatile:
        case Kind::Const:
        case Kind::Restrict:
        case Kind::TypeTag:
        case Kind::Var:
        case Kind::FuncProto: EBPF_TRY(check_ref(id, t.type(), "its type")); break;
        case Kind::DeclTag: {
            EBPF_TRY(check_ref(id, t.type(), "its target"));
            if (t.component_idx() < -1) return malformed(format("type %u: bad decl_tag component index", id));
            break;
        }
        case Kind::Func: {
            EBPF_TRY(check_ref(id, t.type(), "its prototype"));
            if (type_or_void(t.type()).kind() != Kind::FuncProto)
                return malformed(format("type %u: func '%.*s' does not point to a func_proto", id, EBPF_SV(t.name())));
            break;
        }
        case Kind::Array: {
            EBPF_TRY(check_ref(id, t.array().elem_type, "its element type"));
            EBPF_TRY(check_ref(id, t.array().index_type, "its index type"));
            break;
        }
        default: break;
        }
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            switch (k) {
            case Kind::Struct:
            case Kind::Union: {
                const std::size_t o = 12 + 12 * static_cast<std::size_t>(i);
                EBPF_TRY(check_name(id, t.u32(o), "member"));
                EBPF_TRY(check_ref(id, t.member(i).type, "a member"));
                break;
            }
            case Kind::Enum: EBPF_TRY(check_name(id, t.u32(12 + 8 * static_cast<std::size_t>(i)), "enumerator")); break;
            case Kind::Enum64:
                EBPF_TRY(check_name(id, t.u32(12 + 12 * static_cast<std::size_t>(i)), "enumerator"));
                break;
            case Kind::FuncProto: {
                EBPF_TRY(check_name(id, t.u32(12 + 8 * static_cast<std::size_t>(i)), "parameter"));
                EBPF_TRY(check_ref(id, t.param(i).type, "a parameter"));
                break;
            }
            case Kind::Datasec: {
                const VarSecinfo v = t.secinfo(i);
                EBPF_TRY(check_ref(id, v.type, "a variable"));
                break;
            }
            default: break;
            }
        }
    }
    return {};
}

}  // namespace ebpf::btf
