// SPDX-License-Identifier: MIT
// Shared probe steps: tiny programs, maps and BTF blobs, and whose fault an EPERM is.
#include "features/probe_util.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/format.hpp"
#include "object/insn.hpp"
#include "sys/bpf.hpp"
#include "sys/proc.hpp"

namespace ebpf::detail::probe {

std::vector<Instruction> return_zero() { return {{0xb7, 0, 0, 0, 0}, {0x95, 0, 0, 0, 0}}; }

Outcome load_program(const ProgLoad& p) {
    const std::vector<std::uint64_t> insns = encode_instructions(p.insns);
    std::string log(p.log ? 16u << 10 : 0u, '\0');
    sys::ProgLoadAttr a{};
    a.prog_type = static_cast<std::uint32_t>(p.type);
    a.insns = sys::ptr_to_u64(insns.data());
    a.insn_cnt = static_cast<std::uint32_t>(insns.size());
    a.license = sys::ptr_to_u64("GPL");
    a.expected_attach_type = p.expected_attach_type;
    a.prog_flags = p.flags;
    a.attach_btf_id = p.attach_btf_id;
    if (p.name) std::strncpy(a.prog_name, p.name, sizeof a.prog_name - 1);
    if (p.log) {
        a.log_level = 1;
        a.log_buf = sys::ptr_to_u64(log.data());
        a.log_size = static_cast<std::uint32_t>(log.size());
    }
    Outcome out;
    auto fd = sys::prog_load(a);
    if (fd) {
        out.fd = std::move(*fd);
    } else {
        out.err = fd.error().sys_errno();
        if (p.log) out.log = log.c_str();
    }
    return out;
}

Outcome create_map(sys::MapCreateAttr attr) {
    Outcome out;
    auto fd = sys::map_create(attr);
    if (fd) out.fd = std::move(*fd);
    else out.err = fd.error().sys_errno();
    return out;
}

Outcome create_small_map(MapType type) {
    sys::MapCreateAttr a{};
    a.map_type = static_cast<std::uint32_t>(type);
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    return create_map(a);
}

bool privileged() {
    // "CapEff:\t000001ffffffffff"
    auto status = sys::read_text("/proc/self/status", 64u << 10);
    if (!status) return false;  // unknown: then an EPERM is reported as ours, never cached as the kernel's answer
    const auto pos = status->find("CapEff:");
    if (pos == std::string::npos) return false;
    std::uint64_t caps = 0;
    for (std::size_t i = pos + 7; i < status->size() && (*status)[i] != '\n'; ++i) {
        const char c = (*status)[i];
        if (c >= '0' && c <= '9') caps = caps << 4 | static_cast<std::uint64_t>(c - '0');
        else if (c >= 'a' && c <= 'f') caps = caps << 4 | static_cast<std::uint64_t>(c - 'a' + 10);
    }
    const auto cap = [&](int bit) { return (caps >> bit & 1) != 0; };
    constexpr int kNetAdmin = 12, kSysAdmin = 21, kPerfmon = 38, kBpf = 39;
    return cap(kSysAdmin) || (cap(kBpf) && cap(kPerfmon) && cap(kNetAdmin));
}

Error unexpected(int err, std::string_view what) {
    Error e = Error::from_errno(err, what);
    e.append(" (an answer this probe does not expect)");
    return e;
}

Result<bool> on_eperm(std::string_view what) {
    if (!privileged()) {
        Error e = Error::from_errno(EPERM, what);
        e.append(" (probing needs CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON and CAP_NET_ADMIN)");
        return e;
    }
    // The capabilities are there. If a minimal socket filter loads, the kernel refuses this particular thing.
    // (Not remembered: EPERM is rare among the probes, and a limit may change between two of them.)
    const Outcome base = load_program({.type = ProgramType::SocketFilter});
    if (!base.ok()) {
        Error e = Error::from_errno(base.err, what);
        e.append(" (a minimal socket filter is refused too: RLIMIT_MEMLOCK on kernels before 5.11, or a policy)");
        return e;
    }
    return false;
}

std::vector<std::byte> btf_blob(const std::vector<std::uint32_t>& types, std::string_view strings) {
    std::vector<std::byte> out(24 + types.size() * 4 + strings.size());
    const std::uint16_t magic = 0xeB9F;
    std::memcpy(out.data(), &magic, 2);
    out[2] = std::byte{1};  // version
    const auto type_len = static_cast<std::uint32_t>(types.size() * 4);
    const std::uint32_t hdr[5] = {24, 0, type_len, type_len, static_cast<std::uint32_t>(strings.size())};
    std::memcpy(out.data() + 4, hdr, sizeof hdr);
    if (!types.empty()) std::memcpy(out.data() + 24, types.data(), type_len);
    if (!strings.empty()) std::memcpy(out.data() + 24 + type_len, strings.data(), strings.size());
    return out;
}

Outcome load_btf(const std::vector<std::uint32_t>& types, std::string_view strings) {
    const auto blob = btf_blob(types, strings);
    sys::BtfLoadAttr a{};
    a.btf = sys::ptr_to_u64(blob.data());
    a.btf_size = static_cast<std::uint32_t>(blob.size());
    Outcome out;
    auto fd = sys::btf_load(a);
    if (fd) out.fd = std::move(*fd);
    else out.err = fd.error().sys_errno();
    return out;
}

Outcome load_int_btf() {
    constexpr std::string_view strings{"\0int\0", 5};
    return load_btf({1, btf_info(btf::Kind::Int), 4, 1u << 24 | 32}, strings);  // signed, 32 bits
}

}  // namespace ebpf::detail::probe
