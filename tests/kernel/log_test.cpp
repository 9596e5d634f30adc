// SPDX-License-Identifier: MIT
// Logging from BPF (bpf-progs/include/ebpf_log.h) decoded by ebpf::Logger: every conversion checked to the
// character, levels chosen at load time (and removed from the program by the verifier), arguments that do not fit
// their formats reported precisely, the default stderr sink, and a Logger driven by a Poller.
#include <catch2/catch.hpp>

#include <linux/bpf.h>

#include <fcntl.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <ebpf/async.hpp>
#include <ebpf/ebpf.hpp>
#include <ebpf/log.hpp>

#include "support/objects.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

Object load_log_test(std::optional<LogLevel> level) {
    LoadOptions o;
    if (level) o.globals.push_back(log_level_global(*level));
    auto obj = Object::load_file(test::obj_path("log_test.bpf.o").c_str(), o);
    INFO((obj ? std::string() : std::string(obj.error().message())));
    REQUIRE(obj);
    test::runnable(*obj);
    return std::move(*obj);
}

void run(Object& obj, const char* program) { test::run_once(*obj.program(program)); }

struct Line {
    LogLevel level;
    std::string text;
};

std::vector<Line> collect(Logger& logger) {
    std::vector<Line> lines;
    logger.on_record([&](const LogRecord& r) { lines.push_back({r.level, std::string(r.message)}); });
    auto n = logger.consume();
    REQUIRE(n);
    return lines;
}

// What log_all prints, in order, at level Info.
const std::vector<Line> kInfoLines = {
    {LogLevel::Error, "error -1"},
    {LogLevel::Warn, "warn 4000000000"},
    {LogLevel::Info, "ints -42 7 42 beef BEEF"},
    {LogLevel::Info, "longs -5000000000 18000000000000000000 -5000000000 f9ccd8a1c5080000 9"},
    {LogLevel::Info, "narrow -3 4464 -56 ff 2"},
    {LogLevel::Info, "chars ok % 'ebpf' 'literal'"},
    {LogLevel::Info, "pointer 0x1234 0x0"},
    {LogLevel::Info, "ipv4 192.168.0.1 127.0.0.1"},
    {LogLevel::Info, "ipv6 2001:0db8:0000:0000:0000:0000:0000:0001 2001:db8::1"},
    {LogLevel::Info, "mac 02:00:5e:10:aa:ff"},
    {LogLevel::Info, "hex de ad be ef|de:ad:be:ef|de-ad-be-ef|deadbeef|"},
    {LogLevel::Info, "width [   42] [42   ] [00042] [0xff] [+7] [ebp] [  ebpf] [ebpf  ]"},
    {LogLevel::Info, "fault '(fault)'"},
    {LogLevel::Info, "ten 1 2 3 4 5 6 7 8 9 10"},
    {LogLevel::Info, "no arguments"},
};

void check_lines(const std::vector<Line>& got, const std::vector<Line>& want) {
    CHECK(got.size() == want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i) {
        INFO("line " << i);
        CHECK(got[i].text == want[i].text);
        CHECK(got[i].level == want[i].level);
    }
}

}  // namespace

TEST_CASE("a BPF program logs every conversion and the Logger prints it exactly", "[log]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Object obj = load_log_test(LogLevel::Trace);
    auto logger = Logger::attach(obj);
    REQUIRE(logger);
    CHECK(logger->sites().sites().size() >= 24);
    run(obj, "log_all");
    std::vector<Line> want = kInfoLines;
    want.push_back({LogLevel::Debug, "debug 4"});
    want.push_back({LogLevel::Trace, "trace 5"});
    check_lines(collect(*logger), want);
    CHECK(logger->malformed() == 0);
    CHECK(*logger->dropped() == 0);
    // The records carry their call site: file and line of the ebpf_log_* call.
    std::vector<const LogSite*> sites;
    logger->on_record([&](const LogRecord& r) { sites.push_back(r.site); });
    run(obj, "log_all");
    REQUIRE(logger->consume());
    REQUIRE(sites.size() == want.size());
    REQUIRE(sites[0]);
    CHECK(sites[0]->format == "error %d");
    CHECK(sites[0]->file.find("log_test.bpf.c") != std::string::npos);
    CHECK(sites[0]->line > 0);
    CHECK(sites[0]->level == LogLevel::Error);
}

TEST_CASE("the log level is chosen at load time, and the verifier removes the calls above it", "[log]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    auto xlated_size = [](Object& obj) {
        Program p = *obj.program("log_all");
        REQUIRE(p.load());
        auto info = p.info();
        REQUIRE(info);
        return info->xlated_size;
    };
    // Compiled default: Info (debug and trace are not logged).
    Object info = load_log_test(std::nullopt);
    auto info_logger = Logger::attach(info);
    REQUIRE(info_logger);
    run(info, "log_all");
    check_lines(collect(*info_logger), kInfoLines);

    Object errors = load_log_test(LogLevel::Error);
    auto error_logger = Logger::attach(errors);
    REQUIRE(error_logger);
    run(errors, "log_all");
    check_lines(collect(*error_logger), {{LogLevel::Error, "error -1"}});

    Object off = load_log_test(LogLevel::Off);
    auto off_logger = Logger::attach(off);
    REQUIRE(off_logger);
    run(off, "log_all");
    CHECK(collect(*off_logger).empty());

    Object trace = load_log_test(LogLevel::Trace);
    const auto off_size = xlated_size(off), error_size = xlated_size(errors), info_size = xlated_size(info),
               trace_size = xlated_size(trace);
    INFO("xlated bytes: off " << off_size << ", error " << error_size << ", info " << info_size << ", trace "
                              << trace_size);
    CHECK(off_size < error_size);
    CHECK(error_size < info_size);
    CHECK(info_size < trace_size);

    // The user-space filter drops records above its level after decoding them.
    Object all = load_log_test(LogLevel::Trace);
    auto warn_logger = Logger::attach(all, {.level = LogLevel::Warn});
    REQUIRE(warn_logger);
    run(all, "log_all");
    check_lines(collect(*warn_logger), {{LogLevel::Error, "error -1"}, {LogLevel::Warn, "warn 4000000000"}});
}

TEST_CASE("arguments that do not fit their format are reported, never misread", "[log]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Object obj = load_log_test(LogLevel::Trace);
    auto logger = Logger::attach(obj);
    REQUIRE(logger);
    std::vector<std::string> problems;
    logger->on_malformed([&](const Error& e) {
        CHECK(e.code() == Errc::InvalidArgument);
        problems.emplace_back(e.message());
    });
    run(obj, "log_bad");
    const std::vector<Line> good = collect(*logger);
    // The record after the bad ones decodes: one bad record does not derail the rest.
    check_lines(good, {{LogLevel::Error, "after the bad ones 8"}});
    CHECK(logger->malformed() == 6);
    REQUIRE(problems.size() == 6);
    const char* want[] = {
        "format \"wide %d\": argument 1: %d takes a 32-bit integer, the record has a 64-bit integer (use %ld)",
        "format \"extra %d\": 1 conversion, the record has 2 arguments",
        "format \"missing %d %d\": %d is conversion 2, the record has 1 argument",
        "format \"string %s\": argument 1: %s takes a string, the record has a 32-bit integer",
        "format \"ipv4 %pI4\": argument 1: %pI4 takes an IPv4 address (EBPF_IPV4), the record has an unsigned 32-bit "
        "integer (wrap the address in EBPF_IPV4())",
        "format \"unknown %q\": unknown conversion '%q' at offset 8",
    };
    for (std::size_t i = 0; i < 6; ++i) {
        INFO(problems[i]);
        CHECK(problems[i].rfind("malformed log record from ", 0) == 0);
        CHECK(problems[i].find("log_test.bpf.c:") != std::string::npos);
        CHECK(problems[i].find(want[i]) != std::string::npos);
    }
    // Without a handler, malformed records reach the sink as Error-level lines saying what is wrong.
    Object again = load_log_test(LogLevel::Trace);
    auto plain = Logger::attach(again);
    REQUIRE(plain);
    run(again, "log_bad");
    const std::vector<Line> lines = collect(*plain);
    REQUIRE(lines.size() == 7);
    CHECK(lines[0].level == LogLevel::Error);
    CHECK(lines[0].text.find("malformed log record from") == 0);
    CHECK(lines[6].text == "after the bad ones 8");
}

TEST_CASE("the default sink writes one line per record to stderr", "[log]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Object obj = load_log_test(LogLevel::Info);
    auto logger = Logger::attach(obj);
    REQUIRE(logger);
    run(obj, "log_all");
    // Capture fd 2 in a pipe for the duration of consume().
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0);
    const int saved = ::dup(2);
    REQUIRE(::dup2(fds[1], 2) == 2);
    auto n = logger->consume();
    ::dup2(saved, 2);
    ::close(saved);
    ::close(fds[1]);
    std::string text;
    char buf[4096];
    for (ssize_t r; (r = ::read(fds[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(r));
    ::close(fds[0]);
    REQUIRE(n);
    CHECK(*n == kInfoLines.size());
    CHECK(text.rfind("[ERROR log_test] error -1\n[WARN  log_test] warn 4000000000\n[INFO  log_test] ints -42 7 42 beef BEEF\n", 0) == 0);
    CHECK(text.find("[INFO  log_test] no arguments\n") != std::string::npos);
}

TEST_CASE("a Logger in a Poller; objects without logging", "[log]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    Object obj = load_log_test(LogLevel::Info);
    auto logger = Logger::attach(obj, {.name = "custom"});
    REQUIRE(logger);
    std::vector<std::string> lines;
    auto poller = Poller::create();
    REQUIRE(poller);
    logger->on_record([&](const LogRecord& r) {
        CHECK(r.source == "custom");
        lines.emplace_back(r.message);
        if (lines.size() == kInfoLines.size()) poller->stop();
    });
    REQUIRE(poller->add(std::move(*logger)));
    run(obj, "log_all");
    REQUIRE(poller->run(5000));
    CHECK(lines.size() == kInfoLines.size());

    auto rb = Object::load_file(test::obj_path("ringbuf_test.bpf.o").c_str());
    REQUIRE(rb);
    auto none = Logger::attach(*rb);
    REQUIRE_FALSE(none);
    CHECK(none.error().code() == Errc::NotFound);
    CHECK(std::string(none.error().message()).find("no map ebpf_log_buf") != std::string::npos);
}
