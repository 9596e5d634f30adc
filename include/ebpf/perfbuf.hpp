// SPDX-License-Identifier: MIT
// PerfBuffer: reading a BPF_MAP_TYPE_PERF_EVENT_ARRAY (bpf_perf_event_output) through one mmap'd ring per CPU.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <type_traits>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>
#include <ebpf/map.hpp>

namespace ebpf {

struct PerfBufferOptions {
    // Data pages per CPU: a power of two (the ring is this many pages; one more holds the control page).
    std::size_t pages_per_cpu = 8;
    // Wake the reader after this many samples (default: every one)...
    std::uint32_t wakeup_events = 1;
    // ...or, when non-zero, once this many bytes are pending (wakeup_events is then ignored).
    std::uint32_t watermark_bytes = 0;
};

// PerfBuffer opens a perf event (PERF_COUNT_SW_BPF_OUTPUT) on every online CPU, maps its ring, and puts it in the
// map's slot for that CPU, where bpf_perf_event_output(ctx, &map, BPF_F_CURRENT_CPU, ...) writes.
// Samples are handed to a callback as spans, zero-copy unless a sample wraps around the end of its ring (then it is
// copied once into a buffer of the reader). Lost samples (the ring was full) are counted per CPU and reported.
// Ownership: move-only; shares its Map, owns the perf events and mappings (the map's slots are cleared on
//   destruction, so the BPF side stops writing into rings that no longer exist).
// Thread safety: one thread consumes or polls; wake() may be called from any thread.
// Kernel: 4.4+ (BPF_OUTPUT); pause/resume 4.7+. CPUs that come online later get no ring.
class PerfBuffer {
public:
    // on_sample(int cpu, std::span<const std::byte> data), returning void or bool (false: stop this round);
    // on_lost(int cpu, std::uint64_t count).
    template <class Sample, class Lost>
    static Result<PerfBuffer> open(const Map& map, Sample on_sample, Lost on_lost, const PerfBufferOptions& options = {}) {
        auto h = std::make_unique<Holder<Sample, Lost>>(std::move(on_sample), std::move(on_lost));
        Callbacks cb{&Holder<Sample, Lost>::sample, &Holder<Sample, Lost>::lost, h.get()};
        return open_erased(map, cb, std::unique_ptr<HolderBase>(std::move(h)), options);
    }
    // Without a lost-sample callback (lost samples are still counted: lost()).
    template <class Sample>
    static Result<PerfBuffer> open(const Map& map, Sample on_sample, const PerfBufferOptions& options = {}) {
        return open(map, std::move(on_sample), [](int, std::uint64_t) {}, options);
    }

    PerfBuffer(PerfBuffer&&) noexcept;
    PerfBuffer& operator=(PerfBuffer&&) noexcept;
    ~PerfBuffer();

    const Map& map() const noexcept;
    // An epoll fd over every CPU's event: readable when a ring has reached its wakeup threshold.
    FdRef fd() const noexcept;
    // The CPUs that have a ring.
    std::span<const std::uint32_t> cpus() const noexcept;
    // Samples lost so far (the kernel's PERF_RECORD_LOST counts), in all rings.
    std::uint64_t lost() const noexcept;

    // Hands over what is in every ring now, at most `max_samples` samples. Returns the count.
    // Errors: InvalidArgument for a record the kernel could not have written (its size is impossible).
    Result<std::size_t> consume(std::size_t max_samples = std::numeric_limits<std::size_t>::max());
    // Waits up to `timeout_ms` (-1: forever) for a wakeup, then consumes. Returns 0 on timeout or after wake().
    Result<std::size_t> poll(int timeout_ms, std::size_t max_samples = std::numeric_limits<std::size_t>::max());
    // Makes a poll() in another thread return. Thread-safe.
    void wake() noexcept;
    // Stops / restarts the kernel writing into the rings (PERF_EVENT_IOC_PAUSE_OUTPUT); samples meanwhile are lost
    // and counted.
    Result<void> pause();
    Result<void> resume();

    struct State;

private:
    struct HolderBase {
        virtual ~HolderBase() = default;
    };
    template <class Sample, class Lost>
    struct Holder final : HolderBase {
        Holder(Sample s, Lost l) : on_sample(std::move(s)), on_lost(std::move(l)) {}
        static bool sample(void* self, int cpu, std::span<const std::byte> d) {
            auto& f = static_cast<Holder*>(self)->on_sample;
            if constexpr (std::is_same_v<std::invoke_result_t<Sample&, int, std::span<const std::byte>>, void>) {
                f(cpu, d);
                return true;
            } else {
                return static_cast<bool>(f(cpu, d));
            }
        }
        static void lost(void* self, int cpu, std::uint64_t n) { static_cast<Holder*>(self)->on_lost(cpu, n); }
        Sample on_sample;
        Lost on_lost;
    };
    struct Callbacks {
        bool (*sample)(void*, int, std::span<const std::byte>);
        void (*lost)(void*, int, std::uint64_t);
        void* ctx;
    };
    static Result<PerfBuffer> open_erased(const Map& map, Callbacks cb, std::unique_ptr<HolderBase> owner,
                                          const PerfBufferOptions& options);
    explicit PerfBuffer(std::unique_ptr<State> s) noexcept;
    std::unique_ptr<State> s_;
};

}  // namespace ebpf
