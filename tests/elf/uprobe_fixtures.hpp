// SPDX-License-Identifier: MIT
// The binaries tests/uprobe/meson.build builds from tests/uprobe/usdt_fixture.c for the pure uprobe tests: which
// exist in this build, what each should be, and reading them. Fixtures the build could not make (no zig, no
// <sys/sdt.h>) are absent; tests skip them with the reason.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "base/bytes.hpp"

namespace ebpf::test {

struct UprobeFixture {
    const char* name;
    const char* path;  // empty: not built
    std::uint16_t machine;
    bool elf64;
    detail::Endian endian;
    bool pie;
};

#ifndef EBPF_TEST_FIXTURE_X86_64
#define EBPF_TEST_FIXTURE_X86_64 ""
#endif
#ifndef EBPF_TEST_FIXTURE_I386
#define EBPF_TEST_FIXTURE_I386 ""
#endif
#ifndef EBPF_TEST_FIXTURE_AARCH64
#define EBPF_TEST_FIXTURE_AARCH64 ""
#endif
#ifndef EBPF_TEST_FIXTURE_ARM
#define EBPF_TEST_FIXTURE_ARM ""
#endif
#ifndef EBPF_TEST_FIXTURE_RISCV64
#define EBPF_TEST_FIXTURE_RISCV64 ""
#endif
#ifndef EBPF_TEST_FIXTURE_PPC32BE
#define EBPF_TEST_FIXTURE_PPC32BE ""
#endif
#ifndef EBPF_TEST_FIXTURE_HOST
#define EBPF_TEST_FIXTURE_HOST ""
#endif
#ifndef EBPF_TEST_FIXTURE_I386_EXEC
#define EBPF_TEST_FIXTURE_I386_EXEC ""
#endif

inline constexpr UprobeFixture kUprobeFixtures[] = {
    {"x86_64 (zig)", EBPF_TEST_FIXTURE_X86_64, 62, true, detail::Endian::Little, true},
    {"i386", EBPF_TEST_FIXTURE_I386, 3, false, detail::Endian::Little, true},
    {"aarch64", EBPF_TEST_FIXTURE_AARCH64, 183, true, detail::Endian::Little, true},
    {"arm (Thumb)", EBPF_TEST_FIXTURE_ARM, 40, false, detail::Endian::Little, true},
    {"riscv64", EBPF_TEST_FIXTURE_RISCV64, 243, true, detail::Endian::Little, true},
    {"ppc32 big-endian", EBPF_TEST_FIXTURE_PPC32BE, 20, false, detail::Endian::Big, true},
    {"x86_64 (host cc, GNU ld)", EBPF_TEST_FIXTURE_HOST, 62, true, detail::Endian::Little, true},
    {"i386 fixed-address executable", EBPF_TEST_FIXTURE_I386_EXEC, 3, false, detail::Endian::Little, false},
};

inline std::vector<std::byte> read_fixture(const char* path) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> c((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::byte> out(c.size());
    for (std::size_t i = 0; i < c.size(); ++i) out[i] = static_cast<std::byte>(c[i]);
    return out;
}

// The fixtures of this build; `missing` gets the names of the others.
inline std::vector<UprobeFixture> built_fixtures(std::string* missing = nullptr) {
    std::vector<UprobeFixture> out;
    for (const UprobeFixture& f : kUprobeFixtures) {
        if (*f.path) out.push_back(f);
        else if (missing) *missing += (missing->empty() ? "" : ", ") + std::string(f.name);
    }
    return out;
}

}  // namespace ebpf::test
