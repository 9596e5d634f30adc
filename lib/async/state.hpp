// SPDX-License-Identifier: MIT
// The Poller's state and the wait core shared by RingBufferStream and AsyncFd (lib/async only).
#pragma once

#include <ebpf/async.hpp>

#include <coroutine>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ebpf::detail {

// Epoll data of the Poller's own eventfds; source ids are (generation << 32 | slot) with generation >= 1.
inline constexpr std::uint64_t kStopToken = ~std::uint64_t{0};
inline constexpr std::uint64_t kKickToken = ~std::uint64_t{0} - 1;

// What a RingBufferStream or AsyncFd owns: its registration in the Poller and the coroutine waiting on it.
// The Poller points at it (not owning); it points back at the Poller until either goes away.
class WaitCore final : public PollSource {
public:
    WaitCore(PollerState* poller, int fd, std::optional<RingBuffer> ring) noexcept
        : poller(poller), fd(fd), ring(std::move(ring)) {}
    ~WaitCore() override;

    Result<std::size_t> ready(std::uint32_t events, std::size_t budget) override;

    bool waiting() const noexcept { return next_waiter != nullptr || fd_waiter != nullptr; }
    // Arms the fd for one event (EPOLLONESHOT).
    Result<void> arm(std::uint32_t events) noexcept;
    // The poller let go of this core (removed, or destroyed): later awaits fail with Canceled(`why`). A waiting
    // coroutine is completed with Canceled and resumed now (`resume_now`) or queued in the poller's next round.
    void detach(const char* why, bool resume_now);
    // Completes the waiting coroutine with `e` and returns its handle (null if none was waiting).
    std::coroutine_handle<> complete_with(Error e) noexcept;
    Error canceled(const char* why) const;
    std::string what() const;

    PollerState* poller;
    PollerId id{};
    int fd;
    std::optional<RingBuffer> ring;  // a RingBufferStream's; empty for an AsyncFd
    RingBufferStream::Next* next_waiter = nullptr;
    AsyncFd::Wait* fd_waiter = nullptr;
    std::uint64_t epoch = 0;           // counts suspensions, so stop() cancels only waits that began before it
    const char* detached = nullptr;    // why the poller let go (null while registered)
};

struct PollerState {
    struct Slot {
        std::unique_ptr<PollSource> owned;  // a source the Poller owns
        WaitCore* core = nullptr;           // or a stream/AsyncFd registration (owned by the stream)
        PollSource* source = nullptr;       // owned.get() or core; null: a free slot
        int fd = -1;
        std::uint32_t generation = 0;
        std::uint64_t round = 0;            // the last round that dispatched it
    };

    UniqueFd epoll, stop_fd, kick_fd;
    PollerOptions options;
    std::vector<Slot> slots;
    std::vector<std::uint32_t> free_slots;
    std::vector<std::unique_ptr<PollSource>> graveyard;  // removed during a dispatch, destroyed after it
    std::vector<std::coroutine_handle<>> pending;          // completed (canceled) waits, resumed next round
    std::vector<std::uint64_t> again;                      // sources that used their whole batch
    std::vector<std::coroutine_handle<>> resume_scratch;   // the round's copies of the two above: swapped, so that
    std::vector<std::uint64_t> again_scratch;              // steady rounds allocate nothing
    std::uint32_t next_generation = 1;
    std::uint64_t round = 0;
    std::size_t live = 0;
    int dispatching = 0;
    bool closing = false;  // being destroyed: no new registrations or waits
    bool stop_seen = false;

    Slot* find(std::uint64_t id) noexcept;
    Result<PollerId> add(int fd, std::uint32_t events, std::unique_ptr<PollSource> owned, WaitCore* core,
                         const char* what);
    // Takes a slot out of the epoll set and the table (its owned source to the graveyard or destroyed).
    void drop(std::uint64_t id) noexcept;
    void defer_resume(std::coroutine_handle<> h) noexcept;
    void kick() noexcept;
    Result<std::size_t> round_once(int timeout_ms);
    void cancel_waiters();
    void shutdown() noexcept;
};

}  // namespace ebpf::detail
