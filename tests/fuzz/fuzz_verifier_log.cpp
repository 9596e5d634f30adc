// SPDX-License-Identifier: MIT
// libFuzzer target: the verifier log decoder on arbitrary text (a log is kernel output, but it is also whatever a
// caller passes in, and it is parsed on every failed load). Checks that what it reports comes from the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz.hpp"
#include "object/verifier_log.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ebpf;
    const std::string_view log(reinterpret_cast<const char*>(data), size);
    const detail::VerifierLogSummary s = detail::decode_verifier_log(log);
    // Every string field is a piece of the input (trimmed), never invented or read from elsewhere.
    for (const std::string* f : {&s.insn_text, &s.source, &s.reason})
        EBPF_FUZZ_CHECK(f->empty() || log.find(*f) != std::string_view::npos);
    EBPF_FUZZ_CHECK(s.location.empty() || log.find(s.location) != std::string_view::npos);
    EBPF_FUZZ_CHECK(!s.reached_core_poison || !s.reached_kfunc_poison);
    const std::string line = detail::describe(s);
    EBPF_FUZZ_CHECK(line.empty() == (s.reason.empty() && !s.insn));
    fuzz::sink(line);
    fuzz::sink(s.processed.value_or(0) + s.insn.value_or(0));
    return 0;
}
