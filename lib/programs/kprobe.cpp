// SPDX-License-Identifier: MIT
// KProbe: parses the target (function, module:function, +offset) and hands it to the kprobe mechanism
// (lib/links/kprobe.cpp), which chooses between the kprobe PMU and tracefs.
#include <ebpf/programs/kprobe.hpp>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "sys/tracefs.hpp"

namespace ebpf {

using detail::format;

namespace {

struct FunctionOffset {
    std::string function;
    std::uint64_t offset = 0;
};

// "function", "module:function", "function+0x10" or "function+16" (libbpf's kprobe section syntax).
Result<FunctionOffset> parse_function_offset(std::string_view text) {
    FunctionOffset out;
    const auto plus = text.find('+');
    out.function = std::string(text.substr(0, plus));
    if (out.function.empty() || out.function.find_first_of(" \t\n") != std::string::npos)
        return Error(Errc::InvalidArgument, format("'%.*s' is not a function name", EBPF_SV(text)));
    if (plus == std::string_view::npos) return out;
    std::string_view num = text.substr(plus + 1);
    unsigned base = 10;
    if (num.size() > 2 && num[0] == '0' && (num[1] == 'x' || num[1] == 'X')) {
        base = 16;
        num.remove_prefix(2);
    }
    if (num.empty()) return Error(Errc::InvalidArgument, format("'%.*s': no offset after '+'", EBPF_SV(text)));
    for (char c : num) {
        const int d = c >= '0' && c <= '9' ? c - '0' : base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10 : -1;
        if (d < 0 || out.offset > (~std::uint64_t{0} >> 4))
            return Error(Errc::InvalidArgument, format("'%.*s': bad offset", EBPF_SV(text)));
        out.offset = out.offset * base + static_cast<unsigned>(d);
    }
    return out;
}

Result<Link> attach_kprobe_target(const Program& prog, detail::KprobeTarget t, std::string what) {
    if (!prog.loaded()) return Error(Errc::InvalidArgument, what + ": the program is not loaded");
    return detail::attach_kprobe(prog.fd(), t, std::move(what));
}

bool kprobe_is_ret(const Program& p, const KProbeAttachOptions& o) {
    return p.kind() == ProgramKind::Kretprobe || o.retprobe;
}

}  // namespace

Result<Link> KProbe::attach(std::string_view function, const KProbeAttachOptions& options) const {
    const bool ret = kprobe_is_ret(prog_, options);
    std::string what = format("attach %s program '%s' to %.*s", ret ? "kretprobe" : "kprobe", prog_.name().c_str(),
                              EBPF_SV(function));
    EBPF_TRY_ASSIGN(FunctionOffset fo, parse_function_offset(function).context(what));
    if (fo.offset && options.offset)
        return Error(Errc::InvalidArgument, what + ": an offset both in the name and in the options");
    detail::KprobeTarget t;
    t.function = std::move(fo.function);
    t.offset = fo.offset ? fo.offset : options.offset;
    t.retprobe = ret;
    t.maxactive = options.maxactive;
    t.cookie = options.cookie;
    if (ret && t.offset) return Error(Errc::InvalidArgument, what + ": a kretprobe takes no offset");
    return attach_kprobe_target(prog_, std::move(t), std::move(what));
}

Result<Link> KProbe::attach_address(std::uint64_t address, const KProbeAttachOptions& options) const {
    const bool ret = kprobe_is_ret(prog_, options);
    std::string what = format("attach %s program '%s' to address 0x%llx", ret ? "kretprobe" : "kprobe",
                              prog_.name().c_str(), static_cast<unsigned long long>(address + options.offset));
    if (address == 0) return Error(Errc::InvalidArgument, what + ": address 0");
    detail::KprobeTarget t;
    t.address = address + options.offset;
    t.retprobe = ret;
    t.maxactive = options.maxactive;
    t.cookie = options.cookie;
    return attach_kprobe_target(prog_, std::move(t), std::move(what));
}

Result<Link> KProbe::attach(const KProbeAttachOptions& options) const {
    if (prog_.attach_target().empty())
        return Error(Errc::InvalidArgument,
                     format("attach kprobe program '%s': its section '%s' names no function; use "
                            "SEC(\"kprobe/<function>\") or attach(function)",
                            prog_.name().c_str(), prog_.section().c_str()));
    return attach(prog_.attach_target(), options);
}

Result<unsigned> remove_stale_probe_events() {
    auto r = sys::remove_stale_probe_events();
    if (!r) return std::move(r).error().context("remove stale probe events");
    return r->removed;
}

}  // namespace ebpf
