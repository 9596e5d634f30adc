// SPDX-License-Identifier: MIT
// Shared by the fuzz targets: touch every decoded value so the decoders really run, and check parser contracts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#include <ebpf/btf.hpp>

namespace ebpf::fuzz {

// Results are folded into a volatile so the optimiser cannot drop a decode whose value nobody uses.
inline volatile std::uint64_t g_sink = 0;

inline void sink(std::uint64_t v) noexcept { g_sink = g_sink + v; }
// Reads every character: a string_view pointing outside its buffer then shows up under ASan, not just its size.
inline void sink(std::string_view s) noexcept {
    std::uint64_t h = s.size();
    for (char c : s) h = h * 31 + static_cast<unsigned char>(c);
    sink(h);
}
inline void sink(std::span<const std::byte> b) noexcept {
    std::uint64_t h = b.size();
    for (std::byte c : b) h = h * 31 + static_cast<unsigned char>(c);
    sink(h);
}

// A broken contract is as much a bug as a crash: abort so libFuzzer saves the input and the replay test fails.
[[noreturn]] inline void contract_failed(const char* what, const char* file, int line) noexcept {
    std::fprintf(stderr, "fuzz contract violated: %s (%s:%d)\n", what, file, line);
    std::abort();
}

#define EBPF_FUZZ_CHECK(cond) ((cond) ? (void)0 : ::ebpf::fuzz::contract_failed(#cond, __FILE__, __LINE__))

// Reads every field of every type, resolves and describes every id, looks names up and validates. `max_types`
// bounds the per-type work so one huge input cannot stall the fuzzer; small inputs are walked completely.
void walk_btf(const btf::Spec& spec, std::uint32_t max_types = 4096);

// Round-trips a (non-split) spec through btf::Patcher and checks the copy decodes the same.
void walk_patcher(const btf::Spec& spec, std::uint32_t max_types = 4096);

}  // namespace ebpf::fuzz
