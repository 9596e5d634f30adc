// SPDX-License-Identifier: MIT
// sys/kallsyms: libbpf-style globs, CPU lists, and lookups against the running kernel's /proc/kallsyms and tracefs
// available_filter_functions (what KProbe errors and KProbeMulti patterns are built on).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "sys/kallsyms.hpp"
#include "sys/proc.hpp"

using namespace ebpf;

TEST_CASE("glob_match: '*' and '?' as libbpf reads kprobe.multi patterns", "[tracing]") {
    using sys::glob_match;
    CHECK(glob_match("do_unlinkat", "do_unlinkat"));
    CHECK_FALSE(glob_match("do_unlinkat", "do_unlinkat2"));
    CHECK(glob_match("do_unlinka?", "do_unlinkat"));
    CHECK_FALSE(glob_match("do_unlinka?", "do_unlinka"));
    CHECK(glob_match("tcp_*", "tcp_v4_connect"));
    CHECK(glob_match("tcp_*", "tcp_"));
    CHECK_FALSE(glob_match("tcp_*", "udp_sendmsg"));
    CHECK(glob_match("*_sendmsg", "udp_sendmsg"));
    CHECK(glob_match("*a*b*c", "xxaYYbZZc"));
    CHECK_FALSE(glob_match("*a*b*c", "xxaYYbZZ"));
    CHECK(glob_match("*", ""));
    CHECK(glob_match("**?", "x"));
    CHECK_FALSE(glob_match("?", ""));
    CHECK(glob_match("a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"));
    CHECK_FALSE(glob_match("a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

TEST_CASE("parse_cpu_ids: sysfs CPU lists", "[tracing]") {
    auto one = sys::parse_cpu_ids("0\n");
    REQUIRE(one);
    CHECK(*one == std::vector<std::uint32_t>{0});
    auto many = sys::parse_cpu_ids("0-2,5,7-8");
    REQUIRE(many);
    CHECK(*many == std::vector<std::uint32_t>{0, 1, 2, 5, 7, 8});
    CHECK_FALSE(sys::parse_cpu_ids(""));
    CHECK_FALSE(sys::parse_cpu_ids("3-1"));
    CHECK_FALSE(sys::parse_cpu_ids("1,,2"));
    CHECK_FALSE(sys::parse_cpu_ids("x"));
    auto online = sys::online_cpus();
    REQUIRE(online);
    CHECK(online->size() == static_cast<std::size_t>(::sysconf(_SC_NPROCESSORS_ONLN)));
}

TEST_CASE("kallsyms_find and match_kernel_functions against the running kernel", "[tracing]") {
    auto present = sys::kallsyms_find("do_unlinkat");
    REQUIRE(present);
    CHECK(present->found);
    auto absent = sys::kallsyms_find("ebpf_cxx_no_such_function");
    REQUIRE(absent);
    CHECK_FALSE(absent->found);
    CHECK(absent->module_loaded);
    auto no_module = sys::kallsyms_find("veth_open", "ebpf_cxx_no_such_module");
    REQUIRE(no_module);
    CHECK_FALSE(no_module->found);
    CHECK_FALSE(no_module->module_loaded);
    auto matches = sys::match_kernel_functions("do_unlink*");
    REQUIRE(matches);
    CHECK(std::find(matches->names.begin(), matches->names.end(), "do_unlinkat") != matches->names.end());
    CHECK(std::is_sorted(matches->names.begin(), matches->names.end()));
    CHECK_FALSE(matches->source.empty());
}
