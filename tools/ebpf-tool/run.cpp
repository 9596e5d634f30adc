// SPDX-License-Identifier: MIT
// ebpf-tool run: load an object (as a libbpf-based tool would), set its globals, attach every program its
// sections name a target for, run until a duration ends or SIGINT/SIGTERM, and report what happened.
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <ebpf/async.hpp>
#include <ebpf/ebpf.hpp>
#include <ebpf/perfbuf.hpp>
#include <ebpf/programs/auto_attach.hpp>
#include <ebpf/ringbuf.hpp>

#include "commands.hpp"
#include "run.hpp"

namespace ebpf::tool {

namespace {

constexpr const char* kRunUsage =
    "usage: ebpf-tool run [options] OBJECT\n"
    "\n"
    "Loads OBJECT, attaches every program whose section names its target (kprobe/NAME, tp/CAT/NAME,\n"
    "uprobe/BINARY:FUNCTION, usdt/BINARY:PROVIDER:NAME, fentry/NAME, ...) and runs until the duration ends or\n"
    "SIGINT/SIGTERM. Prints `attached PROGRAM SECTION` per program, then `running`; at exit the reports asked for.\n"
    "\n"
    "options:\n"
    "  --program NAME       load and attach only this program (repeatable; default: every autoload program)\n"
    "  --set GLOBAL=VALUE   initial value of a .rodata/.data/.bss variable, parsed by its BTF type: integers\n"
    "                       (decimal or 0x hex), bool (true/false/1/0), enums (name or number), floats, char\n"
    "                       arrays (a string); repeatable\n"
    "  --duration SECONDS   stop after this long (default: until SIGINT/SIGTERM)\n"
    "  --events             consume every ring buffer and perf event array; at exit print\n"
    "                       `events MAP COUNT` per map (and `lost MAP COUNT` when a perf buffer lost samples)\n"
    "  --stats              enable BPF run statistics (BPF_ENABLE_STATS) while running; at exit print\n"
    "                       `runs PROGRAM RUN_COUNT` per attached program\n"
    "  --dump-maps          at exit print every map's entries, formatted by BTF\n"
    "  --interface NAME     network interface for XDP/TC/netkit programs\n"
    "  --cgroup PATH        cgroup v2 directory for cgroup programs\n"
    "\n"
    "Every program that fails to load or attach is named on stderr with the reason. Programs that are never\n"
    "attached automatically (perf_event, syscall, ...; or no target in the section) get a note unless named.\n"
    "exit status: 0 everything attached and ran, 1 a named or auto-attachable program failed (or the object,\n"
    "a --set variable or value, or --program name is wrong), 2 usage error\n";

struct RunOptions {
    std::string object;
    std::vector<std::string> programs;
    std::vector<std::pair<std::string, std::string>> sets;
    std::optional<double> duration;
    bool events = false, stats = false, dump = false;
    AutoAttachOptions attach;
};

// Events counted per ring buffer or perf event array.
struct EventCount {
    std::string map;
    std::uint64_t records = 0;
    std::uint64_t lost = 0;
};

// The Poller the signal handlers stop (Poller::stop() is async-signal-safe).
Poller* g_poller = nullptr;
volatile std::sig_atomic_t g_stop = 0;

extern "C" void on_stop_signal(int) {
    g_stop = 1;
    if (g_poller) g_poller->stop();
}

// SIGINT/SIGTERM stop the run while this lives; the previous handlers come back afterwards.
class StopSignals {
public:
    explicit StopSignals(Poller& p) {
        g_poller = &p;
        g_stop = 0;
        struct sigaction sa {};
        sa.sa_handler = on_stop_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGINT, &sa, &old_int_);
        sigaction(SIGTERM, &sa, &old_term_);
    }
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
    ~StopSignals() {
        sigaction(SIGINT, &old_int_, nullptr);
        sigaction(SIGTERM, &old_term_, nullptr);
        g_poller = nullptr;
    }

private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

// 0 on success, else the exit status of a usage error (already printed).
int parse_args(std::span<const std::string_view> args, RunOptions& o) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        auto value = [&](const char* what) -> std::optional<std::string> {
            if (i + 1 >= args.size() || args[i + 1].empty()) {
                usage_error("run: " + std::string(a) + " needs " + what);
                return std::nullopt;
            }
            return std::string(args[++i]);
        };
        if (a == "--program") {
            auto v = value("a NAME");
            if (!v) return kExitUsage;
            o.programs.push_back(*v);
        } else if (a == "--set") {
            auto v = value("GLOBAL=VALUE");
            if (!v) return kExitUsage;
            const auto eq = v->find('=');
            if (eq == std::string::npos || eq == 0)
                return usage_error("run: --set " + *v + ": expected GLOBAL=VALUE");
            o.sets.emplace_back(v->substr(0, eq), v->substr(eq + 1));
        } else if (a == "--duration") {
            auto v = value("SECONDS");
            if (!v) return kExitUsage;
            char* end = nullptr;
            const double d = std::strtod(v->c_str(), &end);
            if (*end || !(d > 0) || d > 1e7)
                return usage_error("run: --duration " + *v + ": expected a positive number of seconds");
            o.duration = d;
        } else if (a == "--interface") {
            auto v = value("a NAME");
            if (!v) return kExitUsage;
            o.attach.interface = *v;
        } else if (a == "--cgroup") {
            auto v = value("a PATH");
            if (!v) return kExitUsage;
            o.attach.cgroup = *v;
        } else if (a == "--events") {
            o.events = true;
        } else if (a == "--stats") {
            o.stats = true;
        } else if (a == "--dump-maps") {
            o.dump = true;
        } else if (a.starts_with("-")) {
            return usage_error("run: unknown option '" + std::string(a) + "'");
        } else if (o.object.empty()) {
            o.object = std::string(a);
        } else {
            return usage_error("run: more than one OBJECT");
        }
    }
    if (o.object.empty()) return usage_error("run: missing OBJECT");
    return 0;
}

std::string program_names(const ObjectSpec& spec) {
    std::string s;
    for (const ProgramSpec& p : spec.programs) s += (s.empty() ? "" : ", ") + p.name;
    return s.empty() ? "none" : s;
}

void report(const char* what, const Program& p, const Error& e) {
    std::fprintf(stderr, "ebpf-tool: program '%s' (%s) %s: %s\n", p.name().c_str(), p.section().c_str(), what,
                 std::string(e.message()).c_str());
}

// Opens a reader for every ring buffer and perf event array, counting records into `counts`.
Result<void> add_event_readers(const Object& obj, Poller& poller, std::vector<std::unique_ptr<EventCount>>& counts) {
    for (const Map& m : obj.maps()) {
        if (m.type() != MapType::Ringbuf && m.type() != MapType::PerfEventArray) continue;
        auto& c = *counts.emplace_back(std::make_unique<EventCount>(EventCount{m.name()}));
        EventCount* cp = &c;
        if (m.type() == MapType::Ringbuf) {
            auto ring = RingBuffer::open(m);
            if (!ring) return std::move(ring).error().context("open ring buffer '" + m.name() + "'");
            auto id = poller.add(std::move(*ring), [cp](std::span<const std::byte>) { ++cp->records; });
            if (!id) return std::move(id).error().context("poll ring buffer '" + m.name() + "'");
        } else {
            auto perf = PerfBuffer::open(
                m, [cp](int, std::span<const std::byte>) { ++cp->records; },
                [cp](int, std::uint64_t n) { cp->lost += n; });
            if (!perf) return std::move(perf).error().context("open perf buffer '" + m.name() + "'");
            auto id = poller.add(std::move(*perf));
            if (!id) return std::move(id).error().context("poll perf buffer '" + m.name() + "'");
        }
    }
    return {};
}

// Waits for the duration (or forever) unless a stop signal comes first. Errors: the Poller's.
Result<void> wait(Poller& poller, std::optional<double> duration) {
    using Clock = std::chrono::steady_clock;
    const auto deadline =
        duration ? Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(*duration))
                 : Clock::time_point::max();
    while (!g_stop) {
        int timeout = -1;
        if (duration) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) break;
            timeout = static_cast<int>(std::min<long long>(left, 1000 * 1000));
        }
        auto r = poller.run(timeout);
        if (!r) return std::move(r).error();
    }
    return {};
}

}  // namespace

int cmd_run(std::span<const std::string_view> args) {
    for (std::string_view a : args)
        if (a == "--help" || a == "-h") {
            std::fputs(kRunUsage, stdout);
            return kExitOk;
        }
    RunOptions o;
    if (int rc = parse_args(args, o)) return rc;

    auto spec = parse_object_file(o.object.c_str());
    if (!spec) return fail("run: " + std::string(spec.error().message()));
    const std::string& name = o.object;

    LoadOptions lo;
    for (const std::string& p : o.programs)
        if (!spec->program(p))
            return fail("run " + name + ": no program named '" + p + "' (it has: " + program_names(*spec) + ")");
    if (!o.programs.empty()) {
        for (const ProgramSpec& p : spec->programs) {
            bool named = false;
            for (const std::string& n : o.programs) named = named || n == p.name;
            lo.autoload.emplace_back(p.name, named);
        }
    }
    for (const auto& [var, text] : o.sets) {
        auto g = encode_global(*spec, var, text);
        if (!g) return fail("run " + name + ": " + std::string(g.error().message()));
        std::erase_if(lo.globals, [&](const GlobalValue& v) { return v.name == g->name; });
        lo.globals.push_back(std::move(*g));
    }

    auto obj = Object::load(*spec, lo);
    if (!obj) return fail("run: " + std::string(obj.error().message()));
    for (const std::string& w : obj->warnings()) std::fprintf(stderr, "ebpf-tool: warning: %s\n", w.c_str());

    // The programs to run: the named ones, or every autoload one.
    std::vector<Program*> selected;
    for (Program& p : obj->programs()) {
        const ProgramSpec* ps = obj->spec().program(p.name());
        bool want = !ps || ps->autoload;
        if (!o.programs.empty()) {
            want = false;
            for (const std::string& n : o.programs) want = want || n == p.name();
        }
        if (want) selected.push_back(&p);
    }

    int failed = 0;
    for (Program* p : selected) {
        if (auto r = p->load(); !r) {
            ++failed;
            report("failed to load", *p, r.error());
        }
    }
    // Prog-array slots name loaded programs (load_programs() loads nothing more: every autoload one is loaded).
    if (!failed && o.programs.empty()) {
        if (auto r = obj->load_programs(); !r) {
            ++failed;
            std::fprintf(stderr, "ebpf-tool: run %s: %s\n", name.c_str(), std::string(r.error().message()).c_str());
        }
    }

    // Statistics are on from before the first attach, so every run is counted.
    std::optional<UniqueFd> stats;
    if (o.stats) {
        auto s = enable_stats();
        if (!s) return fail("run " + name + ": --stats: " + std::string(s.error().message()));
        stats.emplace(std::move(*s));
    }

    auto poller = Poller::create();
    if (!poller) return fail("run " + name + ": " + std::string(poller.error().message()));
    std::vector<std::unique_ptr<EventCount>> counts;
    if (o.events) {
        if (auto r = add_event_readers(*obj, *poller, counts); !r)
            return fail("run " + name + ": --events: " + std::string(r.error().message()));
    }

    std::vector<std::pair<Program*, Link>> links;
    for (Program* p : selected) {
        if (!p->loaded()) continue;
        if (auto why = auto_attach_blocker(*p, o.attach)) {
            if (!o.programs.empty()) {
                ++failed;
                std::fprintf(stderr, "ebpf-tool: program '%s' (%s) not attached: %s\n", p->name().c_str(),
                             p->section().c_str(), why->c_str());
            } else {
                std::fprintf(stderr, "ebpf-tool: note: program '%s' (%s) is not attached automatically: %s\n",
                             p->name().c_str(), p->section().c_str(), why->c_str());
            }
            continue;
        }
        auto link = auto_attach(*p, o.attach);
        if (!link) {
            ++failed;
            report("failed to attach", *p, link.error());
            continue;
        }
        std::printf("attached %s %s\n", p->name().c_str(), p->section().c_str());
        links.emplace_back(p, std::move(*link));
    }
    if (links.empty() && failed) {
        std::fprintf(stderr, "ebpf-tool: run %s: no program attached\n", name.c_str());
        return kExitFail;
    }

    {
        StopSignals signals(*poller);
        std::printf("running\n");
        std::fflush(stdout);
        if (auto r = wait(*poller, o.duration); !r) {
            ++failed;
            std::fprintf(stderr, "ebpf-tool: run %s: %s\n", name.c_str(), std::string(r.error().message()).c_str());
        }
    }
    std::vector<Program*> attached;
    for (auto& [p, link] : links) attached.push_back(p);
    links.clear();  // detach before the reports: nothing changes under them
    if (o.events) {
        // What arrived after the last wake-up (perf rings wake per sample; rings may be left with records).
        for (int round = 0; round < 1000; ++round) {
            auto r = poller->run_once(0);
            if (!r || *r == 0) break;
        }
        for (const auto& c : counts) {
            std::printf("events %s %llu\n", c->map.c_str(), static_cast<unsigned long long>(c->records));
            if (c->lost) std::printf("lost %s %llu\n", c->map.c_str(), static_cast<unsigned long long>(c->lost));
        }
    }
    if (o.stats) {
        for (Program* p : attached) {
            auto info = p->info();
            if (!info) {
                report("statistics unavailable", *p, info.error());
                continue;
            }
            std::printf("runs %s %llu\n", p->name().c_str(), static_cast<unsigned long long>(info->run_count));
        }
    }
    if (o.dump) dump_maps(*obj, stdout);
    std::fflush(stdout);
    return failed ? kExitFail : kExitOk;
}

}  // namespace ebpf::tool
