// SPDX-License-Identifier: MIT
// Syscall: a SEC("syscall") program run from user space with a context it writes back.
#include <catch2/catch.hpp>

#include <linux/bpf.h>

#include <cstdint>
#include <string>

#include <ebpf/ebpf.hpp>

#include "kernel/tracing_support.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

using namespace ebpf;
using test::global;
using test::msg;

namespace {
struct DoubleArgs {
    std::uint64_t in = 0;
    std::uint64_t out = 0;
};
}  // namespace

TEST_CASE("Syscall: run() passes a context in and reads what the program wrote back", "[tracing]") {
    // What the program writes into its context comes back: only syscall programs' test runs copy it out.
    EBPF_SKIP_IF(test::needs_syscall_programs("the case checks the context the program wrote back"));
    Object obj = test::load_object("syscall_run.bpf.o", {});
    auto p = obj.program<Syscall>("double_it");
    REQUIRE(p);
    auto not_loaded = p->run();
    REQUIRE_FALSE(not_loaded);
    CHECK(msg(not_loaded.error()).find("the program is not loaded") != std::string::npos);
    if (auto r = p->load(); !r) FAIL(msg(r.error()));
    DoubleArgs args{.in = 21};
    auto ret = p->run(as_writable_bytes_of(args));
    if (!ret) FAIL(msg(ret.error()));
    CHECK(*ret == 7);
    CHECK(args.out == 42);
    CHECK(global(obj, "runs") == 1);
    // Not attached automatically: the blocker says what to call instead.
    auto blocker = auto_attach_blocker(p->program());
    REQUIRE(blocker);
    CHECK(blocker->find("Syscall::run") != std::string::npos);
    auto refused = auto_attach(p->program());
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == Errc::NotSupported);
}
