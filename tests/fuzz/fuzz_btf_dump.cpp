// SPDX-License-Identifier: MIT
// libFuzzer target: btf::dump_c over whatever btf::Spec::parse accepts (unvalidated, as kernel BTF is used), for
// every type and for the types reachable from one root. It must return a header or an error: no crash, no
// unbounded recursion or loop, no output past the limit.
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
    btf::DumpCOptions opt;
    // Small enough to keep each input fast; exponential inline growth reaches it within a few levels.
    opt.max_output = std::size_t{1} << 20;
    auto all = btf::dump_c(*spec, opt);
    if (all) {
        EBPF_FUZZ_CHECK(all->size() <= opt.max_output + 256);  // the limit plus the closing #endif lines
        fuzz::sink(*all);
    } else {
        fuzz::sink(all.error().message());
    }
    if (spec->type_count() > 1) {
        opt.roots = {spec->type_count() - 1};
        opt.preserve_access_index = false;
        auto some = btf::dump_c(*spec, opt);
        if (some) fuzz::sink(*some);
        else fuzz::sink(some.error().message());
    }
    return 0;
}
