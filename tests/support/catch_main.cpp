// SPDX-License-Identifier: MIT
// The Catch2 runner shared by all suites (compiled once, unoptimised: it is the slowest file to build). It checks
// that no test leaks a file descriptor, and lets kernel suites skip (exit 77, Meson's "skipped") with a reason when
// they cannot run here.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "support/catch_main.hpp"
#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/skip.hpp"

namespace {

int g_leaks = 0;
int g_cases = 0;
int g_skips = 0;

// One line per test case for tools/matrix, with EBPF_TEST_CASES=1 in the environment: every selected case with its
// tags before the run (so a crash leaves the cases it kept from running visible), and each outcome after the case.
//   EBPF-CASE-LIST <tags> <name>
//   EBPF-CASE-START <name>
//   EBPF-CASE PASS|FAIL|SKIP <tags> <name>
// A skipped case (support/skip.hpp) also prints "EBPF-SKIP <name>: <reason>" whatever the environment says.
struct CaseLinesListener : Catch::TestEventListenerBase {
    using TestEventListenerBase::TestEventListenerBase;
    const bool lines = [] {
        const char* v = std::getenv("EBPF_TEST_CASES");
        return v && *v && std::string_view(v) != "0";
    }();
    void testRunStarting(const Catch::TestRunInfo&) override {
        if (!lines) return;
        for (const Catch::TestCase& t : Catch::filterTests(Catch::getAllTestCasesSorted(*m_config),
                                                            m_config->testSpec(), *m_config))
            std::printf("EBPF-CASE-LIST %s %s\n", t.tagsAsString().c_str(), t.name.c_str());
        std::fflush(stdout);
    }
    void testCaseStarting(const Catch::TestCaseInfo& info) override {
        ebpf::test::take_skip_reason();
        if (!lines) return;
        std::printf("EBPF-CASE-START %s\n", info.name.c_str());
        std::fflush(stdout);
    }
    void testCaseEnded(const Catch::TestCaseStats& stats) override {
        const bool skipped = ebpf::test::take_skip_reason().has_value();
        const bool failed = stats.totals.testCases.failed > 0;
        if (skipped && !failed) ++g_skips;
        if (!lines) return;
        std::fflush(stdout);  // Catch's own output of the case first
        std::printf("EBPF-CASE %s %s %s\n", failed ? "FAIL" : skipped ? "SKIP" : "PASS",
                    stats.testInfo.tagsAsString().c_str(), stats.testInfo.name.c_str());
        std::fflush(stdout);
    }
};

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
CATCH_REGISTER_LISTENER(CaseLinesListener)

int ebpf::test::run_suite(int argc, char** argv, bool kernel_suite) {
    // "--exit-with N": tests exec this binary to get a child process that exists everywhere (VMs have no /bin).
    if (argc == 3 && std::string_view(argv[1]) == "--exit-with") return std::atoi(argv[2]);
    if (kernel_suite) {
        if (auto why = ebpf::test::kernel_suite_unavailable()) {
            std::printf("SKIP: %s\n", why->c_str());
            return 77;
        }
        // Kernels before 5.11 charge maps and programs to RLIMIT_MEMLOCK (64 KiB by default there); later ones to
        // the memory cgroup. The library leaves that limit to the application (as cilium/ebpf does with
        // rlimit.RemoveMemlock, which libbpf does itself), so the suites raise it as such an application would.
        const rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
        ::setrlimit(RLIMIT_MEMLOCK, &unlimited);
    }
    const int before = ebpf::test::open_fd_count();
    Catch::Session session;
    if (const int rc = session.applyCommandLine(argc, argv); rc != 0) return rc;
    // A suite (or a tag filter) that runs no test is a broken suite, not a passing one.
    session.configData().warnings =
        static_cast<Catch::WarnAbout::What>(session.configData().warnings | Catch::WarnAbout::NoTests);
    const int rc = session.run();
    if (g_skips) std::printf("%d test case(s) skipped, for the reasons on their EBPF-SKIP lines\n", g_skips);
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
