// SPDX-License-Identifier: MIT
#include "support/btf_builder.hpp"

#include "support/elf_builder.hpp"

namespace ebpf::test {

using btf::Kind;

BtfBuilder BtfBuilder::split_on(const BtfBuilder& base) {
    BtfBuilder b;
    b.next_ = base.next_;
    b.base_strings_ = base.base_strings_ + base.strings_;
    return b;
}

std::uint32_t BtfBuilder::str(std::string_view s) {
    if (s.empty()) return 0;
    const std::string z = std::string(s) + '\0';
    for (const std::string* in : {&base_strings_, &strings_}) {
        for (auto pos = in->find(z); pos != std::string::npos; pos = in->find(z, pos + 1))
            if (pos == 0 || (*in)[pos - 1] == '\0')
                return static_cast<std::uint32_t>(pos + (in == &strings_ ? base_strings_.size() : 0));
    }
    const auto off = static_cast<std::uint32_t>(base_strings_.size() + strings_.size());
    strings_.append(s);
    strings_.push_back('\0');
    return off;
}

btf::TypeId BtfBuilder::push(std::vector<std::uint32_t> words) {
    words_.insert(words_.end(), words.begin(), words.end());
    return next_++;
}

btf::TypeId BtfBuilder::add_raw(const std::vector<std::uint32_t>& words) { return push(words); }

btf::TypeId BtfBuilder::add_int(std::string_view name, std::uint32_t size, std::uint32_t encoding, std::uint32_t bits,
                                std::uint32_t offset) {
    if (bits == 0) bits = size * 8;
    return push({str(name), info(Kind::Int, 0), size, encoding << 24 | offset << 16 | bits});
}

btf::TypeId BtfBuilder::add_ref(Kind k, std::string_view name, btf::TypeId to) {
    return push({str(name), info(k, 0), to});
}

btf::TypeId BtfBuilder::add_array(btf::TypeId elem, btf::TypeId index, std::uint32_t n) {
    return push({0, info(Kind::Array, 0), 0, elem, index, n});
}

btf::TypeId BtfBuilder::add_struct(std::string_view name, std::uint32_t size, const std::vector<M>& members,
                                   bool is_union) {
    bool kflag = false;
    for (const M& m : members) kflag = kflag || m.bitfield_size != 0;
    std::vector<std::uint32_t> w{str(name), info(is_union ? Kind::Union : Kind::Struct,
                                                 static_cast<std::uint32_t>(members.size()), kflag),
                                 size};
    for (const M& m : members) {
        w.push_back(str(m.name));
        w.push_back(m.type);
        w.push_back(kflag ? (m.bitfield_size << 24 | m.bit_offset) : m.bit_offset);
    }
    return push(std::move(w));
}

btf::TypeId BtfBuilder::add_enum(std::string_view name, std::uint32_t size, const std::vector<E>& values,
                                 bool is_signed) {
    std::vector<std::uint32_t> w{str(name), info(Kind::Enum, static_cast<std::uint32_t>(values.size()), is_signed),
                                 size};
    for (const E& e : values) {
        w.push_back(str(e.name));
        w.push_back(static_cast<std::uint32_t>(e.value));
    }
    return push(std::move(w));
}

btf::TypeId BtfBuilder::add_enum64(std::string_view name, std::uint32_t size, const std::vector<E>& values,
                                   bool is_signed) {
    std::vector<std::uint32_t> w{str(name), info(Kind::Enum64, static_cast<std::uint32_t>(values.size()), is_signed),
                                 size};
    for (const E& e : values) {
        w.push_back(str(e.name));
        w.push_back(static_cast<std::uint32_t>(static_cast<std::uint64_t>(e.value)));
        w.push_back(static_cast<std::uint32_t>(static_cast<std::uint64_t>(e.value) >> 32));
    }
    return push(std::move(w));
}

btf::TypeId BtfBuilder::add_fwd(std::string_view name, bool is_union) {
    return push({str(name), info(Kind::Fwd, 0, is_union), 0});
}

btf::TypeId BtfBuilder::add_func_proto(btf::TypeId ret, const std::vector<P>& params) {
    std::vector<std::uint32_t> w{0, info(Kind::FuncProto, static_cast<std::uint32_t>(params.size())), ret};
    for (const P& p : params) {
        w.push_back(str(p.name));
        w.push_back(p.type);
    }
    return push(std::move(w));
}

btf::TypeId BtfBuilder::add_func(std::string_view name, btf::TypeId proto, std::uint32_t linkage) {
    return push({str(name), info(Kind::Func, linkage), proto});
}

btf::TypeId BtfBuilder::add_var(std::string_view name, btf::TypeId type, std::uint32_t linkage) {
    return push({str(name), info(Kind::Var, 0), type, linkage});
}

btf::TypeId BtfBuilder::add_datasec(std::string_view name, std::uint32_t size, const std::vector<V>& vars) {
    std::vector<std::uint32_t> w{str(name), info(Kind::Datasec, static_cast<std::uint32_t>(vars.size())), size};
    for (const V& v : vars) {
        w.push_back(v.type);
        w.push_back(v.offset);
        w.push_back(v.size);
    }
    return push(std::move(w));
}

btf::TypeId BtfBuilder::add_float(std::string_view name, std::uint32_t size) {
    return push({str(name), info(Kind::Float, 0), size});
}

btf::TypeId BtfBuilder::add_decl_tag(std::string_view name, btf::TypeId to, std::int32_t component) {
    return push({str(name), info(Kind::DeclTag, 0), to, static_cast<std::uint32_t>(component)});
}

std::vector<std::byte> BtfBuilder::build(detail::Endian e) const {
    std::vector<std::byte> out;
    put16(out, 0xeB9F, e);
    out.push_back(std::byte{1});
    out.push_back(std::byte{0});
    const auto type_len = static_cast<std::uint32_t>(words_.size() * 4);
    put32(out, 24, e);
    put32(out, 0, e);
    put32(out, type_len, e);
    put32(out, type_len, e);
    put32(out, static_cast<std::uint32_t>(strings_.size()), e);
    for (std::uint32_t w : words_) put32(out, w, e);
    for (char c : strings_) out.push_back(std::byte(c));
    return out;
}

}  // namespace ebpf::test
