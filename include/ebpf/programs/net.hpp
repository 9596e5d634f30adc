// SPDX-License-Identifier: MIT
// What the networking program views share: a network interface named by name or index, and the position of a
// program among the others on a multi-program hook (TCX, netkit).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <ebpf/error.hpp>

namespace ebpf {

class Link;
class Program;

// A network interface, by name ("eth0") or by index. Names and indexes are those of the calling thread's network
// namespace at the time of the attach call.
// Thread safety: a value type.
class NetInterface {
public:
    NetInterface(const char* name) : name_(name ? name : "") {}  // NOLINT: attach("eth0") is the point
    NetInterface(std::string_view name) : name_(name) {}         // NOLINT
    NetInterface(const std::string& name) : name_(name) {}       // NOLINT
    NetInterface(int ifindex) : index_(ifindex > 0 ? static_cast<std::uint32_t>(ifindex) : 0), by_index_(true) {}  // NOLINT

    bool by_index() const noexcept { return by_index_; }
    const std::string& name() const noexcept { return name_; }  // empty when given by index
    std::uint32_t index() const noexcept { return index_; }     // 0 when given by name
    // "veth0" or "ifindex 5", for messages.
    std::string describe() const;

private:
    std::string name_;
    std::uint32_t index_ = 0;
    bool by_index_ = false;
};

// Where a program goes among the programs of a multi-program hook (TCX 6.6, netkit 6.7): the BPF_F_BEFORE /
// BPF_F_AFTER / BPF_F_ID / BPF_F_LINK flags with a relative program or link. The default appends (runs last).
// A relative program or link given by handle must be loaded / attached; the kernel refuses one that is not on
// the same hook (ENOENT).
// Thread safety: a value type; it borrows the relative program's or link's fd until the attach call returns.
class LinkOrder {
public:
    enum class Where : std::uint8_t { Last, First, Before, After };
    enum class Relative : std::uint8_t { None, ProgramFd, ProgramId, LinkFd, LinkId };

    constexpr LinkOrder() noexcept = default;
    static constexpr LinkOrder last() noexcept { return {}; }
    static constexpr LinkOrder first() noexcept { return LinkOrder(Where::First, Relative::None, 0); }
    // Errors (reported by the attach call): InvalidArgument when `program` is not loaded or `link` holds no
    // bpf_link.
    static LinkOrder before(const Program& program) noexcept;
    static LinkOrder after(const Program& program) noexcept;
    static LinkOrder before(const Link& link) noexcept;
    static LinkOrder after(const Link& link) noexcept;
    static constexpr LinkOrder before_program_id(std::uint32_t id) noexcept {
        return LinkOrder(Where::Before, Relative::ProgramId, id);
    }
    static constexpr LinkOrder after_program_id(std::uint32_t id) noexcept {
        return LinkOrder(Where::After, Relative::ProgramId, id);
    }
    static constexpr LinkOrder before_link_id(std::uint32_t id) noexcept {
        return LinkOrder(Where::Before, Relative::LinkId, id);
    }
    static constexpr LinkOrder after_link_id(std::uint32_t id) noexcept {
        return LinkOrder(Where::After, Relative::LinkId, id);
    }

    Where where() const noexcept { return where_; }
    Relative relative() const noexcept { return relative_; }
    // The relative fd or id; an fd of -1 (as unsigned) when the program or link was not usable.
    std::uint32_t value() const noexcept { return value_; }
    bool is_default() const noexcept { return where_ == Where::Last && relative_ == Relative::None; }
    // "last", "before program id 7", ... for messages.
    std::string describe() const;

private:
    constexpr LinkOrder(Where w, Relative r, std::uint32_t v) noexcept : where_(w), relative_(r), value_(v) {}
    Where where_ = Where::Last;
    Relative relative_ = Relative::None;
    std::uint32_t value_ = 0;
};

}  // namespace ebpf
