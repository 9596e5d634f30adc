// SPDX-License-Identifier: MIT
// Miscellaneous feature probes: each loads the smallest thing that needs the feature (a BTF blob, a program, a
// map) or calls a command with an invalid fd (a kernel with the command says EBADF, one without it EINVAL).
#include <ebpf/btf.hpp>
#include <ebpf/features.hpp>

#include <cerrno>
#include <iterator>
#include <vector>

#include "base/format.hpp"
#include "features/kernel_info.hpp"
#include "features/own_probes.hpp"
#include "features/probe_cache.hpp"
#include "features/probe_util.hpp"
#include "sys/bpf.hpp"
#include "sys/perf.hpp"

namespace ebpf {

using detail::format;

namespace {

namespace probe = detail::probe;
using K = btf::Kind;
using probe::btf_info;

constexpr std::string_view kFeatureNames[] = {
    "btf",           "btf_func",       "btf_global_func", "btf_datasec", "btf_qmark_datasec", "btf_float",
    "btf_decl_tag",  "btf_type_tag",   "btf_enum64",      "array_mmap",  "bpf_cookie",        "syscall_wrapper",
    "prog_name",     "global_data",    "map_freeze",      "link_detach", "prog_bind_map",     "raw_tp_cookie",
    "kfunc_call",    "bounded_loops",  "large_insn_limit", "isa_v2",     "isa_v3",            "isa_v4",
    "kprobe_pmu",    "uprobe_pmu"};
static_assert(std::size(kFeatureNames) == static_cast<std::size_t>(Feature::Count_));

// --- BTF kinds: BPF_BTF_LOAD of the smallest blob using the kind ---

// Strings shared by the BTF probes: "\0int\0a\0.data\0tag\0?.data\0float\0".
constexpr std::string_view kStrs{"\0int\0a\0.data\0tag\0?.data\0float\0", 31};
constexpr std::uint32_t kInt = 1, kA = 5, kData = 7, kTag = 13, kQdata = 17, kFloat = 24;
constexpr std::uint32_t kIntType[] = {kInt, btf_info(K::Int), 4, 1u << 24 | 32};

std::vector<std::uint32_t> with_int(std::initializer_list<std::uint32_t> rest) {
    std::vector<std::uint32_t> v(std::begin(kIntType), std::end(kIntType));
    v.insert(v.end(), rest);
    return v;
}

Result<bool> btf_verdict(const std::vector<std::uint32_t>& types) {
    const probe::Outcome o = probe::load_btf(types, kStrs);
    if (o.ok()) return true;
    if (o.err == EPERM) return probe::on_eperm("BPF_BTF_LOAD");
    return false;  // EINVAL/E2BIG: a kind, linkage or name the kernel does not accept
}

Result<bool> btf_probe(Feature f) {
    switch (f) {
    case Feature::Btf: return btf_verdict(with_int({}));
    case Feature::BtfFunc:
        return btf_verdict(with_int({0, btf_info(K::FuncProto), kInt, kA, btf_info(K::Func, btf::kFuncStatic), 2}));
    case Feature::BtfGlobalFunc:
        return btf_verdict(with_int({0, btf_info(K::FuncProto), kInt, kA, btf_info(K::Func, btf::kFuncGlobal), 2}));
    case Feature::BtfDatasec:
        return btf_verdict(with_int({kA, btf_info(K::Var), kInt, btf::kVarGlobalAllocated, kData,
                                     btf_info(K::Datasec, 1), 4, 2, 0, 4}));
    case Feature::BtfQmarkDatasec:
        return btf_verdict(with_int({kA, btf_info(K::Var), kInt, btf::kVarGlobalAllocated, kQdata,
                                     btf_info(K::Datasec, 1), 4, 2, 0, 4}));
    case Feature::BtfFloat: return btf_verdict({kFloat, btf_info(K::Float), 4});
    case Feature::BtfDeclTag:
        return btf_verdict(with_int({kA, btf_info(K::Var), kInt, btf::kVarGlobalAllocated, kTag, btf_info(K::DeclTag),
                                     2, 0xffffffffu}));
    case Feature::BtfTypeTag: return btf_verdict(with_int({kTag, btf_info(K::TypeTag), kInt, 0, btf_info(K::Ptr), 2}));
    case Feature::BtfEnum64: return btf_verdict({kA, btf_info(K::Enum64, 1), 8, kA, 1, 1});
    default: break;
    }
    return Error(Errc::InvalidArgument, "not a BTF feature");
}

// --- Programs the verifier accepts only with the feature ---

// Loads a socket filter made of `insns` (GPL). true if it loads; false if the kernel refuses it (EINVAL, E2BIG).
Result<bool> loads(std::vector<Instruction> insns, const char* what, const char* name = nullptr) {
    const probe::Outcome o =
        probe::load_program({.type = ProgramType::SocketFilter, .insns = std::move(insns), .name = name});
    if (o.ok()) return true;
    if (o.err == EPERM) return probe::on_eperm(what);
    if (o.err == EINVAL || o.err == E2BIG || o.err == EACCES) return false;
    return probe::unexpected(o.err, what);
}

constexpr Instruction kRet0 = {0xb7, 0, 0, 0, 0}, kExit = {0x95, 0, 0, 0, 0};

Result<bool> global_data() {
    const probe::Outcome map = probe::create_small_map(MapType::Array);
    if (!map.ok()) {
        if (map.err == EPERM) return probe::on_eperm("BPF_MAP_CREATE (array for global data)");
        return probe::unexpected(map.err, "BPF_MAP_CREATE (array for global data)");
    }
    // r1 = &map[0] (BPF_PSEUDO_MAP_VALUE); *(u32 *)(r1 + 0) = 42; r0 = 0; exit
    return loads({{0x18, 1, kPseudoMapValue, 0, map.fd.get()}, {0, 0, 0, 0, 0}, {0x62, 1, 0, 0, 42}, kRet0, kExit},
                 "BPF_PROG_LOAD (global data)");
}

Result<bool> kfunc_call() {
    // A call of a kfunc whose BTF id is no function: a kernel with kfunc calls says so; older ones reject the call
    // instruction itself ("BPF_CALL uses reserved fields"), or say kfuncs need a JIT or BTF.
    const probe::Outcome o = probe::load_program(
        {.type = ProgramType::SocketFilter, .insns = {{0x85, 0, kPseudoKfuncCall, 0, 0x7ffffff0}, kRet0, kExit},
         .log = true});
    if (o.ok()) return true;
    if (o.err == EPERM) return probe::on_eperm("BPF_PROG_LOAD (kfunc call)");
    return o.log.find("kernel btf_id") != std::string::npos && o.log.find("is not a function") != std::string::npos;
}

Result<bool> large_insn_limit() {
    std::vector<Instruction> insns(4096, kRet0);  // BPF_MAXINSNS + 1 with the exit
    insns.push_back(kExit);
    return loads(std::move(insns), "BPF_PROG_LOAD (4097 instructions)");
}

// --- Commands: a kernel with the command looks up the (invalid) fd: EBADF; without it: EINVAL ---

Result<bool> command(Result<void> r, const char* what) {
    if (r) return true;
    const int err = r.error().sys_errno();
    if (err == EBADF) return true;
    if (err == EINVAL) return false;
    if (err == EPERM) return probe::on_eperm(what);
    return probe::unexpected(err, what);
}

Result<bool> array_mmap() {
    sys::MapCreateAttr a{};
    a.map_type = static_cast<std::uint32_t>(MapType::Array);
    a.key_size = 4;
    a.value_size = 4;
    a.max_entries = 1;
    a.map_flags = probe::kMmapable;
    const probe::Outcome o = probe::create_map(a);
    if (o.ok()) return true;
    if (o.err == EPERM) return probe::on_eperm("BPF_MAP_CREATE (mmap-able array)");
    return false;
}

// The kprobe/uprobe PMU: its sysfs type file (/sys/bus/event_source/devices/<pmu>/type) exists (4.17, with
// CONFIG_KPROBE_EVENTS / CONFIG_UPROBE_EVENTS).
Result<bool> probe_pmu(const Result<sys::ProbePmu>& pmu) {
    if (pmu) return true;
    if (pmu.error().code() == Errc::NotSupported) return false;
    return pmu.error();
}

// The probes the library's own fallbacks ask for (features/own_probes.hpp), one function each.
Result<bool> run_btf_probe(const ProbeKey& key) { return btf_probe(static_cast<Feature>(key.type)); }
Result<bool> run_array_mmap_probe(const ProbeKey&) { return array_mmap(); }
Result<bool> run_map_freeze_probe(const ProbeKey&) { return command(sys::map_freeze(-1), "BPF_MAP_FREEZE"); }
Result<bool> run_link_detach_probe(const ProbeKey&) { return command(sys::link_detach(-1), "BPF_LINK_DETACH"); }

Result<bool> run_feature_probe(const ProbeKey& key) {
    const auto f = static_cast<Feature>(key.type);
    switch (f) {
    case Feature::Btf:
    case Feature::BtfFunc:
    case Feature::BtfGlobalFunc:
    case Feature::BtfDatasec:
    case Feature::BtfQmarkDatasec:
    case Feature::BtfFloat:
    case Feature::BtfDeclTag:
    case Feature::BtfTypeTag:
    case Feature::BtfEnum64: return run_btf_probe(key);
    case Feature::ArrayMmap: return run_array_mmap_probe(key);
    case Feature::BpfCookie: return helper_supported(ProgramType::Tracepoint, *helper_id("get_attach_cookie"));
    case Feature::SyscallWrapper: return detail::kernel_has_syscall_wrapper();
    case Feature::ProgName: return loads({kRet0, kExit}, "BPF_PROG_LOAD (with a name)", "ebpf_cxx_probe");
    case Feature::GlobalData: return global_data();
    case Feature::MapFreeze: return run_map_freeze_probe(key);
    case Feature::LinkDetach: return run_link_detach_probe(key);
    case Feature::ProgBindMap: return command(sys::prog_bind_map(-1, -1), "BPF_PROG_BIND_MAP");
    case Feature::RawTpCookie: {
        // The cookie field is past the end of the attr of older kernels, which reject it (EINVAL).
        auto r = sys::raw_tracepoint_open(nullptr, -1, 1);
        return command(r ? Result<void>() : Result<void>(std::move(r).error()), "BPF_RAW_TRACEPOINT_OPEN (cookie)");
    }
    case Feature::KfuncCall: return kfunc_call();
    case Feature::BoundedLoops:
        // r0 = 10; r0 -= 1; if r0 != 0 goto -2; exit: a back edge
        return loads({{0xb7, 0, 0, 0, 10}, {0x17, 0, 0, 0, 1}, {0x55, 0, 0, -2, 0}, kExit},
                     "BPF_PROG_LOAD (bounded loop)");
    case Feature::LargeInsnLimit: return large_insn_limit();
    case Feature::IsaV2:  // if r0 < 0 goto +0 (BPF_JLT)
        return loads({kRet0, {0xa5, 0, 0, 0, 0}, kExit}, "BPF_PROG_LOAD (JLT)");
    case Feature::IsaV3:  // if w0 == 0 goto +0 (BPF_JMP32)
        return loads({kRet0, {0x16, 0, 0, 0, 0}, kExit}, "BPF_PROG_LOAD (JMP32)");
    case Feature::IsaV4:  // r0 = (s8)r0 (BPF_MOVSX: BPF_MOV with off 8)
        return loads({kRet0, {0xbf, 0, 0, 8, 0}, kExit}, "BPF_PROG_LOAD (MOVSX)");
    case Feature::KprobePmu: return probe_pmu(sys::kprobe_pmu());
    case Feature::UprobePmu: return probe_pmu(sys::uprobe_pmu());
    case Feature::Count_: break;
    }
    return Error(Errc::InvalidArgument, format("unknown feature %u", key.type));
}

}  // namespace

std::string_view to_string(Feature f) noexcept {
    const auto i = static_cast<std::size_t>(f);
    return i < std::size(kFeatureNames) ? kFeatureNames[i] : "unknown";
}

std::optional<Feature> feature_from_string(std::string_view name) noexcept {
    for (std::size_t i = 0; i < std::size(kFeatureNames); ++i)
        if (kFeatureNames[i] == name) return static_cast<Feature>(i);
    return std::nullopt;
}

Result<bool> has(Feature f) {
    if (static_cast<std::size_t>(f) >= std::size(kFeatureNames))
        return Error(Errc::InvalidArgument, format("unknown feature %u", static_cast<unsigned>(f)));
    return detail::cached_probe(ProbeKey::feature(f), run_feature_probe);
}

Result<bool> detail::has_btf_feature(Feature f) {
    if (f < Feature::Btf || f > Feature::BtfEnum64)
        return Error(Errc::InvalidArgument, format("feature %.*s is not a BTF kind", EBPF_SV(to_string(f))));
    return cached_probe(ProbeKey::feature(f), run_btf_probe);
}

Result<bool> detail::has_array_mmap() {
    return cached_probe(ProbeKey::feature(Feature::ArrayMmap), run_array_mmap_probe);
}
Result<bool> detail::has_map_freeze() {
    return cached_probe(ProbeKey::feature(Feature::MapFreeze), run_map_freeze_probe);
}
Result<bool> detail::has_link_detach() {
    return cached_probe(ProbeKey::feature(Feature::LinkDetach), run_link_detach_probe);
}

}  // namespace ebpf
