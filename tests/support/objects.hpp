// SPDX-License-Identifier: MIT
// Test objects compiled from bpf-progs/ at build time.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ebpf::test {

// Objects without CO-RE dependencies on the kernel, built for both byte orders, that the pure suites sweep.
inline constexpr const char* kSweepObjects[] = {"cgroup_skb_counter", "globals", "maps", "calls", "bad_verifier"};

// Absolute path of a built object, e.g. obj_path("globals.bpf.o"); EBPF_TEST_BPF_DIR overrides the directory.
std::string obj_path(const std::string& file);
// Its bytes (an empty vector when it cannot be read; tests then fail on parse).
std::vector<std::byte> read_obj(const std::string& file);

}  // namespace ebpf::test
