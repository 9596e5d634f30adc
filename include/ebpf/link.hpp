// SPDX-License-Identifier: MIT
// Link: an owned attachment of a program to a hook, with everything the attachment needs (a bpf_link fd, a perf
// event, a tracefs probe entry, a netlink filter, a BPF_PROG_ATTACH registration), undone on destruction.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>
#include <ebpf/types.hpp>

namespace ebpf {

class Program;

// What detach() achieved.
enum class DetachOutcome : std::uint8_t {
    // The kernel removed the attachment now (BPF_LINK_DETACH, BPF_PROG_DETACH, perf event closed, ...).
    Detached,
    // Our reference to the bpf_link is closed, but this link type cannot be detached on request (the kernel
    // lacks BPF_LINK_DETACH for it: tracing, raw tracepoints, perf events, kprobe_multi, ..., or runs before
    // 5.9): the attachment ends when no pin or other fd (e.g. one passed to another process) holds the link.
    ReferenceClosed,
};

struct LinkUpdateOptions {
    // Replace only if this program is the one attached now (BPF_F_REPLACE); null: whatever is attached.
    const Program* expected = nullptr;
};

// What the kernel says about a link (BPF_OBJ_GET_INFO_BY_FD), or what we know of an attachment without a
// bpf_link. Fields that do not apply to the link's type are zero or empty.
struct LinkInfo {
    LinkType type = LinkType::Unspec;  // Unspec for attachments without a bpf_link
    bool bpf_link = false;
    std::uint32_t id = 0;  // the bpf_link's id
    std::uint32_t prog_id = 0;
    std::optional<AttachType> attach_type;  // cgroup, tracing, netns, tcx, netkit, sockmap; legacy attachments
    std::string target_name;                // raw_tracepoint name; perf_event function, tracepoint or file
    std::uint64_t cgroup_id = 0;            // cgroup
    std::uint32_t ifindex = 0;              // xdp, tcx, netkit
    std::uint32_t netns_ino = 0;            // netns (flow_dissector, sk_lookup)
    std::uint32_t target_obj_id = 0;        // tracing: the target program's id, or the BTF object's
    std::uint32_t target_btf_id = 0;        // tracing: the target's BTF id
    std::uint32_t map_id = 0;               // struct_ops, sockmap
    std::uint32_t count = 0;                // kprobe_multi: number of functions
    std::uint64_t offset = 0;               // perf_event kprobe/uprobe: offset
    std::uint64_t address = 0;              // perf_event kprobe: address
    std::uint64_t cookie = 0;               // perf_event: bpf_cookie (6.x kernels report it)
    std::uint32_t perf_event_type = 0;      // perf_event: BPF_PERF_EVENT_* (1 uprobe .. 6 event)
    struct Netfilter {
        std::uint32_t pf = 0, hooknum = 0;
        std::int32_t priority = 0;
        std::uint32_t flags = 0;
    } netfilter;
};

namespace detail {
// Something an attachment owns besides its bpf_link fd: a perf event, a tracefs probe entry, a BPF_PROG_ATTACH
// registration, a netlink filter or qdisc. Attach code composes a Link from these (see Link::Parts).
class LinkResource {
public:
    virtual ~LinkResource() = default;
    // Undo it now (close, remove, detach); called at most once. Errors say what stays behind.
    virtual Result<void> undo() = 0;
    // Leave it in place (the Link was pinned or released); close only what is ours to close.
    virtual void keep() noexcept = 0;
    // Takes the fd that keeps the attachment alive, if this resource has one (a perf event without a bpf_link).
    virtual UniqueFd take_fd() noexcept { return UniqueFd(); }
    // Adds what it knows to info() (legacy attachments have no kernel link info).
    virtual void describe(LinkInfo&) const {}
};
}  // namespace detail

// Link owns one attachment.
// Ownership: move-only; the destructor detaches (closes the bpf_link, then undoes the other resources in reverse
//   order) unless the link was pinned or released. A moved-from Link is empty.
// Thread safety: one Link is not synchronised (do not detach/update/pin it from two threads at once); distinct
//   Links are independent.
// Kernel: bpf_link-based attachments (BPF_LINK_CREATE, 5.7+) live while an fd or a pin holds them; legacy ones
//   (BPF_PROG_ATTACH, netlink, PERF_EVENT_IOC_SET_BPF) are undone explicitly by the Link.
class Link {
public:
    // What an attach function hands over.
    struct Parts {
        UniqueFd bpf_link;  // invalid for attachments without a bpf_link
        std::vector<std::unique_ptr<detail::LinkResource>> resources;  // undone in reverse order
        std::string description;  // "cgroup_skb program 'ingress_filter' on /sys/fs/cgroup (cgroup_inet_ingress)"
    };
    explicit Link(Parts parts);
    Link(Link&&) noexcept;
    Link& operator=(Link&& o) noexcept;
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;
    ~Link();

    // Opens a bpf_link pinned in bpffs. Destroying the returned Link leaves it attached (the pin holds it).
    // Errors: NotFound, Permission, InvalidArgument (not a link).
    static Result<Link> from_pin(const char* path);
    // Opens a bpf_link by id (BPF_LINK_GET_FD_BY_ID, 5.8+); destroying the Link closes only our fd.
    static Result<Link> from_id(std::uint32_t id);

    // Ends the attachment now and says how (see DetachOutcome). A pin made by pin() is removed too.
    // Errors: what could not be undone, naming the resource; InvalidArgument on an empty Link.
    Result<DetachOutcome> detach();
    // Swaps the attached program without a gap (BPF_LINK_UPDATE, 5.7+; cgroup, netns, xdp, tcx, netkit links).
    // Errors: NotSupported (not a bpf_link, or a link type the kernel cannot update), Permission (the attached
    // program is not options.expected), InvalidArgument (wrong program type or not loaded).
    Result<void> update(const Program& program, const LinkUpdateOptions& options = {});
    // Pins a bpf_link in bpffs so it outlives this process; destroying the Link then leaves it attached.
    // Errors: NotSupported for attachments without a bpf_link; Exists; NotFound (no bpffs).
    Result<void> pin(const char* path);
    // Removes the pin made by pin() or opened by from_pin(); the Link detaches on destruction again.
    Result<void> unpin();
    // Stops managing the attachment: nothing is undone now or later. Returns the fd that keeps the attachment
    // alive (a bpf_link or a perf event): keep it open (or pin the link first) for the attachment to stay. It is
    // invalid for attachments the kernel object holds by itself (BPF_PROG_ATTACH, netlink, tracefs).
    [[nodiscard]] UniqueFd release() noexcept;

    bool attached() const noexcept { return s_ != nullptr; }
    bool is_bpf_link() const noexcept;
    bool pinned() const noexcept;
    // The bpf_link fd (invalid when there is none).
    FdRef fd() const noexcept;
    std::string_view description() const noexcept;
    // Errors: InvalidArgument on an empty Link; the BPF_OBJ_GET_INFO_BY_FD failure.
    Result<LinkInfo> info() const;

    struct State;  // opaque

private:
    std::unique_ptr<State> s_;
};

namespace detail {
// A BPF_PROG_ATTACH registration, undone with BPF_PROG_DETACH(target, prog, type). `target` describes it for
// errors ("cgroup /sys/fs/cgroup/x").
std::unique_ptr<LinkResource> prog_attach_resource(UniqueFd target, UniqueFd prog, AttachType type,
                                                   std::string target_name);
// A perf event fd (kprobe/uprobe/tracepoint/software event) that a program is attached to: disabled and closed.
std::unique_ptr<LinkResource> perf_event_resource(UniqueFd perf_fd);
}  // namespace detail

// Ids of every bpf_link in the kernel, in id order.
// Kernel: BPF_LINK_GET_NEXT_ID, BPF_LINK_GET_FD_BY_ID (5.8+). Requires: CAP_SYS_ADMIN.
// Errors: Permission; before 5.8 the kernel's EINVAL for the unknown command.
Result<std::vector<std::uint32_t>> loaded_link_ids();
// The info of every bpf_link in the kernel (what `bpftool link show` lists). Links released between listing and
// opening are skipped. Ownership: opens and closes one fd per link; closing our fd never detaches a link (its
// owner's fd or pin still holds it). Requires: CAP_SYS_ADMIN. Errors: Permission; the failing step, naming the id.
// Thread safety: none needed (no shared state).
Result<std::vector<LinkInfo>> loaded_links();

}  // namespace ebpf
