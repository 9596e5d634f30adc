// SPDX-License-Identifier: MIT
// CO-RE on the running kernel: the bpf-progs CO-RE objects load, and what they read through relocated offsets is
// what the kernel says by other means (getpid(), fork(), /proc/self/stat, stat(), the kernel's BTF, a packet sent
// over loopback). Programs without an attach API in the library yet are attached with raw bpf() commands.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/perf_event.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <ebpf/ebpf.hpp>
#include <ebpf/kernel_btf.hpp>

#include "btf/core.hpp"
#include "support/kernel.hpp"
#include "support/objects.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"
#include "sys/bpf.hpp"

using namespace ebpf;

namespace {

Object load(const std::string& file, const LoadOptions& o = {}) {
    auto obj = Object::load_file(test::obj_path(file).c_str(), o);
    if (!obj) FAIL(std::string(obj.error().message()));
    return std::move(*obj);
}

LoadOptions for_this_process() {
    LoadOptions o;
    o.globals.push_back(GlobalValue::of<std::uint32_t>("target_tgid", static_cast<std::uint32_t>(::getpid())));
    return o;
}

Program& loaded(Object& obj, const char* name) {
    Program* p = obj.find_program(name);
    REQUIRE(p);
    test::runnable(*p);  // syscall-section programs: raw tracepoint programs where the kernel has no syscall ones
    auto r = p->load();
    if (!r) FAIL(std::string(r.error().message()));
    return *p;
}

template <class T>
T global(const Object& obj, const char* name) {
    T v{};
    auto r = obj.read_global(name, as_writable_bytes_of(v));
    if (!r) FAIL(std::string(r.error().message()));
    return v;
}

void run(Program& p) {
    auto r = p.test_run({});
    if (!r) FAIL(std::string(r.error().message()));
    CHECK(r->retval == 0);
}

const btf::Spec& vmlinux() {
    static auto k = KernelBtf::running();
    if (!k) FAIL(std::string(k.error().message()));
    return (*k)->vmlinux();
}

btf::Type kernel_struct(const char* name) {
    auto id = vmlinux().find(name, btf::Kind::Struct);
    REQUIRE(id);
    return vmlinux().type_or_void(*id);
}

// The member of a kernel struct by name, searching anonymous members; its byte offset in `off`.
bool kernel_member(const btf::Spec& b, btf::Type t, std::string_view name, std::uint32_t& bit_off, btf::Member& out) {
    for (std::uint32_t i = 0; i < t.vlen(); ++i) {
        const btf::Member m = t.member(i);
        if (m.name == name) {
            bit_off += m.bit_offset;
            out = m;
            return true;
        }
        if (m.name.empty()) {
            auto inner = b.skip_modifiers(m.type);
            std::uint32_t sub = bit_off + m.bit_offset;
            if (inner && inner->is_composite() && kernel_member(b, *inner, name, sub, out)) {
                bit_off = sub;
                return true;
            }
        }
    }
    return false;
}

std::uint32_t kernel_offset(const char* type, const char* member) {
    std::uint32_t bits = 0;
    btf::Member m;
    REQUIRE(kernel_member(vmlinux(), kernel_struct(type), member, bits, m));
    return bits / 8;
}

bool kernel_has_member(const char* type, const char* member) {
    std::uint32_t bits = 0;
    btf::Member m;
    return kernel_member(vmlinux(), kernel_struct(type), member, bits, m);
}

std::int64_t kernel_enumerator(const char* type, const char* name) {
    auto id = vmlinux().find(type, btf::Kind::Enum);
    REQUIRE(id);
    const btf::Type t = vmlinux().type_or_void(*id);
    for (std::uint32_t i = 0; i < t.vlen(); ++i)
        if (t.enumerator(i).name == name) return t.enumerator(i).value;
    FAIL("no " << name << " in enum " << type);
    return -1;
}

// Fields 48 and 49 of /proc/self/stat: where the kernel put this process's argv.
std::pair<std::uint64_t, std::uint64_t> arg_range() {
    std::ifstream f("/proc/self/stat");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::istringstream rest(s.substr(s.rfind(')') + 2));  // after "pid (comm) "
    std::string field;
    std::uint64_t start = 0, end = 0;
    for (int i = 3; rest >> field; ++i) {
        if (i == 48) start = std::stoull(field);
        if (i == 49) end = std::stoull(field);
    }
    return {start, end};
}

std::string self_comm() {
    std::ifstream f("/proc/self/comm");
    std::string s;
    std::getline(f, s);
    return s;
}

// Runs `child` in a forked process and returns its pid after it exited with `code` (checked).
template <class F>
pid_t fork_and_wait(F child, int code = 0) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        child();
        ::_exit(code);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == code);
    return pid;
}

// Attaches a tp_btf/fentry/fexit program (its attach point was given at load), or a raw tracepoint by name.
UniqueFd attach_raw_tp(const Program& p, const char* name = nullptr) {
    auto fd = sys::raw_tracepoint_open(name, p.fd().get());
    if (!fd) FAIL(std::string(fd.error().message()));
    return std::move(*fd);
}

// Runs an iterator program to the end and returns what it printed.
std::string run_iterator(const Program& p) {
    sys::LinkCreateAttr a{};
    a.prog_fd = static_cast<std::uint32_t>(p.fd().get());
    a.attach_type = BPF_TRACE_ITER;
    auto link = sys::link_create(a);
    if (!link) FAIL(std::string(link.error().message()));
    auto it = sys::iter_create(link->get());
    if (!it) FAIL(std::string(it.error().message()));
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(it->get(), buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
    CHECK(n == 0);
    return out;
}

bool poisoned_core(const Program& p) {
    for (const Instruction& in : p.def().instructions)
        if (in.is_call() && in.src == 0 && in.imm == btf::kCorePoisonImm) return true;
    return false;
}

}  // namespace

TEST_CASE("core_flavors: the current task through CO-RE, flavors and dead poisoned branches", "[core]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    // read_current reads a bit through bpf_get_current_task_btf(), which must be a helper of its type here.
    EBPF_SKIP_IF(test::syscall_programs_lack_helper(BPF_FUNC_get_current_task_btf, "bpf_get_current_task_btf"));
    Object obj = load("core_flavors.bpf.o");
    Program& p = loaded(obj, "read_current");
    // The branch for the other task_struct layout and the read of a field no kernel has are poisoned, yet the
    // verifier accepted the program: both are dead code behind bpf_core_field_exists().
    CHECK(poisoned_core(p));
    run(p);
    struct Out {
        std::uint32_t pid, tgid, ppid, in_execve, in_execve_direct;
        std::uint32_t state, state_from_new, state_from_old, has_new_state, has_old_state, has_fake_field;
        std::uint32_t fake_field;
        std::uint32_t comm_size, pid_size, comm_offset, pid_offset;
        std::uint32_t task_exists, fake_type_exists, pid_t_exists, task_size, pid_t_size, task_type_id;
        std::uint32_t tgid_enum_exists, nope_enum_exists;
        std::int64_t tgid_enum, sid_enum;
        std::uint64_t arg_start, arg_end;
        char comm[16];
    };
    const auto o = global<Out>(obj, "flavors");
    // BPF_CORE_READ chains, against the kernel's own answers.
    CHECK(o.pid == static_cast<std::uint32_t>(::syscall(SYS_gettid)));
    CHECK(o.tgid == static_cast<std::uint32_t>(::getpid()));
    CHECK(o.ppid == static_cast<std::uint32_t>(::getppid()));
    CHECK(std::string(o.comm) == self_comm());
    const auto [start, end] = arg_range();
    CHECK(o.arg_start == start);
    CHECK(o.arg_end == end);
    CHECK(o.arg_start != 0);
    // A bitfield, read through a probe and directly: not in execve now.
    CHECK(o.in_execve == 0);
    CHECK(o.in_execve_direct == 0);
    // Flavors: exactly the running kernel's layout exists (__state since 5.14).
    const bool new_state = kernel_has_member("task_struct", "__state");
    CHECK(o.has_new_state == (new_state ? 1u : 0u));
    CHECK(o.has_old_state == (kernel_has_member("task_struct", "state") ? 1u : 0u));
    CHECK(o.state_from_new == (new_state ? 1u : 0u));
    CHECK(o.state_from_old == (new_state ? 0u : 1u));
    CHECK(o.state == 0);  // TASK_RUNNING: this task is running the program
    CHECK(o.has_fake_field == 0);
    CHECK(o.fake_field == 0);
    // Sizes and offsets as the kernel's BTF has them.
    CHECK(o.comm_size == 16);
    CHECK(o.pid_size == 4);
    CHECK(o.comm_offset == kernel_offset("task_struct", "comm"));
    CHECK(o.pid_offset == kernel_offset("task_struct", "pid"));
    CHECK(o.task_exists == 1);
    CHECK(o.fake_type_exists == 0);
    CHECK(o.pid_t_exists == 1);
    CHECK(o.task_size == kernel_struct("task_struct").size());
    CHECK(o.pid_t_size == 4);
    CHECK(o.task_type_id == *vmlinux().find("task_struct", btf::Kind::Struct));
    // Enumerators by name: the kernel's values, not the local declaration's (10, 11).
    CHECK(o.tgid_enum_exists == 1);
    CHECK(o.nope_enum_exists == 0);
    CHECK(o.tgid_enum == kernel_enumerator("pid_type", "PIDTYPE_TGID"));
    CHECK(o.sid_enum == kernel_enumerator("pid_type", "PIDTYPE_SID"));
}

TEST_CASE("core_matches: bpf_core_type_matches against kernel types", "[core]") {
    if (test::read_obj("core_matches.bpf.o").empty())
        EBPF_SKIP("core_matches.bpf.o was not built (needs clang >= 15, see bpf-progs/meson.build)");
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Object obj = load("core_matches.bpf.o");
    run(loaded(obj, "type_matches"));
    struct Out {
        std::uint32_t subset, comm, narrow_pid, short_comm, flavored_ptr, wrong_ptr, list_head, pid_t_match;
        std::uint32_t enum_subset, enum_extra, unrelated;
    };
    const auto m = global<Out>(obj, "matches");
    CHECK(m.subset == 1);
    // BPF's char is signed; kernels since 6.2 build with -funsigned-char, and signedness is part of a match.
    auto char_id = vmlinux().find("char", btf::Kind::Int);
    REQUIRE(char_id);
    const bool kernel_char_signed = vmlinux().type_or_void(*char_id).int_encoding() & btf::kIntSigned;
    CHECK(m.comm == (kernel_char_signed ? 1u : 0u));
    CHECK(m.narrow_pid == 0);
    CHECK(m.short_comm == 0);
    CHECK(m.flavored_ptr == 1);
    CHECK(m.wrong_ptr == 0);
    CHECK(m.list_head == 1);
    CHECK(m.pid_t_match == 1);
    CHECK(m.enum_subset == 1);
    CHECK(m.enum_extra == 0);
    CHECK(m.unrelated == 0);
}

TEST_CASE("core_task: exec seen by tp_btf/sched_process_exec", "[core]") {
    Object obj = load("core_task.bpf.o", for_this_process());
    const UniqueFd link = attach_raw_tp(loaded(obj, "on_exec"));
    // The child execs this test binary, which exits at once (support/catch_main.cpp: --exit-with).
    char self[256] = {};
    REQUIRE(::readlink("/proc/self/exe", self, sizeof self - 1) > 0);
    const pid_t child = fork_and_wait([&] {
        ::execl(self, self, "--exit-with", "0", static_cast<char*>(nullptr));
        ::_exit(127);
    });
    const std::string path(self);
    const std::string base = path.substr(path.rfind('/') + 1);
    struct Event {
        std::uint32_t pid, tgid, ppid, in_execve, count;
        char comm[16];
        char filename[32];
    };
    const auto e = global<Event>(obj, "exec_seen");
    CHECK(e.count == 1);
    CHECK(e.pid == static_cast<std::uint32_t>(child));
    CHECK(e.tgid == static_cast<std::uint32_t>(child));
    CHECK(e.ppid == static_cast<std::uint32_t>(::getpid()));
    CHECK(e.in_execve == 1);  // the bitfield is set while execve() runs
    CHECK(std::string(e.comm) == base.substr(0, 15));  // TASK_COMM_LEN - 1
    CHECK(std::string(e.filename) == path.substr(0, 31));
}

TEST_CASE("core_task: fork seen by raw_tp/sched_process_fork", "[core]") {
    Object obj = load("core_task.bpf.o", for_this_process());
    const UniqueFd link = attach_raw_tp(loaded(obj, "on_fork"), "sched_process_fork");
    const pid_t child = fork_and_wait([] {});
    struct Event {
        std::uint32_t parent_tgid, child_pid, child_tgid, count;
    };
    const auto e = global<Event>(obj, "fork_seen");
    CHECK(e.count == 1);
    CHECK(e.parent_tgid == static_cast<std::uint32_t>(::getpid()));
    CHECK(e.child_pid == static_cast<std::uint32_t>(child));
    CHECK(e.child_tgid == static_cast<std::uint32_t>(child));
}

TEST_CASE("core_task: exit code seen by tracepoint/sched/sched_process_exit", "[core]") {
    // The event id comes from tracefs, mounted privately when the system has not mounted it.
    std::string id_text;
    {
        std::ifstream f("/sys/kernel/tracing/events/sched/sched_process_exit/id");
        std::getline(f, id_text);
    }
    if (id_text.empty()) {
        char dir[] = "/tmp/ebpf-cxx-tracefs-XXXXXX";
        REQUIRE(::mkdtemp(dir));
        if (::mount("nodev", dir, "tracefs", 0, nullptr) == 0) {
            {
                std::ifstream f(std::string(dir) + "/events/sched/sched_process_exit/id");
                std::getline(f, id_text);
            }  // closed before unmounting: an open file keeps the mount busy
            CHECK(::umount(dir) == 0);
        }
        CHECK(::rmdir(dir) == 0);
    }
    if (id_text.empty()) EBPF_SKIP("no tracefs here: the sched_process_exit tracepoint cannot be attached");
    Object obj = load("core_task.bpf.o", for_this_process());
    Program& p = loaded(obj, "on_exit");
    perf_event_attr attr{};
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.size = sizeof attr;
    attr.config = std::stoull(id_text);
    attr.sample_period = 1;
    attr.wakeup_events = 1;
    // One event on CPU 0 suffices: a tracepoint's BPF program runs wherever the tracepoint fires.
    const int pfd = static_cast<int>(::syscall(SYS_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC));
    REQUIRE(pfd >= 0);
    CHECK(::ioctl(pfd, PERF_EVENT_IOC_SET_BPF, p.fd().get()) == 0);
    CHECK(::ioctl(pfd, PERF_EVENT_IOC_ENABLE, 0) == 0);
    const pid_t child = fork_and_wait([] {}, 7);
    ::close(pfd);
    struct Event {
        std::uint32_t pid, exit_code, count;
    };
    const auto e = global<Event>(obj, "exit_seen");
    CHECK(e.count == 1);
    CHECK(e.pid == static_cast<std::uint32_t>(child));
    CHECK(e.exit_code == 7u << 8);  // task_struct::exit_code holds the wait status
}

TEST_CASE("core_task: task iterator prints this process", "[core]") {
    Object obj = load("core_task.bpf.o", for_this_process());
    const std::string text = run_iterator(loaded(obj, "dump_task"));
    const std::string mine = std::to_string(::getpid()) + " " + std::to_string(::getpid()) + " " + self_comm() + "\n";
    CHECK(text.find(mine) != std::string::npos);
    CHECK(global<std::uint32_t>(obj, "iter_found_target") >= 1);
    CHECK(global<std::uint32_t>(obj, "iter_tasks") > 1);
}

TEST_CASE("core_task: task_file iterator reads file, dentry, inode and mm through CO-RE", "[core]") {
    char dir[] = "/tmp/ebpf-cxx-core-XXXXXX";
    REQUIRE(::mkdtemp(dir));
    const std::string path = std::string(dir) + "/ebpfcxx-file";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    struct stat st{};
    REQUIRE(::fstat(fd, &st) == 0);
    {
        Object obj = load("core_task.bpf.o", for_this_process());
        run_iterator(loaded(obj, "dump_file"));
        struct Event {
            std::uint32_t fd, count, f_flags, f_mode;
            std::uint64_t ino, arg_start, arg_end;
            char name[32];
            char parent_name[32];
        };
        const auto e = global<Event>(obj, "file_seen");
        CHECK(e.count == 1);
        CHECK(e.fd == static_cast<std::uint32_t>(fd));
        CHECK(std::string(e.name) == "ebpfcxx-file");
        CHECK(std::string(e.parent_name) == std::string(dir).substr(5));  // the directory's own name
        CHECK(e.ino == st.st_ino);
        CHECK((e.f_flags & O_ACCMODE) == O_RDWR);
        CHECK((e.f_mode & 3) == 3);  // FMODE_READ | FMODE_WRITE
        const auto [start, end] = arg_range();
        CHECK(e.arg_start == start);
        CHECK(e.arg_end == end);
    }
    ::close(fd);
    ::unlink(path.c_str());
    ::rmdir(dir);
}

TEST_CASE("core_skb: sk_buff and net_device in the receive path, typed and raw", "[core]") {
    constexpr std::size_t kPayload = 77;  // an unusual length, so other loopback traffic is not counted
    LoadOptions o;
    o.globals.push_back(GlobalValue::of<std::uint32_t>("target_len", 20 + 8 + kPayload));  // IPv4 + UDP + payload
    Object obj = load("core_skb.bpf.o", o);
    const UniqueFd typed = attach_raw_tp(loaded(obj, "on_receive_typed"));
    const UniqueFd raw = attach_raw_tp(loaded(obj, "on_receive_raw"), "netif_receive_skb");

    {
        const test::UdpLoopback udp;
        REQUIRE(udp.ok());
        char buf[kPayload] = {};
        REQUIRE(udp.send(buf, sizeof buf));
        REQUIRE(udp.recv(buf, sizeof buf) == sizeof buf);
    }

    std::uint32_t mtu = 0;
    std::ifstream("/sys/class/net/lo/mtu") >> mtu;
    struct Event {
        std::uint32_t count, len, protocol, ifindex, mtu, pkt_type, pkt_type_size;
        char dev_name[16];
    };
    for (const char* name : {"typed_seen", "raw_seen"}) {
        INFO(name);
        const auto e = global<Event>(obj, name);
        CHECK(e.count >= 1);
        CHECK(e.len == 20 + 8 + kPayload);
        CHECK(e.protocol == htons(ETH_P_IP));
        CHECK(e.ifindex == ::if_nametoindex("lo"));
        CHECK(std::string(e.dev_name) == "lo");
        CHECK(e.mtu == mtu);
        CHECK(e.pkt_type == 0);  // PACKET_HOST, read from a 3-bit field in an anonymous struct
    }
    CHECK(global<Event>(obj, "typed_seen").pkt_type_size == 1);
}

TEST_CASE("core_fentry: fentry/fexit with CO-RE, where the kernel has BPF trampolines", "[core]") {
    Object obj = load("core_fentry.bpf.o", for_this_process());
    Program* entry = obj.find_program("on_open");
    Program* exit = obj.find_program("on_open_exit");
    REQUIRE(entry);
    REQUIRE(exit);
    auto r = entry->load();
    if (!r && r.error().sys_errno() == EPERM) {
        // Some kernels refuse every trampoline program with EPERM before verifying it (this 6.18 Firecracker
        // kernel does, for libbpf too). Check that a minimal fentry program is refused the same way, so a loader
        // bug cannot hide behind the skip.
        ProgramDef d;
        d.name = "fentry_probe";
        d.type = ProgramType::Tracing;
        d.expected_attach_type = AttachType::TraceFentry;
        d.attach_btf_id = *vmlinux().find("security_file_open", btf::Kind::Func);
        d.instructions = {{0xb7, 0, 0, 0, 0}, {0x95, 0, 0, 0, 0}};  // r0 = 0; exit
        auto probe = Program::prepare(std::move(d));
        REQUIRE(probe);
        auto pr = probe->load();
        REQUIRE_FALSE(pr);
        CHECK(pr.error().sys_errno() == EPERM);
        EBPF_SKIP("this kernel refuses fentry programs: BPF_PROG_LOAD fails with EPERM, for a minimal one too");
    }
    if (!r) FAIL(std::string(r.error().message()));
    REQUIRE(exit->load());
    auto first = sys::raw_tracepoint_open(nullptr, entry->fd().get());
    if (!first && first.error().code() == Errc::NotSupported) {
        // arm64 before 6.4 loads trampoline programs but cannot attach them (no ftrace direct calls): ENOTSUPP.
        EBPF_SKIP("this kernel loads fentry programs but cannot attach them: " << first.error().message());
    }
    if (!first) FAIL(std::string(first.error().message()));
    const UniqueFd l1 = std::move(*first);
    const UniqueFd l2 = attach_raw_tp(*exit);
    char dir[] = "/tmp/ebpf-cxx-fentry-XXXXXX";
    REQUIRE(::mkdtemp(dir));
    const std::string path = std::string(dir) + "/ebpfcxx-open";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    struct stat st{};
    REQUIRE(::fstat(fd, &st) == 0);
    ::close(fd);
    ::unlink(path.c_str());
    ::rmdir(dir);
    struct Event {
        std::uint32_t tgid, pid, count, exit_count;
        std::int32_t ret;
        std::uint32_t f_flags;
        std::uint64_t ino, arg_start, arg_end;
        char name[32];
    };
    const auto e = global<Event>(obj, "open_seen");
    CHECK(e.count == 1);
    CHECK(e.exit_count == 1);
    CHECK(e.ret == 0);
    CHECK(e.tgid == static_cast<std::uint32_t>(::getpid()));
    CHECK(std::string(e.name) == "ebpfcxx-open");
    CHECK(e.ino == st.st_ino);
    CHECK((e.f_flags & O_ACCMODE) == O_RDWR);
    const auto [start, end] = arg_range();
    CHECK(e.arg_start == start);
    CHECK(e.arg_end == end);
}

// KNOWN BUG, fails until fixed: lib/loader/core.cpp compute_core() (called by Object::load) computes the CO-RE
// relocations of every program up front and returns the first hard error, so one program with an ambiguous
// relocation fails the whole object: the others cannot be loaded, and `ebpf-tool load --each` reports every
// program of the object as failed. libbpf relocates only the programs it loads: against the same target, its
// fx_exists loads and only fx_flavors fails (tests/compat/libbpf_insns --btf core_fixture.bpf.o core_fixture.bpf.o).
TEST_CASE("a CO-RE error in one program does not stop the others from loading (as with libbpf)", "[core]") {
    // fx_exists reads a 4-byte field of its context (struct fx_task): raw tracepoint programs read u64 arguments.
    EBPF_SKIP_IF(test::needs_syscall_programs("fx_exists reads a 4-byte field of its context"));
    LoadOptions o;
    // The fixture's own BTF as target: fx_task___v1 then matches both fx_task and fx_task___v1 itself, with comm at
    // different offsets (a real ambiguity), while fx_exists relocates cleanly.
    o.target_btf = test::obj_path("core_fixture.bpf.o");
    auto obj = Object::load_file(test::obj_path("core_fixture.bpf.o").c_str(), o);
    if (!obj) {
        // Not REQUIRE: without exceptions a failed REQUIRE ends the whole run, and this failure is known.
        FAIL_CHECK("the object failed as a whole: " << obj.error().message());
        return;
    }
    Program* exists = obj->find_program("fx_exists");
    Program* flavors = obj->find_program("fx_flavors");
    REQUIRE(exists);
    REQUIRE(flavors);
    CHECK(exists->load());
    auto r = flavors->load();
    CHECK_FALSE(r);
    if (!r) {
        CHECK(r.error().code() == Errc::Relocation);
        CHECK(r.error().message().find("ambiguity") != std::string_view::npos);
    }
}
