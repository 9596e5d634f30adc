// SPDX-License-Identifier: MIT
// SEC() name matching: libbpf's table, order and "+", "/" and exact rules.
#include <catch2/catch.hpp>

#include "object/sections.hpp"

using namespace ebpf;
using ebpf::detail::match_section;

TEST_CASE("exact, '+' and '/' patterns follow libbpf", "[object][sections]") {
    auto m = match_section("kprobe/do_unlinkat");
    REQUIRE(m);
    CHECK(m->def->type == ProgramType::Kprobe);
    CHECK(m->attach_to == "do_unlinkat");
    CHECK(match_section("kprobe"));                // "kprobe+" matches the bare name
    CHECK_FALSE(match_section("kprobex"));         // ...but not a longer word
    CHECK_FALSE(match_section("xdpfoo"));          // "xdp" is exact
    CHECK(match_section("xdp")->def->attach == AttachType::Xdp);
    CHECK_FALSE(match_section("socket/extra"));    // exact
    auto tp = match_section("tp/sched/sched_switch");
    REQUIRE(tp);
    CHECK(tp->def->type == ProgramType::Tracepoint);
    CHECK(tp->attach_to == "sched/sched_switch");
}

TEST_CASE("first match wins, so specific entries come first", "[object][sections]") {
    CHECK(match_section("sk_reuseport/migrate")->def->attach == AttachType::SkReuseportSelectOrMigrate);
    CHECK(match_section("sk_reuseport")->def->attach == AttachType::SkReuseportSelect);
    CHECK(match_section("xdp.frags/devmap")->def->attach == AttachType::XdpDevmap);
    CHECK(match_section("xdp.frags")->def->flags & ebpf::detail::kSecXdpFrags);
    CHECK(match_section("cgroup/sock")->def->attach == AttachType::CgroupInetSockCreate);
    CHECK(match_section("cgroup/sock_release")->def->attach == AttachType::CgroupInetSockRelease);
}

TEST_CASE("every program family maps to its type and attach type", "[object][sections]") {
    struct Case {
        const char* sec;
        ProgramType type;
        std::optional<AttachType> attach;
    };
    const Case cases[] = {
        {"cgroup_skb/ingress", ProgramType::CgroupSkb, AttachType::CgroupInetIngress},
        {"cgroup_skb/egress", ProgramType::CgroupSkb, AttachType::CgroupInetEgress},
        {"cgroup/skb", ProgramType::CgroupSkb, std::nullopt},
        {"fentry/do_sys_open", ProgramType::Tracing, AttachType::TraceFentry},
        {"fexit/do_sys_open", ProgramType::Tracing, AttachType::TraceFexit},
        {"fmod_ret/x", ProgramType::Tracing, AttachType::ModifyReturn},
        {"tp_btf/sched_switch", ProgramType::Tracing, AttachType::TraceRawTp},
        {"lsm/file_open", ProgramType::Lsm, AttachType::LsmMac},
        {"iter/task", ProgramType::Tracing, AttachType::TraceIter},
        {"raw_tp/sys_enter", ProgramType::RawTracepoint, std::nullopt},
        {"raw_tp.w/x", ProgramType::RawTracepointWritable, std::nullopt},
        {"uprobe/bin:func", ProgramType::Kprobe, std::nullopt},
        {"kprobe.multi/vfs_*", ProgramType::Kprobe, AttachType::TraceKprobeMulti},
        {"tc", ProgramType::SchedCls, std::nullopt},
        {"tcx/ingress", ProgramType::SchedCls, AttachType::TcxIngress},
        {"classifier", ProgramType::SchedCls, std::nullopt},
        {"sockops", ProgramType::SockOps, AttachType::CgroupSockOps},
        {"sk_msg", ProgramType::SkMsg, AttachType::SkMsgVerdict},
        {"cgroup/connect4", ProgramType::CgroupSockAddr, AttachType::CgroupInet4Connect},
        {"cgroup/sendmsg_unix", ProgramType::CgroupSockAddr, AttachType::CgroupUnixSendmsg},
        {"cgroup/getsockopt", ProgramType::CgroupSockopt, AttachType::CgroupGetsockopt},
        {"cgroup/sysctl", ProgramType::CgroupSysctl, AttachType::CgroupSysctl},
        {"cgroup/dev", ProgramType::CgroupDevice, AttachType::CgroupDevice},
        {"sk_lookup", ProgramType::SkLookup, AttachType::SkLookup},
        {"flow_dissector", ProgramType::FlowDissector, AttachType::FlowDissector},
        {"syscall", ProgramType::Syscall, std::nullopt},
        {"struct_ops/foo", ProgramType::StructOps, std::nullopt},
        {"netfilter", ProgramType::Netfilter, AttachType::Netfilter},
        {"perf_event", ProgramType::PerfEvent, std::nullopt},
        {"lwt_xmit", ProgramType::LwtXmit, std::nullopt},
        {"freplace/target", ProgramType::Ext, std::nullopt},
    };
    for (const Case& c : cases) {
        INFO(c.sec);
        auto m = match_section(c.sec);
        REQUIRE(m);
        CHECK(m->def->type == c.type);
        CHECK(m->def->attach == c.attach);
    }
}

TEST_CASE("sleepable and attach-BTF flags", "[object][sections]") {
    using ebpf::detail::kSecAttachBtf;
    using ebpf::detail::kSecSleepable;
    CHECK(match_section("fentry.s/x")->def->flags & kSecSleepable);
    CHECK(match_section("fentry.s/x")->def->flags & kSecAttachBtf);
    CHECK(match_section("lsm.s/bprm_check_security")->def->flags & kSecSleepable);
    CHECK(match_section("uprobe.s/bin:f")->def->flags & kSecSleepable);
    CHECK(match_section("syscall")->def->flags & kSecSleepable);
    CHECK_FALSE(match_section("kprobe/x")->def->flags & kSecSleepable);
    CHECK(ebpf::detail::section_defs().size() == 116);
}

TEST_CASE("unknown sections do not match", "[object][sections]") {
    CHECK_FALSE(match_section(".text"));
    CHECK_FALSE(match_section("my_custom_section"));
    CHECK_FALSE(match_section(""));
}
