// SPDX-License-Identifier: MIT
// Helper probes: a program of the type calling the helper, loaded with a verifier log that says whether the
// kernel has the helper for that type.
#include <ebpf/features.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "features/probe_cache.hpp"
#include "features/probe_util.hpp"
#include "features/recipes.hpp"

namespace ebpf {

using detail::format;

namespace {

namespace probe = detail::probe;

// What the verifier says when a call is not to a helper this program may use (kernel/bpf/verifier.c,
// check_helper_call): an id beyond __BPF_FUNC_MAX_ID, or get_func_proto() of the type returning NULL (the message
// changed in 6.6; 4.9 printed no "#id").
constexpr std::string_view kMissing[] = {"invalid func ", "unknown func ", "program of this type cannot use helper "};

// Types whose programs need a real attach target (or a struct_ops type) before the verifier looks at a call.
bool probeable(ProgramType t) {
    return t != ProgramType::Tracing && t != ProgramType::Lsm && t != ProgramType::Ext && t != ProgramType::StructOps;
}

Result<bool> run_helper_probe(const ProbeKey& key) {
    const auto type = static_cast<ProgramType>(key.type);
    if (!probeable(type))
        return Error(Errc::NotSupported,
                     format("no helper probe for %.*s programs: they need a real attach target before the verifier "
                            "looks at a call",
                            EBPF_SV(to_string(type))));
    // A helper of a type the kernel does not have is no helper at all; the answer is the type's.
    auto known = program_type_supported(type);
    if (!known) return known;
    if (!*known) return false;
    const detail::ProgramRecipe r = detail::program_recipe(type);
    // call helper; r0 = 0; exit
    std::vector<Instruction> insns = {{0x85, 0, 0, 0, static_cast<std::int32_t>(key.helper_id)}};
    for (const Instruction& i : probe::return_zero()) insns.push_back(i);
    const probe::Outcome o = probe::load_program({.type = type, .expected_attach_type = r.expected_attach_type,
                                                  .flags = r.flags, .insns = insns, .log = true});
    if (o.ok()) return true;
    const std::string what = format("BPF_PROG_LOAD (%.*s calling helper %u)", EBPF_SV(to_string(type)),
                                    key.helper_id);
    if (o.err == EPERM || (o.err == EACCES && o.log.empty())) return probe::on_eperm(what);
    if (o.log.empty()) return probe::unexpected(o.err, what);  // no verdict without the verifier's words
    // Only the verifier's last words count: an earlier line may quote the call ("0: (85) call unknown#5000").
    std::string_view tail = o.log;
    if (const auto call = tail.find("call "); call != std::string_view::npos) tail.remove_prefix(call + 5);
    for (std::string_view m : kMissing)
        if (tail.find(m) != std::string_view::npos) return false;
    // Anything else (wrong argument types, a sleepable helper in a non-sleepable program, ...) comes after the
    // verifier found the helper.
    return true;
}

}  // namespace

Result<bool> helper_supported(ProgramType type, std::uint32_t helper_id) {
    return detail::cached_probe(ProbeKey::helper(type, helper_id), run_helper_probe);
}

}  // namespace ebpf
