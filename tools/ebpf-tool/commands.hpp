// SPDX-License-Identifier: MIT
// ebpf-tool subcommands. Exit codes: 0 ok, 1 failure (message on stderr), 2 usage.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ebpf::tool {

inline constexpr int kExitOk = 0, kExitFail = 1, kExitUsage = 2;

int cmd_inspect(std::span<const std::string_view> args);
int cmd_load(std::span<const std::string_view> args);
int cmd_bench(std::span<const std::string_view> args);
// bench ringbuf|perfbuf [--size B] [--count N] [--runs R] [--object FILE] (bench_events.cpp).
int cmd_bench_events(std::string_view which, std::span<const std::string_view> args);
// btf dump: a C header (vmlinux.h) from a BTF file.
int cmd_btf(std::span<const std::string_view> args);
// features [--json] [--helpers]: the feature probes of <ebpf/features.hpp> against the running kernel.
int cmd_features(std::span<const std::string_view> args);
// run OBJECT [--program NAME]... [--set GLOBAL=VALUE]... [--duration S] [--events] [--stats] [--dump-maps]
// [--interface NAME] [--cgroup PATH]: load, auto-attach, run, report (run.cpp).
int cmd_run(std::span<const std::string_view> args);
// Diagnostic: relocated instructions as JSON lines (compared with libbpf's in tests/compat).
int cmd_dump_insns(std::span<const std::string_view> args);

// prog|map|link list|show ID [--json], btf list [--json] (kernel_objects.cpp); map dump (map_dump.cpp).
int cmd_prog(std::span<const std::string_view> args);
int cmd_map(std::span<const std::string_view> args);
int cmd_map_listing(std::span<const std::string_view> args);
int cmd_map_dump(std::span<const std::string_view> args);
int cmd_link(std::span<const std::string_view> args);
int cmd_btf_listing(std::span<const std::string_view> args);
// link OUT.o IN.o... / gen object OUT.o IN.o...: static linking (link_objects.cpp).
int cmd_link_objects(std::span<const std::string_view> args);
// gen skeleton OBJECT [--name NAME] [-o HEADER] (gen_skeleton.cpp).
int cmd_gen(std::span<const std::string_view> args);
// A kernel object id: a positive decimal number.
bool parse_id(std::string_view s, std::uint32_t& id);

// Prints "ebpf-tool: <msg>" to stderr and returns kExitFail.
int fail(std::string_view msg);
int usage_error(std::string_view msg);

}  // namespace ebpf::tool
