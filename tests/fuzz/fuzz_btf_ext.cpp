// SPDX-License-Identifier: MIT
// libFuzzer target: btf::ExtInfo::parse. Input = u16 little-endian BTF length, the .BTF blob, then the .BTF.ext
// blob, so the fuzzer mutates both halves together (ext records name sections through the BTF's strings).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include <ebpf/btf.hpp>

#include "fuzz.hpp"

namespace {

using namespace ebpf;

// When the BTF half does not parse, the ext half is still decoded against this minimal little-endian BTF
// (one INT "int"; strings "", "int", ".text", "0:1"), so a broken BTF prefix does not hide the ext decoder.
constexpr std::array<std::uint8_t, 24 + 16 + 15> kFallbackBtf = {
    0x9f, 0xeb, 1, 0,  24, 0, 0, 0,  0, 0, 0, 0,  16, 0, 0, 0,  16, 0, 0, 0,  15, 0, 0, 0,  // header
    1, 0, 0, 0,  0, 0, 0, 1,  4, 0, 0, 0,  32, 0, 0, 1,                                    // [1] INT int
    0, 'i', 'n', 't', 0, '.', 't', 'e', 'x', 't', 0, '0', ':', '1', 0,                     // strings
};

void walk_ext(const btf::ExtInfo& ext, const btf::Spec& spec) {
    EBPF_FUZZ_CHECK(ext.func_info_rec_size >= 8 && ext.func_info_rec_size % 4 == 0);
    EBPF_FUZZ_CHECK(ext.line_info_rec_size >= 16 && ext.line_info_rec_size % 4 == 0);
    for (const auto& sec : ext.func_info) {
        EBPF_FUZZ_CHECK(!sec.section.empty() && !sec.records.empty());
        fuzz::sink(sec.section);
        for (const btf::FuncInfo& fi : sec.records) {
            EBPF_FUZZ_CHECK(fi.insn_off % 8 == 0);
            fuzz::sink(fi.insn_off);
            // What the loader does with a record: look its FUNC up and describe it.
            if (auto t = spec.type(fi.type)) fuzz::sink(t->name());
            fuzz::sink(spec.describe(fi.type));
        }
    }
    for (const auto& sec : ext.line_info) {
        EBPF_FUZZ_CHECK(!sec.section.empty() && !sec.records.empty());
        fuzz::sink(sec.section);
        for (const btf::LineInfo& li : sec.records) {
            EBPF_FUZZ_CHECK(li.insn_off % 8 == 0);
            if (auto s = spec.string(li.file_name_off)) fuzz::sink(*s);
            if (auto s = spec.string(li.line_off)) fuzz::sink(*s);
            fuzz::sink(li.line_col >> 10);
        }
    }
    for (const auto& sec : ext.core_relos) {
        EBPF_FUZZ_CHECK(!sec.section.empty() && !sec.records.empty());
        fuzz::sink(sec.section);
        for (const btf::CoreRelo& cr : sec.records) {
            EBPF_FUZZ_CHECK(cr.insn_off % 8 == 0);
            if (auto s = spec.string(cr.access_str_off)) fuzz::sink(*s);
            fuzz::sink(btf::to_string(cr.kind));
            if (auto r = spec.skip_modifiers(cr.type)) fuzz::sink(r->name());
            if (auto r = spec.resolve_size(cr.type)) fuzz::sink(*r);
            fuzz::sink(spec.find_candidates(btf::essential_name(spec.type_or_void(cr.type).name()),
                                            spec.type_or_void(cr.type).kind())
                           .size());
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t btf_len = std::min<std::size_t>(data[0] | std::size_t{data[1]} << 8, size - 2);
    const std::span<const std::byte> btf_bytes(reinterpret_cast<const std::byte*>(data + 2), btf_len);
    const std::span<const std::byte> ext_bytes(reinterpret_cast<const std::byte*>(data + 2 + btf_len),
                                               size - 2 - btf_len);

    auto spec = btf::Spec::parse(btf_bytes);
    if (!spec) {
        spec = btf::Spec::parse(std::as_bytes(std::span(kFallbackBtf)));
        EBPF_FUZZ_CHECK(spec.has_value());
    } else {
        // Keep the BTF walk light: fuzz_btf covers it; here it only has to be the ext decoder's context.
        fuzz::walk_btf(*spec, 64);
    }
    auto ext = btf::ExtInfo::parse(ext_bytes, *spec);
    if (!ext) {
        fuzz::sink(ext.error().message());
        return 0;
    }
    walk_ext(*ext, *spec);
    return 0;
}
