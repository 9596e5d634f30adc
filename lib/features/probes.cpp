// SPDX-License-Identifier: MIT
// Feature probes: each loads the smallest thing that needs the feature; the kernel's answer is cached.
#include <ebpf/features.hpp>
#include <ebpf/btf.hpp>
#include <ebpf/types.hpp>

#include <sys/utsname.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <optional>
#include <vector>

#include "base/format.hpp"
#include "features/kernel_info.hpp"
#include "sys/bpf.hpp"

namespace ebpf {

using detail::format;

namespace {

constexpr std::uint32_t info(btf::Kind k, std::uint32_t vlen = 0, bool kflag = false) {
    return static_cast<std::uint32_t>(k) << 24 | vlen | (kflag ? 1u << 31 : 0u);
}

// A raw BTF blob in host byte order from type words and a string table.
std::vector<std::byte> btf_blob(const std::vector<std::uint32_t>& types, std::string_view strings) {
    std::vector<std::byte> out(24 + types.size() * 4 + strings.size());
    const std::uint16_t magic = 0xeB9F;
    std::memcpy(out.data(), &magic, 2);
    out[2] = std::byte{1};
    const std::uint32_t hdr[5] = {24, 0, static_cast<std::uint32_t>(types.size() * 4),
                                  static_cast<std::uint32_t>(types.size() * 4),
                                  static_cast<std::uint32_t>(strings.size())};
    std::memcpy(out.data() + 4, hdr, sizeof hdr);
    std::memcpy(out.data() + 24, types.data(), types.size() * 4);
    std::memcpy(out.data() + 24 + types.size() * 4, strings.data(), strings.size());
    return out;
}

Result<bool> probe_btf(const std::vector<std::uint32_t>& types, std::string_view strings) {
    const auto blob = btf_blob(types, strings);
    sys::BtfLoadAttr a{};
    a.btf = sys::ptr_to_u64(blob.data());
    a.btf_size = static_cast<std::uint32_t>(blob.size());
    auto fd = sys::btf_load(a);
    if (fd) return true;
    if (fd.error().sys_errno() == EPERM) return std::move(fd).error().context("probe BTF support");
    return false;
}

using K = btf::Kind;
// Strings shared by the BTF probes: "\0int\0a\0.data\0tag\0?.data\0float\0".
constexpr std::string_view kStrs{"\0int\0a\0.data\0tag\0?.data\0float\0", 31};
constexpr std::uint32_t kInt = 1, kA = 5, kData = 7, kTag = 13, kQdata = 17, kFloat = 24;
constexpr std::uint32_t kIntType[] = {kInt, info(K::Int), 4, 1u << 24 | 32};

std::vector<std::uint32_t> with_int(std::initializer_list<std::uint32_t> rest) {
    std::vector<std::uint32_t> v(std::begin(kIntType), std::end(kIntType));
    v.insert(v.end(), rest);
    return v;
}

Result<bool> probe_program(ProgramType type, std::vector<std::uint64_t> insns) {
    sys::ProgLoadAttr a{};
    a.prog_type = static_cast<std::uint32_t>(type);
    a.insns = sys::ptr_to_u64(insns.data());
    a.insn_cnt = static_cast<std::uint32_t>(insns.size());
    a.license = sys::ptr_to_u64("GPL");
    auto fd = sys::prog_load(a);
    if (fd) return true;
    if (fd.error().sys_errno() == EPERM) return std::move(fd).error().context("probe program support");
    return false;
}

// Encodes one instruction for the host (probes are tiny; no need for the object layer's encoder).
std::uint64_t insn(std::uint8_t code, std::uint8_t dst, std::uint8_t src, std::int16_t off, std::int32_t imm) {
    unsigned char b[8];
    b[0] = code;
    b[1] = detail::host_is_little() ? static_cast<unsigned char>(src << 4 | dst) : static_cast<unsigned char>(dst << 4 | src);
    std::memcpy(b + 2, &off, 2);
    std::memcpy(b + 4, &imm, 4);
    std::uint64_t v;
    std::memcpy(&v, b, 8);
    return v;
}

Result<bool> run_probe(Feature f) {
    switch (f) {
    case Feature::Btf: return probe_btf(with_int({}), kStrs);
    case Feature::BtfFunc:
        return probe_btf(with_int({0, info(K::FuncProto), kInt, kA, info(K::Func, btf::kFuncStatic), 2}), kStrs);
    case Feature::BtfGlobalFunc:
        return probe_btf(with_int({0, info(K::FuncProto), kInt, kA, info(K::Func, btf::kFuncGlobal), 2}), kStrs);
    case Feature::BtfDatasec:
        return probe_btf(with_int({kA, info(K::Var), kInt, btf::kVarGlobalAllocated, kData, info(K::Datasec, 1), 4, 2,
                                   0, 4}),
                         kStrs);
    case Feature::BtfQmarkDatasec:
        return probe_btf(with_int({kA, info(K::Var), kInt, btf::kVarGlobalAllocated, kQdata, info(K::Datasec, 1), 4, 2,
                                   0, 4}),
                         kStrs);
    case Feature::BtfFloat: return probe_btf({kFloat, info(K::Float), 4}, kStrs);
    case Feature::BtfDeclTag:
        return probe_btf(with_int({kA, info(K::Var), kInt, btf::kVarGlobalAllocated, kTag, info(K::DeclTag), 2,
                                   0xffffffffu}),
                         kStrs);
    case Feature::BtfTypeTag: return probe_btf(with_int({kTag, info(K::TypeTag), kInt, 0, info(K::Ptr), 2}), kStrs);
    case Feature::BtfEnum64: return probe_btf({kA, info(K::Enum64, 1), 8, kA, 1, 1}, kStrs);
    case Feature::ArrayMmap: {
        sys::MapCreateAttr a{};
        a.map_type = static_cast<std::uint32_t>(MapType::Array);
        a.key_size = 4;
        a.value_size = 4;
        a.max_entries = 1;
        a.map_flags = 1u << 10;  // BPF_F_MMAPABLE
        auto fd = sys::map_create(a);
        if (fd) return true;
        if (fd.error().sys_errno() == EPERM) return std::move(fd).error().context("probe mmap-able arrays");
        return false;
    }
    case Feature::BpfCookie:
        // call bpf_get_attach_cookie (helper 174); r0 = 0; exit
        return probe_program(ProgramType::Tracepoint,
                             {insn(0x85, 0, 0, 0, 174), insn(0xb7, 0, 0, 0, 0), insn(0x95, 0, 0, 0, 0)});
    case Feature::SyscallWrapper: return detail::kernel_has_syscall_wrapper();
    case Feature::Count_: break;
    }
    return Error(Errc::InvalidArgument, "unknown feature");
}

}  // namespace

std::string_view to_string(Feature f) noexcept {
    static constexpr std::string_view names[] = {
        "btf",        "btf_func",     "btf_global_func", "btf_datasec", "btf_qmark_datasec", "btf_float",
        "btf_decl_tag", "btf_type_tag", "btf_enum64",    "array_mmap",  "bpf_cookie",        "syscall_wrapper"};
    const auto i = static_cast<std::size_t>(f);
    return i < std::size(names) ? names[i] : "unknown";
}

Result<bool> has(Feature f) {
    static std::mutex mu;
    static std::array<std::optional<bool>, static_cast<std::size_t>(Feature::Count_)> cache;
    const auto i = static_cast<std::size_t>(f);
    if (i >= cache.size()) return Error(Errc::InvalidArgument, "unknown feature");
    std::lock_guard<std::mutex> lock(mu);
    if (cache[i]) return *cache[i];
    auto r = run_probe(f);
    if (!r) return r;  // permission problems are not cached: they may be fixed later (capabilities, rlimit)
    cache[i] = *r;
    return *r;
}

}  // namespace ebpf
