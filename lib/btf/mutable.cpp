// SPDX-License-Identifier: MIT
// MutType: decoding a parsed spec into editable types, and encoding them back into a .BTF blob.
#include "btf/mutable.hpp"

#include <cstring>

#include "base/format.hpp"
#include "btf/spec_impl.hpp"

namespace ebpf::btf {

Result<std::vector<MutType>> decode_mut_types(const Spec& spec) {
    std::vector<MutType> out(1);
    const TypeId first = spec.first_id() == 0 ? 1 : spec.first_id();
    out.reserve(spec.type_count() - first + 1);
    for (TypeId id = first; id < spec.type_count(); ++id) {
        const Type t = spec.type_or_void(id);
        MutType m;
        m.kind = t.kind();
        m.kflag = t.kind_flag();
        auto name = spec.string(t.name_off());
        if (!name) return Error(Errc::MalformedBtf, detail::format("type %u: name offset %u is invalid", id, t.name_off()));
        m.name = std::string(*name);
        m.size_type = kind_has_size(m.kind) ? t.size() : t.type();
        const std::uint16_t vlen = t.vlen();
        switch (m.kind) {
        case Kind::Int:
            m.data = {t.int_encoding() << 24 | t.int_offset() << 16 | t.int_bits()};
            break;
        case Kind::Array: {
            const ArrayInfo a = t.array();
            m.data = {a.elem_type, a.index_type, a.nelems};
            break;
        }
        case Kind::Struct:
        case Kind::Union:
            for (std::uint32_t i = 0; i < vlen; ++i) {
                const Member mem = t.member(i);
                const std::uint32_t off = m.kflag ? (mem.bitfield_size << 24 | mem.bit_offset) : mem.bit_offset;
                m.items.push_back({std::string(mem.name), mem.type, off, 0});
            }
            break;
        case Kind::Enum:
            for (std::uint32_t i = 0; i < vlen; ++i) {
                const Enumerator e = t.enumerator(i);
                m.items.push_back({std::string(e.name), static_cast<std::uint32_t>(e.value), 0, 0});
            }
            break;
        case Kind::Enum64:
            for (std::uint32_t i = 0; i < vlen; ++i) {
                const Enumerator e = t.enumerator(i);
                const auto v = static_cast<std::uint64_t>(e.value);
                m.items.push_back({std::string(e.name), static_cast<std::uint32_t>(v),
                                   static_cast<std::uint32_t>(v >> 32), 0});
            }
            break;
        case Kind::FuncProto:
            for (std::uint32_t i = 0; i < vlen; ++i) {
                const Param p = t.param(i);
                m.items.push_back({std::string(p.name), p.type, 0, 0});
            }
            break;
        case Kind::Func: m.func_linkage = vlen; break;
        case Kind::Var: m.data = {t.linkage()}; break;
        case Kind::DeclTag: m.data = {static_cast<std::uint32_t>(t.component_idx())}; break;
        case Kind::Datasec:
            for (std::uint32_t i = 0; i < vlen; ++i) {
                const VarSecinfo v = t.secinfo(i);
                m.items.push_back({"", v.type, v.offset, v.size});
            }
            break;
        default: break;
        }
        out.push_back(std::move(m));
    }
    return out;
}

std::uint32_t StringTable::add(std::string_view s) {
    auto it = index_.find(std::string(s));
    if (it != index_.end()) return it->second;
    const auto off = static_cast<std::uint32_t>(data_.size());
    data_.append(s);
    data_.push_back('\0');
    index_.emplace(std::string(s), off);
    return off;
}

std::vector<std::uint32_t> encode_mut_types(const std::vector<MutType>& types, StringTable& strs) {
    std::vector<std::uint32_t> w;
    for (std::size_t id = 1; id < types.size(); ++id) {
        const MutType& t = types[id];
        const std::uint32_t vlen = t.kind == Kind::Func ? t.func_linkage : static_cast<std::uint32_t>(t.items.size());
        w.push_back(t.name.empty() ? 0 : strs.add(t.name));
        w.push_back(static_cast<std::uint32_t>(t.kind) << 24 | (vlen & 0xffff) | (t.kflag ? 1u << 31 : 0u));
        w.push_back(t.size_type);
        for (std::uint32_t d : t.data) w.push_back(d);
        for (const MutItem& it : t.items) {
            switch (t.kind) {
            case Kind::Struct:
            case Kind::Union:
                w.push_back(it.name.empty() ? 0 : strs.add(it.name));
                w.push_back(it.a);
                w.push_back(it.b);
                break;
            case Kind::Enum:
            case Kind::FuncProto:
                w.push_back(it.name.empty() ? 0 : strs.add(it.name));
                w.push_back(it.a);
                break;
            case Kind::Enum64:
                w.push_back(it.name.empty() ? 0 : strs.add(it.name));
                w.push_back(it.a);
                w.push_back(it.b);
                break;
            case Kind::Datasec:
                w.push_back(it.a);
                w.push_back(it.b);
                w.push_back(it.c);
                break;
            default: break;
            }
        }
    }
    return w;
}

std::vector<std::byte> assemble_btf(const std::vector<std::uint32_t>& type_words, const StringTable& strs,
                                    detail::Endian e) {
    const bool swap = e != detail::host_endian();
    std::vector<std::byte> out;
    auto put = [&](const void* p, std::size_t n) {
        const auto* b = static_cast<const std::byte*>(p);
        out.insert(out.end(), b, b + n);
    };
    auto put32 = [&](std::uint32_t v) {
        if (swap) v = detail::byteswap(v);
        put(&v, 4);
    };
    std::uint16_t magic = static_cast<std::uint16_t>(kBtfMagic);
    if (swap) magic = detail::byteswap(magic);
    put(&magic, 2);
    const std::uint8_t version = 1, flags = 0;
    put(&version, 1);
    put(&flags, 1);
    const auto type_len = static_cast<std::uint32_t>(type_words.size() * 4);
    put32(24);
    put32(0);
    put32(type_len);
    put32(type_len);
    put32(static_cast<std::uint32_t>(strs.data().size()));
    for (std::uint32_t v : type_words) put32(v);
    put(strs.data().data(), strs.data().size());
    return out;
}

}  // namespace ebpf::btf
