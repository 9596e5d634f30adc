// SPDX-License-Identifier: MIT
// The Catch2 runner shared by all suites (compiled once, unoptimised: it is the slowest file to build). It checks
// that no test leaks a file descriptor, and lets kernel suites skip (exit 77, Meson's "skipped") with a reason when
// they cannot run here.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "support/catch_main.hpp"
#include "support/fd_count.hpp"
#include "support/kernel.hpp"

namespace {

int g_leaks = 0;
int g_cases = 0;

struct FdLeakListener : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;
    int before = 0;
    void testCaseStarting(const Catch::TestCaseInfo&) override {
        ++g_cases;
        before = ebpf::test::open_fd_count();
    }
    void testCaseEnded(const Catch::TestCaseStats& stats) override {
        const int after = ebpf::test::open_fd_count();
        if (after != before) {
            std::fprintf(stderr, "FD LEAK: test case '%s' ended with %d open fds, started with %d\n",
                         stats.testInfo.name.c_str(), after, before);
            ++g_leaks;
        }
    }
};

}  // namespace

CATCH_REGISTER_LISTENER(FdLeakListener)

int ebpf::test::run_suite(int argc, char** argv, bool kernel_suite) {
    // "--exit-with N": tests exec this binary to get a child process that exists everywhere (VMs have no /bin).
    if (argc == 3 && std::string_view(argv[1]) == "--exit-with") return std::atoi(argv[2]);
    if (kernel_suite) {
        if (auto why = ebpf::test::kernel_suite_unavailable()) {
            std::printf("SKIP: %s\n", why->c_str());
            return 77;
        }
    }
    const int before = ebpf::test::open_fd_count();
    Catch::Session session;
    if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
    // A suite (or a tag filter) that runs no test is a broken suite, not a passing one.
    session.configData().warnings =
        static_cast<Catch::WarnAbout::What>(session.configData().warnings | Catch::WarnAbout::NoTests);
    const int rc = session.run();
    const int after = ebpf::test::open_fd_count();
    if (after != before) {
        std::fprintf(stderr, "FD LEAK: %d fds open before the tests, %d after\n", before, after);
        return rc ? rc : 1;
    }
    if (g_leaks) return rc ? rc : 1;
    if (g_cases == 0 && !session.configData().listTests && !session.configData().listTags) {
        std::fprintf(stderr, "no test case ran: an empty suite does not pass\n");
        return rc ? rc : 1;
    }
    return rc;
}
