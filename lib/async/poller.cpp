// SPDX-License-Identifier: MIT
// Poller: one epoll set, two eventfds (stop: from any thread; kick: work queued for the next round), a slot table
// of sources addressed by (generation, slot) ids, and the rounds that dispatch them.
#include <ebpf/async.hpp>

#include <array>
#include <cerrno>
#include <utility>

#include "async/state.hpp"
#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/bpf.hpp"
#include "sys/epoll.hpp"

namespace ebpf {

using detail::format;
using detail::PollerState;

Result<UniqueFd> dup_fd(FdRef fd) { return sys::dup_fd(fd.get()); }

namespace detail {

PollerState::Slot* PollerState::find(std::uint64_t id) noexcept {
    const std::uint64_t index = id & 0xffffffffu;
    if (index >= slots.size()) return nullptr;
    Slot& s = slots[index];
    if (!s.source || s.generation != static_cast<std::uint32_t>(id >> 32)) return nullptr;
    return &s;
}

Result<PollerId> PollerState::add(int fd, std::uint32_t events, std::unique_ptr<PollSource> owned, WaitCore* core,
                                  const char* what) {
    if (closing) return Error(Errc::Canceled, format("poller: add %s (fd %d): the poller is being destroyed", what, fd));
    std::uint32_t index;
    if (!free_slots.empty()) {
        index = free_slots.back();
        free_slots.pop_back();
    } else {
        index = static_cast<std::uint32_t>(slots.size());
        slots.emplace_back();
    }
    const std::uint32_t generation = next_generation++;
    if (next_generation == 0xffffffffu) next_generation = 1;  // keeps ids clear of the eventfd tokens
    const std::uint64_t id = (std::uint64_t{generation} << 32) | index;
    if (auto r = sys::epoll_add(epoll.get(), fd, events, id); !r) {
        free_slots.push_back(index);
        Error e = std::move(r).error();
        // One fd (and a map's handles share one) can be in an epoll set once.
        if (e.code() == Errc::Exists) e.context("the fd is already in this poller");
        return std::move(e).context(format("poller: add %s (fd %d)", what, fd));
    }
    Slot& s = slots[index];
    s.owned = std::move(owned);
    s.core = core;
    s.source = core ? static_cast<PollSource*>(core) : s.owned.get();
    s.fd = fd;
    s.generation = generation;
    s.round = 0;
    ++live;
    return PollerId{id};
}

void PollerState::drop(std::uint64_t id) noexcept {
    Slot* s = find(id);
    if (!s) return;
    // The fd may be closed already (a borrowed fd): then it left the set by itself.
    (void)sys::epoll_remove(epoll.get(), s->fd);
    if (s->owned) {
        if (dispatching > 0) graveyard.push_back(std::move(s->owned));  // its callback may be running
        else s->owned.reset();
    }
    s->owned.reset();
    s->core = nullptr;
    s->source = nullptr;
    s->fd = -1;
    free_slots.push_back(static_cast<std::uint32_t>(id & 0xffffffffu));
    --live;
}

void PollerState::kick() noexcept { sys::eventfd_signal(kick_fd.get()); }

void PollerState::defer_resume(std::coroutine_handle<> h) noexcept {
    if (!h) return;
    pending.push_back(h);
    kick();
}

Result<std::size_t> PollerState::round_once(int timeout_ms) {
    std::array<sys::EpollEvent, 32> events{};
    const bool queued = !pending.empty() || !again.empty();
    EBPF_TRY_ASSIGN(const std::size_t n, sys::epoll_wait(epoll.get(), events, queued ? 0 : timeout_ms)
                                             .context("poller: wait"));
    ++round;
    ++dispatching;
    std::size_t total = 0;
    std::optional<Error> first_error;
    auto dispatch = [&](std::uint64_t id, std::uint32_t ev) {
        Slot* s = find(id);
        if (!s || s->round == round) return;
        s->round = round;
        PollSource* src = s->source;
        const std::size_t budget = options.batch;
        Result<std::size_t> r = src->ready(ev, budget);  // may add, remove or destroy anything, even itself
        if (!r) {
            if (!first_error)
                first_error = std::move(r).error().context(
                    format("poller: source %llu", static_cast<unsigned long long>(id)));
            return;
        }
        total += *r;
        if (*r >= budget && find(id)) again.push_back(id);
    };
    // Coroutines whose wait was completed (canceled) outside a round.
    std::vector<std::coroutine_handle<>>& resume = resume_scratch;
    resume.clear();
    resume.swap(pending);
    for (std::coroutine_handle<> h : resume) {
        h.resume();
        ++total;
    }
    resume.clear();
    std::vector<std::uint64_t>& retry = again_scratch;
    retry.clear();
    retry.swap(again);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t data = events[i].data;
        if (data == kStopToken) {
            sys::eventfd_drain(stop_fd.get());
            stop_seen = true;
        } else if (data == kKickToken) {
            sys::eventfd_drain(kick_fd.get());
        } else {
            dispatch(data, events[i].events);
        }
    }
    // Sources that had more than a batch last round, whether or not their fd polls ready again.
    for (std::size_t i = 0; i < retry.size(); ++i) dispatch(retry[i], sys::kEpollIn);
    retry.clear();
    --dispatching;
    if (dispatching == 0) graveyard.clear();
    // Keep fd() readable while work is queued, for loops that nest the Poller.
    if (!pending.empty() || !again.empty()) kick();
    if (first_error) return std::move(*first_error);
    return total;
}

void PollerState::cancel_waiters() {
    // Waits that began before the stop: a coroutine that awaits again while being canceled waits for the next run.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> waits;
    for (const Slot& s : slots)
        if (s.core && s.core->waiting()) waits.emplace_back(s.core->id.value, s.core->epoch);
    ++dispatching;
    for (const auto& [id, epoch] : waits) {
        Slot* s = find(id);
        if (!s || !s->core || !s->core->waiting() || s->core->epoch != epoch) continue;
        WaitCore* core = s->core;
        // Its one-shot arming stays: if it fires later with nobody waiting, ready() ignores it.
        if (std::coroutine_handle<> h = core->complete_with(core->canceled("the poller stopped"))) h.resume();
    }
    std::vector<std::coroutine_handle<>> resume;
    resume.swap(pending);
    for (std::coroutine_handle<> h : resume) h.resume();
    --dispatching;
    if (dispatching == 0) graveyard.clear();
}

void PollerState::shutdown() noexcept {
    closing = true;
    ++dispatching;
    // Let go of every stream and AsyncFd, resuming their coroutines with Canceled. A resumed coroutine may destroy
    // other streams (their slots disappear) or finish; it cannot register new ones.
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if (!slots[i].core) continue;
        WaitCore* core = slots[i].core;
        drop(core->id.value);
        core->detach("the poller was destroyed", true);
    }
    while (!pending.empty()) {
        std::vector<std::coroutine_handle<>> resume;
        resume.swap(pending);
        for (std::coroutine_handle<> h : resume) h.resume();
    }
    --dispatching;
    graveyard.clear();
    slots.clear();  // owned sources
    free_slots.clear();
    again.clear();
    live = 0;
}

}  // namespace detail

Poller::Poller(std::unique_ptr<PollerState> s) noexcept : s_(std::move(s)) {}
Poller::Poller(Poller&&) noexcept = default;
Poller& Poller::operator=(Poller&& o) noexcept {
    if (this != &o) {
        if (s_) s_->shutdown();
        s_ = std::move(o.s_);
    }
    return *this;
}
Poller::~Poller() {
    if (s_) s_->shutdown();
}

Result<Poller> Poller::create(const PollerOptions& options) {
    auto s = std::make_unique<PollerState>();
    s->options = options;
    if (s->options.batch == 0) s->options.batch = 1;
    EBPF_TRY_ASSIGN(s->epoll, sys::epoll_create().context("create poller"));
    EBPF_TRY_ASSIGN(s->stop_fd, sys::eventfd_create().context("create poller"));
    EBPF_TRY_ASSIGN(s->kick_fd, sys::eventfd_create().context("create poller"));
    EBPF_TRY(sys::epoll_add(s->epoll.get(), s->stop_fd.get(), sys::kEpollIn, detail::kStopToken)
                 .context("create poller"));
    EBPF_TRY(sys::epoll_add(s->epoll.get(), s->kick_fd.get(), sys::kEpollIn, detail::kKickToken)
                 .context("create poller"));
    return Poller(std::move(s));
}

Result<PollerId> Poller::add_source(int fd, std::uint32_t events, std::unique_ptr<detail::PollSource> source,
                                    const char* what) {
    if (events == 0) return Error(Errc::InvalidArgument, format("poller: add %s (fd %d): no events to wait for", what, fd));
    return s_->add(fd, events, std::move(source), nullptr, what);
}

Result<void> Poller::remove(PollerId id) {
    PollerState::Slot* slot = s_->find(id.value);
    if (!slot)
        return Error(Errc::NotFound, format("poller: remove source %llu: no such source (removed already?)",
                                            static_cast<unsigned long long>(id.value)));
    detail::WaitCore* core = slot->core;
    s_->drop(id.value);
    if (core) core->detach("it was removed from its poller", false);
    return {};
}

std::size_t Poller::size() const noexcept { return s_ ? s_->live : 0; }

FdRef Poller::fd() const noexcept { return s_ ? FdRef(s_->epoll) : FdRef(-1); }

void Poller::stop() noexcept {
    const int saved = errno;  // a signal handler must leave errno as it found it
    if (s_) sys::eventfd_signal(s_->stop_fd.get());
    errno = saved;
}

Result<std::size_t> Poller::run_once(int timeout_ms) {
    auto r = s_->round_once(timeout_ms);
    if (s_->stop_seen) {
        s_->stop_seen = false;
        s_->cancel_waiters();
    }
    return r;
}

Result<std::size_t> Poller::run(int timeout_ms) {
    const std::uint64_t start = timeout_ms >= 0 ? sys::monotonic_ms() : 0;
    std::size_t total = 0;
    for (;;) {
        int wait = -1;
        if (timeout_ms >= 0) {
            const std::uint64_t elapsed = sys::monotonic_ms() - start;
            wait = elapsed >= static_cast<std::uint64_t>(timeout_ms) ? 0 : static_cast<int>(timeout_ms - elapsed);
        }
        auto r = s_->round_once(wait);
        if (r) total += *r;
        if (s_->stop_seen) {
            s_->stop_seen = false;
            s_->cancel_waiters();
            if (!r) return std::move(r).error();
            return total;
        }
        if (!r) return std::move(r).error();
        if (timeout_ms >= 0 && wait == 0 && sys::monotonic_ms() - start >= static_cast<std::uint64_t>(timeout_ms))
            return total;
    }
}

}  // namespace ebpf
