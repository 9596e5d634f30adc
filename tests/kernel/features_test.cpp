// SPDX-License-Identifier: MIT
// Feature probes against the running kernel: every family answers; what every supported kernel (5.10+) has is
// true; what the kernel's own BTF says it has (enum bpf_prog_type, bpf_map_type, bpf_attach_type, bpf_func_id) is
// checked against the probes, so the suite holds on any kernel without reading a version. Also: forced answers,
// caching (counted through the syscall seam), and EPERM as an error, not an answer.
#include <catch2/catch.hpp>

#include <linux/capability.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <ebpf/features.hpp>
#include <ebpf/kernel_btf.hpp>

#include "features/own_probes.hpp"
#include "features/probe_util.hpp"
#include "support/fault_syscall.hpp"

using namespace ebpf;
namespace fault = ebpf::test::fault;

namespace {

bool yes(const Result<bool>& r) {
    if (!r) FAIL_CHECK(std::string(r.error().message()));
    return r && *r;
}
bool no(const Result<bool>& r) {
    if (!r) FAIL_CHECK(std::string(r.error().message()));
    return r && !*r;
}

// The enumerators of one of the kernel's enums, from its BTF (empty without BTF).
std::map<std::string, std::int64_t> kernel_enum(const char* name) {
    std::map<std::string, std::int64_t> out;
    auto k = KernelBtf::running();
    if (!k) return out;
    const btf::Spec& s = (*k)->vmlinux();
    auto id = s.find(name, btf::Kind::Enum);
    if (!id) return out;
    const btf::Type t = s.type_or_void(*id);
    for (std::uint32_t i = 0; i < t.vlen(); ++i) out.emplace(t.enumerator(i).name, t.enumerator(i).value);
    return out;
}

// One past the kernel's largest value of an enum ("__MAX_BPF_PROG_TYPE" ...), or nullopt without BTF.
std::optional<std::int64_t> kernel_max(const char* enum_name, const char* max_name) {
    const auto e = kernel_enum(enum_name);
    const auto it = e.find(max_name);
    if (it == e.end()) return std::nullopt;
    return it->second;
}

bool kernel_knows(const char* enum_name, const char* enumerator) { return kernel_enum(enum_name).count(enumerator); }

}  // namespace

TEST_CASE("program types: what every supported kernel has loads; values the kernel lacks do not", "[features]") {
    for (ProgramType t : {ProgramType::SocketFilter, ProgramType::Kprobe, ProgramType::SchedCls, ProgramType::Xdp,
                          ProgramType::Tracepoint, ProgramType::CgroupSkb, ProgramType::CgroupSockAddr,
                          ProgramType::RawTracepoint, ProgramType::CgroupSockopt, ProgramType::SkLookup}) {
        INFO(to_string(t));
        CHECK(yes(program_type_supported(t)));
    }
    CHECK(no(program_type_supported(ProgramType::Unspec)));
    CHECK(no(program_type_supported(static_cast<ProgramType>(1000))));
    // Every named type gets an answer, never an error, on a privileged process.
    for (std::uint32_t v = 1; to_string(static_cast<ProgramType>(v)) != "unknown"; ++v) {
        INFO(to_string(static_cast<ProgramType>(v)));
        CHECK(program_type_supported(static_cast<ProgramType>(v)).has_value());
    }
    if (const auto max = kernel_max("bpf_prog_type", "__MAX_BPF_PROG_TYPE")) {
        INFO("__MAX_BPF_PROG_TYPE " << *max);
        CHECK(no(program_type_supported(static_cast<ProgramType>(*max))));
        // A type the kernel's enum names and no config option gates.
        if (*max > static_cast<std::int64_t>(ProgramType::Syscall))
            CHECK(yes(program_type_supported(ProgramType::Syscall)));
    }
}

TEST_CASE("map types: what every supported kernel has is created; values the kernel lacks are not", "[features]") {
    for (MapType t : {MapType::Hash, MapType::Array, MapType::PercpuArray, MapType::LruHash, MapType::LpmTrie,
                      MapType::ArrayOfMaps, MapType::HashOfMaps, MapType::ProgArray, MapType::PerfEventArray,
                      MapType::Queue, MapType::Stack, MapType::SkStorage, MapType::Ringbuf, MapType::StructOps,
                      MapType::DevmapHash, MapType::Sockhash}) {
        INFO(to_string(t));
        CHECK(yes(map_type_supported(t)));
    }
    CHECK(no(map_type_supported(MapType::Unspec)));
    CHECK(no(map_type_supported(static_cast<MapType>(1000))));
    for (std::uint32_t v = 1; to_string(static_cast<MapType>(v)) != "unknown"; ++v) {
        INFO(to_string(static_cast<MapType>(v)));
        CHECK(map_type_supported(static_cast<MapType>(v)).has_value());
    }
    if (const auto max = kernel_max("bpf_map_type", "__MAX_BPF_MAP_TYPE")) {
        CHECK(no(map_type_supported(static_cast<MapType>(*max))));
        // Newer types that need nothing but what every kernel with BPF has (arena: a 64-bit one).
        const std::pair<const char*, MapType> newer[] = {{"BPF_MAP_TYPE_BLOOM_FILTER", MapType::BloomFilter},
                                                         {"BPF_MAP_TYPE_USER_RINGBUF", MapType::UserRingbuf},
                                                         {"BPF_MAP_TYPE_CGRP_STORAGE", MapType::CgrpStorage},
                                                         {"BPF_MAP_TYPE_ARENA", MapType::Arena}};
        for (const auto& [name, type] : newer)
            if (kernel_knows("bpf_map_type", name) && (type != MapType::Arena || sizeof(void*) == 8)) {
                INFO(name);
                CHECK(yes(map_type_supported(type)));
            }
    }
}

TEST_CASE("links: cgroup, xdp, netns and perf_event links exist; types without a link path say no", "[features]") {
    for (AttachType t : {AttachType::CgroupInetIngress, AttachType::CgroupInetEgress, AttachType::CgroupSockOps,
                         AttachType::CgroupInet4Connect, AttachType::CgroupUdp4Recvmsg, AttachType::CgroupSysctl,
                         AttachType::CgroupGetsockopt, AttachType::CgroupDevice, AttachType::Xdp,
                         AttachType::SkLookup, AttachType::FlowDissector}) {
        INFO(to_string(t));
        CHECK(yes(link_supported(t)));
    }
    // No kernel attaches these through BPF_LINK_CREATE (BPF_PROG_ATTACH, setsockopt, or a map entry instead).
    for (AttachType t : {AttachType::LircMode2, AttachType::XdpDevmap, AttachType::XdpCpumap,
                         AttachType::SkReuseportSelect}) {
        INFO(to_string(t));
        CHECK(no(link_supported(t)));
    }
    // The kernel's enum tells which newer link types it knows; these need no config option beyond CONFIG_NET.
    const std::pair<const char*, AttachType> newer[] = {{"BPF_PERF_EVENT", AttachType::PerfEvent},
                                                        {"BPF_TCX_INGRESS", AttachType::TcxIngress},
                                                        {"BPF_TCX_EGRESS", AttachType::TcxEgress},
                                                        {"BPF_CGROUP_UNIX_CONNECT", AttachType::CgroupUnixConnect}};
    for (const auto& [name, type] : newer) {
        INFO(name);
        if (kernel_knows("bpf_attach_type", name)) CHECK(yes(link_supported(type)));
        else CHECK(no(link_supported(type)));
    }
    // Every named attach type answers, except those documented to have no probe.
    for (std::uint32_t v = 0; to_string(static_cast<AttachType>(v)) != "unknown"; ++v) {
        const auto t = static_cast<AttachType>(v);
        INFO(to_string(t));
        auto r = link_supported(t);
        if (t >= AttachType::TraceFsession) {
            REQUIRE_FALSE(r);
            CHECK(r.error().code() == Errc::NotSupported);
        } else {
            CHECK(r.has_value());
        }
    }
    auto unknown = link_supported(static_cast<AttachType>(1000));
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code() == Errc::NotSupported);
}

TEST_CASE("helpers: the verifier's words decide, per program type", "[features]") {
    const std::uint32_t lookup = *helper_id("map_lookup_elem"), sys_bpf = *helper_id("sys_bpf");
    CHECK(lookup == 1);
    CHECK(yes(helper_supported(ProgramType::Xdp, lookup)));
    CHECK(yes(helper_supported(ProgramType::Xdp, *helper_id("xdp_adjust_head"))));
    CHECK(no(helper_supported(ProgramType::SocketFilter, *helper_id("xdp_adjust_head"))));
    CHECK(no(helper_supported(ProgramType::Xdp, 100000)));
    CHECK(no(helper_supported(static_cast<ProgramType>(1000), lookup)));
    if (yes(program_type_supported(ProgramType::Syscall))) {
        CHECK(yes(helper_supported(ProgramType::Syscall, sys_bpf)));
        CHECK(no(helper_supported(ProgramType::Xdp, sys_bpf)));
    }
    if (const auto max = kernel_max("bpf_func_id", "__BPF_FUNC_MAX_ID")) {
        // Past the kernel's last helper: "invalid func" for every program type.
        CHECK(no(helper_supported(ProgramType::Kprobe, static_cast<std::uint32_t>(*max))));
        CHECK(no(helper_supported(ProgramType::SchedCls, static_cast<std::uint32_t>(*max))));
    }
    for (ProgramType t : {ProgramType::Tracing, ProgramType::Lsm, ProgramType::Ext, ProgramType::StructOps}) {
        auto r = helper_supported(t, lookup);
        REQUIRE_FALSE(r);
        CHECK(r.error().code() == Errc::NotSupported);
    }
}

TEST_CASE("the helper name table matches the names the running kernel prints", "[features]") {
    CHECK(helper_name(0) == "unspec");
    CHECK(helper_name(1) == "map_lookup_elem");
    CHECK(helper_name(211) == "cgrp_storage_delete");
    CHECK(helper_name(helper_id_end()).empty());
    CHECK(helper_id("no_such_helper") == std::nullopt);
    // The verifier log quotes every call as "call bpf_<name>#<id>" for ids the kernel has ("unknown#<id>" past them).
    int compared = 0;
    for (std::uint32_t id = 1; id < helper_id_end(); ++id) {
        namespace probe = detail::probe;
        const auto o = probe::load_program({.type = ProgramType::Xdp,
                                            .insns = {{0x85, 0, 0, 0, static_cast<std::int32_t>(id)},
                                                      {0xb7, 0, 0, 0, 0}, {0x95, 0, 0, 0, 0}},
                                            .log = true});
        if (o.ok()) continue;  // a helper without arguments: nothing quoted
        const std::string want = "call bpf_" + std::string(helper_name(id)) + "#" + std::to_string(id);
        if (o.log.find("call unknown#" + std::to_string(id)) != std::string::npos) continue;  // newer than the kernel
        INFO(o.log);
        CHECK(o.log.find(want) != std::string::npos);
        ++compared;
    }
    CHECK(compared > 100);
}

TEST_CASE("misc features: every one answers; those of every supported kernel are there", "[features]") {
    for (std::uint8_t v = 0; v < static_cast<std::uint8_t>(Feature::Count_); ++v) {
        const auto f = static_cast<Feature>(v);
        INFO(to_string(f));
        CHECK(has(f).has_value());
        CHECK(feature_from_string(to_string(f)) == f);
    }
    // In 5.10 and every kernel after it.
    for (Feature f : {Feature::Btf, Feature::BtfFunc, Feature::BtfGlobalFunc, Feature::BtfDatasec, Feature::ArrayMmap,
                      Feature::ProgName, Feature::GlobalData, Feature::MapFreeze, Feature::LinkDetach,
                      Feature::ProgBindMap, Feature::BoundedLoops, Feature::LargeInsnLimit, Feature::IsaV2,
                      Feature::IsaV3}) {
        INFO(to_string(f));
        CHECK(yes(has(f)));
    }
    // bpf_get_attach_cookie came with the cookie, which the kernel's helper enum tells.
    CHECK(yes(has(Feature::BpfCookie)) == kernel_knows("bpf_func_id", "BPF_FUNC_get_attach_cookie"));
    CHECK(has(Feature::Count_).error().code() == Errc::InvalidArgument);
    CHECK(feature_from_string("nope") == std::nullopt);
}

TEST_CASE("forced answers win over the kernel, make no system call, and can be undone", "[features]") {
    REQUIRE(yes(program_type_supported(ProgramType::Xdp)));
    override_probe(ProbeKey::program(ProgramType::Xdp), false);
    fault::arm({});
    CHECK(no(program_type_supported(ProgramType::Xdp)));
    CHECK(fault::calls() == 0);
    fault::disarm();
    override_probe(ProbeKey::program(ProgramType::Xdp), std::nullopt);
    CHECK(yes(program_type_supported(ProgramType::Xdp)));

    REQUIRE(override_probes("link:cgroup_inet_ingress=0, map:ringbuf=false,prog:6=0,feature:array_mmap=0,"
                            "helper:xdp/bpf_map_lookup_elem=0,link:trace_fsession=1"));
    CHECK(no(link_supported(AttachType::CgroupInetIngress)));
    CHECK(no(map_type_supported(MapType::Ringbuf)));
    CHECK(no(program_type_supported(ProgramType::Xdp)));
    CHECK(no(has(Feature::ArrayMmap)));
    CHECK(no(helper_supported(ProgramType::Xdp, 1)));
    CHECK(yes(link_supported(AttachType::TraceFsession)));  // even where no probe exists
    CHECK(yes(link_supported(AttachType::CgroupInetEgress)));  // only what was named
    clear_probe_overrides();
    CHECK(yes(link_supported(AttachType::CgroupInetIngress)));
    CHECK(yes(has(Feature::ArrayMmap)));

    // A malformed list applies nothing.
    auto bad = override_probes("map:hash=0,map:no_such_map=1");
    REQUIRE_FALSE(bad);
    CHECK(bad.error().code() == Errc::InvalidArgument);
    CHECK(std::string(bad.error().message()).find("no_such_map") != std::string::npos);
    CHECK(yes(map_type_supported(MapType::Hash)));
    for (const char* spec : {"map:hash", "map:hash=2", "hash=0", "nofamily:x=1", "helper:xdp=1", "helper:xdp/nope=1"})
        CHECK_FALSE(override_probes(spec));
}

TEST_CASE("the cgroup attach path answers lsm_cgroup links from the cgroup links' probe, unless told", "[features]") {
    // Its own recipe needs an LSM hook from the kernel's BTF; lsm_cgroup (6.0) came after cgroup links (5.7). An
    // answer link_supported(LsmCgroup) cached earlier would decide instead (a true probe is better than the proxy).
    forget_probe_results();
    auto cgroup_links = detail::fd_target_link_supported(AttachType::CgroupInetIngress);
    REQUIRE(cgroup_links);
    fault::arm({});  // cached by now: no system call, and no BTF read
    auto lsm = detail::fd_target_link_supported(AttachType::LsmCgroup);
    CHECK(fault::calls() == 0);
    fault::disarm();
    REQUIRE(lsm);
    CHECK(*lsm == *cgroup_links);
    // A forced answer for lsm_cgroup itself decides (how the tests reach the BPF_PROG_ATTACH fallback).
    override_probe(ProbeKey::link(AttachType::LsmCgroup), !*cgroup_links);
    CHECK(detail::fd_target_link_supported(AttachType::LsmCgroup).value_or(*cgroup_links) == !*cgroup_links);
    override_probe(ProbeKey::link(AttachType::LsmCgroup), std::nullopt);
    // Attach types without a target fd: no without probing.
    CHECK(no(detail::fd_target_link_supported(AttachType::Xdp)));
}

TEST_CASE("probe keys print and parse", "[features]") {
    CHECK(to_string(ProbeKey::program(ProgramType::Xdp)) == "prog:xdp");
    CHECK(to_string(ProbeKey::map(MapType::Ringbuf)) == "map:ringbuf");
    CHECK(to_string(ProbeKey::link(AttachType::CgroupInetIngress)) == "link:cgroup_inet_ingress");
    CHECK(to_string(ProbeKey::helper(ProgramType::Xdp, 1)) == "helper:xdp/map_lookup_elem");
    CHECK(to_string(ProbeKey::helper(ProgramType::Xdp, 9999)) == "helper:xdp/9999");
    CHECK(to_string(ProbeKey::feature(Feature::ArrayMmap)) == "feature:array_mmap");
    CHECK(to_string(ProbeKey::program(static_cast<ProgramType>(77))) == "prog:77");
    for (const ProbeKey& k : {ProbeKey::program(ProgramType::Syscall), ProbeKey::map(MapType::Arena),
                              ProbeKey::link(AttachType::TcxEgress), ProbeKey::helper(ProgramType::SchedCls, 211),
                              ProbeKey::feature(Feature::IsaV4), ProbeKey::map(static_cast<MapType>(99))}) {
        auto back = parse_probe_key(to_string(k));
        REQUIRE(back);
        CHECK(*back == k);
    }
    CHECK(*parse_probe_key("helper:6/1") == ProbeKey::helper(ProgramType::Xdp, 1));
    CHECK(parse_probe_key("prog:unknown").error().code() == Errc::InvalidArgument);
}

TEST_CASE("answers are cached: asking again makes no system call", "[features]") {
    forget_probe_results();
    fault::arm({});
    REQUIRE(yes(link_supported(AttachType::CgroupInetIngress)));  // program type probe + load + link
    CHECK(fault::calls() >= 3);
    REQUIRE(yes(helper_supported(ProgramType::SchedCls, 1)));
    REQUIRE(yes(map_type_supported(MapType::ArrayOfMaps)));
    REQUIRE(yes(has(Feature::BtfFunc)));
    fault::arm({});
    CHECK(yes(link_supported(AttachType::CgroupInetIngress)));
    CHECK(yes(program_type_supported(ProgramType::CgroupSkb)));
    CHECK(yes(helper_supported(ProgramType::SchedCls, 1)));
    CHECK(yes(map_type_supported(MapType::ArrayOfMaps)));
    CHECK(yes(has(Feature::BtfFunc)));
    CHECK(fault::calls() == 0);
    fault::disarm();
}

TEST_CASE("EPERM is an error, not an answer, and is not cached", "[features]") {
    forget_probe_results();
    // Every bpf() refused: even the baseline program is, so the process (not the kernel) is the problem.
    fault::arm({.fail_at = 1, .error = EPERM, .times = 1 << 30, .only_nr = SYS_bpf});
    auto r = program_type_supported(ProgramType::SchedAct);
    fault::disarm();
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::Permission);
    CHECK(std::string(r.error().message()).find("prog:sched_act") != std::string::npos);
    CHECK(yes(program_type_supported(ProgramType::SchedAct)));  // probed again, not remembered

    // Only this probe refused, the baseline loads: a kernel refusing a privileged process, answered false.
    forget_probe_results();
    fault::arm({.fail_at = 1, .error = EPERM, .times = 1, .only_nr = SYS_bpf});
    CHECK(no(program_type_supported(ProgramType::SchedAct)));
    fault::disarm();
    forget_probe_results();
    CHECK(yes(program_type_supported(ProgramType::SchedAct)));
}

TEST_CASE("without capabilities every probe reports Permission", "[features]") {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        forget_probe_results();
        __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
        __user_cap_data_struct data[2] = {};
        if (::syscall(SYS_capset, &hdr, data) != 0) ::_exit(10);
        auto xdp = program_type_supported(ProgramType::Xdp);
        if (xdp || xdp.error().code() != Errc::Permission) ::_exit(11);
        auto link = link_supported(AttachType::CgroupInetIngress);
        if (link || link.error().code() != Errc::Permission) ::_exit(12);
        auto map = map_type_supported(MapType::LruHash);  // needs CAP_BPF
        if (map || map.error().code() != Errc::Permission) ::_exit(13);
        ::_exit(0);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("threads asking at once get one answer", "[features]") {
    forget_probe_results();
    std::vector<std::thread> threads;
    std::vector<int> answers(8, -1);
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&answers, i] {
            auto a = i % 2 ? map_type_supported(MapType::Hash) : program_type_supported(ProgramType::Xdp);
            answers[static_cast<std::size_t>(i)] = a ? int(*a) : -2;
        });
    for (std::thread& t : threads) t.join();
    for (int a : answers) CHECK(a == 1);
}
