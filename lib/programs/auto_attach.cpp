// SPDX-License-Identifier: MIT
// The auto-attach table: one row per program kind that can attach from its section alone (or with the target
// the options give). A new program type adds a row here.
#include <ebpf/programs/auto_attach.hpp>
#include <ebpf/programs/cgroup.hpp>
#include <ebpf/programs/freplace.hpp>
#include <ebpf/programs/raw_tracepoint.hpp>
#include <ebpf/programs/tracepoint.hpp>

#include <algorithm>
#include <iterator>

#include "base/format.hpp"
#include "base/try.hpp"

namespace ebpf {

using detail::format;

namespace {

using AttachFn = Result<Link> (*)(const Program&, const AutoAttachOptions&);
using BlockerFn = std::optional<std::string> (*)(const Program&, const AutoAttachOptions&);

std::optional<std::string> needs_target(const Program& p, const AutoAttachOptions&) {
    if (!p.attach_target().empty()) return std::nullopt;
    return format("its section '%s' names no target", p.section().c_str());
}

std::optional<std::string> needs_cgroup(const Program& p, const AutoAttachOptions& o) {
    if (o.cgroup.empty()) return std::string("it needs a cgroup (AutoAttachOptions::cgroup, ebpf-tool --cgroup)");
    if (!p.expected_attach_type())
        return format("its section '%s' does not say which cgroup hook", p.section().c_str());
    return std::nullopt;
}

template <class View>
Result<View> view_of(const Program& p) {
    return View::from(p);
}

Result<Link> raw_tp(const Program& p, const AutoAttachOptions&) {
    EBPF_TRY_ASSIGN(const RawTracepoint v, view_of<RawTracepoint>(p));
    return v.attach();
}

Result<Link> tracepoint(const Program& p, const AutoAttachOptions&) {
    EBPF_TRY_ASSIGN(const Tracepoint v, view_of<Tracepoint>(p));
    return v.attach();
}

Result<Link> freplace(const Program& p, const AutoAttachOptions&) {
    EBPF_TRY_ASSIGN(const Freplace v, view_of<Freplace>(p));
    return v.attach();
}

Result<Link> cgroup(const Program& p, const AutoAttachOptions& o) {
    return attach_cgroup(p, o.cgroup.c_str(), *p.expected_attach_type());
}

struct Row {
    ProgramKind kind;
    BlockerFn blocker;
    AttachFn attach;
};

constexpr Row kRows[] = {
    {ProgramKind::Tracepoint, needs_target, tracepoint},
    {ProgramKind::RawTracepoint, needs_target, raw_tp},
    {ProgramKind::RawTracepointWritable, needs_target, raw_tp},
    {ProgramKind::Freplace, needs_target, freplace},
    {ProgramKind::CgroupSkb, needs_cgroup, cgroup},
    {ProgramKind::CgroupSock, needs_cgroup, cgroup},
    {ProgramKind::CgroupSockAddr, needs_cgroup, cgroup},
    {ProgramKind::CgroupSysctl, needs_cgroup, cgroup},
    {ProgramKind::CgroupSockopt, needs_cgroup, cgroup},
    {ProgramKind::CgroupDevice, needs_cgroup, cgroup},
};

const Row* row_of(ProgramKind k) {
    const auto* it = std::find_if(std::begin(kRows), std::end(kRows), [&](const Row& r) { return r.kind == k; });
    return it == std::end(kRows) ? nullptr : it;
}

}  // namespace

std::optional<std::string> auto_attach_blocker(const Program& p, const AutoAttachOptions& o) {
    const Row* row = row_of(p.kind());
    if (!row)
        return format("%.*s programs are not attached automatically; use the typed view's attach()",
                      EBPF_SV(to_string(p.kind())));
    return row->blocker(p, o);
}

Result<Link> auto_attach(const Program& p, const AutoAttachOptions& o) {
    const std::string what = format("auto-attach program '%s' (section '%s')", p.name().c_str(), p.section().c_str());
    const Row* row = row_of(p.kind());
    if (!row)
        return Error(Errc::NotSupported, what + ": " + *auto_attach_blocker(p, o));
    if (auto why = row->blocker(p, o)) return Error(Errc::InvalidArgument, what + ": " + *why);
    return row->attach(p, o);
}

}  // namespace ebpf
