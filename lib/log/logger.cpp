// SPDX-License-Identifier: MIT
// Logger: a RingBuffer over ebpf_log_buf, the object's call sites, and the sinks records and problems go to.
#include <ebpf/log.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/file.hpp"

namespace ebpf {

using detail::format;

struct Logger::State {
    RingBuffer ring;
    LogSites sites;
    LoggerOptions options;
    void (*sink)(void*, const LogRecord&) = nullptr;
    void* sink_ctx = nullptr;
    std::unique_ptr<HolderBase> sink_owner;
    void (*malformed)(void*, const Error&) = nullptr;
    void* malformed_ctx = nullptr;
    std::unique_ptr<HolderBase> malformed_owner;
    std::uint64_t malformed_count = 0;
    std::string text;  // reused: no allocation per record once it has grown

    State(RingBuffer r, LogSites s, LoggerOptions o) : ring(std::move(r)), sites(std::move(s)), options(std::move(o)) {}

    void deliver(const LogRecord& r) {
        if (sink) sink(sink_ctx, r);
        else write_stderr(r);
    }
    void handle(std::span<const std::byte> rec) {
        auto site = format_log_record(rec, sites, text);
        if (!site) {
            ++malformed_count;
            if (malformed) {
                malformed(malformed_ctx, site.error());
            } else {
                const std::string_view msg = site.error().message();
                deliver(LogRecord{LogLevel::Error, msg, nullptr, options.name});
            }
            return;
        }
        const LogSite* s = *site;
        if (s->level > options.level) return;
        deliver(LogRecord{s->level, text, s, options.name});
    }
};

Logger::Logger(std::unique_ptr<State> s) noexcept : s_(std::move(s)) {}
Logger::Logger(Logger&&) noexcept = default;
Logger& Logger::operator=(Logger&&) noexcept = default;
Logger::~Logger() = default;

Result<Logger> Logger::create(const Map& ring, LogSites sites, LoggerOptions options) {
    EBPF_TRY_ASSIGN(RingBuffer rb, RingBuffer::open(ring).context("logger"));
    return Logger(std::make_unique<State>(std::move(rb), std::move(sites), std::move(options)));
}

Error Logger::missing(std::string_view object, std::string_view what) {
    return Error(Errc::NotFound, format("logger for object %.*s: no map %.*s (does a program include ebpf_log.h "
                                        "and log something?)",
                                        EBPF_SV(object), EBPF_SV(what)));
}

void Logger::set_sink(void (*fn)(void*, const LogRecord&), void* ctx, std::unique_ptr<HolderBase> owner) {
    s_->sink = fn;
    s_->sink_ctx = ctx;
    s_->sink_owner = std::move(owner);
}

void Logger::set_malformed(void (*fn)(void*, const Error&), void* ctx, std::unique_ptr<HolderBase> owner) {
    s_->malformed = fn;
    s_->malformed_ctx = ctx;
    s_->malformed_owner = std::move(owner);
}

void Logger::write_stderr(const LogRecord& r) noexcept {
    // One write per line, so lines from several threads or processes do not interleave.
    std::string line;
    line.reserve(r.message.size() + r.source.size() + 16);
    line += '[';
    const std::string_view level = to_string(r.level);
    line += level;
    line.append(level.size() < 5 ? 5 - level.size() : 0, ' ');
    if (!r.source.empty()) {
        line += ' ';
        line += r.source;
    }
    line += "] ";
    line += r.message;
    line += '\n';
    (void)sys::write_fd(2, line.data(), line.size());
}

FdRef Logger::fd() const noexcept { return s_->ring.fd(); }
const Map& Logger::map() const noexcept { return s_->ring.map(); }
const LogSites& Logger::sites() const noexcept { return s_->sites; }
std::uint64_t Logger::malformed() const noexcept { return s_->malformed_count; }

Result<std::size_t> Logger::consume(std::size_t max_records) {
    State& s = *s_;
    return s.ring.consume([&s](std::span<const std::byte> rec) { s.handle(rec); }, max_records).context("logger");
}

Result<std::uint64_t> Logger::dropped() const {
    if (!dropped_)
        return Error(Errc::NotFound, format("logger: no %.*s counter (create the logger with attach())",
                                            EBPF_SV(kLogDroppedName)));
    return dropped_->get();
}

}  // namespace ebpf
