// SPDX-License-Identifier: MIT
// BTF patching: a host-order word copy of the type section that fixups can edit, then re-serialise.
#include "btf/patch.hpp"

#include <cstring>

#include "btf/spec_impl.hpp"

namespace ebpf::btf {

Patcher::Patcher(const Spec& spec) {
    // Records are contiguous and in id order, and parse() bounds-checked them, so copy word by word.
    const auto raw = spec.raw();
    const bool swapped = spec.swapped();
    const std::uint32_t hdr_len = spec.header_len();
    auto rd = [&](std::size_t off) {
        std::uint32_t v;
        std::memcpy(&v, raw.data() + off, 4);
        return swapped ? detail::byteswap(v) : v;
    };
    const std::uint32_t type_off = rd(8), str_off = rd(16), str_len = rd(20);
    std::size_t pos = hdr_len + type_off;
    const std::uint32_t n = spec.type_count();
    for (TypeId id = 1; id < n; ++id) {
        const Type t = spec.type_or_void(id);
        const long extra = extra_size(static_cast<unsigned>(t.kind()), t.vlen());
        const std::size_t words = (kTypeHeaderSize + static_cast<std::size_t>(extra)) / 4;
        offsets_.push_back(types_.size());
        for (std::size_t w = 0; w < words; ++w, pos += 4) types_.push_back(rd(pos));
    }
    const char* s = reinterpret_cast<const char*>(raw.data() + hdr_len + str_off);
    strings_.assign(s, s + str_len);
}

std::uint32_t Patcher::word(TypeId id, std::size_t i) const noexcept {
    if (id == 0 || id > offsets_.size() || i >= record_words(id)) return 0;
    return types_[offsets_[id - 1] + i];
}

void Patcher::set_word(TypeId id, std::size_t i, std::uint32_t value) noexcept {
    if (id == 0 || id > offsets_.size() || i >= record_words(id)) return;
    types_[offsets_[id - 1] + i] = value;
}

std::size_t Patcher::record_words(TypeId id) const noexcept {
    if (id == 0 || id > offsets_.size()) return 0;
    const std::size_t end = id < offsets_.size() ? offsets_[id] : types_.size();
    return end - offsets_[id - 1];
}

std::uint32_t Patcher::add_string(std::string_view s) {
    const auto off = static_cast<std::uint32_t>(strings_.size());
    strings_.insert(strings_.end(), s.begin(), s.end());
    strings_.push_back('\0');
    return off;
}

TypeId Patcher::add_type(const std::vector<std::uint32_t>& words) {
    offsets_.push_back(types_.size());
    types_.insert(types_.end(), words.begin(), words.end());
    return static_cast<TypeId>(offsets_.size());
}

std::vector<std::byte> Patcher::bytes() const {
    const std::uint32_t hdr_len = 24;
    const auto type_len = static_cast<std::uint32_t>(types_.size() * 4);
    const auto str_len = static_cast<std::uint32_t>(strings_.size());
    std::vector<std::byte> out(hdr_len + type_len + str_len);
    // magic (u16), version 1, flags 0, then hdr_len, type_off, type_len, str_off, str_len.
    const std::uint16_t magic = kBtfMagic;
    std::memcpy(out.data(), &magic, 2);
    out[2] = std::byte{1};
    out[3] = std::byte{0};
    const std::uint32_t fields[5] = {hdr_len, 0, type_len, type_len, str_len};
    std::memcpy(out.data() + 4, fields, sizeof fields);
    // (Empty vectors may have a null data(): memcpy must not see it, even with a zero length.)
    if (type_len) std::memcpy(out.data() + hdr_len, types_.data(), type_len);
    if (str_len) std::memcpy(out.data() + hdr_len + type_len, strings_.data(), str_len);
    return out;
}

}  // namespace ebpf::btf
