// SPDX-License-Identifier: MIT
// bpf_link probes: whether BPF_LINK_CREATE has an attach path for an attach type. A minimal program of the right
// type is loaded and linked to a target chosen so that the path, where it exists, fails with an errno that
// nothing before it returns (kernel/bpf/syscall.c link_create(), 5.7 .. 6.18); a kernel without the path says
// EINVAL. docs/features.md has the table with the kernel functions each errno comes from.
#include <ebpf/features.hpp>
#include <ebpf/kernel_btf.hpp>

#include <cerrno>
#include <initializer_list>
#include <span>
#include <string>

#include "base/format.hpp"
#include "base/try.hpp"
#include "features/own_probes.hpp"
#include "features/probe_cache.hpp"
#include "features/probe_util.hpp"
#include "sys/bpf.hpp"

namespace ebpf {

using detail::format;

namespace {

namespace probe = detail::probe;

enum class How : std::uint8_t {
    BadFd,          // target_fd -1: the path fdget()s its target first -> EBADF (cgroup, netns, perf, sockmap)
    XdpLoopback,    // lo (ifindex 1) in driver mode: lo has no native XDP -> EOPNOTSUPP (EEXIST/EBUSY if busy)
    BadIfindex,     // ifindex -1 -> ENODEV (tcx, netkit)
    Netfilter,      // protocol family 0 -> EAFNOSUPPORT
    KprobeMulti,    // one symbol name longer than KSYM_NAME_LEN -> E2BIG; EOPNOTSUPP: no CONFIG_FPROBE
    UprobeMulti,    // path "/", not a regular file -> EBADF; EOPNOTSUPP: no CONFIG_UPROBES
    StructOpsMap,   // a struct_ops map with BPF_F_LINK, which came with the link (6.4): ENOTSUPP, else EINVAL
    TracingAttach,  // a real attach to a test function of the kernel, detached at once
    IterAttach,     // an iterator link (it attaches to nothing)
    BtfBadFd,       // as BadFd, for a program that needs a BTF target to load (lsm_cgroup)
    None,           // no honest probe
};

struct LinkRecipe {
    AttachType type;
    ProgramType prog;
    How how;
    const char* btf_target = nullptr;  // TracingAttach, IterAttach, BtfBadFd: a FUNC (or TYPEDEF for tp_btf)
    std::int32_t ret = 1;              // r0 of the program: 1 passes every cgroup return-value check
    const char* btf_fallback = nullptr;  // a second target, for when the kernel refuses the first (EINVAL)
};

using A = AttachType;
using P = ProgramType;

// One row per attach type of include/ebpf/types.hpp, in two tables: the attach types whose link takes a target fd
// and whose probe program needs nothing from the kernel's BTF (cgroups, netns, perf events, sockmaps: a bad fd
// proves the path), which the cgroup attach path probes on its own (fd_target_link_supported), and the others.
constexpr LinkRecipe kFdTargetRecipes[] = {
    {A::CgroupInetIngress, P::CgroupSkb, How::BadFd},
    {A::CgroupInetEgress, P::CgroupSkb, How::BadFd},
    {A::CgroupInetSockCreate, P::CgroupSock, How::BadFd},
    {A::CgroupSockOps, P::SockOps, How::BadFd},
    {A::SkSkbStreamParser, P::SkSkb, How::BadFd},
    {A::SkSkbStreamVerdict, P::SkSkb, How::BadFd},
    {A::CgroupDevice, P::CgroupDevice, How::BadFd},
    {A::SkMsgVerdict, P::SkMsg, How::BadFd},
    {A::CgroupInet4Bind, P::CgroupSockAddr, How::BadFd},
    {A::CgroupInet6Bind, P::CgroupSockAddr, How::BadFd},
    {A::CgroupInet4Connect, P::CgroupSockAddr, How::BadFd},
    {A::CgroupInet6Connect, P::CgroupSockAddr, How::BadFd},
    {A::CgroupInet4PostBind, P::CgroupSock, How::BadFd},
    {A::CgroupInet6PostBind, P::CgroupSock, How::BadFd},
    {A::CgroupUdp4Sendmsg, P::CgroupSockAddr, How::BadFd},
    {A::CgroupUdp6Sendmsg, P::CgroupSockAddr, How::BadFd},
    {A::LircMode2, P::LircMode2, How::BadFd},  // BPF_PROG_ATTACH only, so far
    {A::FlowDissector, P::FlowDissector, How::BadFd},
    {A::CgroupSysctl, P::CgroupSysctl, How::BadFd},
    {A::CgroupUdp4Recvmsg, P::CgroupSockAddr, How::BadFd},
    {A::CgroupUdp6Recvmsg, P::CgroupSockAddr, How::BadFd},
    {A::CgroupGetsockopt, P::CgroupSockopt, How::BadFd},
    {A::CgroupSetsockopt, P::CgroupSockopt, How::BadFd},
    {A::CgroupInet4Getpeername, P::CgroupSockAddr, How::BadFd},
    {A::CgroupInet6Getpeername, P::CgroupSockAddr, How::BadFd},
    {A::CgroupInet4Getsockname, P::CgroupSockAddr, How::BadFd},
    {A::CgroupInet6Getsockname, P::CgroupSockAddr, How::BadFd},
    {A::CgroupInetSockRelease, P::CgroupSock, How::BadFd},
    {A::SkLookup, P::SkLookup, How::BadFd},
    {A::SkSkbVerdict, P::SkSkb, How::BadFd},
    {A::SkReuseportSelect, P::SkReuseport, How::BadFd},  // SO_ATTACH_REUSEPORT_EBPF only, so far
    {A::SkReuseportSelectOrMigrate, P::SkReuseport, How::BadFd},
    {A::PerfEvent, P::Tracepoint, How::BadFd},
    {A::CgroupUnixConnect, P::CgroupSockAddr, How::BadFd},
    {A::CgroupUnixSendmsg, P::CgroupSockAddr, How::BadFd},
    {A::CgroupUnixRecvmsg, P::CgroupSockAddr, How::BadFd},
    {A::CgroupUnixGetpeername, P::CgroupSockAddr, How::BadFd},
    {A::CgroupUnixGetsockname, P::CgroupSockAddr, How::BadFd},
};
constexpr LinkRecipe kOtherRecipes[] = {
    // A cgroup link too, but its program needs an LSM hook from the kernel's BTF: not in kFdTargetRecipes, which
    // must not reach the kernel's BTF (fd_target_link_supported answers lsm_cgroup from the cgroup links' probe).
    {A::LsmCgroup, P::Lsm, How::BtfBadFd, "bpf_lsm_socket_bind"},
    {A::TraceRawTp, P::Tracing, How::TracingAttach, "btf_trace_bpf_test_finish", 0},
    {A::TraceFentry, P::Tracing, How::TracingAttach, "bpf_fentry_test1", 0},
    {A::TraceFexit, P::Tracing, How::TracingAttach, "bpf_fentry_test1", 0},
    // bpf_modify_return_test is modifiable with CONFIG_FUNCTION_ERROR_INJECTION, or where the kernel registers it
    // as modifiable (Debian's 6.12 does, its 6.1 does not); security_* functions always are, and r0 = 0 leaves
    // their result alone.
    {A::ModifyReturn, P::Tracing, How::TracingAttach, "bpf_modify_return_test", 0, "security_bpf_map"},
    {A::LsmMac, P::Lsm, How::TracingAttach, "bpf_lsm_file_mprotect", 0},
    {A::TraceIter, P::Tracing, How::IterAttach, "bpf_iter_task", 0},
    {A::XdpDevmap, P::Xdp, How::XdpLoopback},  // a program in a devmap entry: no link path
    {A::XdpCpumap, P::Xdp, How::XdpLoopback},  // a program in a cpumap entry: no link path
    {A::Xdp, P::Xdp, How::XdpLoopback},
    {A::TraceKprobeMulti, P::Kprobe, How::KprobeMulti},
    {A::StructOps, P::StructOps, How::StructOpsMap},
    {A::Netfilter, P::Netfilter, How::Netfilter},
    {A::TcxIngress, P::SchedCls, How::BadIfindex},
    {A::TcxEgress, P::SchedCls, How::BadIfindex},
    {A::TraceUprobeMulti, P::Kprobe, How::UprobeMulti},
    {A::NetkitPrimary, P::SchedCls, How::BadIfindex},
    {A::NetkitPeer, P::SchedCls, How::BadIfindex},
    {A::TraceKprobeSession, P::Kprobe, How::KprobeMulti},
    {A::TraceUprobeSession, P::Kprobe, How::UprobeMulti},
    {A::TraceFsession, P::Tracing, How::None},
    {A::TraceFentryMulti, P::Tracing, How::None},
    {A::TraceFexitMulti, P::Tracing, How::None},
    {A::TraceFsessionMulti, P::Tracing, How::None},
};

constexpr std::uint32_t kInvalid = 0xffffffffu;  // fd -1, ifindex -1
constexpr std::uint32_t kXdpDrvMode = 1u << 2;   // XDP_FLAGS_DRV_MODE
constexpr std::uint32_t kStructOpsLink = 1u << 13;  // BPF_F_LINK

// The errno of one BPF_LINK_CREATE (0 when it made a link, which is closed at once).
int link_errno(sys::LinkCreateAttr& a) {
    auto fd = sys::link_create(a);
    return fd ? 0 : fd.error().sys_errno();
}

Result<bool> verdict(int err, std::initializer_list<int> supported, const std::string& what) {
    if (err == 0) return true;
    for (int s : supported)
        if (err == s) return true;
    switch (err) {
    case EPERM: return probe::on_eperm(what);
    case EINVAL:       // no such attach path (or an attach type the kernel does not know)
    case EOPNOTSUPP:   // the kernel knows the type but was built without it (a stub)
    case probe::kEnotsupp: return false;
    default: return probe::unexpected(err, what);
    }
}

Result<std::uint32_t> btf_target(const LinkRecipe& r, const char* name) {
    auto kbtf = KernelBtf::running();
    if (!kbtf) return std::move(kbtf).error();
    const btf::Kind kind = r.type == AttachType::TraceRawTp ? btf::Kind::Typedef : btf::Kind::Func;
    auto id = (*kbtf)->vmlinux().find(name, kind);
    if (!id) return Error(Errc::NotSupported, format("no probe: the kernel's BTF has no %s to attach to", name));
    return *id;
}

Result<bool> struct_ops_link(const std::string& what) {
    sys::MapCreateAttr m{};
    m.map_type = static_cast<std::uint32_t>(MapType::StructOps);
    m.key_size = 4;
    m.value_size = 4;
    m.max_entries = 1;
    m.map_flags = kStructOpsLink;
    m.btf_vmlinux_value_type_id = 1;  // no struct_ops type: the kernel stops there if it accepted the flag
    const probe::Outcome o = probe::create_map(m);
    return verdict(o.ok() ? 0 : o.err, {probe::kEnotsupp}, what);
}

const LinkRecipe* find_recipe(std::span<const LinkRecipe> table, AttachType type) {
    for (const LinkRecipe& c : table)
        if (c.type == type) return &c;
    return nullptr;
}

// The kernel's BTF ids of a recipe's attach targets (its first and its fallback; 0 where it names none).
struct BtfTargets {
    std::uint32_t first = 0, fallback = 0;
};

Result<BtfTargets> btf_targets(const LinkRecipe& r) {
    BtfTargets t;
    if (r.how != How::TracingAttach && r.how != How::IterAttach && r.how != How::BtfBadFd) return t;
    EBPF_TRY_ASSIGN(t.first, btf_target(r, r.btf_target));
    if (r.btf_fallback) {
        EBPF_TRY_ASSIGN(t.fallback, btf_target(r, r.btf_fallback));
    }
    return t;
}

// Finds a recipe's BTF targets; passed as a pointer so that the probes given none (nullptr: the fd-target ones) do
// not reach the kernel's BTF in a static binary.
using BtfResolver = Result<BtfTargets> (*)(const LinkRecipe& r);

// Loads the recipe's program for attach type `key.type` into `prog`, against the BTF targets `resolve` finds once
// the program type is known to exist (a kernel without it may have no BTF either): true when it loaded; false when
// the kernel refuses it as one without the attach type (or without the program type) does.
Result<bool> load_recipe_program(const LinkRecipe& r, const ProbeKey& key, const std::string& what,
                                 BtfResolver resolve, probe::Outcome& prog) {
    // The program: the type must exist, and it must load with this expected attach type (and BTF target).
    auto known = program_type_supported(r.prog);
    if (!known) return known;
    if (!*known) return false;
    BtfTargets btf;
    if (resolve) {
        auto found = resolve(r);
        if (!found) return std::move(found).error().context(what);
        btf = *found;
    }
    probe::ProgLoad load{.type = r.prog, .expected_attach_type = key.type};
    if (r.type == AttachType::PerfEvent) load.expected_attach_type = 0;
    load.insns = {{0xb7, 0, 0, 0, r.ret}, {0x95, 0, 0, 0, 0}};
    load.attach_btf_id = btf.first;
    prog = probe::load_program(load);
    if (!prog.ok() && prog.err == EINVAL && btf.fallback != 0) {
        load.attach_btf_id = btf.fallback;
        prog = probe::load_program(load);
    }
    if (prog.ok()) return true;
    switch (prog.err) {
    case EPERM: return probe::on_eperm(what + ": load the program");
    case EINVAL:  // the kernel does not know this expected attach type for the program type
    case E2BIG:
    case EOPNOTSUPP:
    case probe::kEnotsupp: return false;
    default: return probe::unexpected(prog.err, what + ": load the program");
    }
}

std::string link_what(AttachType type) { return format("BPF_LINK_CREATE (%.*s)", EBPF_SV(to_string(type))); }

// A link from the loaded probe program to target fd -1: EBADF where the link path exists.
Result<bool> bad_target_fd_verdict(const probe::Outcome& prog, std::uint32_t attach_type, const std::string& what) {
    sys::LinkCreateAttr a{};
    a.prog_fd = static_cast<std::uint32_t>(prog.fd.get());
    a.attach_type = attach_type;
    a.target_fd = kInvalid;
    return verdict(link_errno(a), {EBADF}, what);
}

// The attach types of kFdTargetRecipes: a link to target fd -1 fails with EBADF where the path exists.
Result<bool> run_fd_target_link_probe(const ProbeKey& key) {
    const auto type = static_cast<AttachType>(key.type);
    const LinkRecipe* r = find_recipe(kFdTargetRecipes, type);
    if (!r) return false;  // fd_target_link_supported() says no for these without probing
    const std::string what = link_what(type);
    probe::Outcome prog;
    auto loaded = load_recipe_program(*r, key, what, nullptr, prog);
    if (!loaded || !*loaded) return loaded;
    return bad_target_fd_verdict(prog, key.type, what);
}

Result<bool> run_struct_ops_link_probe(const ProbeKey& key) {
    return struct_ops_link(link_what(static_cast<AttachType>(key.type)));
}

Result<bool> run_link_probe(const ProbeKey& key) {
    const auto type = static_cast<AttachType>(key.type);
    if (find_recipe(kFdTargetRecipes, type)) return run_fd_target_link_probe(key);
    const LinkRecipe* r = find_recipe(kOtherRecipes, type);
    const std::string what = link_what(type);
    if (!r)  // which program type would it take? Guessing is no probe.
        return Error(Errc::NotSupported, format("no probe for attach type %u: unknown to this build", key.type));
    switch (r->how) {
    case How::None:
        return Error(Errc::NotSupported,
                     format("no honest probe for %.*s yet (a link type newer than this build's recipes)",
                            EBPF_SV(to_string(type))));
    case How::StructOpsMap: return run_struct_ops_link_probe(key);
    default: break;
    }
    probe::Outcome prog;
    auto loaded = load_recipe_program(*r, key, what, btf_targets, prog);
    if (!loaded || !*loaded) return loaded;
    sys::LinkCreateAttr a{};
    a.prog_fd = static_cast<std::uint32_t>(prog.fd.get());
    a.attach_type = key.type;
    switch (r->how) {
    case How::XdpLoopback:
        a.target_fd = 1;  // LOOPBACK_IFINDEX, in every network namespace
        a.flags = kXdpDrvMode;
        return verdict(link_errno(a), {EOPNOTSUPP, EEXIST, EBUSY}, what);
    case How::BadIfindex: a.target_fd = kInvalid; return verdict(link_errno(a), {ENODEV}, what);
    case How::Netfilter: return verdict(link_errno(a), {EAFNOSUPPORT}, what);  // pf 0 is NFPROTO_UNSPEC
    case How::KprobeMulti: {
        const std::string name(600, 'x');  // KSYM_NAME_LEN is 128 before 6.1, 512 since
        const std::uint64_t syms[1] = {sys::ptr_to_u64(name.c_str())};
        a.kprobe_multi.cnt = 1;
        a.kprobe_multi.syms = sys::ptr_to_u64(syms);
        return verdict(link_errno(a), {E2BIG}, what);
    }
    case How::UprobeMulti: {
        const std::uint64_t offsets[1] = {0};
        a.uprobe_multi.path = sys::ptr_to_u64("/");
        a.uprobe_multi.offsets = sys::ptr_to_u64(offsets);
        a.uprobe_multi.cnt = 1;
        return verdict(link_errno(a), {EBADF}, what);
    }
    case How::TracingAttach:
    case How::IterAttach: return verdict(link_errno(a), {}, what);  // attaches for real; the link is closed at once
    case How::BtfBadFd: return bad_target_fd_verdict(prog, key.type, what);
    case How::BadFd:
    case How::StructOpsMap:
    case How::None: break;
    }
    return Error(Errc::NotSupported, "no probe recipe for " + what);
}

}  // namespace

Result<bool> link_supported(AttachType type) {
    return detail::cached_probe(ProbeKey::link(type), run_link_probe);
}

Result<bool> detail::fd_target_link_supported(AttachType type) {
    // lsm_cgroup (6.0) came after cgroup links (5.7): where an lsm_cgroup program loads, a cgroup link takes it.
    // Its own probe needs an LSM hook from the kernel's BTF, which the cgroup attach path should not carry; its
    // forced answer (EBPF_CXX_PROBE_OVERRIDE=link:lsm_cgroup=0) or an answer link_supported() found still decides.
    if (type == AttachType::LsmCgroup) {
        if (auto known = known_probe_answer(ProbeKey::link(type))) return std::move(*known);
        type = AttachType::CgroupInetIngress;
    }
    if (!find_recipe(kFdTargetRecipes, type)) return false;
    return cached_probe(ProbeKey::link(type), run_fd_target_link_probe);
}

Result<bool> detail::struct_ops_link_supported() {
    return cached_probe(ProbeKey::link(AttachType::StructOps), run_struct_ops_link_probe);
}

}  // namespace ebpf
