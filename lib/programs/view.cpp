// SPDX-License-Identifier: MIT
#include <ebpf/programs/view.hpp>

#include <algorithm>

#include "base/format.hpp"

namespace ebpf::detail {

Result<void> check_program_view(const Program& p, std::span<const ProgramKind> kinds, ProgramType type,
                                const char* view) {
    if (std::find(kinds.begin(), kinds.end(), p.kind()) != kinds.end()) return {};
    if (p.kind() == ProgramKind::Unknown && p.type() == type) return {};
    std::string takes;
    for (ProgramKind k : kinds) takes += format("%s%.*s", takes.empty() ? "" : ", ", EBPF_SV(to_string(k)));
    if (p.kind() == ProgramKind::Unknown)
        return Error(Errc::InvalidArgument,
                     format("program '%s' is a %.*s program; %s needs %.*s", p.name().c_str(),
                            EBPF_SV(to_string(p.type())), view, EBPF_SV(to_string(type))));
    return Error(Errc::InvalidArgument,
                 format("program '%s' (section '%s') is a %.*s program; %s takes %s programs", p.name().c_str(),
                        p.section().c_str(), EBPF_SV(to_string(p.kind())), view, takes.c_str()));
}

}  // namespace ebpf::detail
