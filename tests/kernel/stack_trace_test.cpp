// SPDX-License-Identifier: MIT
// StackTraceMap and symbolisation: a raw tracepoint program records this thread's kernel and user stacks for one
// system call; the frames resolve through /proc/kallsyms and the ELF symbols of the mapped files.
#include <catch2/catch.hpp>

#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include <ebpf/ebpf.hpp>

#include "kernel/map_support.hpp"
#include "support/expect.hpp"
#include "support/fd_count.hpp"

using namespace ebpf;
using test::map_spec;

namespace {
// The system call the program records, made from this executable's own code on x86-64 (libc is built without
// frame pointers, so the kernel's frame-pointer unwinder stops in it); elsewhere through libc's syscall().
// With a frame pointer (the build is optimised): the unwinder then finds our caller, in this binary too.
#if defined(__GNUC__) && !defined(__clang__)
#define EBPF_TEST_FRAME_POINTER [[gnu::optimize("no-omit-frame-pointer")]]
constexpr bool kCallerFound = true;
#else
#define EBPF_TEST_FRAME_POINTER
constexpr bool kCallerFound = false;
#endif
EBPF_TEST_FRAME_POINTER [[gnu::noinline]] long trigger_syscall() {
#if defined(__x86_64__)
    long r = SYS_getppid;
    // A frame of its own around the system call, whatever the compiler made of this leaf function (often no frame
    // at all, and then the unwinder read the caller's rbp, a general register there, as a frame pointer: the second
    // frame was whatever that pointed at). With it, [rbp + 8] is our return address into the caller.
    asm volatile("push %%rbp\n\tmov %%rsp, %%rbp\n\tsyscall\n\tpop %%rbp" : "+a"(r) : : "rcx", "r11", "memory");
    return r;
#else
    return ::syscall(SYS_getppid);
#endif
}
constexpr bool kSyscallInThisBinary =
#if defined(__x86_64__)
    true;
#else
    false;
#endif

// Whether libc is a shared object here: not in a static binary (the musl builds tools/matrix runs on every kernel),
// where libc's functions are part of the executable.
bool libc_is_shared() {
    std::ifstream f("/proc/self/maps");
    std::string line;
    while (std::getline(f, line))
        if (line.find("libc") != std::string::npos) return true;
    return false;
}

// The module a libc function should resolve to: libc, or this executable when it is static.
std::string libc_module_expected() {
    if (libc_is_shared()) return "libc";
    char self[512] = {};
    if (::readlink("/proc/self/exe", self, sizeof self - 1) <= 0) return "?";
    const std::string path(self);
    return path.substr(path.rfind('/') + 1);
}
}  // namespace

TEST_CASE("KernelSymbols parses kallsyms text and resolves by address", "[maps][symbols]") {
    const char* text =
        "ffffffff81000000 T _stext\n"
        "ffffffff81000100 t helper\n"
        "ffffffff81000200 D some_data\n"
        "ffffffff81000300 T do_thing\n"
        "ffffffffc0000000 t mod_fn\t[my_mod]\n";
    auto k = KernelSymbols::parse(text);
    REQUIRE(k);
    CHECK(k->size() == 4);  // data symbols are not kept
    auto s = k->resolve(0xffffffff81000150);
    REQUIRE(s);
    CHECK(s->name == "helper");
    CHECK(s->offset == 0x50);
    CHECK(s->module.empty());
    CHECK(k->resolve(0xffffffff81000250)->name == "helper");
    auto m = k->resolve(0xffffffffc0000010);
    REQUIRE(m);
    CHECK(m->name == "mod_fn");
    CHECK(m->module == "my_mod");
    CHECK_FALSE(k->resolve(0x1000).has_value());
    CHECK(test::fails_with(KernelSymbols::parse("0000000000000000 T a\n0000000000000000 T b\n"), Errc::Permission,
                           "hides them"));
    CHECK(test::fails_with(KernelSymbols::parse("zz T a\n"), Errc::InvalidArgument, "bad address"));
}

TEST_CASE("UserSymbols resolves this process's functions", "[maps][symbols]") {
    auto u = UserSymbols::load();
    REQUIRE(u);
    auto s = u->resolve(reinterpret_cast<std::uint64_t>(&trigger_syscall));
    REQUIRE(s);
    CHECK(std::string(s->name).find("trigger_syscall") != std::string::npos);
    CHECK(s->offset == 0);
    auto libc = u->resolve(reinterpret_cast<std::uint64_t>(&::getpid));
    REQUIRE(libc);
    CHECK(std::string(libc->module).find(libc_module_expected()) != std::string::npos);
    CHECK_FALSE(u->resolve(8).has_value());
}

TEST_CASE("a program records kernel and user stacks that symbolise", "[maps][symbols]") {
    const int fds = test::open_fd_count();
    {
        auto obj = test::load_or_skip("map_stacks.bpf.o", {}, {MapType::StackTrace});
        if (!obj) return;
        auto target_tid = obj->global<std::uint32_t>("target_tid");
        auto target_nr = obj->global<std::uint64_t>("target_nr");
        auto hits = obj->global<std::uint64_t>("hits");
        auto kernel_stack = obj->global<std::int64_t>("kernel_stack");
        auto user_stack = obj->global<std::int64_t>("user_stack");
        REQUIRE(target_tid);
        REQUIRE(target_nr);
        REQUIRE(hits);
        REQUIRE(kernel_stack);
        REQUIRE(user_stack);
        REQUIRE(target_tid->set(static_cast<std::uint32_t>(::gettid())));
        REQUIRE(target_nr->set(SYS_getppid));
        auto prog = obj->program<RawTracepoint>("record_stack");
        REQUIRE(prog);
        REQUIRE(prog->load());
        auto link = prog->attach();
        REQUIRE(link);
        trigger_syscall();
        REQUIRE(link->detach());
        REQUIRE(*hits->get() >= 1);

        auto stacks = obj->map<StackTraceMap>("stacks");
        REQUIRE(stacks);
        CHECK(stacks->max_depth() == 32);
        const std::int64_t kid = *kernel_stack->get(), uid = *user_stack->get();
        REQUIRE(kid >= 0);
        auto kframes = stacks->frames(static_cast<std::uint32_t>(kid));
        REQUIRE(kframes);
        REQUIRE(*kframes);
        REQUIRE_FALSE((*kframes)->empty());
        auto ksyms = KernelSymbols::load();
        REQUIRE(ksyms);
        // Frames in JIT-ed BPF code (the program itself, its trampoline) are in /proc/kallsyms only with
        // net.core.bpf_jit_kallsyms=1, and the unwinder's step out of them is best effort: such a frame may not
        // resolve. The syscall path below them must.
        bool syscall_path = false;
        std::size_t resolved = 0;
        for (std::uint64_t ip : **kframes) {
            auto s = ksyms->resolve(ip);
            if (!s) {
                UNSCOPED_INFO("kernel frame " << std::hex << ip << " (no symbol)");
                continue;
            }
            ++resolved;
            UNSCOPED_INFO("kernel frame " << std::hex << ip << " " << s->name << "+" << s->offset);
            if (s->name.find("syscall") != std::string_view::npos) syscall_path = true;
        }
        CHECK(resolved >= 1);
        CHECK(syscall_path);

        if (uid < 0) {
            WARN("no user stack recorded (bpf_get_stackid: " << uid << ")");
        } else {
            auto ustacks = obj->map<StackTraceMap>("ustacks");
            REQUIRE(ustacks);
            auto uframes = ustacks->frames(static_cast<std::uint32_t>(uid));
            REQUIRE(uframes);
            REQUIRE(*uframes);
            REQUIRE_FALSE((*uframes)->empty());
            auto usyms = UserSymbols::load();
            REQUIRE(usyms);
            auto first = usyms->resolve((**uframes)[0]);  // the system call instruction
            REQUIRE(first);
            UNSCOPED_INFO("user frame 0: " << first->name << " in " << first->module);
            if (kSyscallInThisBinary) {
                CHECK(std::string(first->name).find("trigger_syscall") != std::string::npos);
            } else {
                CHECK(std::string(first->module).find(libc_module_expected()) != std::string::npos);
            }
            // One frame out (through trigger_syscall's frame pointer): its caller, the test case, in this binary.
            for (std::uint64_t ip : **uframes) {
                auto s = usyms->resolve(ip);
                UNSCOPED_INFO("user frame " << std::hex << ip << " " << (s ? s->name : "?") << " in "
                                            << (s ? s->module : "?"));
            }
            if (kSyscallInThisBinary && kCallerFound) {
                REQUIRE((*uframes)->size() >= 2);
                auto caller = usyms->resolve((**uframes)[1]);
                REQUIRE(caller);
                CHECK(caller->module.find("test-kernel") != std::string_view::npos);
            }
        }
        std::vector<std::uint64_t> buf(stacks->max_depth());
        auto n = stacks->frames(static_cast<std::uint32_t>(kid), buf);
        REQUIRE(n);
        CHECK(**n == (*kframes)->size());
        CHECK(test::fails_with(stacks->frames(0, std::span<std::uint64_t>(buf).first(3)), Errc::InvalidArgument,
                               "a buffer of 3 frames"));
        auto ids = stacks->ids();
        REQUIRE(ids);
        CHECK_FALSE(ids->empty());
        CHECK(*stacks->remove(static_cast<std::uint32_t>(kid)));
        CHECK_FALSE(stacks->frames(static_cast<std::uint32_t>(kid))->has_value());
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("StackTraceMap reads only 8-byte frames", "[maps][symbols]") {
    auto m = Map::create(map_spec(MapType::StackTrace, 4, 8 * 4, 4, "st"));
    REQUIRE(m);
    auto st = StackTraceMap::from(*m);
    REQUIRE(st);
    CHECK(st->max_depth() == 4);
    CHECK_FALSE(st->frames(1)->has_value());
    constexpr std::uint32_t kBuildId = 1u << 5;
    auto b = Map::create(map_spec(MapType::StackTrace, 4, 32 * 2, 4, "st_build", kBuildId));
    REQUIRE(b);
    CHECK(test::fails_with(StackTraceMap::from(*b), Errc::InvalidArgument, "build-id records"));
}
