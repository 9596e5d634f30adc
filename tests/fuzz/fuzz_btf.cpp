// SPDX-License-Identifier: MIT
// libFuzzer target: btf::Spec::parse of one blob, then every type, lookup, resolver and the Patcher round trip.
#include <cstddef>
#include <cstdint>
#include <span>

#include <ebpf/btf.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ebpf;
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    auto spec = btf::Spec::parse(bytes);
    if (!spec) {
        fuzz::sink(spec.error().message());
        return 0;
    }
    fuzz::walk_btf(*spec);
    fuzz::walk_patcher(*spec);

    // The same bytes as split BTF on top of themselves: exercises ids and string offsets that start in a base.
    auto split = btf::Spec::parse(bytes, &*spec);
    if (split) fuzz::walk_btf(*split, 1024);
    else fuzz::sink(split.error().message());
    return 0;
}
