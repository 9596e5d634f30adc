// SPDX-License-Identifier: MIT
#include "support/probe_target.hpp"

#include <linux/bpf.h>
#include <sys/utsname.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <vector>

#include "sys/bpf.hpp"

extern "C" __attribute__((noinline, used)) int ebpf_cxx_test_probe_target(int x) {
    asm volatile("" ::: "memory");
    return x + 1;
}

namespace ebpf::test {

bool compat_process() {
    utsname u{};
    if (sizeof(void*) != 4 || ::uname(&u) != 0) return false;
    const std::string machine = u.machine;
    return machine == "aarch64" || machine == "x86_64" || machine.rfind("armv8", 0) == 0;
}

void hit_probe_target(int n) {
    int (*volatile fn)(int) = &ebpf_cxx_test_probe_target;
    volatile int sink = 0;
    for (int i = 0; i < n; ++i) sink = fn(sink);
}

std::optional<ProbeSite> probe_site(const void* fn) {
    const auto addr = reinterpret_cast<std::uintptr_t>(fn);
    FILE* f = std::fopen("/proc/self/maps", "re");
    if (!f) return std::nullopt;
    std::optional<ProbeSite> out;
    char line[4096];
    while (!out && std::fgets(line, sizeof line, f)) {
        std::uintptr_t lo = 0, hi = 0;
        unsigned long long off = 0;
        char perms[8] = {};
        int path_at = 0;
        if (std::sscanf(line, "%" SCNxPTR "-%" SCNxPTR " %7s %llx %*s %*s %n", &lo, &hi, perms, &off, &path_at) < 4) continue;
        if (addr < lo || addr >= hi || perms[2] != 'x' || path_at == 0) continue;
        std::string path(line + path_at);
        while (!path.empty() && (path.back() == '\n' || path.back() == ' ')) path.pop_back();
        if (path.empty() || path[0] != '/') continue;
        out = ProbeSite{path, addr - lo + off};
    }
    std::fclose(f);
    return out;
}

namespace {

bpf_insn insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst;
    i.src_reg = src;
    i.off = off;
    i.imm = imm;
    return i;
}

Result<UniqueFd> load(ProgramType type, const std::vector<bpf_insn>& insns, std::uint32_t expected_attach_type) {
    sys::ProgLoadAttr a{};
    a.prog_type = static_cast<std::uint32_t>(type);
    a.insn_cnt = static_cast<std::uint32_t>(insns.size());
    a.insns = sys::ptr_to_u64(insns.data());
    a.license = sys::ptr_to_u64("GPL");
    a.expected_attach_type = expected_attach_type;
    std::strcpy(a.prog_name, "sys_test");
    return sys::prog_load(a);
}

}  // namespace

Result<UniqueFd> load_return_prog(ProgramType type, std::int32_t value, std::uint32_t expected_attach_type) {
    return load(type, {insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, value), insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)},
                expected_attach_type);
}

Result<UniqueFd> load_counting_prog(ProgramType type, int map_fd, std::uint32_t expected_attach_type) {
    return load(type,
                {
                    insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0),         // *(u32*)(fp-4) = 0
                    insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),  // r2 = fp
                    insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),         // r2 -= 4
                    insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd),
                    insn(0, 0, 0, 0, 0),                                             // (second half)
                    insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
                    insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 2, 0),            // if !r0 goto out
                    insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1),
                    insn(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0, BPF_ADD),  // lock *(u64*)r0 += r1
                    insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),          // out: r0 = 0
                    insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
                },
                expected_attach_type);
}

Result<UniqueFd> create_counter_map() {
    sys::MapCreateAttr a{};
    a.map_type = BPF_MAP_TYPE_ARRAY;
    a.key_size = 4;
    a.value_size = 8;
    a.max_entries = 1;
    std::strcpy(a.map_name, "sys_counter");
    return sys::map_create(a);
}

std::uint64_t read_counter(int map_fd) {
    const std::uint32_t key = 0;
    std::uint64_t v = 0;
    (void)sys::map_lookup_elem(map_fd, &key, &v);
    return v;
}

}  // namespace ebpf::test
