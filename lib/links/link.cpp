// SPDX-License-Identifier: MIT
// Link ownership and the two basic backends: bpf_link fds and BPF_PROG_ATTACH attachments.
#include <ebpf/link.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/bpf.hpp"
#include "sys/info.hpp"

namespace ebpf {

using detail::format;

namespace {

class FdLink final : public detail::LinkBackend {
public:
    explicit FdLink(UniqueFd fd) : fd_(std::move(fd)) {}
    Result<void> detach() override {
        if (!fd_) return {};
        // BPF_LINK_DETACH (5.9+) detaches even when the link is pinned or shared; closing is the fallback.
        auto r = sys::link_detach(fd_.get());
        fd_.reset();
        if (!r && r.error().sys_errno() != EINVAL && r.error().sys_errno() != EOPNOTSUPP) return r;
        return {};
    }
    int fd() const noexcept override { return fd_.get(); }
    bool is_bpf_link() const noexcept override { return true; }
    void forget() noexcept override {
        // A bpf_link dies with its last fd, so keeping it means leaking the fd on purpose.
        (void)fd_.release();
    }

private:
    UniqueFd fd_;
};

class ProgAttachLink final : public detail::LinkBackend {
public:
    ProgAttachLink(UniqueFd target, UniqueFd prog, AttachType type)
        : target_(std::move(target)), prog_(std::move(prog)), type_(type) {}
    ~ProgAttachLink() override { (void)detach(); }
    Result<void> detach() override {
        if (!target_) return {};
        auto r = sys::prog_detach(target_.get(), prog_.get(), static_cast<std::uint32_t>(type_));
        target_.reset();
        prog_.reset();
        if (!r) return std::move(r).error().context(format("detach %.*s", EBPF_SV(to_string(type_))));
        return {};
    }
    void forget() noexcept override {
        target_.reset();
        prog_.reset();
    }

private:
    UniqueFd target_, prog_;
    AttachType type_;
};

}  // namespace

namespace detail {
std::unique_ptr<LinkBackend> make_fd_link(UniqueFd fd) { return std::make_unique<FdLink>(std::move(fd)); }
std::unique_ptr<LinkBackend> make_prog_attach_link(UniqueFd target, UniqueFd prog, AttachType type) {
    return std::make_unique<ProgAttachLink>(std::move(target), std::move(prog), type);
}
}  // namespace detail

// Backends undo their attachment in their own destructors (closing a bpf_link fd detaches it unless pinned),
// so replacing or destroying a Link needs nothing more.
Link& Link::operator=(Link&& o) noexcept {
    if (this != &o) b_ = std::move(o.b_);
    return *this;
}

Link::~Link() = default;

Result<void> Link::detach() {
    if (!b_) return {};
    auto r = b_->detach();
    b_.reset();
    return r;
}

Result<void> Link::pin(const char* path) {
    if (!b_ || !b_->is_bpf_link())
        return Error(Errc::NotSupported, format("pin link at %s: only bpf_link attachments can be pinned", path));
    EBPF_TRY(sys::obj_pin(b_->fd(), path).context(format("pin link at %s", path)));
    return {};
}

void Link::disown() noexcept {
    if (b_) b_->forget();
    b_.reset();
}

Result<LinkInfo> Link::info() const {
    if (!b_ || !b_->is_bpf_link()) return Error(Errc::NotSupported, "link info: not a bpf_link attachment");
    sys::LinkInfoRaw raw{};
    std::uint32_t len = sizeof raw;
    EBPF_TRY(sys::obj_get_info_by_fd(b_->fd(), &raw, len));
    return LinkInfo{static_cast<LinkType>(raw.type), raw.id, raw.prog_id};
}

Result<Link> Link::from_pin(const char* path) {
    auto fd = sys::obj_get(path);
    if (!fd) return std::move(fd).error().context(format("open pinned link %s", path));
    return Link(detail::make_fd_link(std::move(*fd)));
}

}  // namespace ebpf
