// SPDX-License-Identifier: MIT
// perf_event_open(2), the perf ioctls and PMU discovery in sysfs, all through the syscall seam.
#include "sys/perf.hpp"

#include <linux/perf_event.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/bpf.hpp"
#include "sys/file.hpp"
#include "sys/proc.hpp"
#include "sys/syscall.hpp"
#include "sys/uapi.hpp"

namespace ebpf::sys {

namespace {

constexpr const char* kPmuDir = "/sys/bus/event_source/devices/";

Result<void> perf_ioctl(int fd, unsigned long request, long arg, const char* name) noexcept {
    auto r = ioctl_fd(fd, request, arg, name);
    if (!r) return std::move(r).error();
    return {};
}

std::optional<std::uint64_t> parse_u64(std::string_view s) noexcept {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
    if (s.empty() || s.size() > 19) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return v;
}

// Reads a probe PMU's description from sysfs.
Result<ProbePmu> read_probe_pmu(std::string_view name) noexcept {
    auto type = pmu_type(name);
    if (!type) {
        if (type.error().code() != Errc::NotFound) return std::move(type).error();
        return Error(Errc::NotSupported,
                     detail::format("no %.*s PMU in %s (kernel before 4.17, or built without %s): use tracefs",
                                    EBPF_SV(name), kPmuDir, name == "kprobe" ? "CONFIG_KPROBE_EVENTS" : "CONFIG_UPROBE_EVENTS"));
    }
    ProbePmu pmu;
    pmu.type = *type;
    if (auto f = pmu_format(name, "retprobe"); f && f->word == 0 && f->first_bit == f->last_bit && f->first_bit < 64)
        pmu.retprobe_bit = static_cast<int>(f->first_bit);
    else if (!f && f.error().code() != Errc::NotFound)
        return std::move(f).error();
    if (name == "uprobe") {
        if (auto f = pmu_format(name, "ref_ctr_offset"); f && f->word == 0 && f->last_bit < 64) {
            pmu.ref_ctr_offset_bit = static_cast<int>(f->first_bit);
            pmu.ref_ctr_offset_width = f->last_bit - f->first_bit + 1;
        } else if (!f && f.error().code() != Errc::NotFound) {
            return std::move(f).error();
        }
    }
    return pmu;
}

// Successful lookups are kept for the life of the process; failures are not (they may be transient).
Result<ProbePmu> cached_probe_pmu(std::string_view name, std::optional<ProbePmu>& slot) noexcept {
    static std::mutex mu;
    {
        std::lock_guard<std::mutex> lock(mu);
        if (slot) return *slot;
    }
    auto pmu = read_probe_pmu(name);
    if (pmu) {
        std::lock_guard<std::mutex> lock(mu);
        slot = *pmu;
    }
    return pmu;
}

PerfEventAttr sampled(u32 type, std::uint64_t config, const PerfSampling& s) noexcept {
    PerfEventAttr a{};
    a.type = type;
    a.config = config;
    if (s.frequency) {
        a.sample_period = s.frequency;
        a.flags |= kPerfFreq;
    } else {
        a.sample_period = s.period;
    }
    return a;
}

}  // namespace

Result<UniqueFd> perf_event_open(const PerfEventAttr& attr, int pid, int cpu, int group_fd, unsigned long flags) noexcept {
    PerfEventAttr a = attr;
    // The 5.13 size unless config3 (6.3) is used. Kernels accept an attr larger than theirs when the unknown tail is
    // zero, so this size works everywhere while asking only for what is set.
    if (a.size == 0) a.size = a.config3 ? uapi::kPerfAttrSizeVer8 : uapi::kPerfAttrSizeVer7;
    long fd;
    do {
        fd = syscall_entry(SYS_perf_event_open, reinterpret_cast<long>(&a), pid, cpu, group_fd,
                           static_cast<long>(flags | PERF_FLAG_FD_CLOEXEC));
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return Error::from_errno(errno, detail::format("perf_event_open(type %u, config 0x%llx, pid %d, cpu %d)", a.type,
                                                       static_cast<unsigned long long>(a.config), pid, cpu));
    return adopt_fd(static_cast<int>(fd));
}

Result<void> perf_event_enable(int fd) noexcept {
    return perf_ioctl(fd, PERF_EVENT_IOC_ENABLE, 0, "PERF_EVENT_IOC_ENABLE");
}
Result<void> perf_event_disable(int fd) noexcept {
    return perf_ioctl(fd, PERF_EVENT_IOC_DISABLE, 0, "PERF_EVENT_IOC_DISABLE");
}
Result<void> perf_event_reset(int fd) noexcept { return perf_ioctl(fd, PERF_EVENT_IOC_RESET, 0, "PERF_EVENT_IOC_RESET"); }
Result<void> perf_event_refresh(int fd, int count) noexcept {
    return perf_ioctl(fd, PERF_EVENT_IOC_REFRESH, count, "PERF_EVENT_IOC_REFRESH");
}
Result<void> perf_event_set_bpf(int fd, int prog_fd) noexcept {
    return perf_ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd, "PERF_EVENT_IOC_SET_BPF");
}
Result<void> perf_event_set_output(int fd, int target_fd) noexcept {
    return perf_ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, target_fd, "PERF_EVENT_IOC_SET_OUTPUT");
}
Result<void> perf_event_pause_output(int fd) noexcept {
    return perf_ioctl(fd, PERF_EVENT_IOC_PAUSE_OUTPUT, 1, "PERF_EVENT_IOC_PAUSE_OUTPUT");
}
Result<void> perf_event_resume_output(int fd) noexcept {
    return perf_ioctl(fd, PERF_EVENT_IOC_PAUSE_OUTPUT, 0, "PERF_EVENT_IOC_PAUSE_OUTPUT");
}

Result<std::uint64_t> perf_event_id(int fd) noexcept {
    std::uint64_t id = 0;
    EBPF_TRY(perf_ioctl(fd, PERF_EVENT_IOC_ID, reinterpret_cast<long>(&id), "PERF_EVENT_IOC_ID"));
    return id;
}

Result<std::vector<std::uint32_t>> perf_event_query_bpf(int fd) noexcept {
    // struct perf_event_query_bpf { __u32 ids_len; __u32 prog_cnt; __u32 ids[]; }
    std::vector<std::uint32_t> buf(2 + 64);
    for (;;) {
        buf[0] = static_cast<std::uint32_t>(buf.size() - 2);
        buf[1] = 0;
        auto r = ioctl_fd(fd, PERF_EVENT_IOC_QUERY_BPF, reinterpret_cast<long>(buf.data()), "PERF_EVENT_IOC_QUERY_BPF");
        if (r) break;
        // ENOSPC: more programs than room; prog_cnt says how many.
        if (r.error().sys_errno() != ENOSPC || buf[1] <= buf.size() - 2 || buf[1] > 1u << 16) return std::move(r).error();
        buf.resize(2 + buf[1]);
    }
    return std::vector<std::uint32_t>(buf.begin() + 2, buf.begin() + 2 + std::min<std::size_t>(buf[1], buf.size() - 2));
}

Result<std::uint64_t> perf_event_read_count(int fd) noexcept {
    std::uint64_t v = 0;
    EBPF_TRY_ASSIGN(const std::size_t n, read_fd(fd, &v, sizeof v, "perf event"));
    if (n != sizeof v) return Error(Errc::Io, detail::format("read perf event: %zu bytes instead of 8", n));
    return v;
}

Result<PmuFormatField> parse_pmu_format(std::string_view text) noexcept {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    auto bad = [&] {
        return Error(Errc::InvalidArgument, detail::format("PMU format '%.*s': expected config[N]:BIT or config[N]:FIRST-LAST",
                                                           EBPF_SV(text)));
    };
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) return bad();
    const std::string_view word = text.substr(0, colon), bits = text.substr(colon + 1);
    PmuFormatField f;
    if (word == "config") f.word = 0;
    else if (word == "config1") f.word = 1;
    else if (word == "config2") f.word = 2;
    else if (word == "config3") f.word = 3;
    else return bad();
    const auto dash = bits.find('-');
    auto first = parse_u64(bits.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parse_u64(bits.substr(dash + 1));
    if (!first || !last || *first > *last || *last > 63) return bad();
    f.first_bit = static_cast<unsigned>(*first);
    f.last_bit = static_cast<unsigned>(*last);
    return f;
}

Result<u32> pmu_type(std::string_view pmu) noexcept {
    const std::string path = detail::format("%s%.*s/type", kPmuDir, EBPF_SV(pmu));
    EBPF_TRY_ASSIGN(const std::string text, read_text(path.c_str(), 64));
    auto v = parse_u64(text);
    if (!v || *v > 0xffffffffu)
        return Error(Errc::Io, detail::format("%s: expected a number, read '%s'", path.c_str(), text.c_str()));
    return static_cast<u32>(*v);
}

Result<PmuFormatField> pmu_format(std::string_view pmu, std::string_view field) noexcept {
    const std::string path = detail::format("%s%.*s/format/%.*s", kPmuDir, EBPF_SV(pmu), EBPF_SV(field));
    EBPF_TRY_ASSIGN(const std::string text, read_text(path.c_str(), 256));
    return parse_pmu_format(text).context(path);
}

Result<ProbePmu> kprobe_pmu() noexcept {
    static std::optional<ProbePmu> slot;
    return cached_probe_pmu("kprobe", slot);
}

Result<ProbePmu> uprobe_pmu() noexcept {
    static std::optional<ProbePmu> slot;
    return cached_probe_pmu("uprobe", slot);
}

PerfEventAttr perf_attr_tracepoint(std::uint64_t id) noexcept {
    PerfEventAttr a{};
    a.type = kPerfTypeTracepoint;
    a.config = id;
    a.sample_type = kPerfSampleRaw;
    a.sample_period = 1;
    a.wakeup_events = 1;
    return a;
}

Result<PerfEventAttr> perf_attr_kprobe(const ProbePmu& pmu, const KprobeAttrOptions& o) noexcept {
    PerfEventAttr a{};
    a.type = pmu.type;
    if (o.retprobe) {
        if (pmu.retprobe_bit < 0) return Error(Errc::NotSupported, "kprobe PMU: no retprobe format bit");
        a.config |= u64{1} << pmu.retprobe_bit;
    }
    a.config1 = ptr_to_u64(o.symbol);  // kprobe_func
    a.config2 = o.offset;              // probe_offset, or kprobe_addr without a symbol
    a.sample_period = 1;
    a.wakeup_events = 1;
    return a;
}

Result<PerfEventAttr> perf_attr_uprobe(const ProbePmu& pmu, const UprobeAttrOptions& o) noexcept {
    if (!o.path || !*o.path) return Error(Errc::InvalidArgument, "uprobe: no binary path");
    PerfEventAttr a{};
    a.type = pmu.type;
    if (o.retprobe) {
        if (pmu.retprobe_bit < 0) return Error(Errc::NotSupported, "uprobe PMU: no retprobe format bit");
        a.config |= u64{1} << pmu.retprobe_bit;
    }
    if (o.ref_ctr_offset) {
        if (pmu.ref_ctr_offset_bit < 0)
            return Error(Errc::NotSupported,
                         "uprobe PMU: no ref_ctr_offset format field (USDT semaphores need kernel 4.20)");
        const unsigned width = pmu.ref_ctr_offset_width;
        if (width < 64 && (o.ref_ctr_offset >> width) != 0)
            return Error(Errc::InvalidArgument,
                         detail::format("uprobe ref_ctr_offset 0x%llx does not fit in %u bits",
                                        static_cast<unsigned long long>(o.ref_ctr_offset), width));
        a.config |= o.ref_ctr_offset << pmu.ref_ctr_offset_bit;
    }
    a.config1 = ptr_to_u64(o.path);  // uprobe_path
    a.config2 = o.offset;            // probe_offset
    a.sample_period = 1;
    a.wakeup_events = 1;
    return a;
}

PerfEventAttr perf_attr_software(std::uint64_t config, const PerfSampling& sampling) noexcept {
    return sampled(kPerfTypeSoftware, config, sampling);
}

PerfEventAttr perf_attr_hardware(std::uint64_t config, const PerfSampling& sampling) noexcept {
    return sampled(kPerfTypeHardware, config, sampling);
}

}  // namespace ebpf::sys
