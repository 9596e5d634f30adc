// SPDX-License-Identifier: MIT
// Builds BTF blobs type by type (either byte order), including malformed ones, for decoder and CO-RE tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <ebpf/btf.hpp>

#include "base/bytes.hpp"

namespace ebpf::test {

class BtfBuilder {
public:
    struct M {
        std::string name;
        btf::TypeId type;
        std::uint32_t bit_offset = 0;
        std::uint32_t bitfield_size = 0;
    };
    struct E {
        std::string name;
        std::int64_t value;
    };
    struct P {
        std::string name;
        btf::TypeId type;
    };
    struct V {
        btf::TypeId type;
        std::uint32_t offset, size;
    };

    // Split BTF on `base` (as a module's BTF is on vmlinux): type ids continue after the base's, and str() returns
    // the base's offset for a string the base has, else an offset past the base's string section.
    static BtfBuilder split_on(const BtfBuilder& base);

    std::uint32_t str(std::string_view s);
    btf::TypeId add_int(std::string_view name, std::uint32_t size, std::uint32_t encoding = 0, std::uint32_t bits = 0,
                        std::uint32_t offset = 0);
    btf::TypeId add_ptr(btf::TypeId to) { return add_ref(btf::Kind::Ptr, "", to); }
    btf::TypeId add_typedef(std::string_view name, btf::TypeId to) { return add_ref(btf::Kind::Typedef, name, to); }
    btf::TypeId add_const(btf::TypeId to) { return add_ref(btf::Kind::Const, "", to); }
    btf::TypeId add_volatile(btf::TypeId to) { return add_ref(btf::Kind::Volatile, "", to); }
    btf::TypeId add_restrict(btf::TypeId to) { return add_ref(btf::Kind::Restrict, "", to); }
    btf::TypeId add_type_tag(std::string_view name, btf::TypeId to) { return add_ref(btf::Kind::TypeTag, name, to); }
    btf::TypeId add_array(btf::TypeId elem, btf::TypeId index, std::uint32_t n);
    btf::TypeId add_struct(std::string_view name, std::uint32_t size, const std::vector<M>& members,
                           bool is_union = false);
    btf::TypeId add_enum(std::string_view name, std::uint32_t size, const std::vector<E>& values,
                         bool is_signed = false);
    btf::TypeId add_enum64(std::string_view name, std::uint32_t size, const std::vector<E>& values,
                           bool is_signed = false);
    btf::TypeId add_fwd(std::string_view name, bool is_union = false);
    btf::TypeId add_func_proto(btf::TypeId ret, const std::vector<P>& params);
    btf::TypeId add_func(std::string_view name, btf::TypeId proto, std::uint32_t linkage = btf::kFuncGlobal);
    btf::TypeId add_var(std::string_view name, btf::TypeId type, std::uint32_t linkage = btf::kVarGlobalAllocated);
    btf::TypeId add_datasec(std::string_view name, std::uint32_t size, const std::vector<V>& vars);
    btf::TypeId add_float(std::string_view name, std::uint32_t size);
    btf::TypeId add_decl_tag(std::string_view name, btf::TypeId to, std::int32_t component);
    // Appends raw words (host values) as one record, for malformed input.
    btf::TypeId add_raw(const std::vector<std::uint32_t>& words);

    std::vector<std::byte> build(detail::Endian e = detail::host_endian()) const;
    // Header and sections as build() makes them, for tests that corrupt them.
    std::uint32_t type_section_size() const { return static_cast<std::uint32_t>(words_.size() * 4); }

private:
    btf::TypeId add_ref(btf::Kind k, std::string_view name, btf::TypeId to);
    btf::TypeId push(std::vector<std::uint32_t> words);
    static std::uint32_t info(btf::Kind k, std::uint32_t vlen, bool kflag = false) {
        return static_cast<std::uint32_t>(k) << 24 | (vlen & 0xffff) | (kflag ? 1u << 31 : 0u);
    }
    std::vector<std::uint32_t> words_;
    std::string strings_{std::string(1, '\0')};
    btf::TypeId next_ = 1;
    std::string base_strings_;  // split_on(): the base's string section
};

}  // namespace ebpf::test
