// SPDX-License-Identifier: MIT
// BPF_PROG_TEST_RUN with owned output buffers, for the typed test-run helpers of the networking views.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <ebpf/program.hpp>

namespace ebpf::detail {

struct RawTestRun {
    std::span<const std::byte> data_in{};
    std::span<const std::byte> ctx_in{};
    std::size_t data_out_size = 0;  // 0: no data out; grown to what the kernel reports if too small
    std::size_t ctx_out_size = 0;   // 0: no context out
    std::uint32_t repeat = 0;
    std::uint32_t flags = 0;
};

struct RawTestOut {
    std::uint32_t retval = 0;
    std::uint32_t duration_ns = 0;
    std::vector<std::byte> data;  // data_size_out bytes
    std::vector<std::byte> ctx;   // ctx_size_out bytes
};

// Runs a loaded program. When the output outgrows data_out_size (ENOSPC), runs it once more with room for all of
// it. `what` starts the error messages ("test run of xdp program 'x'").
// Errors: InvalidArgument (not loaded; EINVAL from the kernel, with `ctx_hint` appended when a context was sent),
//   NotSupported (no test runs for this program type), Permission.
Result<RawTestOut> run_test(const Program& p, const RawTestRun& in, const std::string& what, const char* ctx_hint = "");

}  // namespace ebpf::detail
