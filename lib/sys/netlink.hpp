// SPDX-License-Identifier: MIT
// Netlink transport: a socket (RAII), requests with sequence numbers and acks, multi-part dumps, extended acks
// (the kernel's error text and the offending attribute), an attribute builder with nesting, and a parser.
// rtnetlink.hpp builds link, address, qdisc, filter and XDP requests on it.
// Kernel: NETLINK_CAP_ACK 4.3, NETLINK_EXT_ACK 4.12 (both optional: without them errors carry only errno).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>

namespace ebpf::sys {

// struct nlmsghdr flags and types (linux/netlink.h; stable since 2.6, checked in netlink.cpp).
inline constexpr std::uint16_t kNlmFRequest = 0x1, kNlmFMulti = 0x2, kNlmFAck = 0x4, kNlmFEcho = 0x8,
                               kNlmFDumpIntr = 0x10;
inline constexpr std::uint16_t kNlmFRoot = 0x100, kNlmFMatch = 0x200, kNlmFDump = 0x300;       // GET requests
inline constexpr std::uint16_t kNlmFReplace = 0x100, kNlmFExcl = 0x200, kNlmFCreate = 0x400;   // NEW requests
inline constexpr std::uint16_t kNlmsgError = 2, kNlmsgDone = 3;
// struct nlattr type flags.
inline constexpr std::uint16_t kNlaFNested = 0x8000, kNlaFNetByteorder = 0x4000, kNlaTypeMask = 0x3fff;
inline constexpr int kNetlinkRoute = 0;  // NETLINK_ROUTE

// One request: struct nlmsghdr, the family's fixed header, then attributes (each 4-byte aligned).
class NetlinkRequest {
public:
    // NLM_F_REQUEST is always set; NetlinkSocket adds NLM_F_ACK or NLM_F_DUMP.
    NetlinkRequest(std::uint16_t type, std::uint16_t flags);

    // The fixed family header (struct ifinfomsg, tcmsg, ...): call once, before any attribute.
    template <class Header>
    NetlinkRequest& header(const Header& h) {
        static_assert(std::is_trivially_copyable_v<Header>);
        return raw(&h, sizeof h);
    }
    // Appends bytes at the current position (aligned to 4 afterwards), e.g. a header inside a nested attribute.
    NetlinkRequest& raw(const void* data, std::size_t size);

    NetlinkRequest& put(std::uint16_t type, const void* data, std::size_t size);
    NetlinkRequest& put_flag(std::uint16_t type) { return put(type, nullptr, 0); }
    NetlinkRequest& put_u8(std::uint16_t type, std::uint8_t v) { return put(type, &v, 1); }
    NetlinkRequest& put_u16(std::uint16_t type, std::uint16_t v) { return put(type, &v, 2); }
    NetlinkRequest& put_u32(std::uint16_t type, std::uint32_t v) { return put(type, &v, 4); }
    NetlinkRequest& put_s32(std::uint16_t type, std::int32_t v) { return put(type, &v, 4); }
    NetlinkRequest& put_u64(std::uint16_t type, std::uint64_t v) { return put(type, &v, 8); }
    // A NUL-terminated string attribute (NLA_STRING / NLA_NUL_STRING both accept it).
    NetlinkRequest& put_string(std::uint16_t type, std::string_view s);

    // Opens a nested attribute; attributes added until end_nested() go inside it. `type` is sent as given: OR in
    // kNlaFNested where the kernel wants the flag (older parsers ignore it).
    std::size_t begin_nested(std::uint16_t type);
    void end_nested(std::size_t token);

    std::uint16_t type() const noexcept { return type_; }
    std::uint16_t flags() const noexcept;
    void add_flags(std::uint16_t flags) noexcept;
    void set_seq(std::uint32_t seq) noexcept;
    // The message with nlmsg_len filled in.
    std::span<const std::byte> bytes() const noexcept { return {buf_.data(), buf_.size()}; }
    // False when an attribute outgrew netlink's 16-bit length (NetlinkSocket then refuses to send it).
    bool well_formed() const noexcept { return !oversized_; }

    // Names the attribute at byte `offset` of this message (from an extended ack's NLMSGERR_ATTR_OFFS):
    // "attribute 18 > 2 > 1" lists the types from the outermost; empty if no attribute starts or lies there.
    std::string describe_offset(std::uint32_t offset) const;

private:
    struct Record {
        std::uint32_t start, end;
        std::uint16_t type;
        int parent;
    };
    std::vector<std::byte> buf_;
    std::vector<Record> records_;
    std::vector<int> open_;
    std::uint16_t type_;
    bool oversized_ = false;
};

// One attribute of a received message; `type` has the NLA_F_* flags masked off.
struct NetlinkAttr {
    std::uint16_t type = 0;
    std::span<const std::byte> data;

    template <class T>
    std::optional<T> as() const noexcept {
        static_assert(std::is_trivially_copyable_v<T>);
        if (data.size() < sizeof(T)) return std::nullopt;
        T v;
        std::memcpy(&v, data.data(), sizeof v);
        return v;
    }
    // The payload as text, without the trailing NUL.
    std::string_view as_string() const noexcept;
};

// The attributes in a byte range. Iteration stops at the first malformed attribute (truncated()).
class NetlinkAttrs {
public:
    NetlinkAttrs() = default;
    explicit NetlinkAttrs(std::span<const std::byte> data) noexcept : data_(data) {}

    class iterator {
    public:
        iterator(std::span<const std::byte> rest) noexcept : rest_(rest) { load(); }
        const NetlinkAttr& operator*() const noexcept { return cur_; }
        const NetlinkAttr* operator->() const noexcept { return &cur_; }
        iterator& operator++() noexcept;
        bool operator==(const iterator& o) const noexcept { return rest_.size() == o.rest_.size(); }

    private:
        void load() noexcept;
        std::span<const std::byte> rest_;
        NetlinkAttr cur_;
    };
    iterator begin() const noexcept { return iterator(data_); }
    iterator end() const noexcept { return iterator({}); }

    std::optional<NetlinkAttr> find(std::uint16_t type) const noexcept;
    // The attributes nested in attribute `type` (empty if absent).
    NetlinkAttrs nested(std::uint16_t type) const noexcept;
    bool truncated() const noexcept;

private:
    std::span<const std::byte> data_;
};

// One received message (after its nlmsghdr).
struct NetlinkMessage {
    std::uint16_t type = 0, flags = 0;
    std::uint32_t seq = 0;
    std::span<const std::byte> payload;

    // The family header at the start of the payload, if the payload is long enough.
    template <class Header>
    std::optional<Header> header() const noexcept {
        static_assert(std::is_trivially_copyable_v<Header>);
        if (payload.size() < sizeof(Header)) return std::nullopt;
        Header h;
        std::memcpy(&h, payload.data(), sizeof h);
        return h;
    }
    // The attributes after a family header of `header_size` bytes (aligned to 4).
    NetlinkAttrs attrs(std::size_t header_size) const noexcept;
};

// Called for each reply message; an error stops the request (messages still in flight are skipped later by seq).
using NetlinkReplyFn = std::function<Result<void>(const NetlinkMessage&)>;

// What a request does, for error messages: a string, or a function called only when an error needs it (so a
// description that costs a lookup, such as a link's name, is made on failure only; it may use the same socket).
class NetlinkWhat {
public:
    NetlinkWhat(const char* s) : text_(s) {}             // NOLINT: implicit on purpose
    NetlinkWhat(std::string s) : text_(std::move(s)) {}  // NOLINT
    template <class F, std::enable_if_t<std::is_invocable_r_v<std::string, F&>, int> = 0>
    NetlinkWhat(F f) : lazy_(std::move(f)) {}  // NOLINT
    std::string operator()() const { return lazy_ ? lazy_() : text_; }

private:
    std::string text_;
    std::function<std::string()> lazy_;
};

// A netlink socket (close-on-exec, fd >= 3) talking to the kernel. Requests on one socket are sequential.
// Ownership: owns its fd; move-only.
class NetlinkSocket {
public:
    // socket(AF_NETLINK, SOCK_RAW, protocol) with NETLINK_EXT_ACK and NETLINK_CAP_ACK where the kernel has them.
    // Errors: from errno, "socket(AF_NETLINK, 0): ...".
    static Result<NetlinkSocket> open(int protocol = kNetlinkRoute) noexcept;

    // Sends `request` with NLM_F_ACK and waits for the kernel's ack. Messages before the ack (the answer to a GET,
    // the echo of NLM_F_ECHO) go to on_reply. Errors: from the ack's errno, message
    //   "<what>: File exists (errno 17): kernel says \"Exclusivity flag on, cannot modify\" (attribute 1)".
    Result<void> request(NetlinkRequest& request, const NetlinkWhat& what, const NetlinkReplyFn& on_reply = {}) noexcept;
    // Sends `request` with NLM_F_DUMP and passes every message to on_reply until NLMSG_DONE.
    // Errors: as request(); EAGAIN "dump interrupted" when the kernel flags NLM_F_DUMP_INTR (the data changed during
    // the dump: retry).
    Result<void> dump(NetlinkRequest& request, const NetlinkWhat& what, const NetlinkReplyFn& on_reply) noexcept;

    int fd() const noexcept { return fd_.get(); }

private:
    explicit NetlinkSocket(UniqueFd fd) noexcept : fd_(std::move(fd)) {}
    Result<void> send(NetlinkRequest& request, const NetlinkWhat& what) noexcept;
    Result<std::size_t> receive(const NetlinkWhat& what) noexcept;
    Result<void> exchange(NetlinkRequest& request, const NetlinkWhat& what, const NetlinkReplyFn& on_reply,
                          bool dump) noexcept;

    UniqueFd fd_;
    std::uint32_t seq_ = 0;
    std::vector<std::byte> rx_;
};

// What an extended ack's attributes say (NLMSGERR_ATTR_MSG, _OFFS, _MISS_TYPE, _MISS_NEST), as text to append to
// an error: ": kernel says \"...\" (attribute 18 > 2)". Pure; `tlvs` are the attributes after struct nlmsgerr.
std::string extack_text(const NetlinkRequest& request, std::span<const std::byte> tlvs);

}  // namespace ebpf::sys
