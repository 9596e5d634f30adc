// SPDX-License-Identifier: MIT
// Many uprobes at once: a uprobe_multi bpf_link (6.6+; uprobe sessions 6.13+), or, where the kernel has no such
// link, one perf-event uprobe per offset grouped in one Link. The choice is made here by the cached link probe.
#include <ebpf/features.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/uprobe.hpp"
#include "sys/bpf.hpp"
#include "sys/uapi.hpp"

namespace ebpf::detail {

namespace uprobe_multi_impl {
namespace {

Result<void> check_counts(const UprobeMultiTarget& t) {
    if (t.offsets.empty()) return Error(Errc::InvalidArgument, "no offsets to attach to");
    if (t.offsets.size() > 0xffffffffu) return Error(Errc::InvalidArgument, "too many offsets");
    if (!t.cookies.empty() && t.cookies.size() != t.offsets.size())
        return Error(Errc::InvalidArgument, format("%zu cookies for %zu offsets (give none or one per offset)",
                                                   t.cookies.size(), t.offsets.size()));
    if (!t.ref_ctr_offsets.empty() && t.ref_ctr_offsets.size() != t.offsets.size())
        return Error(Errc::InvalidArgument, format("%zu reference counter offsets for %zu offsets",
                                                   t.ref_ctr_offsets.size(), t.offsets.size()));
    return {};
}

Result<Link> multi_link(FdRef prog, AttachType type, const UprobeMultiTarget& t, std::string what,
                        std::vector<std::unique_ptr<LinkResource>> extra) {
    sys::LinkCreateAttr a{};
    a.prog_fd = static_cast<std::uint32_t>(prog.get());
    a.attach_type = static_cast<std::uint32_t>(type);
    a.uprobe_multi.path = sys::ptr_to_u64(t.path.c_str());
    a.uprobe_multi.offsets = sys::ptr_to_u64(t.offsets.data());
    a.uprobe_multi.ref_ctr_offsets = t.ref_ctr_offsets.empty() ? 0 : sys::ptr_to_u64(t.ref_ctr_offsets.data());
    a.uprobe_multi.cookies = t.cookies.empty() ? 0 : sys::ptr_to_u64(t.cookies.data());
    a.uprobe_multi.cnt = static_cast<std::uint32_t>(t.offsets.size());
    a.uprobe_multi.flags = t.retprobe ? sys::uapi::kBpfFUprobeMultiReturn : 0;
    a.uprobe_multi.pid = t.pid > 0 ? static_cast<std::uint32_t>(t.pid) : 0;
    auto fd = sys::link_create(a);
    if (!fd) {
        Error e = std::move(fd).error();
        if (e.sys_errno() == ESRCH) {
            e.recode(Errc::NotFound);
            e.context(format("no process with pid %d", t.pid));
        } else if (e.sys_errno() == ENOENT) {
            e.recode(Errc::NotFound);
            e.context(format("%s: no such file", t.path.c_str()));
        } else if (e.sys_errno() == EINVAL) {
            e.context(format("%s: the kernel refuses an offset (outside the file, not an instruction boundary) or "
                             "a reference counter offset",
                             t.path.c_str()));
        }
        return std::move(e).context(what);
    }
    Link::Parts parts;
    parts.bpf_link = std::move(*fd);
    parts.resources = std::move(extra);
    parts.description = std::move(what);
    return Link(std::move(parts));
}

}  // namespace
}  // namespace uprobe_multi_impl

Result<Link> attach_uprobe_group(FdRef prog, const UprobeMultiTarget& t, std::string what,
                                 std::vector<std::unique_ptr<LinkResource>> extra) {
    if (auto r = uprobe_multi_impl::check_counts(t); !r) return std::move(r).error().context(what);
    if (t.session)
        return Error(Errc::NotSupported, what + ": uprobe sessions need uprobe_session links (Linux 6.13); single "
                                                "uprobes cannot pair an entry with its return");
    Link::Parts parts;
    parts.resources = std::move(extra);
    // Each attachment is a whole Link of its own (perf event, tracefs entry, bpf_link), nested in this one: a
    // failure destroys the ones made so far (parts goes out of scope), so nothing is left half attached.
    for (std::size_t i = 0; i < t.offsets.size(); ++i) {
        UprobeTarget one;
        one.path = t.path;
        one.offset = t.offsets[i];
        one.ref_ctr_offset = t.ref_ctr_offsets.empty() ? 0 : t.ref_ctr_offsets[i];
        one.retprobe = t.retprobe;
        one.cookie = t.cookies.empty() ? 0 : t.cookies[i];
        one.pid = t.pid;
        auto link = attach_uprobe(prog, one, "", format("%s (offset 0x%llx, %zu of %zu)", what.c_str(),
                                                        static_cast<unsigned long long>(one.offset), i + 1,
                                                        t.offsets.size()));
        if (!link) {
            // Undo in reverse order, the probes first, then the extras.
            Link partial(std::move(parts));
            (void)partial.detach();
            return std::move(link).error();
        }
        parts.resources.push_back(nested_link_resource(std::move(*link)));
    }
    parts.description = std::move(what);
    return Link(std::move(parts));
}

Result<Link> attach_uprobe_multi(FdRef prog, std::optional<AttachType> expected_attach_type,
                                 const UprobeMultiTarget& t, std::string what,
                                 std::vector<std::unique_ptr<LinkResource>> extra) {
    if (auto r = uprobe_multi_impl::check_counts(t); !r) return std::move(r).error().context(what);
    const AttachType type = t.session ? AttachType::TraceUprobeSession : AttachType::TraceUprobeMulti;
    auto have = link_supported(type);
    if (!have) return std::move(have).error().context(what);
    if (*have) return uprobe_multi_impl::multi_link(prog, type, t, std::move(what), std::move(extra));
    // Linux < 6.6 (no uprobe_multi link): one perf-event uprobe per offset. Those kernels ignore the expected
    // attach type of kprobe programs; newer ones (the probe forced off) refuse a program loaded for uprobe_multi
    // on a perf_event link, which is worth saying.
    auto group = attach_uprobe_group(prog, t, what, std::move(extra));
    if (!group && group.error().sys_errno() == EINVAL && expected_attach_type == AttachType::TraceUprobeMulti)
        group.error().append("; the program was loaded with expected attach type trace_uprobe_multi, which kernels "
                             "with uprobe_multi links refuse on single uprobes: load it without that type "
                             "(Program::set_expected_attach_type(std::nullopt)) to attach it one uprobe at a time");
    return group;
}

}  // namespace ebpf::detail
