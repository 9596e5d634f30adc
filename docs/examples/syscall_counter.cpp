// SPDX-License-Identifier: MIT
// The tracing example: count this process's openat(2) calls with a ksyscall program, or with a tracepoint where
// the kernel has no kprobes, and print how many were seen.
//
// It loads bpf-progs/syscall_counter.bpf.c, sets the process to watch (a .rodata constant) at load, attaches one of
// its two programs, opens a file ten times and reads the count from a global. Run as root:
//   ./syscall_counter [path/to/syscall_counter.bpf.o]
#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

#include <ebpf/ebpf.hpp>

#ifndef EBPF_EXAMPLE_OBJECT
#define EBPF_EXAMPLE_OBJECT "syscall_counter.bpf.o"
#endif

namespace {

int die(const char* what, const ebpf::Error& e) {
    std::fprintf(stderr, "syscall_counter: %s: %.*s\n", what, static_cast<int>(e.message().size()),
                 e.message().data());
    return 1;
}

// A ksyscall link where the kernel has kprobes (the PMU, or tracefs kprobe_events); otherwise the tracepoint.
ebpf::Result<ebpf::Link> attach_counter(const ebpf::Object& obj, std::string& how) {
    auto kprobe = obj.program<ebpf::KSyscall>("openat_kprobe");
    if (!kprobe) return kprobe.error();
    if (kprobe->load()) {
        auto link = kprobe->attach();
        if (link) {
            how = "ksyscall " + ebpf::KSyscall::kernel_function("openat").value_or("openat");
            return link;
        }
        // Not found or not supported: a kernel without kprobes (CONFIG_KPROBES off). Anything else is an error.
        if (link.error().code() != ebpf::Errc::NotFound && link.error().code() != ebpf::Errc::NotSupported)
            return link.error();
    }
    auto tp = obj.program<ebpf::Tracepoint>("openat_tracepoint");
    if (!tp) return tp.error();
    if (auto r = tp->load(); !r) return r.error();
    how = "tracepoint syscalls/sys_enter_openat";
    return tp->attach();
}

}  // namespace

int main(int argc, char** argv) {
    const char* path = argc > 1 ? argv[1] : EBPF_EXAMPLE_OBJECT;
    ebpf::LoadOptions options;
    options.globals.push_back(ebpf::GlobalValue::of("target_tgid", static_cast<std::uint32_t>(::getpid())));
    auto obj = ebpf::Object::load_file(path, options);
    if (!obj) return die("load object", obj.error());

    std::string how;
    auto link = attach_counter(*obj, how);
    if (!link) return die("attach", link.error());
    for (int i = 0; i < 10; ++i) {
        // openat(2) itself: some C libraries implement open() with the older open(2) system call (musl on x86_64).
        const int fd = ::openat(AT_FDCWD, "/proc/self/stat", O_RDONLY | O_CLOEXEC);
        if (fd >= 0) ::close(fd);
    }
    std::uint64_t calls = 0;
    if (auto r = obj->read_global("openat_calls", ebpf::as_writable_bytes_of(calls)); !r)
        return die("read openat_calls", r.error());
    std::printf("openat calls: %llu (%s)\n", static_cast<unsigned long long>(calls), how.c_str());
    return calls >= 10 ? 0 : 1;
}
