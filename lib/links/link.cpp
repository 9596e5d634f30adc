// SPDX-License-Identifier: MIT
// Link: ownership of an attachment (a bpf_link fd plus the resources it needs), detach, update, pin, info.
#include <ebpf/features.hpp>
#include <ebpf/link.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/format.hpp"
#include "base/try.hpp"
#include "features/own_probes.hpp"
#include "sys/bpf.hpp"
#include "sys/info.hpp"
#include "sys/link_info.hpp"

namespace ebpf {

using detail::format;

struct Link::State {
    UniqueFd bpf_link;
    std::vector<std::unique_ptr<detail::LinkResource>> resources;
    std::string description;
    std::string pin_path;  // set while a pin we know of holds the link
};

namespace {

class ProgAttachResource final : public detail::LinkResource {
public:
    ProgAttachResource(UniqueFd target, UniqueFd prog, AttachType type, std::string target_name)
        : target_(std::move(target)), prog_(std::move(prog)), type_(type), name_(std::move(target_name)) {}
    Result<void> undo() override {
        auto r = sys::prog_detach(target_.get(), prog_.get(), static_cast<std::uint32_t>(type_));
        target_.reset();
        prog_.reset();
        if (!r)
            return std::move(r).error().context(
                format("detach from %s (%.*s)", name_.c_str(), EBPF_SV(to_string(type_))));
        return {};
    }
    void keep() noexcept override {
        target_.reset();
        prog_.reset();
    }
    void describe(LinkInfo& i) const override {
        i.attach_type = type_;
        if (!prog_) return;
        sys::ProgInfoRaw pi{};
        std::uint32_t len = sizeof pi;
        if (sys::obj_get_info_by_fd(prog_.get(), &pi, len)) i.prog_id = pi.id;
    }

private:
    UniqueFd target_, prog_;
    AttachType type_;
    std::string name_;
};

class PerfEventResource final : public detail::LinkResource {
public:
    explicit PerfEventResource(UniqueFd fd) : fd_(std::move(fd)) {}
    // Closing the perf event detaches a program attached with PERF_EVENT_IOC_SET_BPF, and drops our reference
    // to it when a bpf_link holds it (the link keeps it alive then).
    Result<void> undo() override {
        fd_.reset();
        return {};
    }
    void keep() noexcept override { fd_.reset(); }
    UniqueFd take_fd() noexcept override { return std::move(fd_); }

private:
    UniqueFd fd_;
};

template <class T>
T read_at(const sys::LinkInfoRaw& raw, std::size_t off) {
    T v{};
    std::memcpy(&v, raw.extra + off, sizeof v);
    return v;
}

}  // namespace

namespace detail {
std::unique_ptr<LinkResource> prog_attach_resource(UniqueFd target, UniqueFd prog, AttachType type,
                                                   std::string target_name) {
    return std::make_unique<ProgAttachResource>(std::move(target), std::move(prog), type, std::move(target_name));
}
std::unique_ptr<LinkResource> perf_event_resource(UniqueFd perf_fd) {
    return std::make_unique<PerfEventResource>(std::move(perf_fd));
}
}  // namespace detail

Link::Link(Parts parts) : s_(std::make_unique<State>()) {
    s_->bpf_link = std::move(parts.bpf_link);
    s_->resources = std::move(parts.resources);
    s_->description = std::move(parts.description);
}

Link::Link(Link&&) noexcept = default;

Link& Link::operator=(Link&& o) noexcept {
    if (this != &o) {
        Link old(std::move(*this));  // detaches what this link held
        s_ = std::move(o.s_);
    }
    return *this;
}

Link::~Link() {
    if (!s_) return;
    if (!s_->pin_path.empty()) {
        // Pinned: the pin holds the bpf_link (and through it whatever it references); close our fds only.
        for (auto& r : s_->resources) r->keep();
        return;
    }
    s_->bpf_link.reset();  // the last fd of an unpinned bpf_link: the kernel detaches it
    for (auto it = s_->resources.rbegin(); it != s_->resources.rend(); ++it) (void)(*it)->undo();
}

bool Link::is_bpf_link() const noexcept { return s_ && s_->bpf_link.valid(); }
bool Link::pinned() const noexcept { return s_ && !s_->pin_path.empty(); }
FdRef Link::fd() const noexcept { return s_ ? FdRef(s_->bpf_link) : FdRef(-1); }
std::string_view Link::description() const noexcept { return s_ ? std::string_view(s_->description) : ""; }

Result<DetachOutcome> Link::detach() {
    if (!s_) return Error(Errc::InvalidArgument, "detach: this Link holds no attachment (moved from, released or detached)");
    std::unique_ptr<State> st = std::move(s_);
    const std::string what = "detach " + st->description;
    DetachOutcome outcome = DetachOutcome::Detached;
    std::optional<Error> first;
    if (st->bpf_link) {
        // BPF_LINK_DETACH (5.9+, probed) ends the attachment even when the link is pinned or shared; link types
        // without it (tracing, raw_tp, perf_event, kprobe_multi, ...) answer EOPNOTSUPP. Without the command,
        // closing our fd is all we can do.
        auto can_detach = detail::has_link_detach();
        if (!can_detach) {
            first = std::move(can_detach).error().context(what);
        } else if (!*can_detach) {
            outcome = DetachOutcome::ReferenceClosed;
        } else if (auto r = sys::link_detach(st->bpf_link.get()); !r) {
            if (r.error().sys_errno() == EOPNOTSUPP) outcome = DetachOutcome::ReferenceClosed;
            else first = std::move(r).error().context(what + ": our fd is closed, but the link may stay attached "
                                                             "while a pin or another fd holds it");
        }
        st->bpf_link.reset();
    }
    if (!st->pin_path.empty() && ::unlink(st->pin_path.c_str()) != 0 && errno != ENOENT && !first)
        first = Error::from_errno(errno, "unlink").context(what + ": remove pin " + st->pin_path);
    for (auto it = st->resources.rbegin(); it != st->resources.rend(); ++it) {
        auto r = (*it)->undo();
        if (!r && !first) first = std::move(r).error().context(what);
    }
    if (first) return std::move(*first);
    return outcome;
}

Result<void> Link::pin(const char* path) {
    if (!s_) return Error(Errc::InvalidArgument, format("pin link at %s: this Link holds no attachment", path));
    if (!s_->bpf_link)
        return Error(Errc::NotSupported, format("pin %s at %s: only bpf_link attachments can be pinned (this one "
                                                "was made without a bpf_link)",
                                                s_->description.c_str(), path));
    EBPF_TRY(sys::obj_pin(s_->bpf_link.get(), path).context(format("pin %s at %s", s_->description.c_str(), path)));
    s_->pin_path = path;
    return {};
}

Result<void> Link::unpin() {
    if (!s_ || s_->pin_path.empty()) return Error(Errc::InvalidArgument, "unpin: this Link is not pinned");
    if (::unlink(s_->pin_path.c_str()) != 0 && errno != ENOENT)
        return Error::from_errno(errno, "unlink").context(format("unpin %s", s_->pin_path.c_str()));
    s_->pin_path.clear();
    return {};
}

UniqueFd Link::release() noexcept {
    if (!s_) return UniqueFd();
    std::unique_ptr<State> st = std::move(s_);
    UniqueFd keep = std::move(st->bpf_link);
    for (auto& r : st->resources) {
        if (!keep) keep = r->take_fd();
        r->keep();
    }
    return keep;
}

Result<LinkInfo> Link::info() const {
    if (!s_) return Error(Errc::InvalidArgument, "link info: this Link holds no attachment");
    LinkInfo i;
    if (!s_->bpf_link) {
        for (const auto& r : s_->resources) r->describe(i);
        return i;
    }
    namespace off = sys::link_info;
    sys::LinkInfoRaw raw{};
    std::uint32_t len = sizeof raw;
    EBPF_TRY(sys::obj_get_info_by_fd(s_->bpf_link.get(), &raw, len).context("link info of " + s_->description));
    i.bpf_link = true;
    i.type = static_cast<LinkType>(raw.type);
    i.id = raw.id;
    i.prog_id = raw.prog_id;
    auto attach = [&](std::size_t o) { i.attach_type = static_cast<AttachType>(read_at<std::uint32_t>(raw, o)); };
    // A second call fills a name buffer (raw tracepoint and perf event names).
    auto name = [&](std::size_t ptr_off, std::size_t len_off) -> Result<void> {
        char buf[256] = {};
        sys::LinkInfoRaw again{};
        const std::uint64_t p = sys::ptr_to_u64(buf);
        const std::uint32_t n = sizeof buf;
        std::memcpy(again.extra + ptr_off, &p, sizeof p);
        std::memcpy(again.extra + len_off, &n, sizeof n);
        std::uint32_t l2 = sizeof again;
        EBPF_TRY(sys::obj_get_info_by_fd(s_->bpf_link.get(), &again, l2).context("link info of " + s_->description));
        i.target_name.assign(buf, strnlen(buf, sizeof buf));
        return {};
    };
    switch (i.type) {
    case LinkType::RawTracepoint: EBPF_TRY(name(off::kRawTpName, off::kRawTpNameLen)); break;
    case LinkType::Tracing:
        attach(off::kTracingAttachType);
        i.target_obj_id = read_at<std::uint32_t>(raw, off::kTracingTargetObjId);
        i.target_btf_id = read_at<std::uint32_t>(raw, off::kTracingTargetBtfId);
        break;
    case LinkType::Cgroup:
        i.cgroup_id = read_at<std::uint64_t>(raw, off::kCgroupId);
        attach(off::kCgroupAttachType);
        break;
    case LinkType::Netns:
        i.netns_ino = read_at<std::uint32_t>(raw, off::kNetnsIno);
        attach(off::kNetnsAttachType);
        break;
    case LinkType::Xdp: i.ifindex = read_at<std::uint32_t>(raw, off::kXdpIfindex); break;
    case LinkType::StructOps: i.map_id = read_at<std::uint32_t>(raw, off::kStructOpsMapId); break;
    case LinkType::Netfilter:
        i.netfilter.pf = read_at<std::uint32_t>(raw, off::kNfPf);
        i.netfilter.hooknum = read_at<std::uint32_t>(raw, off::kNfHooknum);
        i.netfilter.priority = read_at<std::int32_t>(raw, off::kNfPriority);
        i.netfilter.flags = read_at<std::uint32_t>(raw, off::kNfFlags);
        break;
    case LinkType::KprobeMulti: i.count = read_at<std::uint32_t>(raw, off::kKmultiCount); break;
    case LinkType::Tcx:
    case LinkType::Netkit:
        i.ifindex = read_at<std::uint32_t>(raw, off::kIfindexOrMap);
        attach(off::kIfindexOrMapAttachType);
        break;
    case LinkType::Sockmap:
        i.map_id = read_at<std::uint32_t>(raw, off::kIfindexOrMap);
        attach(off::kIfindexOrMapAttachType);
        break;
    case LinkType::PerfEvent: {
        // Kernels before 6.6 report only the type of a perf_event link (the rest stays zero).
        i.perf_event_type = read_at<std::uint32_t>(raw, off::kPerfType);
        // BPF_PERF_EVENT_UPROBE = 1, _URETPROBE = 2, _KPROBE = 3, _KRETPROBE = 4, _TRACEPOINT = 5.
        constexpr std::uint32_t kUprobe = 1, kKprobe = 3, kKretprobe = 4, kTracepoint = 5;
        const std::uint32_t t = i.perf_event_type;
        if (t >= kUprobe && t <= kTracepoint) {
            EBPF_TRY(name(off::kPerfName, off::kPerfNameLen));
            if (t != kTracepoint) i.offset = read_at<std::uint32_t>(raw, off::kPerfOffset);
            if (t == kKprobe || t == kKretprobe) {
                i.address = read_at<std::uint64_t>(raw, off::kPerfAddr);
                i.cookie = read_at<std::uint64_t>(raw, off::kPerfKprobeCookie);
            } else {
                i.cookie = read_at<std::uint64_t>(raw, t == kTracepoint ? off::kPerfTracepointCookie
                                                                         : off::kPerfUprobeCookie);
            }
        }
        break;
    }
    default: break;
    }
    return i;
}

Result<Link> Link::from_pin(const char* path) {
    auto fd = sys::obj_get(path);
    if (!fd) return std::move(fd).error().context(format("open pinned link %s", path));
    Parts parts;
    parts.bpf_link = std::move(*fd);
    parts.description = format("link pinned at %s", path);
    Link l(std::move(parts));
    l.s_->pin_path = path;
    return l;
}

Result<Link> Link::from_id(std::uint32_t id) {
    auto fd = sys::get_fd_by_id(sys::Cmd::LinkGetFdById, id);
    if (!fd) return std::move(fd).error().context(format("open link id %u", id));
    Parts parts;
    parts.bpf_link = std::move(*fd);
    parts.description = format("link id %u", id);
    return Link(std::move(parts));
}

}  // namespace ebpf
