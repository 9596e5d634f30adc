// SPDX-License-Identifier: MIT
// UProbe: one uprobe or uretprobe on a function, an address or a file offset of a binary.
#include <ebpf/programs/uprobe.hpp>

#include "base/format.hpp"
#include "links/uprobe.hpp"
#include "programs/uprobe_target.hpp"

namespace ebpf {

using detail::format;

namespace uprobe_view_impl {
namespace {

bool is_ret(const Program& p, const UProbeAttachOptions& o) {
    return p.kind() == ProgramKind::Uretprobe || (p.kind() == ProgramKind::Unknown && o.retprobe);
}

std::string describe(const Program& p, const UProbeAttachOptions& o, std::string_view binary, std::string_view where) {
    return format("attach %s program '%s' to %.*s:%.*s", is_ret(p, o) ? "uretprobe" : "uprobe", p.name().c_str(),
                  EBPF_SV(binary), EBPF_SV(where));
}

// What every attach does once the file offset is known.
Result<Link> attach_at(const Program& p, const std::string& path, std::uint64_t offset, int pid,
                       const UProbeAttachOptions& o, std::string_view hint, std::string what) {
    detail::UprobeTarget t;
    t.path = path;
    t.offset = offset;
    t.ref_ctr_offset = o.ref_ctr_offset;
    t.retprobe = is_ret(p, o);
    t.cookie = o.cookie;
    t.pid = pid;
    return detail::attach_uprobe(p.fd(), t, std::string(hint), std::move(what));
}

}  // namespace
}  // namespace uprobe_view_impl

Result<Link> UProbe::attach(std::string_view binary, std::string_view function, const UProbeAttachOptions& o) const {
    using namespace uprobe_view_impl;
    std::string what = describe(prog_, o, binary, function);
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    auto pid = detail::uprobe_pid(o.pid);
    if (!pid) return std::move(pid).error().context(what);
    auto bin = detail::open_binary(binary, *pid);
    if (!bin) return std::move(bin).error().context(what);
    auto fn = (*bin)->elf.function(function);
    if (!fn) return std::move(fn).error().context(what);
    return attach_at(prog_, (*bin)->elf.path(), fn->offset, *pid, o, detail::split_function_offset(function)->function,
                     std::move(what));
}

Result<Link> UProbe::attach_offset(std::string_view binary, std::uint64_t offset, const UProbeAttachOptions& o) const {
    using namespace uprobe_view_impl;
    std::string what = describe(prog_, o, binary, format("offset 0x%llx", static_cast<unsigned long long>(offset)));
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    auto pid = detail::uprobe_pid(o.pid);
    if (!pid) return std::move(pid).error().context(what);
    auto path = detail::resolve_binary(binary, *pid);
    if (!path) return std::move(path).error().context(what);
    return attach_at(prog_, *path, offset, *pid, o, "", std::move(what));
}

Result<Link> UProbe::attach_address(std::string_view binary, std::uint64_t address, const UProbeAttachOptions& o) const {
    using namespace uprobe_view_impl;
    std::string what = describe(prog_, o, binary, format("address 0x%llx", static_cast<unsigned long long>(address)));
    if (!prog_.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    auto pid = detail::uprobe_pid(o.pid);
    if (!pid) return std::move(pid).error().context(what);
    auto bin = detail::open_binary(binary, *pid);
    if (!bin) return std::move(bin).error().context(what);
    auto off = (*bin)->elf.address_offset(address);
    if (!off) return std::move(off).error().context(what);
    return attach_at(prog_, (*bin)->elf.path(), *off, *pid, o, "", std::move(what));
}

Result<Link> UProbe::attach(const UProbeAttachOptions& o) const {
    const auto t = detail::split_section_target(prog_.attach_target());
    if (!t)
        return Error(Errc::InvalidArgument,
                     format("attach uprobe program '%s': its section '%s' does not name <binary>:<function>; use "
                            "SEC(\"uprobe/<binary>:<function>\") or attach(binary, function)",
                            prog_.name().c_str(), prog_.section().c_str()));
    return attach(t->binary, t->rest, o);
}

}  // namespace ebpf
