// SPDX-License-Identifier: MIT
// What the probe families share: loading a tiny program or map and reading the kernel's refusal, the EPERM
// verdict (our missing privilege, or the kernel's refusal), and tiny BTF blobs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/btf.hpp>
#include <ebpf/error.hpp>
#include <ebpf/fd.hpp>
#include <ebpf/spec.hpp>
#include <ebpf/types.hpp>

#include "sys/attr.hpp"

namespace ebpf::detail::probe {

inline constexpr int kEnotsupp = 524;  // ENOTSUPP: kernel-internal, but bpf() returns it
inline constexpr std::uint32_t kSleepable = 1u << 4;  // BPF_F_SLEEPABLE
inline constexpr std::uint32_t kNoPrealloc = 1u << 0;  // BPF_F_NO_PREALLOC
inline constexpr std::uint32_t kMmapable = 1u << 10;   // BPF_F_MMAPABLE

// r0 = 0; exit
std::vector<Instruction> return_zero();

struct ProgLoad {
    ProgramType type = ProgramType::Unspec;
    std::uint32_t expected_attach_type = 0;
    std::uint32_t flags = 0;
    std::uint32_t attach_btf_id = 0;
    std::vector<Instruction> insns = return_zero();
    bool log = false;             // ask for a verifier log (level 1)
    const char* name = nullptr;   // prog_name
};

// The kernel's answer to one BPF_PROG_LOAD / BPF_MAP_CREATE: an fd, or errno (and the verifier log if asked).
struct Outcome {
    UniqueFd fd;
    int err = 0;
    std::string log;
    bool ok() const noexcept { return fd.valid(); }
};

Outcome load_program(const ProgLoad& p);
Outcome create_map(sys::MapCreateAttr attr);
// A 4-byte-key, 4-byte-value, 1-entry map (inner maps, data for global-data probes).
Outcome create_small_map(MapType type);

// The verdict on EPERM from a probe. The process's fault (not privileged, or even a baseline program is refused,
// as with a low RLIMIT_MEMLOCK before 5.11): a Permission error, not cached. Otherwise the kernel refuses this to
// a privileged process (lockdown, an LSM, no trampolines): false.
Result<bool> on_eperm(std::string_view what);
// Whether the effective capabilities are enough for every probe: CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON and
// CAP_NET_ADMIN (read from /proc/self/status).
bool privileged();
// An unexpected errno as an Error naming the probe.
Error unexpected(int err, std::string_view what);

// A raw BTF blob (host byte order) from type words and a string table.
std::vector<std::byte> btf_blob(const std::vector<std::uint32_t>& types, std::string_view strings);
constexpr std::uint32_t btf_info(btf::Kind k, std::uint32_t vlen = 0, bool kflag = false) {
    return static_cast<std::uint32_t>(k) << 24 | vlen | (kflag ? 1u << 31 : 0u);
}
// BPF_BTF_LOAD of a blob: the fd, or errno.
Outcome load_btf(const std::vector<std::uint32_t>& types, std::string_view strings);

// BTF with one type, [1] int (4 bytes, signed): what local-storage maps need as key and value type.
Outcome load_int_btf();

}  // namespace ebpf::detail::probe
