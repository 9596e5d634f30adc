// SPDX-License-Identifier: MIT
// libFuzzer target: ebpf::link_objects (lib/linker) on one input, on the input twice, and on its own output; an
// object the parser accepts must link into an object the parser accepts.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <ebpf/linker.hpp>
#include <ebpf/spec.hpp>

#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ebpf;
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    const LinkInput one[] = {{"a.o", bytes}};
    auto linked = link_objects(one);
    if (!linked) {
        fuzz::sink(linked.error().message());
    } else {
        auto out = ObjectSpec::parse(*linked);
        if (ObjectSpec::parse(bytes)) EBPF_FUZZ_CHECK(out.has_value());
        if (!out) fuzz::sink(out.error().message());
        const LinkInput again[] = {{"linked.o", *linked}};
        auto twice = link_objects(again);
        EBPF_FUZZ_CHECK(twice.has_value());
        if (twice) EBPF_FUZZ_CHECK(twice->size() == linked->size());
    }
    const LinkInput two[] = {{"a.o", bytes}, {"b.o", bytes}};
    auto dup = link_objects(two);
    if (!dup) fuzz::sink(dup.error().message());
    else fuzz::sink(dup->size());
    return 0;
}
