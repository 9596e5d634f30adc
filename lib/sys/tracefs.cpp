// SPDX-License-Identifier: MIT
// tracefs discovery and probe entries, with every file access through the syscall seam (sys/file.hpp).
// Kernel contract (Documentation/trace/kprobetrace.rst, uprobetracer.rst): one line per write; opening the file
// with O_TRUNC deletes every probe, so we always append; "-:GROUP/EVENT" removes one, EBUSY while in use.
#include "sys/tracefs.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <mutex>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/file.hpp"
#include "sys/proc.hpp"
#include "sys/syscall.hpp"

namespace ebpf::sys {

namespace {

constexpr const char* kTracefsPrimary = "/sys/kernel/tracing";
constexpr const char* kTracefsDebugfs = "/sys/kernel/debug/tracing";
constexpr std::size_t kMaxEventName = 63;  // MAX_EVENT_NAME_LEN (64) with its NUL

bool valid_component(std::string_view s) noexcept {
    return !s.empty() && s != "." && s != ".." && s.find('/') == std::string_view::npos &&
           s.find('\0') == std::string_view::npos;
}

const char* events_file(ProbeEventKind kind) noexcept {
    return kind == ProbeEventKind::Kprobe ? "kprobe_events" : "uprobe_events";
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// The kernel's reason for rejecting `command`, from the newest error_log entry (5.4+) that quotes it:
//   [  808.048805] trace_uprobe: error: Failed to find the given file
//     Command: p:ebpf_cxx/x /nonexistent:0x10
//                          ^
std::string kernel_reason(const std::string& root, std::string_view command) {
    auto log = read_text((root + "/error_log").c_str(), 1u << 20);
    if (!log) return {};
    std::string_view text = *log, reason, found;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
        if (const auto e = line.find(": error: "); e != std::string_view::npos && line.front() == '[') {
            reason = trim(line.substr(e + 9));
        } else if (const auto c = line.find("Command: "); c != std::string_view::npos) {
            if (trim(line.substr(c + 9)) == command) found = reason;
        }
    }
    return std::string(found);
}

Result<std::uint64_t> read_id(const std::string& path) noexcept {
    EBPF_TRY_ASSIGN(const std::string text, read_text(path.c_str(), 64));
    std::uint64_t v = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && i < 20; ++i) v = v * 10 + static_cast<unsigned>(text[i] - '0');
    if (i == 0) return Error(Errc::Io, detail::format("%s: expected a number, read '%s'", path.c_str(), text.c_str()));
    return v;
}

Result<void> write_command(const std::string& root, ProbeEventKind kind, const std::string& command) noexcept {
    const std::string path = root + "/" + events_file(kind);
    auto r = write_path(path.c_str(), command + "\n", O_APPEND);
    if (r) return {};
    Error e = std::move(r).error();
    if (e.sys_errno() != ENOENT || path_exists(path.c_str())) {
        const std::string why = kernel_reason(root, command);
        if (!why.empty()) e.append(detail::format(": kernel says \"%s\"", why.c_str()));
    }
    return std::move(e).context(detail::format("tracefs \"%s\"", command.c_str()));
}

Result<ProbeEvent> add_probe(ProbeEventKind kind, const std::string& target, char type, unsigned maxactive,
                             std::string_view hint) noexcept {
    EBPF_TRY_ASSIGN(const std::string root, tracefs_root());
    // A name of ours can exist only if a dead process with our pid left it (pid reuse): take the next number.
    for (int attempt = 0;; ++attempt) {
        std::string event = probe_event_name(hint);
        const std::string head = maxactive ? detail::format("%c%u", type, maxactive) : std::string(1, type);
        const std::string command =
            detail::format("%s:%.*s/%s %s", head.c_str(), EBPF_SV(kProbeEventGroup), event.c_str(), target.c_str());
        auto w = write_command(root, kind, command);
        if (!w) {
            if (w.error().sys_errno() == EEXIST && attempt < 8) continue;
            return std::move(w).error();
        }
        ProbeEvent guard(kind, event, 0);  // removes the entry again if its id cannot be read
        const std::string id_path =
            detail::format("%s/events/%.*s/%s/id", root.c_str(), EBPF_SV(kProbeEventGroup), event.c_str());
        auto id = read_id(id_path);
        if (!id) return std::move(id).error().context(detail::format("tracefs \"%s\" (added)", command.c_str()));
        guard.release();
        return ProbeEvent(kind, std::move(event), *id);
    }
}

Result<bool> process_exists(int pid) noexcept {
    if (syscall_entry(SYS_kill, pid, 0, 0, 0, 0) == 0) return true;
    if (errno == ESRCH) return false;
    if (errno == EPERM) return true;  // alive, owned by someone else
    return Error::from_errno(errno, detail::format("kill(%d, 0)", pid));
}

}  // namespace

Result<std::string> tracefs_root() noexcept {
    static std::mutex mu;
    static std::string cached;
    {
        std::lock_guard<std::mutex> lock(mu);
        if (!cached.empty()) return cached;
    }
    std::string found;
    for (const char* dir : {kTracefsPrimary, kTracefsDebugfs}) {
        // An unmounted /sys/kernel/tracing is an empty directory; a mounted tracefs always has events/.
        if (path_exists((std::string(dir) + "/events").c_str())) {
            found = dir;
            break;
        }
    }
    if (found.empty()) {
        const long r = syscall_entry(SYS_mount, reinterpret_cast<long>("tracefs"), reinterpret_cast<long>(kTracefsPrimary),
                                     reinterpret_cast<long>("tracefs"), 0, 0);
        if (r != 0)
            return Error::from_errno(errno, detail::format("mount tracefs on %s", kTracefsPrimary))
                .context(detail::format("tracefs is mounted neither at %s nor at %s", kTracefsPrimary, kTracefsDebugfs));
        found = kTracefsPrimary;
    }
    std::lock_guard<std::mutex> lock(mu);
    cached = found;
    return cached;
}

Result<std::uint64_t> tracepoint_id(std::string_view category, std::string_view name) noexcept {
    if (!valid_component(category) || !valid_component(name))
        return Error(Errc::InvalidArgument,
                     detail::format("tracepoint '%.*s/%.*s': invalid name", EBPF_SV(category), EBPF_SV(name)));
    EBPF_TRY_ASSIGN(const std::string root, tracefs_root());
    const std::string path =
        detail::format("%s/events/%.*s/%.*s/id", root.c_str(), EBPF_SV(category), EBPF_SV(name));
    return read_id(path).context(detail::format("tracepoint %.*s/%.*s", EBPF_SV(category), EBPF_SV(name)));
}

std::string probe_event_name(std::string_view hint) {
    static std::atomic<unsigned> counter{0};
    std::string name = detail::format("%.*s_%d_%u", EBPF_SV(kProbeEventGroup), static_cast<int>(::getpid()),
                                      counter.fetch_add(1));
    if (!hint.empty() && name.size() + 1 < kMaxEventName) {
        name += '_';
        for (char c : hint.substr(0, kMaxEventName - name.size())) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            name += ok ? c : '_';
        }
    }
    return name;
}

std::optional<int> probe_event_owner(std::string_view event) noexcept {
    if (event.substr(0, kProbeEventGroup.size()) != kProbeEventGroup || event.size() <= kProbeEventGroup.size() + 1 ||
        event[kProbeEventGroup.size()] != '_')
        return std::nullopt;
    std::string_view rest = event.substr(kProbeEventGroup.size() + 1);
    long pid = 0;
    std::size_t i = 0;
    for (; i < rest.size() && rest[i] >= '0' && rest[i] <= '9' && i < 10; ++i) pid = pid * 10 + (rest[i] - '0');
    if (i == 0 || i >= rest.size() || rest[i] != '_' || pid <= 0 || pid > 0x7fffffff) return std::nullopt;
    return static_cast<int>(pid);
}

std::optional<ProbeEventLine> parse_probe_event_line(std::string_view line) noexcept {
    line = trim(line);
    const auto colon = line.find(':'), slash = line.find('/'), space = line.find(' ');
    if (line.empty() || (line[0] != 'p' && line[0] != 'r') || colon == std::string_view::npos ||
        slash == std::string_view::npos || slash < colon || (space != std::string_view::npos && space < slash))
        return std::nullopt;
    ProbeEventLine out;
    out.type = line[0];
    out.group = line.substr(colon + 1, slash - colon - 1);
    out.event = line.substr(slash + 1, space == std::string_view::npos ? std::string_view::npos : space - slash - 1);
    if (out.group.empty() || out.event.empty()) return std::nullopt;
    return out;
}

Result<ProbeEvent> add_kprobe_event(const KprobeEventOptions& o) noexcept {
    if (o.symbol.empty() || o.symbol.find_first_of(" \t\n") != std::string_view::npos)
        return Error(Errc::InvalidArgument, detail::format("kprobe event: invalid symbol '%.*s'", EBPF_SV(o.symbol)));
    if (o.maxactive && !o.retprobe) return Error(Errc::InvalidArgument, "kprobe event: maxactive is for return probes");
    std::string target(o.symbol);
    if (o.offset) target += detail::format("+%llu", static_cast<unsigned long long>(o.offset));
    return add_probe(ProbeEventKind::Kprobe, target, o.retprobe ? 'r' : 'p', o.maxactive,
                     o.name_hint.empty() ? o.symbol : o.name_hint);
}

Result<ProbeEvent> add_uprobe_event(const UprobeEventOptions& o) noexcept {
    if (o.path.empty() || o.path.find_first_of(" \t\n") != std::string_view::npos)
        return Error(Errc::InvalidArgument,
                     detail::format("uprobe event: path '%.*s' is empty or has whitespace", EBPF_SV(o.path)));
    std::string target = detail::format("%.*s:0x%llx", EBPF_SV(o.path), static_cast<unsigned long long>(o.offset));
    if (o.ref_ctr_offset) target += detail::format("(0x%llx)", static_cast<unsigned long long>(o.ref_ctr_offset));
    std::string_view hint = o.name_hint;
    if (hint.empty()) {
        const auto slash = o.path.rfind('/');
        hint = slash == std::string_view::npos ? o.path : o.path.substr(slash + 1);
    }
    return add_probe(ProbeEventKind::Uprobe, target, o.retprobe ? 'r' : 'p', 0, hint);
}

ProbeEvent& ProbeEvent::operator=(ProbeEvent&& o) noexcept {
    if (this != &o) {
        (void)remove();
        kind_ = o.kind_;
        event_ = std::move(o.event_);
        id_ = o.id_;
        o.event_.clear();
    }
    return *this;
}

ProbeEvent::~ProbeEvent() { (void)remove(); }

Result<void> ProbeEvent::remove() noexcept {
    if (event_.empty()) return {};
    EBPF_TRY_ASSIGN(const std::string root, tracefs_root());
    const std::string command = detail::format("-:%.*s/%s", EBPF_SV(kProbeEventGroup), event_.c_str());
    auto r = write_command(root, kind_, command);
    // ENOENT: already gone (removed by hand, or by a stale-entry cleanup that thought us dead).
    if (!r && r.error().sys_errno() != ENOENT) return r;
    event_.clear();
    return {};
}

Result<StaleProbeEvents> remove_stale_probe_events() noexcept {
    EBPF_TRY_ASSIGN(const std::string root, tracefs_root());
    StaleProbeEvents out;
    for (ProbeEventKind kind : {ProbeEventKind::Kprobe, ProbeEventKind::Uprobe}) {
        const std::string path = root + "/" + events_file(kind);
        auto text = read_text(path.c_str(), 16u << 20);
        if (!text) {
            if (text.error().code() == Errc::NotFound) continue;
            return std::move(text).error();
        }
        std::string_view rest = *text;
        while (!rest.empty()) {
            const auto nl = rest.find('\n');
            const auto line = parse_probe_event_line(rest.substr(0, nl));
            rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
            if (!line || line->group != kProbeEventGroup) continue;
            const auto pid = probe_event_owner(line->event);
            if (!pid) continue;
            EBPF_TRY_ASSIGN(const bool alive, process_exists(*pid));
            if (alive) continue;
            const std::string command = detail::format("-:%.*s/%.*s", EBPF_SV(line->group), EBPF_SV(line->event));
            auto r = write_command(root, kind, command);
            if (r) {
                ++out.removed;
            } else if (r.error().sys_errno() == EBUSY) {
                ++out.busy;
            } else if (r.error().sys_errno() != ENOENT) {  // ENOENT: another cleaner was faster
                return std::move(r).error();
            }
        }
    }
    return out;
}

}  // namespace ebpf::sys
