// SPDX-License-Identifier: MIT
// KProbeMulti: one program on the entry or return of many kernel functions through one bpf_link (fprobe).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/programs/view.hpp>

namespace ebpf {

struct KProbeMultiAttachOptions {
    // bpf_get_attach_cookie() per function: none, or one per function in the order of the functions (for a
    // pattern: the order of KProbeMulti::resolve(), i.e. sorted by name).
    std::span<const std::uint64_t> cookies{};
    // Programs without a section (from a pin or an id): attach as return probes (kretprobe.multi).
    bool retprobe = false;
};

// A typed view of a kprobe.multi/<pattern>, kretprobe.multi/<pattern> or kprobe.session/<pattern> program
// (BPF_PROG_TYPE_KPROBE loaded with expected attach type trace_kprobe_multi / trace_kprobe_session). A pattern is
// a glob ('*' and '?') over the functions ftrace can trace (tracefs available_filter_functions, or the text
// symbols of /proc/kallsyms without it); "module:pattern" matches only that module's functions. kprobe.session
// programs run at entry and, when the entry run returned 0, at return (bpf_session_is_return() tells which).
// It shares ownership of the Program (see ProgramView). The Link is one bpf_link (it cannot be force-detached).
// Kernel: kprobe.multi 5.18+, cookies 5.18+, kprobe.session 6.10+, all with CONFIG_FPROBE (probed:
//   link_supported(AttachType::TraceKprobeMulti / TraceKprobeSession)).
// Errors: NotFound (a pattern matching nothing, naming the pattern and the file searched; ftrace cannot find a
//   function), NotSupported (no such link here), InvalidArgument (not loaded, cookie count).
// Thread safety: as ProgramView.
class KProbeMulti : public TypedProgramView<KProbeMulti> {
public:
    static constexpr const char* kName = "KProbeMulti";
    static constexpr ProgramType kType = ProgramType::Kprobe;
    static constexpr ProgramKind kKinds[] = {ProgramKind::KprobeMulti, ProgramKind::KretprobeMulti,
                                             ProgramKind::KprobeSession};

    // Attaches to every function matching `pattern` ("tcp_*", "vfs_read", "veth:veth_*").
    Result<Link> attach(std::string_view pattern, const KProbeMultiAttachOptions& options = {}) const;
    // Attaches to the pattern its section names (kprobe.multi/tcp_*).
    Result<Link> attach(const KProbeMultiAttachOptions& options = {}) const;
    // Attaches to these functions, by name (no patterns).
    Result<Link> attach_functions(std::span<const std::string> functions,
                                  const KProbeMultiAttachOptions& options = {}) const;
    // Attaches to these functions, by address (from /proc/kallsyms).
    Result<Link> attach_addresses(std::span<const std::uint64_t> addresses,
                                  const KProbeMultiAttachOptions& options = {}) const;

    // The functions `pattern` matches, sorted, without duplicates (what attach(pattern) attaches to).
    // Errors: NotFound when it matches none; reading the function lists.
    static Result<std::vector<std::string>> resolve(std::string_view pattern);

private:
    friend class TypedProgramView<KProbeMulti>;
    using TypedProgramView::TypedProgramView;
};

}  // namespace ebpf
