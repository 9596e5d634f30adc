// SPDX-License-Identifier: MIT
// uprobes on perf events: the uprobe PMU (4.17+), or a tracefs uprobe_events entry where there is no PMU (older
// kernels, CONFIG_UPROBE_EVENTS=n PMU-less builds, or forced with the probe feature:uprobe_pmu = 0). The choice is
// made here, once per attach, by the cached probe.
#include <ebpf/features.hpp>

#include <cerrno>
#include <mutex>

#include "base/format.hpp"
#include "base/try.hpp"
#include "links/attach.hpp"
#include "links/uprobe.hpp"
#include "sys/file.hpp"
#include "sys/perf.hpp"
#include "sys/tracefs.hpp"

namespace ebpf::detail {

namespace uprobe_links_impl {
namespace {

// A uprobe_events entry owned by a Link: removed after the perf event on it is closed.
class UprobeEventResource final : public LinkResource {
public:
    UprobeEventResource(sys::ProbeEvent event, const UprobeTarget& t) : event_(std::move(event)), target_(t) {}
    Result<void> undo() override {
        const std::string name = event_.event();
        auto r = event_.remove();
        if (!r) return std::move(r).error().context(format("remove uprobe event %s", name.c_str()));
        return {};
    }
    void keep() noexcept override { event_.release(); }
    void describe(LinkInfo& i) const override {
        i.perf_event_type = target_.retprobe ? 2 : 1;  // BPF_PERF_EVENT_URETPROBE / UPROBE
        i.target_name = target_.path;
        i.offset = target_.offset;
        i.cookie = target_.cookie;
    }

private:
    sys::ProbeEvent event_;
    UprobeTarget target_;
};

class NestedLinkResource final : public LinkResource {
public:
    explicit NestedLinkResource(Link link) : link_(std::move(link)) {}
    Result<void> undo() override {
        if (!link_.attached()) return {};
        auto r = link_.detach();
        if (!r) return std::move(r).error();
        return {};
    }
    void keep() noexcept override {
        // Released with its owner: the attachment must outlive us, so its fd stays open on purpose.
        if (link_.attached()) (void)link_.release().release();
    }
    UniqueFd take_fd() noexcept override { return link_.attached() ? link_.release() : UniqueFd(); }
    void describe(LinkInfo& i) const override {
        ++i.count;
        if (i.count != 1 || !link_.attached()) return;
        auto inner = link_.info();
        if (!inner) return;
        const std::uint32_t n = i.count;
        i = std::move(*inner);
        i.bpf_link = false;  // the group itself has no bpf_link
        i.count = n;
    }

private:
    Link link_;
};

// Explains a failed uprobe perf_event_open / uprobe_events write.
Error explain(Error e, const UprobeTarget& t) {
    switch (e.sys_errno()) {
    case ENOENT:
        if (sys::path_exists(t.path.c_str())) return e;  // something else is missing (uprobe_events, say)
        e.recode(Errc::NotFound);
        return std::move(e).context(format("uprobe on %s: no such file", t.path.c_str()));
    case ESRCH:
        e.recode(Errc::NotFound);
        return std::move(e).context(format("no process with pid %d", t.pid));
    case EINVAL:
        return std::move(e).context(format("uprobe on %s at offset 0x%llx%s: the kernel refuses the offset (outside "
                                            "the file, or not an instruction boundary)%s",
                                            t.path.c_str(), static_cast<unsigned long long>(t.offset),
                                            t.ref_ctr_offset ? " with a reference counter" : "",
                                            t.ref_ctr_offset ? "; or the counter offset conflicts with an existing "
                                                               "uprobe at the same place"
                                                             : ""));
    default: return e;
    }
}

void remove_stale_uprobe_entries_once() {
    static std::once_flag once;
    std::call_once(once, [] { (void)sys::remove_stale_probe_events(); });
}

Result<UniqueFd> open_uprobe_event(const UprobeTarget& t, const sys::PerfEventAttr& attr) {
    // pid -1 needs a CPU: an event bound to CPU 0 runs its program wherever the probe fires (the program hangs on
    // the probe, not on the event's CPU). A pid filters by process (its mm, so every thread).
    const int pid = t.pid >= 0 ? t.pid : -1;
    const int cpu = t.pid >= 0 ? -1 : 0;
    auto ev = sys::perf_event_open(attr, pid, cpu);
    if (!ev) return explain(std::move(ev).error(), t);
    return ev;
}

}  // namespace
}  // namespace uprobe_links_impl

Result<Link> attach_uprobe(FdRef prog, const UprobeTarget& t, std::string hint, std::string what) {
    using namespace uprobe_links_impl;
    auto pmu_available = has(Feature::UprobePmu);
    if (!pmu_available) return std::move(pmu_available).error().context(what);
    if (*pmu_available) {
        auto pmu = sys::uprobe_pmu();
        if (!pmu) return std::move(pmu).error().context(what);
        sys::UprobeAttrOptions o;
        o.path = t.path.c_str();
        o.offset = t.offset;
        o.ref_ctr_offset = t.ref_ctr_offset;
        o.retprobe = t.retprobe;
        auto attr = sys::perf_attr_uprobe(*pmu, o);
        if (!attr) return std::move(attr).error().context(what);
        attr->flags |= sys::kPerfDisabled;  // enabled once the program is on it
        auto ev = open_uprobe_event(t, *attr);
        if (!ev) return std::move(ev).error().context(what);
        return attach_perf_event(prog, std::move(*ev), t.cookie, std::move(what));
    }
    // Linux < 4.17 (or a kernel built without the PMU, or the probe forced off): a tracefs uprobe_events entry,
    // whose tracepoint the perf event opens. The Link removes the entry after closing the event.
    remove_stale_uprobe_entries_once();
    sys::UprobeEventOptions o;
    o.path = t.path;
    o.offset = t.offset;
    o.ref_ctr_offset = t.ref_ctr_offset;
    o.retprobe = t.retprobe;
    o.name_hint = hint;
    auto entry = sys::add_uprobe_event(o);
    if (!entry) return explain(std::move(entry).error(), t).context(what);
    sys::PerfEventAttr attr = sys::perf_attr_tracepoint(entry->tracepoint_id());
    attr.flags |= sys::kPerfDisabled;
    std::vector<std::unique_ptr<LinkResource>> extra;
    extra.push_back(std::make_unique<UprobeEventResource>(std::move(*entry), t));
    auto ev = open_uprobe_event(t, attr);
    if (!ev) {
        for (auto& r : extra) (void)r->undo();
        return std::move(ev).error().context(what);
    }
    return attach_perf_event(prog, std::move(*ev), t.cookie, std::move(what), std::move(extra));
}

bool uprobe_multi_links() noexcept {
    auto r = link_supported(AttachType::TraceUprobeMulti);
    return r && *r;
}

Result<bool> bpf_cookies() noexcept { return has(Feature::BpfCookie); }

std::unique_ptr<LinkResource> nested_link_resource(Link link) {
    return std::make_unique<uprobe_links_impl::NestedLinkResource>(std::move(link));
}

}  // namespace ebpf::detail
