// SPDX-License-Identifier: MIT
// Tracing (fentry/fexit/fmod_ret), and the attach shared with BtfTracepoint (tp_btf.cpp) and Lsm (lsm.cpp): the
// program's expected attach type says what it is; lib/links/tracing.cpp chooses BPF_LINK_CREATE or
// BPF_RAW_TRACEPOINT_OPEN by probe.
#include <ebpf/programs/tracing.hpp>

#include "base/format.hpp"
#include "links/attach.hpp"
#include "programs/btf_program.hpp"

namespace ebpf {

using detail::format;

namespace {

// The attach type a BTF-attached program was loaded with (its section's, or the one set before load).
std::optional<AttachType> btf_attach_type(const Program& p) {
    switch (p.kind()) {
    case ProgramKind::Fentry: return AttachType::TraceFentry;
    case ProgramKind::Fexit: return AttachType::TraceFexit;
    case ProgramKind::FmodRet: return AttachType::ModifyReturn;
    case ProgramKind::TpBtf: return AttachType::TraceRawTp;
    case ProgramKind::Lsm: return AttachType::LsmMac;
    default: return p.expected_attach_type();
    }
}

}  // namespace

Result<Link> detail::attach_btf_program(const Program& p, const char* kind, std::uint64_t cookie) {
    std::string what = format("attach %s program '%s' to %s", kind, p.name().c_str(),
                              p.attach_target().empty() ? "its load-time target" : p.attach_target().c_str());
    if (!p.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    const auto type = btf_attach_type(p);
    if (!type)
        return Error(Errc::InvalidArgument,
                     what + ": the program has no expected attach type (set one before load for a program without a "
                            "section)");
    return detail::attach_tracing(p.fd(), *type, cookie, std::move(what));
}

namespace {

const char* tracing_kind_name(const Program& p) {
    switch (p.kind()) {
    case ProgramKind::Fexit: return "fexit";
    case ProgramKind::FmodRet: return "fmod_ret";
    default: return "fentry";
    }
}

}  // namespace

Result<Link> Tracing::attach(const TracingAttachOptions& options) const {
    return detail::attach_btf_program(prog_, tracing_kind_name(prog_), options.cookie);
}

}  // namespace ebpf
