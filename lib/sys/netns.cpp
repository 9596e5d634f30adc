// SPDX-License-Identifier: MIT
// Network namespace helpers on raw system calls through syscall_entry() (statx, setns).
#include "sys/netns.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/syscall.h>

#include <cerrno>
#include <cstddef>
#include <cstring>

#include "base/format.hpp"
#include "sys/file.hpp"
#include "sys/syscall.hpp"

namespace ebpf::sys {

namespace {

// struct statx up to stx_ino (linux/stat.h; the layout is the same on every architecture).
struct StatxHead {
    std::uint32_t stx_mask, stx_blksize;
    std::uint64_t stx_attributes;
    std::uint32_t stx_nlink, stx_uid, stx_gid;
    std::uint16_t stx_mode, pad0;
    std::uint64_t stx_ino;
};
constexpr unsigned kStatxIno = 0x100;        // STATX_INO
constexpr int kAtEmptyPath = 0x1000;         // AT_EMPTY_PATH
static_assert(offsetof(StatxHead, stx_ino) == 32);

}  // namespace

Result<UniqueFd> netns_open_current() noexcept { return open_path("/proc/thread-self/ns/net", O_RDONLY); }

Result<std::uint64_t> netns_id(int fd) noexcept {
    alignas(8) unsigned char buf[256] = {};  // struct statx is 256 bytes
    long r;
    do {
        r = syscall_entry(SYS_statx, fd, reinterpret_cast<long>(""), kAtEmptyPath, kStatxIno, reinterpret_cast<long>(buf));
    } while (r < 0 && errno == EINTR);
    if (r < 0) return Error::from_errno(errno, detail::format("statx netns fd %d", fd));
    StatxHead h;
    std::memcpy(&h, buf, sizeof h);
    if (!(h.stx_mask & kStatxIno)) return Error(Errc::Io, detail::format("statx netns fd %d: no inode number", fd));
    return h.stx_ino;
}

Result<void> netns_enter(int fd) noexcept {
    if (syscall_entry(SYS_setns, fd, CLONE_NEWNET, 0, 0, 0) != 0) return Error::from_errno(errno, "setns(CLONE_NEWNET)");
    return {};
}

NetnsGuard::NetnsGuard(int target) noexcept {
    auto fail = [&](Error e) -> void { error_ = std::make_unique<Error>(std::move(e)); };
    auto cur = netns_open_current();
    if (!cur) { fail(std::move(cur).error()); return; }
    auto a = netns_id(cur->get());
    if (!a) { fail(std::move(a).error()); return; }
    auto b = netns_id(target);
    if (!b) { fail(std::move(b).error()); return; }
    if (*a == *b) return;  // already there: nothing to undo
    if (auto r = netns_enter(target); !r) { fail(std::move(r).error()); return; }
    previous_ = std::move(*cur);
}

NetnsGuard::~NetnsGuard() {
    // Going back can only fail if the previous namespace fd became invalid, which we own: nothing to do then.
    if (previous_) (void)netns_enter(previous_.get());
}

}  // namespace ebpf::sys
