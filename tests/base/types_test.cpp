// SPDX-License-Identifier: MIT
// Names of kernel enumerations.
#include <catch2/catch.hpp>

#include <ebpf/types.hpp>

using namespace ebpf;

TEST_CASE("kernel enumerations have bpftool names", "[base]") {
    CHECK(to_string(ProgramType::CgroupSkb) == "cgroup_skb");
    CHECK(to_string(ProgramType::Netfilter) == "netfilter");
    CHECK(to_string(static_cast<ProgramType>(999)) == "unknown");
    CHECK(to_string(AttachType::CgroupInetIngress) == "cgroup_inet_ingress");
    CHECK(to_string(AttachType::TraceUprobeSession) == "trace_uprobe_session");
    CHECK(to_string(MapType::PerfEventArray) == "perf_event_array");
    CHECK(to_string(MapType::Arena) == "arena");
    CHECK(to_string(LinkType::Netkit) == "netkit");
    CHECK(map_type_from_string("lru_hash") == MapType::LruHash);
    CHECK_FALSE(map_type_from_string("nope").has_value());
}
