// SPDX-License-Identifier: MIT
// docs/logging.md: a BPF program that logs (bpf-progs/log_example.bpf.c, through bpf-progs/include/ebpf_log.h),
// and a Logger that prints what it logged.
//
// Loads the object with the log level chosen at load time, attaches its getppid() tracepoint, calls getppid()
// three times, and hands the records to the default sink (stderr: "[INFO  log_example] getppid() #1 from ...")
// and to a sink of its own (stdout, with the call site). Run as root: ./bpf_logging [path/to/log_example.bpf.o]
#include <unistd.h>

#include <cstdint>
#include <cstdio>

#include <ebpf/ebpf.hpp>
#include <ebpf/log.hpp>

#ifndef EBPF_EXAMPLE_OBJECT
#define EBPF_EXAMPLE_OBJECT "log_example.bpf.o"
#endif

namespace {
int die(const char* what, const ebpf::Error& e) {
    std::fprintf(stderr, "bpf_logging: %s: %.*s\n", what, static_cast<int>(e.message().size()), e.message().data());
    return 1;
}
}  // namespace

int main(int argc, char** argv) {
    const char* path = argc > 1 ? argv[1] : EBPF_EXAMPLE_OBJECT;

    ebpf::LoadOptions options;
    options.globals.push_back(ebpf::GlobalValue::of("target_tgid", static_cast<std::uint32_t>(::getpid())));
    // Info and above; the verifier removes the ebpf_log_debug() call from the program.
    options.globals.push_back(ebpf::log_level_global(ebpf::LogLevel::Info));
    auto obj = ebpf::Object::load_file(path, options);
    if (!obj) return die("load object", obj.error());

    auto logger = ebpf::Logger::attach(*obj);
    if (!logger) return die("attach logger", logger.error());

    auto tp = obj->program<ebpf::Tracepoint>("on_getppid");
    if (!tp) return die("find on_getppid", tp.error());
    if (auto r = tp->load(); !r) return die("load on_getppid", r.error());
    auto link = tp->attach();
    if (!link) return die("attach", link.error());

    for (int i = 0; i < 3; ++i) (void)::getppid();

    // The default sink: stderr.
    auto n = logger->consume();
    if (!n) return die("consume", n.error());

    // A sink of one's own: the record's level, call site and text.
    logger->on_record([](const ebpf::LogRecord& r) {
        const std::string_view level = ebpf::to_string(r.level);
        std::printf("%.*s %s:%u: %.*s\n", static_cast<int>(level.size()), level.data(),
                    r.site ? r.site->file.c_str() : "?", r.site ? r.site->line : 0,
                    static_cast<int>(r.message.size()), r.message.data());
    });
    (void)::getppid();
    n = logger->consume();
    if (!n) return die("consume", n.error());
    return 0;
}
