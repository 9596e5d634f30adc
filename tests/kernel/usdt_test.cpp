// SPDX-License-Identifier: MIT
// Usdt against the running kernel: BPF_USDT() programs of libbpf's <bpf/usdt.bpf.h>, unmodified, on the USDT
// probes of this binary (tests/support/uprobe_targets.c, usdt_gated.c) and, in host builds, of a child process and
// its shared library. Arguments in registers, in memory and constants arrive with their signs and widths; the
// cookie reaches bpf_usdt_cookie(); semaphores rise while attached. Every path is taken: one uprobe_multi link,
// one uprobe per site (PMU and tracefs), and the address map of kernels without BPF cookies (forced with
// feature:bpf_cookie = 0 before the object loads, so LINUX_HAS_BPF_COOKIE agrees).
#include <catch2/catch.hpp>

#include <fstream>

#include <unistd.h>

#include <ebpf/ebpf.hpp>
#include <ebpf/programs/usdt.hpp>

#include "kernel/uprobe_support.hpp"
#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/probe_target.hpp"
#include "support/skip.hpp"
#include "support/uprobe_targets.h"

using namespace ebpf;
using test::fails_with;
using test::msg;
using test::slot;

namespace {

enum Slot : std::uint32_t {
    V_HITS, V_A, V_B, V_C, V_D, V_ARG_CNT, V_COOKIE,
    V_DEREF_HITS, V_DEREF_X, V_DEREF_Y,
    V_CONST_HITS, V_CONST_K, V_CONST_M,
    V_GATED_HITS, V_GATED_V,
    V_SITES_HITS, V_SITES_SUM,
    V_LIB_HITS, V_LIB_A, V_LIB_B,
    V_MAIN_HITS, V_MAIN_X,
};

std::uint64_t val(const Object& obj, Slot s) { return slot(obj, "usdt_vals", s); }
std::int64_t sval(const Object& obj, Slot s) { return static_cast<std::int64_t>(val(obj, s)); }

std::optional<std::string> lacks_usdt() {
    if (!ebpf_cxx_usdt_available())
        return std::string("this test binary was built without <sys/sdt.h> (Debian systemtap-sdt-dev): no USDT probes");
    if (::access(test::obj_path("usdt_test.bpf.o").c_str(), R_OK) != 0)
        return std::string("usdt_test.bpf.o was not built (<bpf/usdt.bpf.h> missing or another architecture)");
    auto pmu = has(Feature::UprobePmu);
    if (!pmu) return "uprobe PMU probe failed: " + msg(pmu.error());
    if (!*pmu && !test::uprobe_events_file_exists()) return std::string("no uprobe PMU and no tracefs uprobe_events");
    return std::nullopt;
}

std::string self_path() {
    auto site = test::probe_site(reinterpret_cast<const void*>(&ebpf_cxx_usdt_args));
    REQUIRE(site);
    return site->path;
}

Object load_usdt(std::uint32_t tgid = static_cast<std::uint32_t>(::getpid())) {
    return test::load_with_tgid("usdt_test.bpf.o", tgid);
}

Usdt view(const Object& obj, const char* name) {
    auto v = obj.program<Usdt>(name);
    if (!v) FAIL(msg(v.error()));
    if (auto r = v->load(); !r) FAIL(msg(r.error()));
    return *v;
}

// The attach paths USDT can take here; `body(name)` runs with the probes forced accordingly. Each loads its own
// object (the cookie decision is made when the object loads).
template <class F>
void each_usdt_path(F&& body) {
    auto multi = link_supported(AttachType::TraceUprobeMulti);
    REQUIRE(multi);
    auto cookies = has(Feature::BpfCookie);
    REQUIRE(cookies);
    auto pmu = has(Feature::UprobePmu);
    REQUIRE(pmu);
    const ProbeKey no_multi = ProbeKey::link(AttachType::TraceUprobeMulti);
    if (*multi) {
        SECTION("one uprobe_multi link") { body("multi"); }
    }
    if (*pmu) {
        SECTION("one uprobe per site (PMU)") {
            const test::ForcedProbe m(no_multi, false);
            body("per-site");
        }
    }
    SECTION("one uprobe per site (tracefs uprobe_events)") {
        const test::ForcedProbe m(no_multi, false);
        const test::ForcedProbe t(ProbeKey::feature(Feature::UprobePmu), false);
        body("tracefs");
    }
    SECTION("no BPF cookies: the address map (forced, or Linux < 5.15)") {
        const test::ForcedProbe c(ProbeKey::feature(Feature::BpfCookie), false);
        const test::ForcedProbe m(no_multi, false);
        body("no-cookies");
    }
}

}  // namespace

// Values that need 64 bits where `long` has them (the probe's argument is then 8 bytes wide); on 32-bit ABIs
// (armhf) `long` and the argument are 4 bytes, and the values fit.
constexpr long kWideB = static_cast<long>(sizeof(long) >= 8 ? 1234567890123LL : 1234567890LL);
constexpr long kWideY = static_cast<long>(sizeof(long) >= 8 ? 99999999999LL : 999999999LL);

TEST_CASE("Usdt: arguments in registers, in memory and constants reach BPF_USDT programs", "[usdt]") {
    EBPF_SKIP_IF(lacks_usdt());
    const std::string self = self_path();
    each_usdt_path([&](const std::string& path) {
        INFO("path: " << path);
        Object obj = load_usdt();
        Usdt args = view(obj, "on_args"), deref = view(obj, "on_deref"), konst = view(obj, "on_const");
        const std::string events_before = test::uprobe_events();
        const int fds_before = test::open_fd_count();
        // Position-independent binaries need the process when there are no cookies; this one is ours.
        const UsdtAttachOptions opts{.pid = path == "no-cookies" ? 0 : -1, .cookie = 0x77};
        {
            auto l1 = args.attach(self, "ebpf_test", "args", opts);
            if (!l1) FAIL(msg(l1.error()));
            auto l2 = deref.attach(self, "ebpf_test", "deref", {.pid = opts.pid});
            if (!l2) FAIL(msg(l2.error()));
            auto l3 = konst.attach(self, "ebpf_test", "konst", {.pid = opts.pid});
            if (!l3) FAIL(msg(l3.error()));
            CHECK(l1->is_bpf_link() == (path == "multi"));
            if (path == "tracefs") CHECK(test::uprobe_events() != events_before);

            ebpf_cxx_usdt_args(-5, kWideB, -3, 200);
            ebpf_cxx_usdt_args(-6, -kWideB, 7, 255);
            CHECK(val(obj, V_HITS) == 2);
            CHECK(sval(obj, V_A) == -6);
            CHECK(sval(obj, V_B) == -kWideB);
            CHECK(sval(obj, V_C) == 7);
            CHECK(val(obj, V_D) == 255);
            CHECK(val(obj, V_ARG_CNT) == 4);
            CHECK(val(obj, V_COOKIE) == 0x77);

            const ebpf_cxx_usdt_pair pair{-11, kWideY};
            ebpf_cxx_usdt_deref(&pair);
            CHECK(val(obj, V_DEREF_HITS) == 1);
            CHECK(sval(obj, V_DEREF_X) == -11);
            CHECK(sval(obj, V_DEREF_Y) == kWideY);

            ebpf_cxx_usdt_const();
            CHECK(val(obj, V_CONST_HITS) == 1);
            CHECK(sval(obj, V_CONST_K) == 42);
            CHECK(sval(obj, V_CONST_M) == -7);
        }
        ebpf_cxx_usdt_const();
        CHECK(val(obj, V_CONST_HITS) == 1);
        CHECK(test::open_fd_count() == fds_before);
        CHECK(test::uprobe_events() == events_before);
    });
}

TEST_CASE("Usdt: a probe at two sites, attached from its section", "[usdt]") {
    EBPF_SKIP_IF(lacks_usdt());
    std::unique_ptr<test::ForcedProbe> forced;
    SECTION("as the kernel is") {}
    SECTION("without BPF cookies (forced): /proc/self/exe means this process") {
        forced = std::make_unique<test::ForcedProbe>(ProbeKey::feature(Feature::BpfCookie), false);
    }
    Object obj = load_usdt();
    Usdt sites = view(obj, "on_sites");
    auto link = auto_attach(sites.program());
    if (!link) FAIL(msg(link.error()));
    CHECK(link->description().find("(2 sites)") != std::string_view::npos);
    ebpf_cxx_usdt_sites();
    ebpf_cxx_usdt_sites();
    CHECK(val(obj, V_SITES_HITS) == 4);
    CHECK(val(obj, V_SITES_SUM) == 6);
}

TEST_CASE("Usdt: the kernel raises a probe's semaphore while it is attached", "[usdt]") {
    EBPF_SKIP_IF(lacks_usdt());
    const std::string self = self_path();
    each_usdt_path([&](const std::string& path) {
        Object obj = load_usdt();
        Usdt gated = view(obj, "on_gated");
        CHECK(ebpf_test_gated_semaphore == 0);
        CHECK(ebpf_cxx_usdt_gated(1) == 0);
        {
            auto link = gated.attach(self, "ebpf_test", "gated", {.pid = path == "no-cookies" ? 0 : -1});
            if (!link) FAIL(msg(link.error()));
            CHECK(ebpf_test_gated_semaphore == 1);
            CHECK(ebpf_cxx_usdt_gated(9) == 1);
            CHECK(val(obj, V_GATED_HITS) == 1);
            CHECK(val(obj, V_GATED_V) == 9);
        }
        CHECK(ebpf_test_gated_semaphore == 0);
        CHECK(ebpf_cxx_usdt_gated(1) == 0);
    });
}

// zig's lld links usdt_fixture_x86_64.so with a separate RELRO segment that maps the semaphores' file page too:
// the kernel would raise a byte inside RELRO in processes that load it later. Refused, saying why and what to do.
TEST_CASE("Usdt: a semaphore the kernel would raise at the wrong address is refused", "[usdt]") {
    EBPF_SKIP_IF(lacks_usdt());
#if defined(__x86_64__) && defined(EBPF_TEST_FIXTURE_X86_64)
    const std::string fixture = EBPF_TEST_FIXTURE_X86_64;
#else
    const std::string fixture;
#endif
    if (fixture.empty() || ::access(fixture.c_str(), R_OK) != 0)
        EBPF_SKIP("the zig-built x86_64 fixture is not here (built on x86_64 hosts with zig; the VMs lack it)");
    Object obj = load_usdt();
    Usdt gated = view(obj, "on_gated");
    const int fds_before = test::open_fd_count();
    auto link = gated.attach(fixture, "ebpf_fixture", "konst");
    CHECK(fails_with(std::move(link), Errc::NotSupported, "shares its file page with an earlier writable segment"));
    auto again = gated.attach(fixture, "ebpf_fixture", "konst");
    REQUIRE_FALSE(again);
    const std::string m(again.error().message());
    CHECK(m.find("-z norelro") != std::string::npos);
    CHECK(m.find("attach to one running process") != std::string::npos);  // a shared object: ld.so applies RELRO
    CHECK(test::open_fd_count() == fds_before);
}

TEST_CASE("Usdt: spec ids are shared by the programs of one object and freed on detach", "[usdt]") {
    EBPF_SKIP_IF(lacks_usdt());
    auto cookies = has(Feature::BpfCookie);
    REQUIRE(cookies);
    Object obj = load_usdt();
    Usdt konst = view(obj, "on_const"), args = view(obj, "on_args");
    const std::string self = self_path();
    const Map* specs = obj.find_map("__bpf_usdt_specs");
    REQUIRE(specs);
    auto arg_cnt = [&](std::uint32_t id) {
        std::array<std::byte, 208> v{};
        REQUIRE(specs->lookup(as_bytes_of(id), v));
        std::int16_t n;
        std::memcpy(&n, v.data() + 200, 2);
        return n;
    };
    const int pid = *cookies ? -1 : 0;
    {
        auto a = konst.attach(self, "ebpf_test", "konst", {.pid = pid});
        if (!a) FAIL(msg(a.error()));
        CHECK(arg_cnt(0) == 2);
        auto b = args.attach(self, "ebpf_test", "args", {.pid = pid});
        if (!b) FAIL(msg(b.error()));
        CHECK(arg_cnt(1) == 4);  // the next id: the first is taken
    }
    // Both detached: id 0 is free again.
    auto c = args.attach(self, "ebpf_test", "args", {.pid = pid});
    if (!c) FAIL(msg(c.error()));
    CHECK(arg_cnt(0) == 4);
}

TEST_CASE("Usdt: libbpf's own usdt_args.bpf.c attaches and runs", "[usdt]") {
    EBPF_SKIP_IF(lacks_usdt());
    if (::access(test::obj_path("usdt_args.bpf.o").c_str(), R_OK) != 0) EBPF_SKIP("usdt_args.bpf.o was not built");
    auto obj = Object::load_file(test::obj_path("usdt_args.bpf.o").c_str());
    if (!obj) FAIL(msg(obj.error()));
    auto p = obj->program<Usdt>("on_usdt");
    REQUIRE(p);
    if (auto r = p->load(); !r) FAIL(msg(r.error()));
    auto cookies = has(Feature::BpfCookie);
    REQUIRE(cookies);
    auto link = p->attach(self_path(), "ebpf_test", "konst", {.pid = *cookies ? -1 : 0, .cookie = 1234});
    if (!link) FAIL(msg(link.error()));
    ebpf_cxx_usdt_const();
    ebpf_cxx_usdt_const();
    auto sum = obj->global<std::uint64_t>("usdt_sum");
    auto cookie = obj->global<std::uint64_t>("usdt_cookie");
    REQUIRE(sum);
    REQUIRE(cookie);
    CHECK(sum->get().value_or(0) == 2 * (42 + -7 + 2));  // a + b + bpf_usdt_arg_cnt() per hit
    CHECK(cookie->get().value_or(0) == 1234);
}

TEST_CASE("Usdt: probes in a child process and its shared library", "[usdt]") {
    EBPF_SKIP_IF(lacks_usdt());
    EBPF_SKIP_IF(test::lacks_uprobe_target());
    auto run = [&](bool no_cookies) {
        std::unique_ptr<test::ForcedProbe> forced;
        if (no_cookies) forced = std::make_unique<test::ForcedProbe>(ProbeKey::feature(Feature::BpfCookie), false);
        test::TargetProcess child(test::kUprobeTarget, 3);
        REQUIRE(child.pid() > 0);
        Object obj = load_usdt(static_cast<std::uint32_t>(child.pid()));
        Usdt lib = view(obj, "on_lib"), main = view(obj, "on_main");
        auto cookies = has(Feature::BpfCookie);
        REQUIRE(cookies);
        if (!*cookies)  // a shared library's probe addresses depend on the process: it must be named
            CHECK(fails_with(lib.attach(test::kUprobeTargetLib, "ebpf_target", "lib"), Errc::NotSupported,
                             "give a pid"));
        // The library by name: the one the child maps. Its probe has a semaphore: it fires only while attached.
        auto l1 = lib.attach("libebpf_uprobe_target.so", "ebpf_target", "lib", {.pid = child.pid()});
        if (!l1) FAIL(msg(l1.error()));
        auto l2 = main.attach(test::kUprobeTarget, "ebpf_target", "main", {.pid = child.pid()});
        if (!l2) FAIL(msg(l2.error()));
        CHECK(child.go().rfind("done", 0) == 0);
        CHECK(val(obj, V_LIB_HITS) == 3);
        CHECK(val(obj, V_LIB_A) == 2);
        CHECK(val(obj, V_LIB_B) == 1);
        CHECK(val(obj, V_MAIN_HITS) == 3);
        CHECK(val(obj, V_MAIN_X) == 2);
    };
    SECTION("BPF cookies where the kernel has them") { run(false); }
    SECTION("without BPF cookies (forced): the child's absolute addresses") { run(true); }
}

TEST_CASE("Usdt: bad input names the probe and leaves nothing behind", "[usdt]") {
    EBPF_SKIP_IF(lacks_usdt());
    const std::string self = self_path();
    Object obj = load_usdt();
    auto unloaded = obj.program<Usdt>("on_args");
    REQUIRE(unloaded);
    CHECK(fails_with(unloaded->attach(self, "ebpf_test", "args"), Errc::InvalidArgument, "not loaded"));
    Usdt args = view(obj, "on_args");
    const std::string events_before = test::uprobe_events();
    const int fds_before = test::open_fd_count();
    auto missing = args.attach(self, "ebpf_test", "nope");
    CHECK(fails_with(missing, Errc::NotFound, "USDT probe 'ebpf_test:nope' not found in " + self));
    CHECK(fails_with(missing, Errc::NotFound, "ebpf_test:args"));  // what the file has
    CHECK(fails_with(args.attach("/nonexistent/bin", "p", "n"), Errc::NotFound, "/nonexistent/bin: no such file"));
    CHECK(fails_with(args.attach(self, "ebpf_test", "args", {.pid = 0x3ffffff0}), Errc::NotFound, "no process with pid"));
    CHECK(fails_with(args.attach(), Errc::InvalidArgument, "does not name <binary>:<provider>:<name>"));
    // An argument this library cannot express (GCC -O2 on x86 gives values[i] scale-index-base addressing).
    const int values[] = {4, 5, 6};
    CHECK(ebpf_cxx_usdt_sib(values, 2) == 6);  // (and links its object file into this binary)
    auto probes = Usdt::probes(self);
    REQUIRE(probes);
    std::string sib_args;
    for (const auto& p : *probes)
        if (p.name == "sib") sib_args = p.arguments;
    if (sib_args.find(',') != std::string::npos)
        CHECK(fails_with(args.attach(self, "ebpf_test", "sib"), Errc::InvalidArgument, "scale-index-base"));
    else
        WARN("the compiler gave ebpf_test:sib no scale-index-base operand ('" << sib_args << "')");
    CHECK(test::open_fd_count() == fds_before);
    CHECK(test::uprobe_events() == events_before);

    // A program without the usdt.bpf.h maps.
    ProgramDef def;
    def.name = "bare_usdt";
    def.section = "usdt";
    def.type = ProgramType::Kprobe;
    def.instructions = {{0xb7, 0, 0, 0, 0}, {0x95, 0, 0, 0, 0}};  // r0 = 0; exit
    auto bare = Program::prepare(std::move(def));
    REQUIRE(bare);
    REQUIRE(bare->load());
    auto bv = Usdt::from(*bare);
    REQUIRE(bv);
    CHECK(fails_with(bv->attach(self, "ebpf_test", "konst"), Errc::InvalidArgument, "uses no map __bpf_usdt_specs"));
}

TEST_CASE("Usdt: no BPF cookies and no pid for a position-independent binary", "[usdt]") {
    EBPF_SKIP_IF(lacks_usdt());
    const test::ForcedProbe c(ProbeKey::feature(Feature::BpfCookie), false);
    Object obj = load_usdt();
    Usdt konst = view(obj, "on_const");
    auto r = konst.attach(self_path(), "ebpf_test", "konst");
    // e_type of this executable: ET_DYN (PIE, the host builds) or ET_EXEC (the static builds of the VMs), whose
    // probe addresses are the file's own and need no process.
    std::ifstream exe("/proc/self/exe", std::ios::binary);
    unsigned char head[18] = {};
    exe.read(reinterpret_cast<char*>(head), sizeof head);
    if (head[16] == 3) {
        CHECK(fails_with(r, Errc::NotSupported, "without BPF cookies (Linux 5.15)"));
    } else {
        if (!r) FAIL(msg(r.error()));
        ebpf_cxx_usdt_const();
        CHECK(val(obj, V_CONST_HITS) == 1);
    }
}

TEST_CASE("Usdt::probes lists the sites of this binary", "[usdt]") {
    EBPF_SKIP_IF(lacks_usdt());
    auto probes = Usdt::probes(self_path());
    REQUIRE(probes);
    int sites = 0;
    bool gated = false;
    for (const auto& p : *probes) {
        if (p.provider != "ebpf_test") continue;
        INFO(p.name << " '" << p.arguments << "'");
        if (p.name == "sites") ++sites;
        if (p.name == "gated") {
            gated = true;
            CHECK(p.semaphore_address != 0);
            CHECK(p.semaphore_offset != 0);
        }
        if (p.name == "args") CHECK(p.semaphore_address == 0);
    }
    CHECK(sites == 2);
    CHECK(gated);
}
