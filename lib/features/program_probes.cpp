// SPDX-License-Identifier: MIT
// Program type probes: BPF_PROG_LOAD of r0 = 0; exit, with what each type needs to get past the load checks.
#include <ebpf/features.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "features/probe_cache.hpp"
#include "features/probe_util.hpp"
#include "features/recipes.hpp"

namespace ebpf {

using detail::format;

namespace detail {

namespace {

constexpr std::uint32_t at(AttachType t) { return static_cast<std::uint32_t>(t); }

// Types a plain `r0 = 0; exit` with no attributes does not load as: what else they need. Any other type uses
// the default recipe. BTF-attached types (tracing, lsm, ext) get a deliberately wrong target, attach_btf_id 1,
// which is never a function in vmlinux BTF: a kernel that knows the type says so in a specific message.
constexpr ProgramRecipe kProgramRecipes[] = {
    {ProgramType::CgroupSockAddr, at(AttachType::CgroupInet4Connect)},
    {ProgramType::CgroupSockopt, at(AttachType::CgroupGetsockopt)},
    {ProgramType::SkLookup, at(AttachType::SkLookup)},
    {ProgramType::LircMode2, at(AttachType::LircMode2)},
    {ProgramType::Netfilter, at(AttachType::Netfilter)},
    {ProgramType::Syscall, 0, probe::kSleepable},  // "Syscall programs can only be sleepable"
    {ProgramType::Tracing, at(AttachType::TraceFentry), 0, 1, EINVAL, "attach_btf_id 1 is not a function"},
    {ProgramType::Lsm, at(AttachType::LsmMac), 0, 1, EINVAL, "attach_btf_id 1 is not a function"},
    {ProgramType::Ext, 0, 0, 1, EINVAL, "Cannot replace kernel functions"},
    // No struct_ops type given: a kernel that knows struct_ops refuses with ENOTSUPP, one that does not, EINVAL.
    {ProgramType::StructOps, 0, 0, 0, probe::kEnotsupp, nullptr},
};

}  // namespace

ProgramRecipe program_recipe(ProgramType type) noexcept {
    for (const ProgramRecipe& r : kProgramRecipes)
        if (r.type == type) return r;
    return ProgramRecipe{type};
}

Result<bool> run_program_probe(const ProbeKey& key) {
    const auto type = static_cast<ProgramType>(key.type);
    const ProgramRecipe r = program_recipe(type);
    const bool log = r.known_log != nullptr;
    const probe::Outcome o = probe::load_program(
        {.type = type, .expected_attach_type = r.expected_attach_type, .flags = r.flags,
         .attach_btf_id = r.attach_btf_id, .log = log});
    if (o.ok()) return true;
    if (r.known_errno && o.err == r.known_errno && (!r.known_log || o.log.find(r.known_log) != std::string::npos))
        return true;
    const std::string what = format("BPF_PROG_LOAD (%.*s)", EBPF_SV(to_string(type)));
    switch (o.err) {
    case EPERM: return probe::on_eperm(what);
    case EINVAL:
    case E2BIG:  // attributes past the end of the kernel's bpf_attr: a kernel older than the type
    case EOPNOTSUPP:
    case probe::kEnotsupp: return false;
    case EACCES:  // with a log the verifier ran, so the type exists; without one it may be a security module
        if (!o.log.empty()) return true;
        return probe::on_eperm(what);
    default: return probe::unexpected(o.err, what);
    }
}

}  // namespace detail

Result<bool> program_type_supported(ProgramType type) {
    return detail::cached_probe(ProbeKey::program(type), detail::run_program_probe);
}

}  // namespace ebpf
