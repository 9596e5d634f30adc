// SPDX-License-Identifier: MIT
// Syscall programs run through BPF_PROG_TEST_RUN (Program::test_run) with the context in ctx_in,
// which the kernel writes back.
#include <ebpf/programs/syscall.hpp>

#include "base/format.hpp"

namespace ebpf {

using detail::format;

Result<std::int32_t> Syscall::run(std::span<std::byte> ctx) const {
    const std::string what = format("run syscall program '%s' (context of %zu bytes)", prog_.name().c_str(), ctx.size());
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    TestRunOptions o;
    // The kernel copies the context back to ctx_in (and refuses a ctx_out for this type).
    o.ctx_in = ctx;
    auto r = prog_.test_run(o);
    if (!r) return std::move(r).error().context(what);
    return static_cast<std::int32_t>(r->retval);
}

Result<std::int32_t> Syscall::run() const { return run(std::span<std::byte>()); }

}  // namespace ebpf
