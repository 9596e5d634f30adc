// SPDX-License-Identifier: MIT
// PerfBuffer: one BPF_OUTPUT perf event and ring per online CPU, read with the perf ring protocol
// (data_head read with acquire, data_tail published with release; records may wrap around the ring end).
#include <ebpf/perfbuf.hpp>

#include <array>
#include <utility>
#include <cstring>
#include <vector>

#include "base/format.hpp"
#include "base/try.hpp"
#include "perf/perf_ring.hpp"
#include "sys/epoll.hpp"
#include "sys/mmap.hpp"
#include "sys/perf.hpp"
#include "sys/proc.hpp"

namespace ebpf {

using detail::format;

namespace {
// struct perf_event_mmap_page: data_head, data_tail, data_offset and data_size live at these offsets (4.1+).
constexpr std::size_t kDataHeadOff = 1024, kDataTailOff = 1032;
constexpr std::uint64_t kPerfSampleRaw = 1u << 10;
}  // namespace

// A named namespace, not an anonymous one: PerfBuffer::State holds Rings, and in a unity build (this file is not
// the main file of its compiler run) GCC warns about a member whose type has internal linkage
// (-Wsubobject-linkage).
namespace perf_impl {

struct Ring {
    std::uint32_t cpu = 0;
    UniqueFd event;
    std::byte* base = nullptr;  // control page, then the data pages
    std::size_t length = 0;
    std::uint64_t size = 0;  // data bytes (a power of two)
    std::uint64_t lost = 0;
    Ring() = default;
    Ring(Ring&& o) noexcept
        : cpu(o.cpu), event(std::move(o.event)), base(std::exchange(o.base, nullptr)), length(o.length),
          size(o.size), lost(o.lost) {}
    Ring& operator=(Ring&&) = delete;
    ~Ring() {
        if (base) sys::munmap(base, length);
    }
    std::uint64_t* head() const { return reinterpret_cast<std::uint64_t*>(base + kDataHeadOff); }
    std::uint64_t* tail() const { return reinterpret_cast<std::uint64_t*>(base + kDataTailOff); }
    const std::byte* data() const { return base + sys::page_size(); }
};

}  // namespace perf_impl
using perf_impl::Ring;

struct PerfBuffer::State {
    Map map;
    Callbacks cb;
    std::unique_ptr<HolderBase> owner;
    std::vector<Ring> rings;
    std::vector<std::uint32_t> cpus;
    UniqueFd epoll, wake;
    std::vector<std::byte> wrap;  // a sample that wraps around the ring end, copied whole
    explicit State(Map m) : map(std::move(m)) {}
    ~State() {
        // Empty the map's slots: the BPF side then gets -ENOENT instead of writing into closed events.
        for (const Ring& r : rings) (void)map.erase(as_bytes_of(r.cpu));
    }
};

PerfBuffer::PerfBuffer(std::unique_ptr<State> s) noexcept : s_(std::move(s)) {}
PerfBuffer::PerfBuffer(PerfBuffer&&) noexcept = default;
PerfBuffer& PerfBuffer::operator=(PerfBuffer&&) noexcept = default;
PerfBuffer::~PerfBuffer() = default;

Result<PerfBuffer> PerfBuffer::open_erased(const Map& map, Callbacks cb, std::unique_ptr<HolderBase> owner,
                                           const PerfBufferOptions& o) {
    const std::string what = format("perf buffer on map '%s'", map.name().c_str());
    if (map.type() != MapType::PerfEventArray)
        return Error(Errc::InvalidArgument, format("%s: it is a %.*s map, not a perf_event_array", what.c_str(),
                                                   EBPF_SV(to_string(map.type()))));
    if (o.pages_per_cpu == 0 || (o.pages_per_cpu & (o.pages_per_cpu - 1)) != 0)
        return Error(Errc::InvalidArgument,
                     format("%s: pages_per_cpu %zu is not a power of two", what.c_str(), o.pages_per_cpu));
    auto s = std::make_unique<State>(map);
    s->cb = cb;
    s->owner = std::move(owner);
    EBPF_TRY_ASSIGN(s->cpus, sys::read_cpu_ids("/sys/devices/system/cpu/online").context(what));
    EBPF_TRY_ASSIGN(s->epoll, sys::epoll_create().context(what));
    EBPF_TRY_ASSIGN(s->wake, sys::eventfd_create().context(what));
    EBPF_TRY(sys::epoll_add(s->epoll.get(), s->wake.get(), sys::kEpollIn, sys::kEpollWakeToken).context(what));
    const std::size_t page = sys::page_size();
    s->rings.reserve(s->cpus.size());
    for (const std::uint32_t cpu : s->cpus) {
        if (cpu >= map.max_entries())
            return Error(Errc::InvalidArgument, format("%s: CPU %u is online but the map has only %u slots",
                                                       what.c_str(), cpu, map.max_entries()));
        sys::PerfEventAttr attr = sys::perf_attr_software(sys::kPerfCountSwBpfOutput);
        attr.sample_type = kPerfSampleRaw;
        attr.sample_period = 1;
        if (o.watermark_bytes) {
            attr.flags |= sys::kPerfWatermark;
            attr.wakeup_events = o.watermark_bytes;
        } else {
            attr.wakeup_events = o.wakeup_events ? o.wakeup_events : 1;
        }
        Ring r;
        r.cpu = cpu;
        EBPF_TRY_ASSIGN(r.event, sys::perf_event_open(attr, -1, static_cast<int>(cpu)).context(what));
        sys::MmapRequest rq;
        rq.length = page * (o.pages_per_cpu + 1);
        rq.prot = sys::MapProt::ReadWrite;  // the reader writes data_tail
        rq.fd = r.event.get();
        rq.populate = true;  // no page faults on the consumer's first lap
        EBPF_TRY_ASSIGN(void* p, sys::mmap_shared(rq).context(format("%s: CPU %u", what.c_str(), cpu)));
        r.base = static_cast<std::byte*>(p);
        r.length = rq.length;
        r.size = page * o.pages_per_cpu;
        EBPF_TRY(sys::epoll_add(s->epoll.get(), r.event.get(), sys::kEpollIn, cpu).context(what));
        const std::uint32_t fd = static_cast<std::uint32_t>(r.event.get());
        EBPF_TRY(map.update(as_bytes_of(cpu), as_bytes_of(fd)).context(format("%s: CPU %u slot", what.c_str(), cpu)));
        s->rings.push_back(std::move(r));
    }
    return PerfBuffer(std::move(s));
}

const Map& PerfBuffer::map() const noexcept { return s_->map; }
FdRef PerfBuffer::fd() const noexcept { return s_ ? FdRef(s_->epoll) : FdRef(-1); }
std::span<const std::uint32_t> PerfBuffer::cpus() const noexcept { return s_->cpus; }

std::uint64_t PerfBuffer::lost() const noexcept {
    std::uint64_t n = 0;
    for (const Ring& r : s_->rings) n += r.lost;
    return n;
}

Result<std::size_t> PerfBuffer::consume(std::size_t max_samples) {
    std::size_t n = 0;
    for (Ring& r : s_->rings) {
        const std::uint64_t head = __atomic_load_n(r.head(), __ATOMIC_ACQUIRE);
        std::uint64_t tail = __atomic_load_n(r.tail(), __ATOMIC_RELAXED);  // only we write it
        bool stop = false;
        const int cpu = static_cast<int>(r.cpu);
        const auto fault = detail::walk_perf_ring(
            r.data(), r.size, head, tail, s_->wrap, n, max_samples,
            [&](std::span<const std::byte> raw) { return !(stop = !s_->cb.sample(s_->cb.ctx, cpu, raw)); },
            [&](std::uint64_t lost) {
                r.lost += lost;
                s_->cb.lost(s_->cb.ctx, cpu, lost);
            });
        __atomic_store_n(r.tail(), tail, __ATOMIC_RELEASE);
        if (fault)
            return Error(Errc::InvalidArgument,
                         format("perf buffer '%s' CPU %u: a record at %llu claims %u bytes (%llu published); "
                                "not reading it",
                                s_->map.name().c_str(), r.cpu, static_cast<unsigned long long>(fault->pos),
                                fault->size, static_cast<unsigned long long>(fault->published)));
        if (stop || n >= max_samples) break;
    }
    return n;
}

Result<std::size_t> PerfBuffer::poll(int timeout_ms, std::size_t max_samples) {
    EBPF_TRY_ASSIGN(std::size_t n, consume(max_samples));
    if (n > 0) return n;
    std::array<sys::EpollEvent, 16> events{};
    EBPF_TRY_ASSIGN(const std::size_t ready, sys::epoll_wait(s_->epoll.get(), events, timeout_ms));
    for (std::size_t i = 0; i < ready; ++i)
        if (events[i].data == sys::kEpollWakeToken) sys::eventfd_drain(s_->wake.get());
    return consume(max_samples);
}

void PerfBuffer::wake() noexcept {
    if (s_) sys::eventfd_signal(s_->wake.get());
}

Result<void> PerfBuffer::pause() {
    for (const Ring& r : s_->rings)
        EBPF_TRY(sys::perf_event_pause_output(r.event.get())
                     .context(format("pause perf buffer '%s' CPU %u", s_->map.name().c_str(), r.cpu)));
    return {};
}

Result<void> PerfBuffer::resume() {
    for (const Ring& r : s_->rings)
        EBPF_TRY(sys::perf_event_resume_output(r.event.get())
                     .context(format("resume perf buffer '%s' CPU %u", s_->map.name().c_str(), r.cpu)));
    return {};
}

}  // namespace ebpf
