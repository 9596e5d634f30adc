// SPDX-License-Identifier: MIT
// Link: an owned attachment of a program to a hook. Destroying a Link detaches the program.
#pragma once

#include <cstdint>
#include <memory>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>
#include <ebpf/types.hpp>

namespace ebpf {

struct LinkInfo {
    LinkType type = LinkType::Unspec;
    std::uint32_t id = 0;
    std::uint32_t prog_id = 0;
};

namespace detail {
// How an attachment is undone: closing a bpf_link, BPF_PROG_DETACH, a perf event, a netlink request...
class LinkBackend {
public:
    virtual ~LinkBackend() = default;
    virtual Result<void> detach() = 0;  // undo the attachment now; must be idempotent
    virtual int fd() const noexcept { return -1; }
    virtual bool is_bpf_link() const noexcept { return false; }
    virtual void forget() noexcept = 0;  // keep the attachment: do nothing on destruction
};
}  // namespace detail

// Ownership: move-only; the destructor detaches unless the link was pinned (bpf_link only) or disowned.
// Kernel: bpf_link-based attachments (BPF_LINK_CREATE, 5.7+ for cgroups) survive only while an fd or a pin
// holds them; legacy attachments (BPF_PROG_ATTACH) are undone with BPF_PROG_DETACH.
class Link {
public:
    explicit Link(std::unique_ptr<detail::LinkBackend> backend) noexcept : b_(std::move(backend)) {}
    Link(Link&&) noexcept = default;
    Link& operator=(Link&& o) noexcept;
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;
    ~Link();

    // Opens a bpf_link pinned in bpffs. The returned Link does not detach on destruction (the pin keeps it).
    static Result<Link> from_pin(const char* path);

    // Detaches now and reports failures (the destructor cannot).
    Result<void> detach();
    // Pins a bpf_link so it outlives this process; the Link then no longer detaches on destruction.
    // Errors: NotSupported for attachments that are not bpf_links.
    Result<void> pin(const char* path);
    // Keeps the attachment after this Link is destroyed (the caller takes responsibility for removing it).
    void disown() noexcept;

    bool is_bpf_link() const noexcept { return b_ && b_->is_bpf_link(); }
    FdRef fd() const noexcept { return b_ ? b_->fd() : -1; }
    Result<LinkInfo> info() const;

private:
    std::unique_ptr<detail::LinkBackend> b_;
};

namespace detail {
// A bpf_link fd (owned). Closing it detaches unless the link is pinned.
std::unique_ptr<LinkBackend> make_fd_link(UniqueFd fd);
// A BPF_PROG_ATTACH attachment, undone with BPF_PROG_DETACH(target, prog, type).
std::unique_ptr<LinkBackend> make_prog_attach_link(UniqueFd target, UniqueFd prog, AttachType type);
}  // namespace detail

}  // namespace ebpf
