// SPDX-License-Identifier: MIT
// The process-wide answer cache shared by every probe family, with the forced answers (overrides) of tests.
#pragma once

#include <optional>

#include <ebpf/features.hpp>

namespace ebpf::detail {

// The recipe that asks the kernel one question. A conclusive answer (true/false) is cached; an error is not.
using ProbeFn = Result<bool> (*)(const ProbeKey& key);

// Answers `key`: a forced answer if there is one, else the cached answer, else runs `probe` and caches what it
// concludes. Reports a malformed EBPF_CXX_PROBE_OVERRIDE instead of probing.
Result<bool> cached_probe(const ProbeKey& key, ProbeFn probe);

// What cached_probe(key, ...) would answer without probing: the forced answer, else the cached one, else nothing
// (and the error of a malformed EBPF_CXX_PROBE_OVERRIDE). Runs no probe and caches nothing.
std::optional<Result<bool>> known_probe_answer(const ProbeKey& key);

}  // namespace ebpf::detail
