// SPDX-License-Identifier: MIT
// Logging from BPF programs: the user-space side of bpf-progs/include/ebpf_log.h. A BPF program logs with
// ebpf_log_info("...%d...", x) into the ring buffer `ebpf_log_buf`; a Logger decodes the records, checks each
// argument against its conversion, formats the text and hands it to a sink. docs/logging.md is the guide.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>
#include <ebpf/map.hpp>
#include <ebpf/maps/global.hpp>
#include <ebpf/ringbuf.hpp>

namespace ebpf {

struct GlobalValue;  // <ebpf/object.hpp>

// Levels, most severe first (the numbers are EBPF_LOG_LEVEL_* of ebpf_log.h).
enum class LogLevel : std::uint8_t { Off = 0, Error = 1, Warn = 2, Info = 3, Debug = 4, Trace = 5 };
// "ERROR", "WARN", "INFO", "DEBUG", "TRACE" ("OFF").
std::string_view to_string(LogLevel level) noexcept;

// The names ebpf_log.h gives its map, level constant, drop counter and call-site section.
inline constexpr std::string_view kLogMapName = "ebpf_log_buf";
inline constexpr std::string_view kLogLevelName = "ebpf_log_level";
inline constexpr std::string_view kLogDroppedName = "ebpf_log_dropped";
inline constexpr std::string_view kLogSitesSection = ".rodata.ebpf_log";

// The load-time level of an object's BPF logging: put it in LoadOptions::globals, and the verifier removes every
// log call above `level` from the programs (ebpf_log_level is a frozen .rodata constant). Without it, the level is
// what the program was compiled with (EBPF_LOG_DEFAULT_LEVEL, Info by default).
//   LoadOptions o;  o.globals.push_back(ebpf::log_level_global(ebpf::LogLevel::Debug));
// (A template only so that this header need not include <ebpf/object.hpp>; G is GlobalValue.)
template <class G = GlobalValue>
G log_level_global(LogLevel level) {
    return G::of(std::string(kLogLevelName), static_cast<std::uint32_t>(level));
}

// One log call in the BPF object (an entry of .rodata.ebpf_log): where it is and what it prints.
struct LogSite {
    std::uint32_t id = 0;
    std::uint32_t line = 0;
    LogLevel level = LogLevel::Info;
    std::uint8_t nargs = 0;
    std::string file;    // as the compiler saw it (__FILE__)
    std::string format;  // the printf-style format
};

// LogSites: the call sites of an object, parsed from its .rodata.ebpf_log section.
// Ownership: a value (copyable). Thread safety: const members from any thread.
class LogSites {
public:
    // Errors: InvalidArgument naming the offset and what is wrong (a truncated entry, a missing NUL, a bad level,
    //   a duplicate id). An empty section is valid (no sites).
    static Result<LogSites> parse(std::span<const std::byte> section);
    const LogSite* find(std::uint32_t id) const noexcept;
    std::span<const LogSite> sites() const noexcept { return sites_; }

private:
    std::vector<LogSite> sites_;  // sorted by id
};

// One decoded record. The views are valid during the sink call only.
struct LogRecord {
    LogLevel level;
    std::string_view message;  // the formatted text
    const LogSite* site;       // file, line and format of the call
    std::string_view source;   // LoggerOptions::name (the object's name for attach())
};

// Decodes and formats one record (as ebpf_log.h writes it) into `out` (replaced). Pure: no system calls.
// Returns the record's site. Errors: InvalidArgument saying exactly what is wrong: a truncated record or bad
//   header, an unknown site, an argument whose tag does not fit its conversion ("argument 2: %d takes a 32-bit
//   integer, the record has a 64-bit integer (use %ld)"), too many or too few arguments, a string or byte
//   argument outside the record or of a bad length, a malformed format. Nothing is misread: on error `out` holds
//   no partial text.
Result<const LogSite*> format_log_record(std::span<const std::byte> record, const LogSites& sites, std::string& out);

struct LoggerOptions {
    // Records above this level are skipped after decoding (the load-time level is log_level_global()).
    LogLevel level = LogLevel::Trace;
    // Shown by the default sink; attach() uses the object's name when this is empty.
    std::string name{};
};

// Logger: consumes `ebpf_log_buf` and hands each record, decoded and formatted, to a sink.
//   auto logger = ebpf::Logger::attach(object);       // after Object::load_file(...)
//   logger->consume();                                  // or poll its fd(), or poller.add(std::move(*logger))
// The default sink writes "[INFO  name] message\n" to stderr (fd 2) in one write(2). Malformed records go to the
// malformed handler (default: the sink, as an Error-level record "malformed log record: <what is wrong>"): they are
// counted and never misread.
// Ownership: move-only; shares its Map (through a RingBuffer), owns its sites and callbacks.
// Thread safety: one thread consumes; the sinks run on it.
// Kernel: ring buffers (5.8).
class Logger {
public:
    // Errors: InvalidArgument (not a ring buffer), the mmap failure.
    static Result<Logger> create(const Map& ring, LogSites sites, LoggerOptions options = {});
    // Finds `ebpf_log_buf` and the .rodata.ebpf_log sites in a loaded Object (include <ebpf/object.hpp>), and the
    // drop counter if the object has one. Errors: NotFound (the object does not include ebpf_log.h), as parse()
    // and create().
    template <class ObjectT>
    static Result<Logger> attach(const ObjectT& object, LoggerOptions options = {}) {
        const auto* map = object.find_map(kLogMapName);
        if (!map) return missing(object.spec().name, kLogMapName);
        std::span<const std::byte> table;
        if (const auto* section = object.spec().map(kLogSitesSection)) table = section->contents;
        auto sites = LogSites::parse(table);
        if (!sites) return std::move(sites).error().context(std::string("log sites of ") + object.spec().name);
        if (options.name.empty()) options.name = object.spec().name;
        auto logger = create(*map, std::move(*sites), std::move(options));
        if (logger) {
            if (auto dropped = object.template global<std::uint64_t>(kLogDroppedName)) logger->dropped_.emplace(std::move(*dropped));
        }
        return logger;
    }

    Logger(Logger&&) noexcept;
    Logger& operator=(Logger&&) noexcept;
    ~Logger();

    // Where records go: sink(const LogRecord&).
    template <class F>
    void on_record(F sink) {
        auto h = std::make_unique<Holder<F, const LogRecord&>>(std::move(sink));
        void* ctx = h.get();  // before the move below: argument evaluation order is unspecified
        set_sink(&Holder<F, const LogRecord&>::call, ctx, std::move(h));
    }
    // Where malformed records go: f(const Error&) (Errc::InvalidArgument; the message says what is wrong).
    template <class F>
    void on_malformed(F f) {
        auto h = std::make_unique<Holder<F, const Error&>>(std::move(f));
        void* ctx = h.get();
        set_malformed(&Holder<F, const Error&>::call, ctx, std::move(h));
    }
    // The default sink: one line on stderr, "[LEVEL name] message".
    static void write_stderr(const LogRecord& record) noexcept;

    // The ring's fd: readable when records are waiting.
    FdRef fd() const noexcept;
    const Map& map() const noexcept;
    const LogSites& sites() const noexcept;
    // Decodes and hands over what is in the ring now, at most `max_records`; returns how many were consumed
    // (malformed and filtered ones included). Errors: RingBuffer::consume's (a corrupt ring).
    Result<std::size_t> consume(std::size_t max_records = std::numeric_limits<std::size_t>::max());
    // Malformed records seen so far.
    std::uint64_t malformed() const noexcept;
    // Records the BPF side could not log because the ring was full (ebpf_log_dropped; attach() only).
    // Errors: NotFound (no drop counter known), the read's.
    Result<std::uint64_t> dropped() const;

    struct State;

private:
    struct HolderBase {
        virtual ~HolderBase() = default;
    };
    template <class F, class Arg>
    struct Holder final : HolderBase {
        explicit Holder(F f) : fn(std::move(f)) {}
        static void call(void* self, Arg a) { static_cast<Holder*>(self)->fn(a); }
        F fn;
    };
    explicit Logger(std::unique_ptr<State> s) noexcept;
    static Error missing(std::string_view object, std::string_view what);
    void set_sink(void (*fn)(void*, const LogRecord&), void* ctx, std::unique_ptr<HolderBase> owner);
    void set_malformed(void (*fn)(void*, const Error&), void* ctx, std::unique_ptr<HolderBase> owner);
    std::unique_ptr<State> s_;
    std::optional<Global<std::uint64_t>> dropped_;
};

}  // namespace ebpf
