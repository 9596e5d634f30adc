// Smoke test for tools/vm/run.sh: raw bpf() calls inside the guest.
//   zig c++ -std=c++20 -target <arch>-linux-musl -static -Os -s smoke.cpp -o smoke
// Creates an ARRAY map, writes and reads back one element, loads the
// SOCKET_FILTER program "r0 = 0; exit", runs it once with BPF_PROG_TEST_RUN,
// and reports the size of /sys/kernel/btf/vmlinux. Exit status 0 = all good.
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace {

int failures = 0;

long sys_bpf(int cmd, bpf_attr& attr) { return syscall(SYS_bpf, cmd, &attr, sizeof attr); }

void check(bool ok, const std::string& what) {
  std::printf("%s %s\n", ok ? "ok  " : "FAIL", what.c_str());
  if (!ok) ++failures;
}

std::string err(long rc) { return rc < 0 ? std::string(" (") + std::strerror(errno) + ")" : ""; }

}  // namespace

int main() {
  utsname u{};
  uname(&u);
  std::printf("smoke: kernel %s on %s\n", u.release, u.machine);

  // ARRAY map: 4-byte key, 8-byte value, 4 entries.
  bpf_attr attr{};
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 8;
  attr.max_entries = 4;
  long map_fd = sys_bpf(BPF_MAP_CREATE, attr);
  check(map_fd >= 0, "BPF_MAP_CREATE array -> fd " + std::to_string(map_fd) + err(map_fd));

  if (map_fd >= 0) {
    std::uint32_t key = 2;
    std::uint64_t value = 0x1122334455667788ULL, out = 0;
    attr = {};
    attr.map_fd = static_cast<std::uint32_t>(map_fd);
    attr.key = reinterpret_cast<std::uintptr_t>(&key);
    attr.value = reinterpret_cast<std::uintptr_t>(&value);
    long rc = sys_bpf(BPF_MAP_UPDATE_ELEM, attr);
    check(rc == 0, "BPF_MAP_UPDATE_ELEM" + err(rc));
    attr.value = reinterpret_cast<std::uintptr_t>(&out);
    rc = sys_bpf(BPF_MAP_LOOKUP_ELEM, attr);
    check(rc == 0 && out == value, "BPF_MAP_LOOKUP_ELEM reads back the value" + err(rc));
  }

  // r0 = 0; exit
  std::vector<bpf_insn> insns(2);
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  insns[0].dst_reg = BPF_REG_0;
  insns[0].imm = 0;
  insns[1].code = BPF_JMP | BPF_EXIT;
  std::vector<char> log(4096);
  attr = {};
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insns = reinterpret_cast<std::uintptr_t>(insns.data());
  attr.insn_cnt = static_cast<std::uint32_t>(insns.size());
  attr.license = reinterpret_cast<std::uintptr_t>("GPL");
  attr.log_buf = reinterpret_cast<std::uintptr_t>(log.data());
  attr.log_size = static_cast<std::uint32_t>(log.size());
  attr.log_level = 1;
  long prog_fd = sys_bpf(BPF_PROG_LOAD, attr);
  check(prog_fd >= 0, "BPF_PROG_LOAD socket_filter -> fd " + std::to_string(prog_fd) + err(prog_fd));
  if (prog_fd < 0) std::printf("verifier log:\n%s\n", log.data());

  if (prog_fd >= 0) {
    std::vector<unsigned char> pkt(64, 0);
    attr = {};
    attr.test.prog_fd = static_cast<std::uint32_t>(prog_fd);
    attr.test.data_in = reinterpret_cast<std::uintptr_t>(pkt.data());
    attr.test.data_size_in = static_cast<std::uint32_t>(pkt.size());
    attr.test.retval = 0xdead;
    long rc = sys_bpf(BPF_PROG_TEST_RUN, attr);
    check(rc == 0 && attr.test.retval == 0,
          "BPF_PROG_TEST_RUN retval " + std::to_string(attr.test.retval) + err(rc));
  }

  std::ifstream btf("/sys/kernel/btf/vmlinux", std::ios::binary);
  std::string blob((std::istreambuf_iterator<char>(btf)), std::istreambuf_iterator<char>());
  check(blob.size() > 1024, "/sys/kernel/btf/vmlinux: " + std::to_string(blob.size()) + " bytes");

  std::ifstream jit("/proc/sys/net/core/bpf_jit_enable");
  std::string jit_state;
  std::getline(jit, jit_state);
  std::printf("info bpf_jit_enable=%s\n", jit_state.empty() ? "?" : jit_state.c_str());

  std::printf("smoke: %d failure(s)\n", failures);
  return failures == 0 ? 0 : 1;
}
