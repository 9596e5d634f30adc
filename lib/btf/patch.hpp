// SPDX-License-Identifier: MIT
// A mutable copy of a BTF blob for fixups before loading: patch record fields in place, append types and strings.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <ebpf/btf.hpp>

namespace ebpf::btf {

class Patcher {
public:
    // Copies the types and strings of a (non-split) spec.
    explicit Patcher(const Spec& spec);

    std::uint32_t type_count() const noexcept { return static_cast<std::uint32_t>(offsets_.size()) + 1; }
    // Word i (0: name_off, 1: info, 2: size/type, 3..: kind data) of a type record, host order.
    std::uint32_t word(TypeId id, std::size_t i) const noexcept;
    void set_word(TypeId id, std::size_t i, std::uint32_t value) noexcept;
    std::size_t record_words(TypeId id) const noexcept;
    // Appends a NUL-terminated string and returns its offset (existing offsets stay valid).
    std::uint32_t add_string(std::string_view s);
    // Appends a type record (words in host order) and returns its id.
    TypeId add_type(const std::vector<std::uint32_t>& words);

    // The blob in host byte order (BTF_LOAD wants native order).
    std::vector<std::byte> bytes() const;

private:
    std::vector<std::uint32_t> types_;   // host order
    std::vector<std::size_t> offsets_;   // word offset of type id i+1
    std::vector<char> strings_;
};

}  // namespace ebpf::btf
