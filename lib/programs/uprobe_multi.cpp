// SPDX-License-Identifier: MIT
// UProbeMulti: many uprobes of one program through one link (uprobe.multi, uretprobe.multi, uprobe.session).
#include <ebpf/programs/uprobe.hpp>

#include "base/format.hpp"
#include "links/uprobe.hpp"
#include "programs/uprobe_target.hpp"

namespace ebpf {

using detail::format;

namespace uprobe_multi_view_impl {
namespace {

bool multi_is_ret(const Program& p, const UProbeMultiAttachOptions& o) {
    return p.kind() == ProgramKind::UretprobeMulti || (p.kind() == ProgramKind::Unknown && o.retprobe);
}

const char* multi_kind(const Program& p, const UProbeMultiAttachOptions& o) {
    if (p.kind() == ProgramKind::UprobeSession) return "uprobe.session";
    return multi_is_ret(p, o) ? "uretprobe.multi" : "uprobe.multi";
}

Result<Link> multi_at(const Program& p, const std::string& path, std::span<const std::uint64_t> offsets, int pid,
                      const UProbeMultiAttachOptions& o, std::string what) {
    detail::UprobeMultiTarget t;
    t.path = path;
    t.offsets = offsets;
    t.cookies = o.cookies;
    t.ref_ctr_offsets = o.ref_ctr_offsets;
    t.pid = pid;
    t.retprobe = multi_is_ret(p, o);
    t.session = p.kind() == ProgramKind::UprobeSession;
    return detail::attach_uprobe_multi(p.fd(), p.expected_attach_type(), t, std::move(what));
}

struct Prepared {
    int pid = -1;
    std::string what;
};

Result<Prepared> prepare(const Program& p, const UProbeMultiAttachOptions& o, std::string_view binary,
                         std::string_view target) {
    Prepared r;
    r.what = format("attach %s program '%s' to %.*s:%.*s", multi_kind(p, o), p.name().c_str(), EBPF_SV(binary),
                    EBPF_SV(target));
    if (!p.loaded()) return Error(Errc::InvalidArgument, r.what + ": the program is not loaded");
    auto pid = detail::uprobe_pid(o.pid);
    if (!pid) return std::move(pid).error().context(r.what);
    r.pid = *pid;
    return r;
}

}  // namespace
}  // namespace uprobe_multi_view_impl

Result<std::vector<UProbeSymbol>> UProbeMulti::resolve(std::string_view binary, std::string_view pattern) {
    auto bin = detail::open_binary(binary, -1);
    if (!bin) return std::move(bin).error();
    auto found = (*bin)->elf.match(pattern);
    if (!found) return std::move(found).error();
    std::vector<UProbeSymbol> out;
    out.reserve(found->size());
    for (auto& f : *found) out.push_back({std::move(f.name), f.address, f.offset});
    return out;
}

Result<Link> UProbeMulti::attach(std::string_view binary, std::string_view pattern,
                                 const UProbeMultiAttachOptions& o) const {
    using namespace uprobe_multi_view_impl;
    auto prep = prepare(prog_, o, binary, pattern);
    if (!prep) return std::move(prep).error();
    auto bin = detail::open_binary(binary, prep->pid);
    if (!bin) return std::move(bin).error().context(prep->what);
    std::vector<std::uint64_t> offsets;
    if (pattern.find('@') != std::string_view::npos && pattern.find_first_of("*?") == std::string_view::npos) {
        // A versioned name is one function, not a pattern.
        auto fn = (*bin)->elf.function(pattern);
        if (!fn) return std::move(fn).error().context(prep->what);
        offsets.push_back(fn->offset);
    } else {
        auto found = (*bin)->elf.match(pattern);
        if (!found) return std::move(found).error().context(prep->what);
        for (const auto& f : *found) offsets.push_back(f.offset);
    }
    return multi_at(prog_, (*bin)->elf.path(), offsets, prep->pid, o, std::move(prep->what));
}

Result<Link> UProbeMulti::attach(const UProbeMultiAttachOptions& o) const {
    const auto t = detail::split_section_target(prog_.attach_target());
    if (!t)
        return Error(Errc::InvalidArgument,
                     format("attach uprobe.multi program '%s': its section '%s' does not name <binary>:<pattern>; use "
                            "SEC(\"uprobe.multi/<binary>:<pattern>\") or attach(binary, pattern)",
                            prog_.name().c_str(), prog_.section().c_str()));
    return attach(t->binary, t->rest, o);
}

Result<Link> UProbeMulti::attach_functions(std::string_view binary, std::span<const std::string> functions,
                                           const UProbeMultiAttachOptions& o) const {
    using namespace uprobe_multi_view_impl;
    auto prep = prepare(prog_, o, binary, format("%zu functions", functions.size()));
    if (!prep) return std::move(prep).error();
    auto bin = detail::open_binary(binary, prep->pid);
    if (!bin) return std::move(bin).error().context(prep->what);
    std::vector<std::uint64_t> offsets;
    offsets.reserve(functions.size());
    for (const std::string& f : functions) {
        auto fn = (*bin)->elf.function(f);
        if (!fn) return std::move(fn).error().context(prep->what);
        offsets.push_back(fn->offset);
    }
    return multi_at(prog_, (*bin)->elf.path(), offsets, prep->pid, o, std::move(prep->what));
}

Result<Link> UProbeMulti::attach_offsets(std::string_view binary, std::span<const std::uint64_t> offsets,
                                         const UProbeMultiAttachOptions& o) const {
    using namespace uprobe_multi_view_impl;
    auto prep = prepare(prog_, o, binary, format("%zu offsets", offsets.size()));
    if (!prep) return std::move(prep).error();
    auto path = detail::resolve_binary(binary, prep->pid);
    if (!path) return std::move(path).error().context(prep->what);
    return multi_at(prog_, *path, offsets, prep->pid, o, std::move(prep->what));
}

}  // namespace ebpf
