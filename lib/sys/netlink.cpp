// SPDX-License-Identifier: MIT
// Netlink requests, acks, dumps and extended acks over socket calls made through the syscall seam.
// Kernel contract (Documentation/userspace-api/netlink/intro.rst): every message is 4-byte aligned; an ack is an
// NLMSG_ERROR whose error is 0; with NETLINK_CAP_ACK the ack echoes only our header (NLM_F_CAPPED), and with
// NETLINK_EXT_ACK it carries attributes after it (NLM_F_ACK_TLVS): NLMSGERR_ATTR_MSG, _OFFS, _MISS_TYPE, _MISS_NEST.
#include "sys/netlink.hpp"

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <cerrno>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/bpf.hpp"
#include "sys/syscall.hpp"

namespace ebpf::sys {

static_assert(kNlmFRequest == NLM_F_REQUEST && kNlmFMulti == NLM_F_MULTI && kNlmFAck == NLM_F_ACK &&
              kNlmFEcho == NLM_F_ECHO && kNlmFDumpIntr == NLM_F_DUMP_INTR);
static_assert(kNlmFRoot == NLM_F_ROOT && kNlmFMatch == NLM_F_MATCH && kNlmFDump == NLM_F_DUMP &&
              kNlmFReplace == NLM_F_REPLACE && kNlmFExcl == NLM_F_EXCL && kNlmFCreate == NLM_F_CREATE);
static_assert(kNlmsgError == NLMSG_ERROR && kNlmsgDone == NLMSG_DONE);
static_assert(kNlaFNested == NLA_F_NESTED && kNlaFNetByteorder == NLA_F_NET_BYTEORDER && kNlaTypeMask == static_cast<std::uint16_t>(NLA_TYPE_MASK));
static_assert(kNetlinkRoute == NETLINK_ROUTE);
static_assert(sizeof(nlmsghdr) == 16 && sizeof(nlattr) == 4 && sizeof(nlmsgerr) == 20);

namespace {

constexpr std::size_t kHeaderSize = 16;  // struct nlmsghdr
constexpr std::size_t align4(std::size_t n) noexcept { return (n + 3) & ~std::size_t{3}; }

template <class T>
T load_as(std::span<const std::byte> s, std::size_t off) noexcept {
    T v{};
    if (off + sizeof v <= s.size()) std::memcpy(&v, s.data() + off, sizeof v);
    return v;
}

// Socket system calls. Every 64-bit target and armhf have direct socket syscalls; i386 gained them in 4.3
// (older headers define only socketcall(2), which multiplexes them).
#if defined(SYS_socket)
long sock_socket(long domain, long type, long protocol) noexcept {
    return syscall_entry(SYS_socket, domain, type, protocol, 0, 0);
}
long sock_setsockopt(long fd, long level, long name, const void* value, long len) noexcept {
    return syscall_entry(SYS_setsockopt, fd, level, name, reinterpret_cast<long>(value), len);
}
long sock_sendmsg(long fd, const msghdr* m, long flags) noexcept {
    return syscall_entry(SYS_sendmsg, fd, reinterpret_cast<long>(m), flags, 0, 0);
}
long sock_recvmsg(long fd, msghdr* m, long flags) noexcept {
    return syscall_entry(SYS_recvmsg, fd, reinterpret_cast<long>(m), flags, 0, 0);
}
#elif defined(SYS_socketcall)
long socketcall(long op, std::initializer_list<long> args) noexcept {
    unsigned long a[6] = {};
    std::size_t i = 0;
    for (long v : args) a[i++] = static_cast<unsigned long>(v);
    return syscall_entry(SYS_socketcall, op, reinterpret_cast<long>(a), 0, 0, 0);
}
long sock_socket(long domain, long type, long protocol) noexcept { return socketcall(1, {domain, type, protocol}); }
long sock_setsockopt(long fd, long level, long name, const void* value, long len) noexcept {
    return socketcall(14, {fd, level, name, reinterpret_cast<long>(value), len});
}
long sock_sendmsg(long fd, const msghdr* m, long flags) noexcept {
    return socketcall(16, {fd, reinterpret_cast<long>(m), flags});
}
long sock_recvmsg(long fd, msghdr* m, long flags) noexcept {
    return socketcall(17, {fd, reinterpret_cast<long>(m), flags});
}
#else
#error "no socket system calls on this target"
#endif

}  // namespace

// ---- NetlinkRequest ----

NetlinkRequest::NetlinkRequest(std::uint16_t type, std::uint16_t flags) : buf_(kHeaderSize), type_(type) {
    nlmsghdr h{};
    h.nlmsg_len = kHeaderSize;
    h.nlmsg_type = type;
    h.nlmsg_flags = static_cast<std::uint16_t>(flags | NLM_F_REQUEST);
    std::memcpy(buf_.data(), &h, sizeof h);
}

std::uint16_t NetlinkRequest::flags() const noexcept {
    return load_as<std::uint16_t>(bytes(), offsetof(nlmsghdr, nlmsg_flags));
}

void NetlinkRequest::add_flags(std::uint16_t flags) noexcept {
    const std::uint16_t f = this->flags() | flags;
    std::memcpy(buf_.data() + offsetof(nlmsghdr, nlmsg_flags), &f, sizeof f);
}

void NetlinkRequest::set_seq(std::uint32_t seq) noexcept {
    std::memcpy(buf_.data() + offsetof(nlmsghdr, nlmsg_seq), &seq, sizeof seq);
}

NetlinkRequest& NetlinkRequest::raw(const void* data, std::size_t size) {
    const std::size_t at = buf_.size();
    buf_.resize(at + align4(size));
    if (size) std::memcpy(buf_.data() + at, data, size);
    const auto len = static_cast<std::uint32_t>(buf_.size());
    std::memcpy(buf_.data(), &len, sizeof len);
    return *this;
}

NetlinkRequest& NetlinkRequest::put(std::uint16_t type, const void* data, std::size_t size) {
    if (size > 0xffff - sizeof(nlattr)) {
        oversized_ = true;
        return *this;
    }
    const auto start = static_cast<std::uint32_t>(buf_.size());
    const nlattr a{static_cast<std::uint16_t>(sizeof(nlattr) + size), type};
    raw(&a, sizeof a);
    raw(data, size);
    records_.push_back({start, static_cast<std::uint32_t>(start + sizeof a + size), type,
                        open_.empty() ? -1 : open_.back()});
    return *this;
}

NetlinkRequest& NetlinkRequest::put_string(std::uint16_t type, std::string_view s) {
    std::vector<char> z(s.begin(), s.end());
    z.push_back('\0');
    return put(type, z.data(), z.size());
}

std::size_t NetlinkRequest::begin_nested(std::uint16_t type) {
    const auto start = static_cast<std::uint32_t>(buf_.size());
    const nlattr a{0, type};
    raw(&a, sizeof a);
    records_.push_back({start, 0, type, open_.empty() ? -1 : open_.back()});
    open_.push_back(static_cast<int>(records_.size() - 1));
    return records_.size() - 1;
}

void NetlinkRequest::end_nested(std::size_t token) {
    Record& r = records_[token];
    r.end = static_cast<std::uint32_t>(buf_.size());
    if (r.end - r.start > 0xffff) oversized_ = true;
    const auto len = static_cast<std::uint16_t>(r.end - r.start);
    std::memcpy(buf_.data() + r.start, &len, sizeof len);
    if (!open_.empty() && open_.back() == static_cast<int>(token)) open_.pop_back();
}

std::string NetlinkRequest::describe_offset(std::uint32_t offset) const {
    int found = -1;
    for (std::size_t i = 0; i < records_.size(); ++i)
        if (records_[i].start <= offset && offset < std::max(records_[i].end, records_[i].start + 4u))
            found = static_cast<int>(i);  // later records are nested deeper
    if (found < 0) return {};
    std::vector<std::uint16_t> path;
    for (int i = found; i >= 0; i = records_[static_cast<std::size_t>(i)].parent)
        path.push_back(records_[static_cast<std::size_t>(i)].type & kNlaTypeMask);
    std::string out = "attribute";
    for (auto it = path.rbegin(); it != path.rend(); ++it)
        out += detail::format("%s %u", it == path.rbegin() ? "" : " >", *it);
    return out;
}

// ---- parsing ----

std::string_view NetlinkAttr::as_string() const noexcept {
    std::string_view s(reinterpret_cast<const char*>(data.data()), data.size());
    if (const auto z = s.find('\0'); z != std::string_view::npos) s = s.substr(0, z);
    return s;
}

void NetlinkAttrs::iterator::load() noexcept {
    if (rest_.size() < sizeof(nlattr)) {
        rest_ = {};
        return;
    }
    const auto len = load_as<std::uint16_t>(rest_, 0);
    if (len < sizeof(nlattr) || len > rest_.size()) {
        rest_ = {};  // malformed: stop (NetlinkAttrs::truncated() reports it)
        return;
    }
    cur_.type = load_as<std::uint16_t>(rest_, 2) & kNlaTypeMask;
    cur_.data = rest_.subspan(sizeof(nlattr), len - sizeof(nlattr));
}

NetlinkAttrs::iterator& NetlinkAttrs::iterator::operator++() noexcept {
    const std::size_t len = align4(load_as<std::uint16_t>(rest_, 0));
    rest_ = len >= rest_.size() ? std::span<const std::byte>{} : rest_.subspan(len);
    load();
    return *this;
}

std::optional<NetlinkAttr> NetlinkAttrs::find(std::uint16_t type) const noexcept {
    for (const NetlinkAttr& a : *this)
        if (a.type == (type & kNlaTypeMask)) return a;
    return std::nullopt;
}

NetlinkAttrs NetlinkAttrs::nested(std::uint16_t type) const noexcept {
    auto a = find(type);
    return a ? NetlinkAttrs(a->data) : NetlinkAttrs();
}

bool NetlinkAttrs::truncated() const noexcept {
    std::size_t off = 0;
    while (off + sizeof(nlattr) <= data_.size()) {
        const auto len = load_as<std::uint16_t>(data_, off);
        if (len < sizeof(nlattr) || off + len > data_.size()) return true;
        off += align4(len);
    }
    return off < data_.size() && data_.size() - off >= sizeof(nlattr);
}

NetlinkAttrs NetlinkMessage::attrs(std::size_t header_size) const noexcept {
    const std::size_t skip = align4(header_size);
    return skip >= payload.size() ? NetlinkAttrs() : NetlinkAttrs(payload.subspan(skip));
}

std::string extack_text(const NetlinkRequest& request, std::span<const std::byte> tlvs) {
    const NetlinkAttrs attrs(tlvs);
    std::string e;
    std::string where;
    if (auto offs = attrs.find(NLMSGERR_ATTR_OFFS)) {
        if (auto o = offs->as<std::uint32_t>()) where = request.describe_offset(*o);
    }
    if (auto msg = attrs.find(NLMSGERR_ATTR_MSG); msg && !msg->as_string().empty())
        e.append(detail::format(": kernel says \"%.*s\"", EBPF_SV(msg->as_string())));
    if (!where.empty()) e.append(detail::format(" (%s)", where.c_str()));
    if (auto miss = attrs.find(NLMSGERR_ATTR_MISS_TYPE); miss && miss->as<std::uint32_t>()) {  // 6.0
        std::string in;
        if (auto nest = attrs.find(NLMSGERR_ATTR_MISS_NEST); nest && nest->as<std::uint32_t>())
            in = request.describe_offset(*nest->as<std::uint32_t>());
        e.append(detail::format(" (missing attribute %u%s%s)", *miss->as<std::uint32_t>(), in.empty() ? "" : " in ",
                                in.c_str()));
    }
    return e;
}

// ---- NetlinkSocket ----

Result<NetlinkSocket> NetlinkSocket::open(int protocol) noexcept {
    const long fd = sock_socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
    if (fd < 0) return Error::from_errno(errno, detail::format("socket(AF_NETLINK, %d)", protocol));
    EBPF_TRY_ASSIGN(UniqueFd owned, adopt_fd(static_cast<int>(fd)));
    // Optional features: without them the kernel still answers, only with less detail.
    const int one = 1;
    (void)sock_setsockopt(owned.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    (void)sock_setsockopt(owned.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    NetlinkSocket s(std::move(owned));
    s.rx_.resize(32 * 1024);
    return s;
}

Result<void> NetlinkSocket::send(NetlinkRequest& request, const NetlinkWhat& what) noexcept {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    const auto bytes = request.bytes();
    iovec iov{const_cast<std::byte*>(bytes.data()), bytes.size()};
    msghdr m{};
    m.msg_name = &kernel;
    m.msg_namelen = sizeof kernel;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    long n;
    do {
        n = sock_sendmsg(fd_.get(), &m, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return Error::from_errno(errno, "sendmsg").context(what());
    if (static_cast<std::size_t>(n) != bytes.size())
        return Error(Errc::Io, detail::format("%s: sendmsg: sent %ld of %zu bytes", what().c_str(), n, bytes.size()));
    return {};
}

Result<std::size_t> NetlinkSocket::receive(const NetlinkWhat& what) noexcept {
    for (;;) {
        sockaddr_nl from{};
        iovec iov{rx_.data(), rx_.size()};
        msghdr m{};
        m.msg_name = &from;
        m.msg_namelen = sizeof from;
        m.msg_iov = &iov;
        m.msg_iovlen = 1;
        // Peek first: MSG_TRUNC makes recvmsg return the datagram's real length, so the buffer can grow to fit.
        long n = sock_recvmsg(fd_.get(), &m, MSG_PEEK | MSG_TRUNC);
        if (n < 0) {
            if (errno == EINTR) continue;
            return Error::from_errno(errno, "recvmsg").context(what());
        }
        if (static_cast<std::size_t>(n) > rx_.size()) {
            rx_.resize(static_cast<std::size_t>(n));
            iov = {rx_.data(), rx_.size()};
        }
        m.msg_namelen = sizeof from;
        do {
            n = sock_recvmsg(fd_.get(), &m, 0);
        } while (n < 0 && errno == EINTR);
        if (n < 0) return Error::from_errno(errno, "recvmsg").context(what());
        if (m.msg_flags & MSG_TRUNC)
            return Error(Errc::Io, detail::format("%s: recvmsg: reply truncated", what().c_str()));
        if (from.nl_pid != 0) continue;  // not from the kernel
        return static_cast<std::size_t>(n);
    }
}

Result<void> NetlinkSocket::exchange(NetlinkRequest& request, const NetlinkWhat& what, const NetlinkReplyFn& on_reply,
                                     bool dump) noexcept {
    if (!request.well_formed())
        return Error(Errc::InvalidArgument, what() + ": an attribute is larger than netlink's 64 KiB limit");
    const std::uint32_t seq = ++seq_;
    request.set_seq(seq);
    request.add_flags(dump ? kNlmFDump : kNlmFAck);
    EBPF_TRY(send(request, what));
    bool interrupted = false;
    for (;;) {
        EBPF_TRY_ASSIGN(const std::size_t n, receive(what));
        const std::span<const std::byte> data(rx_.data(), n);
        for (std::size_t off = 0; off + kHeaderSize <= n;) {
            const auto h = load_as<nlmsghdr>(data, off);
            if (h.nlmsg_len < kHeaderSize || off + h.nlmsg_len > n)
                return Error(Errc::Io, detail::format("%s: malformed netlink message", what().c_str()));
            NetlinkMessage msg;
            msg.type = h.nlmsg_type;
            msg.flags = h.nlmsg_flags;
            msg.seq = h.nlmsg_seq;
            msg.payload = data.subspan(off + kHeaderSize, h.nlmsg_len - kHeaderSize);
            off += align4(h.nlmsg_len);
            if (h.nlmsg_seq != seq || h.nlmsg_type == NLMSG_NOOP) continue;  // an answer to an abandoned request
            if (h.nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
            if (h.nlmsg_type == NLMSG_ERROR || h.nlmsg_type == NLMSG_DONE) {
                const auto err = load_as<std::int32_t>(msg.payload, 0);
                if (err < 0) {
                    std::size_t tlv = sizeof(std::int32_t);
                    if (h.nlmsg_type == NLMSG_ERROR) {
                        // struct nlmsgerr: the error, then our request's header, plus its payload unless capped.
                        const auto echoed = load_as<nlmsghdr>(msg.payload, sizeof(std::int32_t));
                        tlv += (h.nlmsg_flags & NLM_F_CAPPED) ? kHeaderSize : align4(echoed.nlmsg_len);
                    }
                    std::string extack;
                    if ((h.nlmsg_flags & NLM_F_ACK_TLVS) && tlv < msg.payload.size())
                        extack = extack_text(request, msg.payload.subspan(tlv));
                    // what() may run requests on this socket (reusing rx_): call it only once the reply is read.
                    Error e = Error::from_errno(-err, what());
                    e.append(extack);
                    return e;
                }
                if (interrupted) {
                    Error e = Error::from_errno(EAGAIN, what());
                    e.append(": the dump was interrupted by a concurrent change (NLM_F_DUMP_INTR); retry");
                    return e;
                }
                return {};
            }
            if (h.nlmsg_type == NLMSG_OVERRUN)
                return Error(Errc::Io, detail::format("%s: netlink overrun", what().c_str()));
            if (on_reply) EBPF_TRY(on_reply(msg));
        }
    }
}

Result<void> NetlinkSocket::request(NetlinkRequest& request, const NetlinkWhat& what,
                                    const NetlinkReplyFn& on_reply) noexcept {
    return exchange(request, what, on_reply, false);
}

Result<void> NetlinkSocket::dump(NetlinkRequest& request, const NetlinkWhat& what,
                                 const NetlinkReplyFn& on_reply) noexcept {
    return exchange(request, what, on_reply, true);
}

}  // namespace ebpf::sys
