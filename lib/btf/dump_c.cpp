// SPDX-License-Identifier: MIT
// BTF -> C header, the emitting half. Two walks per type: need() prints, at file scope, every declaration a type
// depends on (full definitions for by-value uses, `struct x;` for pointer-only uses), then decl()/body() format the
// type itself. Layouts come from dump_c_layout.cpp; where the C compiler's placement differs from the BTF offsets,
// unnamed bitfields pad the gap or the record becomes __attribute__((packed)).
#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include <ebpf/btf.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "btf/dump_c_impl.hpp"

namespace ebpf::btf {

namespace c_dump {

using detail::format;

namespace {

enum Qual : unsigned { kConst = 1, kVolatile = 2, kRestrict = 4 };

void indent_to(std::string& out, int indent) { out.append(static_cast<std::size_t>(indent), '\t'); }


std::string qual_prefix(unsigned q) {
    std::string s;
    if (q & kConst) s += "const ";
    if (q & kVolatile) s += "volatile ";
    if (q & kRestrict) s += "restrict ";
    return s;
}

bool is_word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_identifier(std::string_view s) {
    if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
    for (char c : s)
        if (!is_word_char(c)) return false;
    return true;
}

// True when every word of an INT/FLOAT name is a C type specifier ("long unsigned int", "__int128 unsigned").
// pahole also emits names such as "ssizetype" that no compiler knows.
bool is_builtin_spelling(std::string_view name) {
    static constexpr std::string_view words[] = {"signed", "unsigned", "char",     "short", "int",
                                                 "long",   "_Bool",    "__int128", "float", "double"};
    bool any = false;
    while (!name.empty()) {
        const std::size_t sp = name.find(' ');
        const std::string_view w = name.substr(0, sp);
        bool known = false;
        for (auto k : words) known = known || w == k;
        if (!known) return false;
        any = true;
        name = sp == std::string_view::npos ? std::string_view{} : name.substr(sp + 1);
    }
    return any;
}

const char* int_for(std::uint32_t size, bool is_signed) {
    switch (size) {
    case 1: return is_signed ? "signed char" : "unsigned char";
    case 2: return is_signed ? "short" : "unsigned short";
    case 4: return is_signed ? "int" : "unsigned int";
    case 8: return is_signed ? "long" : "unsigned long";
    case 16: return is_signed ? "__int128" : "unsigned __int128";
    default: return is_signed ? "int" : "unsigned int";
    }
}

// An unnamed bitfield of `bits` at bit position `pos` that stays inside one storage unit of its type, so that it
// neither moves nor straddles (the same placement with and without packed).
const char* pad_type(std::uint64_t pos, std::uint64_t bits) {
    if (pos % 8 + bits <= 8) return "char";
    if (pos % 16 + bits <= 16) return "short";
    if (pos % 32 + bits <= 32) return "int";
    return "long";
}

// TYPE_TAG (btf_type_tag, e.g. __user, __rcu, __percpu) as libbpf's btf_dump writes it, but behind macros: clang
// accepts btf_type_tag in C (since clang 14) and ignores it in C++ with -Wignored-attributes (an error under
// -Werror, and skeleton headers are C++); GCC knows no such attribute. Kind-flag tags are type attributes written
// as they are (address_space(1), for BPF arena pointers), which only clang knows. A compiler without them gets the
// plain types, whose layout is the same. A header that already defines the macros keeps its own.
constexpr const char* kTypeTagMacros =
    "#ifndef __btf_type_tag\n"
    "#if !defined(__cplusplus) && defined(__has_attribute)\n"
    "#if __has_attribute(btf_type_tag)\n"
    "#define __btf_type_tag(x) __attribute__((btf_type_tag(x)))\n"
    "#endif\n"
    "#endif\n"
    "#endif\n"
    "#ifndef __btf_type_tag\n"
    "#define __btf_type_tag(x)\n"
    "#endif\n"
    "#ifndef __btf_type_attr\n"
    "#if defined(__clang__)\n"
    "#define __btf_type_attr(x) __attribute__((x))\n"
    "#else\n"
    "#define __btf_type_attr(x)\n"
    "#endif\n"
    "#endif\n\n";

// `name` or `name(args)` with args of identifiers, numbers, commas and spaces: what a type attribute may be here
// (the text goes into the header as it is, so nothing that could end the declaration).
bool is_plain_attribute(std::string_view s) {
    const std::size_t open = s.find('(');
    if (!is_identifier(s.substr(0, open))) return false;
    if (open == std::string_view::npos) return true;
    if (s.back() != ')') return false;
    for (char c : s.substr(open + 1, s.size() - open - 2))
        if (!is_word_char(c) && c != ',' && c != ' ') return false;
    return true;
}

}  // namespace

std::string Dumper::type_tag_text(const Type& t) {
    const std::string_view name = t.name();
    if (t.kind_flag()) {
        if (!is_plain_attribute(name)) return {};
        uses_type_tags_ = true;
        return "__btf_type_attr(" + std::string(name) + ")";
    }
    std::string lit;
    for (char c : name) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') lit += {'\\', c};
        else if (u < 0x20 || u >= 0x7f) lit += format("\\%03o", u);
        else lit += c;
    }
    uses_type_tags_ = true;
    return "__btf_type_tag(\"" + lit + "\")";
}

Result<std::string> Dumper::run() {
    if (!opt_.header_guard.empty() && !is_identifier(opt_.header_guard))
        return Error(Errc::InvalidArgument,
                     format("header guard '%.*s' is not a C identifier", EBPF_SV(opt_.header_guard)));
    for (TypeId r : opt_.roots)
        if (r == 0 || r >= n_) return Error(Errc::NotFound, format("BTF type id %u does not exist", r));
    names_.resize(n_);
    canon_.resize(n_);
    state_.assign(n_, 0);
    info_.resize(n_);
    assign_names();
    select();

    if (!opt_.header_guard.empty()) {
        const std::string& g = opt_.header_guard;
        out_ += "#ifndef " + g + "\n#define " + g + "\n\n";
    }
    const std::size_t tag_macros_at = out_.size();  // where the TYPE_TAG macros go when a declaration uses them
    if (opt_.preserve_access_index)
        out_ += "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
                "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
                "#endif\n\n";
    for (TypeId id = 1; id < n_; ++id) {
        if (!(state_[id] & kSelected)) continue;
        const Type t = s_.type_or_void(id);
        switch (t.kind()) {
        case Kind::Struct:
        case Kind::Union:
        case Kind::Enum:
        case Kind::Enum64:
            if (!t.name().empty()) EBPF_TRY(define(id, 0));
            else if (t.kind() != Kind::Struct && t.kind() != Kind::Union && !(state_[id] & kReferenced))
                EBPF_TRY(top_level_anon_enum(id));
            break;
        case Kind::Typedef: EBPF_TRY(define(id, 0)); break;
        case Kind::Fwd:
            if (canon_[id] == id) declare(id);  // else the full definition is printed at its own id
            break;
        default: break;
        }
        EBPF_TRY(check_budget(out_));
    }
    if (opt_.preserve_access_index)
        out_ += "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n\n";
    if (!opt_.header_guard.empty()) out_ += "#endif /* " + opt_.header_guard + " */\n";
    if (uses_type_tags_) out_.insert(tag_macros_at, kTypeTagMacros);
    return std::move(out_);
}

// --- dependencies ----------------------------------------------------------------------------------------------
void Dumper::declare(TypeId id) {
    if (state_[id] & (kDeclared | kDefined)) return;
    // Inside its own body a struct's tag is already in scope.
    if (id == current_body_) return;
    state_[id] |= kDeclared;
    const Type t = type(id);
    const bool is_union = t.kind() == Kind::Union || (t.kind() == Kind::Fwd && t.kind_flag());
    out_ += (is_union ? "union " : "struct ") + names_[id] + ";\n\n";
}

// Prints what must precede a declaration that uses type `id` (by value: complete types). A tag first named
// at file scope (also inside a struct body) declares itself; one first named in a parameter list would be
// local to that prototype, so `in_proto` asks for a forward declaration.
Result<void> Dumper::need(TypeId id, bool by_value, int depth, bool in_proto) {
    for (int step = 0;; ++step) {
        if (step > kMaxChain || depth > kMaxDepth) return too_deep(id);
        const Type t = type(id);
        switch (t.kind()) {
        case Kind::Ptr: by_value = false; [[fallthrough]];
        case Kind::Volatile:
        case Kind::Const:
        case Kind::Restrict:
        case Kind::TypeTag: id = t.type(); continue;
        case Kind::Array:  // even behind a pointer, an array's elements must be complete
            by_value = true;
            id = t.array().elem_type;
            continue;
        case Kind::Typedef:
            if (transparent(id)) {
                id = t.type();
                continue;
            }
            EBPF_TRY(define(id, depth + 1));
            if (!by_value) return {};
            id = t.type();
            continue;
        case Kind::Fwd:
            if (canon_[id] == id) {
                if (in_proto) declare(id);
                return {};
            }
            id = canon_[id];
            continue;
        case Kind::Enum:
        case Kind::Enum64:
            if (!t.name().empty()) return define(id, depth + 1);
            return {};
        case Kind::Struct:
        case Kind::Union:
            if (!t.name().empty()) {
                if (by_value) return define(id, depth + 1);
                if (in_proto) declare(id);
                return {};
            }
            [[fallthrough]];
        case Kind::FuncProto: {
            // Inline anonymous records and prototypes: walk their parts once (per kind of scope).
            const bool proto = in_proto || t.kind() == Kind::FuncProto;
            if ((state_[id] & kNeedDoneProto) || (!proto && (state_[id] & kNeedDone))) return {};
            if (state_[id] & kNeedBusy) return contains_itself(id);
            state_[id] |= kNeedBusy;
            Result<void> r;
            if (t.kind() == Kind::FuncProto) {
                r = need(t.type(), false, depth + 1, true);
                for (std::uint32_t i = 0; r && i < t.vlen(); ++i)
                    r = need(t.param(i).type, false, depth + 1, true);
            } else {
                for (std::uint32_t i = 0; r && i < t.vlen(); ++i)
                    r = need(t.member(i).type, true, depth + 1, in_proto);
            }
            state_[id] &= ~kNeedBusy;
            if (!r) return r;
            state_[id] |= proto ? kNeedDoneProto : kNeedDone;
            return {};
        }
        default: return {};
        }
    }
}

// Prints the full definition of a named struct/union/enum or a typedef, after what it needs.
Result<void> Dumper::define(TypeId id, int depth) {
    if (state_[id] & kDefined) return {};
    if (state_[id] & kDefining) return contains_itself(id);
    if (depth > kMaxDepth) return too_deep(id);
    const Type t = type(id);
    if (transparent(id)) {
        state_[id] |= kDefined;
        return {};
    }
    state_[id] |= kDefining;
    const TypeId saved_body = current_body_;
    Result<void> r;
    std::string text;
    switch (t.kind()) {
    case Kind::Struct:
    case Kind::Union:
        current_body_ = id;
        for (std::uint32_t i = 0; r && i < t.vlen(); ++i) r = need(t.member(i).type, true, depth + 1);
        current_body_ = saved_body;
        if (r) r = body(text, id, 0, depth + 1);
        break;
    case Kind::Enum:
    case Kind::Enum64:
        if (t.vlen() == 0) text = "enum " + names_[id];  // declared only: BTF of `enum e *p` without a body
        else r = enum_body(text, id, 0);
        break;
    case Kind::Typedef:
        current_body_ = 0;
        r = need(t.type(), false, depth + 1);
        current_body_ = saved_body;
        if (r) {
            text = "typedef ";
            r = decl(text, t.type(), names_[id], 0, depth + 1);
        }
        break;
    default: break;
    }
    state_[id] &= ~kDefining;
    if (!r) return r;
    state_[id] |= kDefined;
    out_ += text;
    out_ += ";\n\n";
    return check_budget(out_);
}

Result<void> Dumper::top_level_anon_enum(TypeId id) {
    if (type(id).vlen() == 0) return {};
    std::string text;
    EBPF_TRY(enum_body(text, id, 0));
    state_[id] |= kAnonEnumShown;
    out_ += text;
    out_ += ";\n\n";
    return {};
}

// --- formatting ------------------------------------------------------------------------------------------------
std::string Dumper::int_name(const Type& t) const {
    const std::string_view n = t.name();
    if (is_builtin_spelling(n)) return std::string(n);
    if (t.kind() == Kind::Float) return t.size() == 4 ? "float" : t.size() == 8 ? "double" : "long double";
    if (t.int_encoding() & kIntBool) return "_Bool";
    if ((t.int_encoding() & kIntChar) && t.size() == 1) return "char";
    return int_for(t.size(), t.is_signed());
}

Result<void> Dumper::enum_body(std::string& out, TypeId id, int indent) {
    const Type t = type(id);
    const bool is_signed = t.is_signed();
    out += "enum ";
    if (!names_[id].empty()) out += names_[id] + " ";
    out += "{\n";
    // The compiler sizes an enum by its values: 4 bytes when they all fit in int or all in unsigned int.
    std::int64_t lo = 0, hi = 0;
    std::uint64_t uhi = 0;
    std::string tmp;
    for (std::uint32_t i = 0; i < t.vlen(); ++i) {
        const std::int64_t v = t.enumerator(i).value;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        uhi = std::max(uhi, static_cast<std::uint64_t>(v));
        indent_to(out, indent + 1);
        out += enumerator_name(id, i, tmp);
        out += " = ";
        if (is_signed) {
            if (v == std::numeric_limits<std::int64_t>::min()) out += "(-9223372036854775807LL - 1)";
            else if (v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max())
                out += format("%lld", static_cast<long long>(v));
            else out += format("%lldLL", static_cast<long long>(v));
        } else {
            const auto u = static_cast<unsigned long long>(v);
            out += format(u <= 0x7fffffffu ? "%llu" : u <= 0xffffffffu ? "%lluU" : "%lluULL", u);
        }
        out += ",\n";
        EBPF_TRY(check_budget(out));
    }
    indent_to(out, indent);
    out += "}";
    const bool fits32 = is_signed ? (lo >= std::numeric_limits<std::int32_t>::min() &&
                                     hi <= std::numeric_limits<std::int32_t>::max()) ||
                                        (lo >= 0 && hi <= 0xffffffffLL)
                                  : uhi <= 0xffffffffu;
    const std::uint32_t natural = fits32 ? 4 : 8;
    if (t.size() != natural) {
        // Kernel enums can be narrower than int (__packed) or 8 bytes with small values.
        switch (t.size()) {
        case 1: out += " __attribute__((mode(QI)))"; break;
        case 2: out += " __attribute__((mode(HI)))"; break;
        case 4: out += " __attribute__((mode(SI)))"; break;
        case 8: out += " __attribute__((mode(DI)))"; break;
        default: break;
        }
    }
    return {};
}

Result<void> Dumper::body(std::string& out, TypeId id, int indent, int depth) {
    if (depth > kMaxDepth) return too_deep(id);
    if (state_[id] & kBodyBusy) return contains_itself(id);
    const Type t = type(id);
    EBPF_TRY_ASSIGN(const Plan p, plan(id, depth + 1));
    std::vector<Item> items;
    std::uint32_t align = 1;
    EBPF_TRY(simulate(id, p.packed, &items, align, depth + 1));
    state_[id] |= kBodyBusy;
    out += t.kind() == Kind::Union ? "union " : "struct ";
    if (!names_[id].empty()) out += names_[id] + " ";
    out += items.empty() ? "{" : "{\n";
    Result<void> r;
    for (const Item& it : items) {
        if (it.kind == Item::Member) {
            const Member m = t.member(it.member);
            indent_to(out, indent + 1);
            r = decl(out, m.type, std::string(m.name), indent + 1, depth + 1);
            if (!r) break;
            if (it.bitfield) out += format(": %u", it.bitfield);
            out += ";\n";
        } else if (it.kind == Item::Pad) {
            r = padding(out, it.pos, it.bits, indent + 1);
        } else {
            indent_to(out, indent + 1);
            out += "struct {\n";
            r = padding(out, 0, it.bits, indent + 2);
            indent_to(out, indent + 1);
            out += "};\n";
        }
        if (r) r = check_budget(out);
        if (!r) break;
    }
    state_[id] &= ~kBodyBusy;
    if (!r) return r;
    if (!items.empty()) indent_to(out, indent);
    out += p.packed ? "} __attribute__((packed))" : "}";
    return {};
}

Result<void> Dumper::padding(std::string& out, std::uint64_t pos, std::uint64_t bits, int indent) {
    while (bits > 0) {
        const std::uint64_t chunk = std::min<std::uint64_t>(bits, 64 - pos % 64);
        indent_to(out, indent);
        out += format("%s: %u;\n", pad_type(pos, chunk), static_cast<unsigned>(chunk));
        pos += chunk;
        bits -= chunk;
        EBPF_TRY(check_budget(out));
    }
    return {};
}

// Appends "<base type> <declarator>" for type `id` declaring `inner` (a name, or "" for an abstract type).
Result<void> Dumper::decl(std::string& out, TypeId id, std::string inner, int indent, int depth) {
    if (depth > kMaxDepth) return too_deep(id);
    unsigned quals = 0;
    std::string tags;  // " __btf_type_tag(...)" for each TYPE_TAG since the last pointer, innermost first
    for (int step = 0;; ++step) {
        if (step > kMaxChain) return too_deep(id);
        const Type t = type(id);
        const Kind k = t.kind();
        if (k == Kind::Const || k == Kind::Volatile || k == Kind::Restrict) {
            quals |= k == Kind::Const ? kConst : k == Kind::Volatile ? kVolatile : kRestrict;
            id = t.type();
            continue;
        }
        if (k == Kind::TypeTag) {
            // The tag nearest the base type in the text is the innermost in the chain (`int __a __b *p` is
            // PTR -> TYPE_TAG b -> TYPE_TAG a -> INT, as clang encodes it), so each tag found goes in front.
            const std::string tag = type_tag_text(t);
            if (!tag.empty()) tags = " " + tag + tags;
            id = t.type();
            continue;
        }
        if (transparent(id)) {
            id = t.type();
            continue;
        }
        if (k == Kind::Ptr) {
            // Qualifiers and type tags found since the last pointer apply to this one: "*const p", "* __tag p".
            std::string q = (tags.empty() ? std::string() : tags.substr(1) + " ") + qual_prefix(quals);
            if (!q.empty() && !inner.empty()) inner = "*" + q + inner;
            else inner = "*" + (q.empty() ? q : q.substr(0, q.size() - 1)) + inner;
            quals = 0;
            tags.clear();
            id = t.type();
            continue;
        }
        if (k == Kind::Array) {
            if (!inner.empty() && inner[0] == '*') inner = "(" + inner + ")";
            inner += format("[%u]", t.array().nelems);
            id = t.array().elem_type;
            continue;  // qualifiers of an array apply to its elements
        }
        if (k == Kind::FuncProto) {
            if (!inner.empty() && inner[0] == '*') inner = "(" + inner + ")";
            inner += "(";
            if (t.vlen() == 0) inner += "void";
            for (std::uint32_t i = 0; i < t.vlen(); ++i) {
                if (i) inner += ", ";
                const Param p = t.param(i);
                if (p.type == 0 && i + 1 == t.vlen() && i > 0) inner += "...";
                else EBPF_TRY(decl(inner, p.type, "", indent, depth + 1));
                EBPF_TRY(check_budget(inner));
            }
            inner += ")";
            quals = 0;
            tags.clear();  // tags of a function type mean nothing to C
            id = t.type();
            continue;
        }
        out += qual_prefix(quals);
        EBPF_TRY(base(out, id, indent, depth + 1));
        out += tags;
        if (!inner.empty()) {
            out += ' ';
            out += inner;
        }
        return check_budget(out);
    }
}

Result<void> Dumper::base(std::string& out, TypeId id, int indent, int depth) {
    const Type t = type(id);
    switch (t.kind()) {
    case Kind::Void: out += "void"; return {};
    case Kind::Int:
    case Kind::Float: out += int_name(t); return {};
    case Kind::Typedef: out += names_[id]; return {};
    case Kind::Fwd: {
        const TypeId c = canon_[id];
        const bool is_union = type(c).kind() == Kind::Union || (type(c).kind() == Kind::Fwd && t.kind_flag());
        out += (is_union ? "union " : "struct ") + names_[c];
        return {};
    }
    case Kind::Struct:
    case Kind::Union:
        if (!names_[id].empty()) {
            out += (t.kind() == Kind::Union ? "union " : "struct ") + names_[id];
            return {};
        }
        return body(out, id, indent, depth);
    case Kind::Enum:
    case Kind::Enum64:
        if (!names_[id].empty()) {
            out += "enum " + names_[id];
            return {};
        }
        // An anonymous enum's constants can be defined once; later uses get an integer of its size.
        if ((state_[id] & kAnonEnumShown) || t.vlen() == 0) {
            out += int_for(t.size(), t.is_signed());
            return {};
        }
        state_[id] |= kAnonEnumShown;
        return enum_body(out, id, indent);
    default:
        return Error(Errc::MalformedBtf, format("type [%u] (%.*s) cannot be used in a C declaration", id,
                                                EBPF_SV(to_string(t.kind()))));
    }
}

}  // namespace c_dump

Result<std::string> dump_c(const Spec& spec, const DumpCOptions& options) { return c_dump::Dumper(spec, options).run(); }

}  // namespace ebpf::btf
