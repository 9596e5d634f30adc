// SPDX-License-Identifier: MIT
// kprobes: a perf event from the kprobe PMU (4.17+), or from a tracefs kprobe_events entry where there is no PMU
// (older kernels, or forced with the probe feature:kprobe_pmu = 0) or where a kretprobe needs a maxactive. The
// choice is made here, once, by the probe. Also the kernel name of a system call (ksyscall).
#include <ebpf/features.hpp>

#include <cerrno>
#include <mutex>

#include "base/format.hpp"
#include "base/try.hpp"
#include "features/kernel_info.hpp"
#include "links/attach.hpp"
#include "sys/file.hpp"
#include "sys/kallsyms.hpp"
#include "sys/perf.hpp"
#include "sys/tracefs.hpp"

namespace ebpf::detail {

namespace {

// A kprobe_events entry owned by a Link: removed after the perf event on it is closed.
class ProbeEventResource final : public LinkResource {
public:
    ProbeEventResource(sys::ProbeEvent event, const KprobeTarget& t) : event_(std::move(event)), target_(t) {}
    Result<void> undo() override {
        const std::string name = event_.event();
        auto r = event_.remove();
        if (!r) return std::move(r).error().context(format("remove kprobe event %s", name.c_str()));
        return {};
    }
    void keep() noexcept override { event_.release(); }
    void describe(LinkInfo& i) const override {
        i.perf_event_type = target_.retprobe ? 4 : 3;  // BPF_PERF_EVENT_KRETPROBE / KPROBE
        i.target_name = target_.function;
        i.offset = target_.offset;
        i.address = target_.address;
        i.cookie = target_.cookie;
    }

private:
    sys::ProbeEvent event_;
    KprobeTarget target_;
};

// Explains a failed kprobe by looking the function up in /proc/kallsyms: a missing function or module becomes
// NotFound; a present one keeps the kernel's answer, with what it usually means.
Error diagnose(Error e, const KprobeTarget& t, const char* path) {
    e.context(path);
    if (t.function.empty()) {
        if (e.sys_errno() == EINVAL || e.sys_errno() == ENOENT || e.sys_errno() == EILSEQ)
            e.context(format("no probe-able instruction at address 0x%llx", static_cast<unsigned long long>(t.address)));
        return e;
    }
    std::string_view fn = t.function, module;
    if (const auto colon = fn.find(':'); colon != std::string_view::npos) {
        module = fn.substr(0, colon);
        fn = fn.substr(colon + 1);
    }
    auto found = sys::kallsyms_find(fn, module);
    if (!found) return e;  // nothing to add
    if (!found->module_loaded)
        return std::move(e.recode(Errc::NotFound))
            .context(format("module '%.*s' is not loaded (no symbol of it in /proc/kallsyms)", EBPF_SV(module)));
    if (!found->found)
        return std::move(e.recode(Errc::NotFound))
            .context(module.empty() ? std::string("no such kernel function in /proc/kallsyms")
                                    : format("module '%.*s' has no function '%.*s' in /proc/kallsyms",
                                             EBPF_SV(module), EBPF_SV(fn)));
    switch (e.sys_errno()) {
    case EADDRNOTAVAIL:  // 6.6+: validate_probe_symbol()
        return std::move(e).context("the name is not unique (several static functions have it): give an address "
                                    "or module:function");
    case EINVAL:
    case EILSEQ:
    case ENOENT:
        return std::move(e).context(t.offset ? "the kernel refuses a probe there (the offset is not an instruction "
                                               "boundary, or the function may not be probed)"
                                             : "the kernel refuses to probe this function (kprobe blocklist, notrace, "
                                               "or an inlined or __init function)");
    default: return e;
    }
}

// Entries of dead processes (named after their pid) are removed once per process, before our first entry.
void remove_stale_entries_once() {
    static std::once_flag once;
    std::call_once(once, [] { (void)sys::remove_stale_probe_events(); });
}

Result<UniqueFd> open_pmu_event(const sys::ProbePmu& pmu, const KprobeTarget& t) {
    sys::KprobeAttrOptions o;
    o.symbol = t.function.empty() ? nullptr : t.function.c_str();
    o.offset = t.function.empty() ? t.address : t.offset;
    o.retprobe = t.retprobe;
    EBPF_TRY_ASSIGN(sys::PerfEventAttr attr, sys::perf_attr_kprobe(pmu, o));
    attr.flags |= sys::kPerfDisabled;  // enabled once the program is on it
    // pid -1, cpu 0: a kprobe event with a BPF program runs it wherever the function is hit.
    return sys::perf_event_open(attr, -1, 0);
}

}  // namespace

Result<Link> attach_kprobe(FdRef prog, const KprobeTarget& t, std::string what) {
    if (t.function.empty() && t.address == 0) return Error(Errc::InvalidArgument, what + ": no function and no address");
    if (t.maxactive && !t.retprobe)
        return Error(Errc::InvalidArgument, what + ": maxactive applies to kretprobes only");
    // Linux < 4.17 (or without CONFIG_KPROBE_EVENTS' PMU): kprobes through tracefs. Also for a maxactive, which
    // only kprobe_events can take.
    auto pmu_present = has(Feature::KprobePmu);
    if (!pmu_present) return std::move(pmu_present).error().context(what);
    if (*pmu_present && t.maxactive == 0) {
        EBPF_TRY_ASSIGN(const sys::ProbePmu pmu, sys::kprobe_pmu().context(what));
        auto event = open_pmu_event(pmu, t);
        if (!event) return diagnose(std::move(event).error(), t, "kprobe PMU").context(what);
        return attach_perf_event(prog, std::move(*event), t.cookie, std::move(what));
    }
    auto root = sys::tracefs_root();
    if (!root) return std::move(root).error().context(what + ": no kprobe PMU, so tracefs kprobe_events");
    if (!sys::path_exists((*root + "/kprobe_events").c_str()))
        return Error(Errc::NotSupported,
                     format("%s: this kernel has no kprobes: no kprobe PMU (probe feature:kprobe_pmu = false) and no "
                            "%s/kprobe_events (built without CONFIG_KPROBES / CONFIG_KPROBE_EVENTS)",
                            what.c_str(), root->c_str()));
    // tracefs accepts a probe on a module that is not loaded (it waits for the module); we want an error now, as
    // the PMU gives one.
    if (const auto colon = t.function.find(':'); colon != std::string::npos) {
        const std::string_view module = std::string_view(t.function).substr(0, colon);
        auto found = sys::kallsyms_find(std::string_view(t.function).substr(colon + 1), module);
        if (found && !found->module_loaded)
            return Error(Errc::NotFound, format("%s: module '%.*s' is not loaded (no symbol of it in /proc/kallsyms)",
                                                what.c_str(), EBPF_SV(module)));
    }
    remove_stale_entries_once();
    sys::KprobeEventOptions o;
    const std::string address = format("0x%llx", static_cast<unsigned long long>(t.address));
    o.symbol = t.function.empty() ? std::string_view(address) : std::string_view(t.function);
    o.offset = t.function.empty() ? 0 : t.offset;
    o.retprobe = t.retprobe;
    o.maxactive = t.maxactive;
    auto entry = sys::add_kprobe_event(o);
    if (!entry) return diagnose(std::move(entry).error(), t, "kprobe_events").context(what);
    const std::uint64_t id = entry->tracepoint_id();
    std::vector<std::unique_ptr<LinkResource>> extra;
    extra.push_back(std::make_unique<ProbeEventResource>(std::move(*entry), t));
    sys::PerfEventAttr attr = sys::perf_attr_tracepoint(id);
    attr.flags |= sys::kPerfDisabled;
    auto event = sys::perf_event_open(attr, -1, 0);
    if (!event) return std::move(event).error().context(what + " (tracefs kprobe event)");  // `extra` removes it
    return attach_perf_event(prog, std::move(*event), t.cookie, std::move(what), std::move(extra));
}

Result<std::string> syscall_function(std::string_view syscall) {
    EBPF_TRY_ASSIGN(const bool wrapped, has(Feature::SyscallWrapper));
    if (wrapped) {
        const std::string prefix = syscall_prefix();
        if (prefix.empty())
            return Error(Errc::NotSupported, "the kernel has syscall wrappers, but their prefix on this architecture "
                                             "is unknown to ebpf-cxx");
        return prefix + std::string(syscall);
    }
    // No wrappers: SYSCALL_DEFINEx makes __se_sys_<name> (sys_<name> is its alias); SYSCALL_DEFINE0 only sys_<name>.
    const std::string se = "__se_sys_" + std::string(syscall), plain = "sys_" + std::string(syscall);
    auto found = sys::kallsyms_find(se);
    if (found && !found->found)
        if (auto p = sys::kallsyms_find(plain); p && p->found) return plain;
    return se;
}

}  // namespace ebpf::detail
