// SPDX-License-Identifier: MIT
// KProbeMulti: patterns resolved to function names here, the link made by lib/links/kprobe_multi.cpp.
#include <ebpf/programs/kprobe_multi.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "sys/kallsyms.hpp"

namespace ebpf {

using detail::format;

namespace {

const char* multi_kind_name(const Program& p, bool ret) {
    if (p.kind() == ProgramKind::KprobeSession) return "kprobe.session";
    return ret || p.kind() == ProgramKind::KretprobeMulti ? "kretprobe.multi" : "kprobe.multi";
}

struct MultiAttach {
    AttachType type = AttachType::TraceKprobeMulti;
    bool retprobe = false;
};

MultiAttach multi_attach_of(const Program& p, const KProbeMultiAttachOptions& o) {
    if (p.kind() == ProgramKind::KprobeSession) return {AttachType::TraceKprobeSession, false};
    if (p.kind() == ProgramKind::Unknown && p.expected_attach_type() == AttachType::TraceKprobeSession)
        return {AttachType::TraceKprobeSession, false};
    return {AttachType::TraceKprobeMulti, p.kind() == ProgramKind::KretprobeMulti || o.retprobe};
}

Result<Link> link_multi(const Program& p, std::span<const std::string> names, std::span<const std::uint64_t> addrs,
                        const KProbeMultiAttachOptions& o, std::string what) {
    if (!p.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    const MultiAttach m = multi_attach_of(p, o);
    return detail::attach_kprobe_multi(p.fd(), m.type, m.retprobe, names, addrs, o.cookies, std::move(what));
}

}  // namespace

Result<std::vector<std::string>> KProbeMulti::resolve(std::string_view pattern) {
    std::string_view module, glob = pattern;
    if (const auto colon = pattern.find(':'); colon != std::string_view::npos) {
        module = pattern.substr(0, colon);
        glob = pattern.substr(colon + 1);
    }
    if (glob.empty())
        return Error(Errc::InvalidArgument, format("kprobe.multi pattern '%.*s' is empty", EBPF_SV(pattern)));
    auto found = sys::match_kernel_functions(glob, module);
    if (!found)
        return std::move(found).error().context(format("resolve kprobe.multi pattern '%.*s'", EBPF_SV(pattern)));
    if (found->names.empty())
        return Error(Errc::NotFound, format("kprobe.multi pattern '%.*s' matches no function%s%.*s in %s",
                                            EBPF_SV(pattern), module.empty() ? "" : " of module ", EBPF_SV(module),
                                            found->source.c_str()));
    return std::move(found->names);
}

Result<Link> KProbeMulti::attach(std::string_view pattern, const KProbeMultiAttachOptions& options) const {
    std::string what = format("attach %s program '%s' to '%.*s'", multi_kind_name(prog_, options.retprobe),
                              prog_.name().c_str(), EBPF_SV(pattern));
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    EBPF_TRY_ASSIGN(const std::vector<std::string> names, resolve(pattern).context(what));
    what += format(" (%zu functions)", names.size());
    return link_multi(prog_, names, {}, options, std::move(what));
}

Result<Link> KProbeMulti::attach(const KProbeMultiAttachOptions& options) const {
    if (prog_.attach_target().empty())
        return Error(Errc::InvalidArgument,
                     format("attach %s program '%s': its section '%s' names no pattern; use "
                            "SEC(\"kprobe.multi/<pattern>\") or attach(pattern)",
                            multi_kind_name(prog_, options.retprobe), prog_.name().c_str(), prog_.section().c_str()));
    return attach(prog_.attach_target(), options);
}

Result<Link> KProbeMulti::attach_functions(std::span<const std::string> functions,
                                           const KProbeMultiAttachOptions& options) const {
    std::string what = format("attach %s program '%s' to %zu functions%s%s", multi_kind_name(prog_, options.retprobe),
                              prog_.name().c_str(), functions.size(), functions.empty() ? "" : " from ",
                              functions.empty() ? "" : functions.front().c_str());
    for (const std::string& f : functions)
        if (f.empty() || f.find_first_of("*? \t\n") != std::string::npos)
            return Error(Errc::InvalidArgument, format("%s: '%s' is not a function name (patterns go to attach())",
                                                       what.c_str(), f.c_str()));
    return link_multi(prog_, functions, {}, options, std::move(what));
}

Result<Link> KProbeMulti::attach_addresses(std::span<const std::uint64_t> addresses,
                                           const KProbeMultiAttachOptions& options) const {
    std::string what = format("attach %s program '%s' to %zu addresses", multi_kind_name(prog_, options.retprobe),
                              prog_.name().c_str(), addresses.size());
    for (std::uint64_t a : addresses)
        if (a == 0) return Error(Errc::InvalidArgument, what + ": address 0");
    return link_multi(prog_, {}, addresses, options, std::move(what));
}

}  // namespace ebpf
