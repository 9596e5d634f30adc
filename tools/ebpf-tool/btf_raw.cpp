// SPDX-License-Identifier: MIT
// btf dump --format raw|json. The text layout is bpftool's `format raw` (its documented output, compared line for
// line in tests/support/btf_dump_raw_test.sh); the JSON objects use the keys of `bpftool -j btf dump`.
#include "btf_raw.hpp"

#include <cinttypes>
#include <cstdio>

#include "json.hpp"

namespace ebpf::tool {

namespace {

// Kind names as bpftool prints them ("FUNC_PROTO", "DECL_TAG", ...).
const char* raw_kind_name(btf::Kind k) {
    static constexpr const char* names[btf::kKindCount] = {
        "UNKNOWN", "INT",      "PTR",  "ARRAY",      "STRUCT", "UNION",   "ENUM",  "FWD",      "TYPEDEF",  "VOLATILE",
        "CONST",   "RESTRICT", "FUNC", "FUNC_PROTO", "VAR",    "DATASEC", "FLOAT", "DECL_TAG", "TYPE_TAG", "ENUM64"};
    const auto i = static_cast<unsigned>(k);
    return i < btf::kKindCount ? names[i] : "UNKNOWN";
}

const char* int_encoding_name(std::uint32_t enc) {
    switch (enc) {
    case 0: return "(none)";
    case btf::kIntSigned: return "SIGNED";
    case btf::kIntChar: return "CHAR";
    case btf::kIntBool: return "BOOL";
    default: return "UNKN";
    }
}

// FUNC linkage (from vlen) and VAR linkage share their numbering: static, global, extern.
const char* linkage_name(std::uint32_t l) {
    switch (l) {
    case 0: return "static";
    case 1: return "global";
    case 2: return "extern";
    default: return "(unknown)";
    }
}

// A type's name: "(anon)" without one, "(invalid)" for an offset outside the strings.
std::string type_name(const btf::Spec& spec, const btf::Type& t) {
    if (t.name_off() == 0) return "(anon)";
    auto s = spec.string(t.name_off());
    return s ? std::string(*s) : "(invalid)";
}
// Members, enumerators and parameters carry their name only: empty prints as "(anon)".
std::string part_name(std::string_view n) { return n.empty() ? "(anon)" : std::string(n); }

void appendf(std::string& out, const char* fmt, auto... args) {
    char buf[256];
    const int n = std::snprintf(buf, sizeof buf, fmt, args...);
    if (n > 0) out.append(buf, static_cast<std::size_t>(n) < sizeof buf ? static_cast<std::size_t>(n) : sizeof buf - 1);
}

void append_raw_type(const btf::Spec& spec, const btf::Type& t, std::string& out) {
    using btf::Kind;
    out += '[';
    out += std::to_string(t.id());
    out += "] ";
    out += raw_kind_name(t.kind());
    out += " '";
    out += type_name(spec, t);
    out += '\'';
    switch (t.kind()) {
    case Kind::Int:
        appendf(out, " size=%u bits_offset=%u nr_bits=%u encoding=%s", t.size(), t.int_offset(), t.int_bits(),
                int_encoding_name(t.int_encoding()));
        break;
    case Kind::Ptr:
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::Typedef:
    case Kind::TypeTag: appendf(out, " type_id=%u", t.type()); break;
    case Kind::Array: {
        const btf::ArrayInfo a = t.array();
        appendf(out, " type_id=%u index_type_id=%u nr_elems=%u", a.elem_type, a.index_type, a.nelems);
        break;
    }
    case Kind::Struct:
    case Kind::Union:
        appendf(out, " size=%u vlen=%u", t.size(), t.vlen());
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            const btf::Member m = t.member(i);
            out += "\n\t'" + part_name(m.name) + "'";
            appendf(out, " type_id=%u bits_offset=%u", m.type, m.bit_offset);
            if (m.bitfield_size) appendf(out, " bitfield_size=%u", m.bitfield_size);
        }
        break;
    case Kind::Enum:
    case Kind::Enum64: {
        const bool is_signed = t.kind_flag();
        appendf(out, " encoding=%s size=%u vlen=%u", is_signed ? "SIGNED" : "UNSIGNED", t.size(), t.vlen());
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            const btf::Enumerator e = t.enumerator(i);
            out += "\n\t'" + part_name(e.name) + "'";
            if (t.kind() == Kind::Enum) {
                if (is_signed) appendf(out, " val=%d", static_cast<int>(static_cast<std::int32_t>(e.value)));
                else appendf(out, " val=%u", static_cast<unsigned>(static_cast<std::uint32_t>(e.value)));
            } else {
                if (is_signed) appendf(out, " val=%lldLL", static_cast<long long>(e.value));
                else appendf(out, " val=%lluULL", static_cast<unsigned long long>(e.value));
            }
        }
        break;
    }
    case Kind::Fwd: out += t.kind_flag() ? " fwd_kind=union" : " fwd_kind=struct"; break;
    case Kind::Func: appendf(out, " type_id=%u linkage=%s", t.type(), linkage_name(t.linkage())); break;
    case Kind::FuncProto:
        appendf(out, " ret_type_id=%u vlen=%u", t.type(), t.vlen());
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            const btf::Param p = t.param(i);
            out += "\n\t'" + part_name(p.name) + "'";
            appendf(out, " type_id=%u", p.type);
        }
        break;
    case Kind::Var: appendf(out, " type_id=%u, linkage=%s", t.type(), linkage_name(t.linkage())); break;
    case Kind::Datasec:
        appendf(out, " size=%u vlen=%u", t.size(), t.vlen());
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            const btf::VarSecinfo v = t.secinfo(i);
            appendf(out, "\n\ttype_id=%u offset=%u size=%u", v.type, v.offset, v.size);
            if (v.type < spec.type_count()) {
                const btf::Type vt = spec.type_or_void(v.type);
                out += " (";
                out += raw_kind_name(vt.kind());
                out += " '" + type_name(spec, vt) + "')";
            }
        }
        break;
    case Kind::Float: appendf(out, " size=%u", t.size()); break;
    case Kind::DeclTag: appendf(out, " type_id=%u component_idx=%d", t.type(), t.component_idx()); break;
    case Kind::Void: break;
    }
    out += '\n';
}

void json_type(const btf::Spec& spec, const btf::Type& t, Json& j) {
    using btf::Kind;
    j.begin_object().field("id", t.id()).field("kind", raw_kind_name(t.kind())).field("name", type_name(spec, t));
    switch (t.kind()) {
    case Kind::Int:
        j.field("size", t.size()).field("bits_offset", t.int_offset()).field("nr_bits", t.int_bits());
        j.field("encoding", int_encoding_name(t.int_encoding()));
        break;
    case Kind::Ptr:
    case Kind::Const:
    case Kind::Volatile:
    case Kind::Restrict:
    case Kind::Typedef:
    case Kind::TypeTag: j.field("type_id", t.type()); break;
    case Kind::Array: {
        const btf::ArrayInfo a = t.array();
        j.field("type_id", a.elem_type).field("index_type_id", a.index_type).field("nr_elems", a.nelems);
        break;
    }
    case Kind::Struct:
    case Kind::Union:
        j.field("size", t.size()).field("vlen", unsigned{t.vlen()}).key("members").begin_array();
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            const btf::Member m = t.member(i);
            j.begin_object().field("name", part_name(m.name)).field("type_id", m.type);
            j.field("bits_offset", m.bit_offset);
            if (m.bitfield_size) j.field("bitfield_size", m.bitfield_size);
            j.end_object();
        }
        j.end_array();
        break;
    case Kind::Enum:
    case Kind::Enum64: {
        const bool is_signed = t.kind_flag();
        j.field("encoding", is_signed ? "SIGNED" : "UNSIGNED").field("size", t.size());
        j.field("vlen", unsigned{t.vlen()}).key("values").begin_array();
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            const btf::Enumerator e = t.enumerator(i);
            j.begin_object().field("name", part_name(e.name)).key("val");
            const bool narrow = t.kind() == Kind::Enum;
            if (is_signed) j.value(narrow ? std::int64_t{static_cast<std::int32_t>(e.value)} : e.value);
            else j.value(narrow ? std::uint64_t{static_cast<std::uint32_t>(e.value)} : static_cast<std::uint64_t>(e.value));
            j.end_object();
        }
        j.end_array();
        break;
    }
    case Kind::Fwd: j.field("fwd_kind", t.kind_flag() ? "union" : "struct"); break;
    case Kind::Func: j.field("type_id", t.type()).field("linkage", linkage_name(t.linkage())); break;
    case Kind::FuncProto:
        j.field("ret_type_id", t.type()).field("vlen", unsigned{t.vlen()}).key("params").begin_array();
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            const btf::Param p = t.param(i);
            j.begin_object().field("name", part_name(p.name)).field("type_id", p.type).end_object();
        }
        j.end_array();
        break;
    case Kind::Var: j.field("type_id", t.type()).field("linkage", linkage_name(t.linkage())); break;
    case Kind::Datasec:
        j.field("size", t.size()).field("vlen", unsigned{t.vlen()}).key("vars").begin_array();
        for (std::uint32_t i = 0; i < t.vlen(); ++i) {
            const btf::VarSecinfo v = t.secinfo(i);
            j.begin_object().field("type_id", v.type).field("offset", v.offset).field("size", v.size).end_object();
        }
        j.end_array();
        break;
    case Kind::Float: j.field("size", t.size()); break;
    case Kind::DeclTag: j.field("type_id", t.type()).field("component_idx", int{t.component_idx()}); break;
    case Kind::Void: break;
    }
    j.end_object();
}

}  // namespace

void append_btf_raw(const btf::Spec& spec, std::span<const btf::TypeId> ids, std::string& out) {
    for (btf::TypeId id : ids) append_raw_type(spec, spec.type_or_void(id), out);
}

std::string btf_types_json(const btf::Spec& spec, std::span<const btf::TypeId> ids) {
    Json j;
    j.begin_array();
    for (btf::TypeId id : ids) json_type(spec, spec.type_or_void(id), j);
    j.end_array();
    return j.str();
}

}  // namespace ebpf::tool
