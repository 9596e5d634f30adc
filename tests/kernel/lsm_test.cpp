// SPDX-License-Identifier: MIT
// A BPF LSM program (lsm/file_open) attached with BPF_RAW_TRACEPOINT_OPEN counts this process's opens. It runs only
// where "bpf" is an active LSM: tools/vm/run.sh boots 5.10, whose default CONFIG_LSM leaves it out, with
// lsm=...,bpf, so this test shows that the VMs get the command line a feature needs. Self-contained, like
// kprobe_test.cpp: rewrite it against the library's LSM attach API when there is one (the tracing issue).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>

#include <ebpf/ebpf.hpp>
#include <ebpf/kernel_btf.hpp>

#include "support/objects.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

// The active LSMs, comma-separated (securityfs mounted privately if the system has not mounted it); "" on failure.
std::string active_lsms() {
    std::string text;
    std::ifstream("/sys/kernel/security/lsm") >> text;
    if (!text.empty()) return text;
    char dir[] = "/tmp/ebpf-cxx-securityfs-XXXXXX";
    if (!::mkdtemp(dir)) return text;
    if (::mount("securityfs", dir, "securityfs", 0, nullptr) == 0) {
        { std::ifstream(std::string(dir) + "/lsm") >> text; }  // closed before unmounting
        ::umount(dir);
    }
    ::rmdir(dir);
    return text;
}

// errno of BPF_PROG_LOAD for a minimal LSM program on file_open (0 if it loads).
int minimal_lsm_load_errno() {
    auto kernel = KernelBtf::running();
    if (!kernel) return ENOENT;
    auto id = (*kernel)->vmlinux().find("bpf_lsm_file_open", btf::Kind::Func);
    if (!id) return ENOENT;
    const bpf_insn insns[2] = {
        {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
        {.code = BPF_JMP | BPF_EXIT, .dst_reg = 0, .src_reg = 0, .off = 0, .imm = 0},
    };
    const char license[] = "GPL";
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.prog_type = BPF_PROG_TYPE_LSM;
    a.expected_attach_type = BPF_LSM_MAC;
    a.attach_btf_id = *id;
    a.insns = reinterpret_cast<std::uintptr_t>(insns);
    a.insn_cnt = 2;
    a.license = reinterpret_cast<std::uintptr_t>(license);
    const long fd = ::syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
    if (fd < 0) return errno;
    ::close(static_cast<int>(fd));
    return 0;
}

std::uint64_t opens(const Object& obj) {
    std::uint64_t v = 0;
    auto r = obj.read_global("lsm_opens", as_writable_bytes_of(v));
    if (!r) FAIL(std::string(r.error().message()));
    return v;
}

void open_self(int times) {
    for (int i = 0; i < times; ++i) {
        const int fd = ::open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
        REQUIRE(fd >= 0);
        ::close(fd);
    }
}

}  // namespace

TEST_CASE("BPF LSM: lsm/file_open counts opens where bpf is an active LSM", "[lsm]") {
    LoadOptions o;
    o.globals.push_back(GlobalValue::of<std::uint32_t>("target_tgid", static_cast<std::uint32_t>(::getpid())));
    auto obj = Object::load_file(test::obj_path("lsm_count.bpf.o").c_str(), o);
    if (!obj) FAIL(std::string(obj.error().message()));
    Program* p = obj->find_program("on_file_open");
    REQUIRE(p);
    if (auto r = p->load(); !r) {
        // Kernels that refuse trampoline programs refuse LSM programs too (this host): a minimal one shows it is the
        // kernel's answer, not the loader's doing.
        if (r.error().sys_errno() == EPERM && minimal_lsm_load_errno() == EPERM)
            EBPF_SKIP("this kernel refuses BPF LSM programs: BPF_PROG_LOAD fails with EPERM, for a minimal one too");
        FAIL(std::string(r.error().message()));
    }
    const std::string lsms = active_lsms();
    if (("," + lsms + ",").find(",bpf,") == std::string::npos)
        EBPF_SKIP("bpf is not an active LSM (/sys/kernel/security/lsm: '" << lsms
                                                                           << "'): LSM programs load but never run");
    union bpf_attr a;
    std::memset(&a, 0, sizeof a);
    a.raw_tracepoint.prog_fd = static_cast<std::uint32_t>(p->fd().get());
    const int link = static_cast<int>(::syscall(SYS_bpf, BPF_RAW_TRACEPOINT_OPEN, &a, sizeof a));
    if (link < 0 && errno == 524)
        // arm64 before 6.4 loads trampoline programs but cannot attach them (no ftrace direct calls): ENOTSUPP.
        EBPF_SKIP("this kernel loads LSM programs but cannot attach them: BPF_RAW_TRACEPOINT_OPEN: ENOTSUPP "
                  "(errno 524)");
    INFO("BPF_RAW_TRACEPOINT_OPEN: " << std::strerror(errno) << " (errno " << errno << ")");
    REQUIRE(link >= 0);
    const std::uint64_t before = opens(*obj);
    open_self(3);
    CHECK(opens(*obj) == before + 3);
    ::close(link);
    open_self(2);
    CHECK(opens(*obj) == before + 3);  // detached
}
