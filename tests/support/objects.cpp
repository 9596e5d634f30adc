// SPDX-License-Identifier: MIT
#include "support/objects.hpp"

#include <cstdio>
#include <cstdlib>

#ifndef EBPF_TEST_BPF_DIR
#define EBPF_TEST_BPF_DIR "bpf-progs"
#endif

namespace ebpf::test {

std::string obj_path(const std::string& file) {
    // Tests run from the build tree, or inside a VM where the objects sit in a directory given by the runner.
    if (const char* dir = std::getenv("EBPF_TEST_BPF_DIR")) return std::string(dir) + "/" + file;
    return std::string(EBPF_TEST_BPF_DIR) + "/" + file;
}

std::vector<std::byte> read_obj(const std::string& file) {
    std::vector<std::byte> out;
    std::FILE* f = std::fopen(obj_path(file).c_str(), "rb");
    if (!f) return out;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0)
        for (std::size_t i = 0; i < n; ++i) out.push_back(std::byte(buf[i]));
    std::fclose(f);
    return out;
}

}  // namespace ebpf::test
