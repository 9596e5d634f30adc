// SPDX-License-Identifier: MIT
// perf_event_open(2) and the perf ioctls, the PMU files in sysfs, and perf_event_attr construction for the events
// BPF programs attach to: tracepoints, kprobe/uprobe PMUs, software and hardware counters.
// PerfEventAttr has the kernel's layout (uapi_check.cpp compares it with <linux/perf_event.h>), so callers
// need no Linux header.
#pragma once

#include <bit>
#include <cstdint>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>

#include "sys/attr.hpp"

namespace ebpf::sys {

// struct perf_event_attr, PERF_ATTR_SIZE_VER8 (6.3). The kernel's bit-field word is `flags`, built from the
// kPerf* flag constants below; unions are represented by their first member (aliases in comments).
struct PerfEventAttr {
    u32 type;
    u32 size;  // 0: perf_event_open() fills in the smallest size covering the fields in use
    u64 config;
    u64 sample_period;  // also sample_freq (with kPerfFreq)
    u64 sample_type;
    u64 read_format;
    u64 flags;          // disabled, inherit, ... (see kPerf* below)
    u32 wakeup_events;  // also wakeup_watermark (with kPerfWatermark)
    u32 bp_type;
    u64 config1;  // also bp_addr, kprobe_func (char*), uprobe_path (char*)
    u64 config2;  // also bp_len, kprobe_addr, probe_offset
    u64 branch_sample_type;
    u64 sample_regs_user;
    u32 sample_stack_user;
    s32 clockid;
    u64 sample_regs_intr;
    u32 aux_watermark;
    std::uint16_t sample_max_stack, reserved_2;
    u32 aux_sample_size, reserved_3;
    u64 sig_data;  // 5.13
    u64 config3;   // 6.3
};

// A field of the bit-field word, where the C ABI puts it: bits are allocated from the least significant end on
// little-endian targets and from the most significant end on big-endian ones.
constexpr u64 perf_bits(unsigned first, unsigned width, u64 value) noexcept {
    const u64 mask = (u64{1} << width) - 1;
    const unsigned shift = std::endian::native == std::endian::little ? first : 64 - first - width;
    return (value & mask) << shift;
}
inline constexpr u64 kPerfDisabled = perf_bits(0, 1, 1);       // start disabled; PERF_EVENT_IOC_ENABLE starts it
inline constexpr u64 kPerfInherit = perf_bits(1, 1, 1);        // children inherit the event
inline constexpr u64 kPerfPinned = perf_bits(2, 1, 1);
inline constexpr u64 kPerfExclusive = perf_bits(3, 1, 1);
inline constexpr u64 kPerfExcludeUser = perf_bits(4, 1, 1);
inline constexpr u64 kPerfExcludeKernel = perf_bits(5, 1, 1);
inline constexpr u64 kPerfExcludeHv = perf_bits(6, 1, 1);
inline constexpr u64 kPerfExcludeIdle = perf_bits(7, 1, 1);
inline constexpr u64 kPerfFreq = perf_bits(10, 1, 1);          // sample_period holds a frequency
inline constexpr u64 kPerfEnableOnExec = perf_bits(12, 1, 1);
inline constexpr u64 kPerfWatermark = perf_bits(14, 1, 1);     // wakeup_events holds a byte count
constexpr u64 perf_precise_ip(unsigned skid) noexcept { return perf_bits(15, 2, skid); }
inline constexpr u64 kPerfSampleIdAll = perf_bits(18, 1, 1);
inline constexpr u64 kPerfExcludeHost = perf_bits(19, 1, 1);
inline constexpr u64 kPerfExcludeGuest = perf_bits(20, 1, 1);
inline constexpr u64 kPerfWriteBackward = perf_bits(27, 1, 1);  // 4.7
inline constexpr u64 kPerfInheritThread = perf_bits(35, 1, 1);  // 5.13
inline constexpr u64 kPerfRemoveOnExec = perf_bits(36, 1, 1);   // 5.13
inline constexpr u64 kPerfSigtrap = perf_bits(37, 1, 1);        // 5.13

// enum perf_type_id and the counters BPF programs commonly sample (checked in uapi_check.cpp).
inline constexpr u32 kPerfTypeHardware = 0, kPerfTypeSoftware = 1, kPerfTypeTracepoint = 2, kPerfTypeHwCache = 3,
                     kPerfTypeRaw = 4, kPerfTypeBreakpoint = 5;
inline constexpr u64 kPerfCountHwCpuCycles = 0, kPerfCountHwInstructions = 1;
inline constexpr u64 kPerfCountSwCpuClock = 0, kPerfCountSwTaskClock = 1, kPerfCountSwPageFaults = 2,
                     kPerfCountSwContextSwitches = 3, kPerfCountSwBpfOutput = 10;  // BPF_OUTPUT: 4.4
inline constexpr u64 kPerfSampleRaw = 1u << 10;  // PERF_SAMPLE_RAW

// perf_event_open(attr, pid, cpu, group_fd, flags | PERF_FLAG_FD_CLOEXEC). pid -1 with cpu >= 0: every task on
// that CPU; pid 0: this process, on any CPU (cpu -1). The fd is >= 3.
// Errors: from errno, message "perf_event_open(type T, config 0x..., pid P, cpu C): ..."; ENOENT/EOPNOTSUPP
// usually mean the PMU or the event does not exist here.
Result<UniqueFd> perf_event_open(const PerfEventAttr& attr, int pid, int cpu, int group_fd = -1,
                                 unsigned long flags = 0) noexcept;

// The perf ioctls. Errors name the ioctl ("PERF_EVENT_IOC_SET_BPF: ...").
Result<void> perf_event_enable(int fd) noexcept;
Result<void> perf_event_disable(int fd) noexcept;
Result<void> perf_event_reset(int fd) noexcept;
Result<void> perf_event_refresh(int fd, int count) noexcept;  // enable for `count` overflows
// Attaches a BPF program (kprobe, tracepoint or perf_event type) to the event: the attachment lives as long as the
// event fd. Kernel: 4.1 (kprobes), 4.7 (tracepoints), 4.9 (perf events). Replaced by BPF_LINK_CREATE with
// BPF_PERF_EVENT (5.15) where a bpf_link is wanted.
Result<void> perf_event_set_bpf(int fd, int prog_fd) noexcept;
Result<void> perf_event_set_output(int fd, int target_fd) noexcept;
// 4.7: stop / resume writing the event's ring buffer (EINVAL without a mapped buffer).
Result<void> perf_event_pause_output(int fd) noexcept;
Result<void> perf_event_resume_output(int fd) noexcept;
Result<std::uint64_t> perf_event_id(int fd) noexcept;              // PERF_EVENT_IOC_ID
// Ids of the BPF programs attached to a tracepoint/kprobe/uprobe event (PERF_EVENT_IOC_QUERY_BPF, 4.16).
Result<std::vector<std::uint32_t>> perf_event_query_bpf(int fd) noexcept;
// The counter value of an event opened without read_format (one u64, read(2)).
Result<std::uint64_t> perf_event_read_count(int fd) noexcept;

// A PMU format field such as "config:0" or "config:32-63" (/sys/bus/event_source/devices/<pmu>/format/<field>).
struct PmuFormatField {
    unsigned word = 0;  // 0: config, 1: config1, 2: config2, 3: config3
    unsigned first_bit = 0, last_bit = 0;
};
// Parses the text of a format file (pure). Errors: InvalidArgument.
Result<PmuFormatField> parse_pmu_format(std::string_view text) noexcept;

// The type number of a dynamic PMU (/sys/bus/event_source/devices/<pmu>/type). Errors: NotFound without that PMU.
Result<u32> pmu_type(std::string_view pmu) noexcept;
Result<PmuFormatField> pmu_format(std::string_view pmu, std::string_view field) noexcept;

// The kprobe or uprobe PMU (4.17): its type, and where the retprobe flag and the uprobe reference counter offset
// (4.20) go in `config`. Read from sysfs once per process.
struct ProbePmu {
    u32 type = 0;
    int retprobe_bit = -1;       // bit of config; -1: the PMU has no return probes
    int ref_ctr_offset_bit = -1;  // first bit of config holding ref_ctr_offset; -1: not supported
    unsigned ref_ctr_offset_width = 0;
};
// Errors: NotSupported when the kernel has no such PMU (before 4.17, or CONFIG_KPROBE_EVENTS/UPROBE_EVENTS off):
// then probes go through tracefs (tracefs.hpp) instead.
Result<ProbePmu> kprobe_pmu() noexcept;
Result<ProbePmu> uprobe_pmu() noexcept;

// A tracepoint by its tracefs id (tracefs.hpp: tracepoint_id): one sample per hit, raw data, wakeup every event.
PerfEventAttr perf_attr_tracepoint(std::uint64_t id) noexcept;

struct KprobeAttrOptions {
    const char* symbol = nullptr;  // kernel function; null: `offset` is an absolute kernel address
    std::uint64_t offset = 0;      // from the symbol, or the address
    bool retprobe = false;
};
// Ownership: the attr points at options.symbol, which must outlive perf_event_open().
// Errors: NotSupported for a return probe when the PMU has no retprobe bit.
Result<PerfEventAttr> perf_attr_kprobe(const ProbePmu& pmu, const KprobeAttrOptions& options) noexcept;

struct UprobeAttrOptions {
    const char* path = nullptr;        // the binary or library
    std::uint64_t offset = 0;          // file offset of the probed instruction
    std::uint64_t ref_ctr_offset = 0;  // file offset of a USDT semaphore (0: none)
    bool retprobe = false;
};
// Ownership: the attr points at options.path, which must outlive perf_event_open().
// Errors: NotSupported (return probe or ref_ctr_offset without PMU support), InvalidArgument (offset too large).
Result<PerfEventAttr> perf_attr_uprobe(const ProbePmu& pmu, const UprobeAttrOptions& options) noexcept;

// How a software or hardware event samples: every `period` events, or `frequency` times a second (one of them).
struct PerfSampling {
    std::uint64_t period = 0;
    std::uint64_t frequency = 0;
};
// PERF_TYPE_SOFTWARE (e.g. kPerfCountSwCpuClock) and PERF_TYPE_HARDWARE counters.
PerfEventAttr perf_attr_software(std::uint64_t config, const PerfSampling& sampling = {}) noexcept;
PerfEventAttr perf_attr_hardware(std::uint64_t config, const PerfSampling& sampling = {}) noexcept;

}  // namespace ebpf::sys
