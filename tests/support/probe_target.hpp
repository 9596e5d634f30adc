// SPDX-License-Identifier: MIT
// A function of the test binary to put uprobes on, where it lives in the file, and tiny BPF programs (raw
// instructions, no object file) for attaching to perf events, XDP and tc hooks in sys-level tests.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>
#include <ebpf/types.hpp>

extern "C" int ebpf_cxx_test_probe_target(int x);

namespace ebpf::test {

// A 32-bit process on a 64-bit kernel (armhf on arm64, i386 on x86_64). The kernel traces such processes less:
// syscall tracepoints skip compat syscalls, and arm64 refuses uprobes in AArch32 code (EOPNOTSUPP).
bool compat_process();

// Calls ebpf_cxx_test_probe_target through a volatile pointer (never inlined): `n` times.
void hit_probe_target(int n);

struct ProbeSite {
    std::string path;          // the mapped file, as /proc/self/maps names it
    std::uint64_t offset = 0;  // file offset of the function's first instruction
};
// Where `fn` (a function of this process) is in its file, from /proc/self/maps.
std::optional<ProbeSite> probe_site(const void* fn);
inline std::optional<ProbeSite> probe_target_site() {
    return probe_site(reinterpret_cast<const void*>(&ebpf_cxx_test_probe_target));
}

// "r0 = value; exit" as a program of `type` (expected attach type given for types that need one).
Result<UniqueFd> load_return_prog(ProgramType type, std::int32_t value, std::uint32_t expected_attach_type = 0);
// A program that adds 1 to element 0 of the u64 array map `map_fd` each run, and returns 0.
Result<UniqueFd> load_counting_prog(ProgramType type, int map_fd, std::uint32_t expected_attach_type = 0);
// A one-element u64 array map, and reading its element.
Result<UniqueFd> create_counter_map();
std::uint64_t read_counter(int map_fd);

}  // namespace ebpf::test
