// SPDX-License-Identifier: MIT
// The Link model: detach outcomes, pin/unpin/from_pin, release, update, info, several resources per link, moves.
#include <catch2/catch.hpp>

#include <linux/perf_event.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include <ebpf/ebpf.hpp>

#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/objects.hpp"

using namespace ebpf;

namespace {
std::uint64_t egress_count(const Object& obj) { return *obj.map<Array<std::uint64_t>>("counts")->get(1); }

std::uint64_t traffic(const Object& obj, test::TempCgroup& cg) {
    const std::uint64_t before = egress_count(obj);
    REQUIRE(cg.join());
    REQUIRE(test::udp_ping_loopback(3));
    cg.leave();
    return egress_count(obj) - before;
}

Object loaded_counter() {
    auto obj = Object::load_file(test::obj_path("cgroup_skb_counter.bpf.o").c_str(), {.load_programs = true});
    REQUIRE(obj);
    return std::move(*obj);
}

Link attach_egress(const Object& obj, test::TempCgroup& cg) {
    auto link = obj.program<CgroupSkb>("egress_filter")->attach(cg.path().c_str(), CgroupSkbAttachType::Egress);
    REQUIRE(link);
    return std::move(*link);
}

// A software perf event (cpu-clock) on this thread: a second resource for a Link to own.
UniqueFd software_perf_event() {
    perf_event_attr attr{};
    attr.size = sizeof attr;
    attr.type = PERF_TYPE_SOFTWARE;
    attr.config = PERF_COUNT_SW_CPU_CLOCK;
    attr.disabled = 1;
    const long fd = ::syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
    REQUIRE(fd >= 0);
    return UniqueFd(static_cast<int>(fd));
}
}  // namespace

TEST_CASE("detach() stops counting and says how; a second detach is an error", "[links]") {
    Object obj = loaded_counter();
    test::TempCgroup cg;
    Link link = attach_egress(obj, cg);
    CHECK(link.is_bpf_link());
    CHECK(traffic(obj, cg) >= 3);
    auto d = link.detach();
    REQUIRE(d);
    CHECK(*d == DetachOutcome::Detached);  // cgroup links support BPF_LINK_DETACH
    CHECK(traffic(obj, cg) == 0);
    CHECK_FALSE(link.attached());
    CHECK_FALSE(link.fd().valid());
    auto again = link.detach();
    REQUIRE_FALSE(again);
    CHECK(again.error().code() == Errc::InvalidArgument);
}

TEST_CASE("a raw tracepoint link cannot be force-detached: detach() says the reference was closed", "[links]") {
    LoadOptions o;
    o.globals.push_back(GlobalValue::of("target_tgid", static_cast<std::uint32_t>(::getpid())));
    auto obj = Object::load_file(test::obj_path("tracing_basic.bpf.o").c_str(), o);
    REQUIRE(obj);
    auto prog = obj->program<RawTracepoint>("count_sys_enter");
    REQUIRE(prog);
    REQUIRE(prog->load());
    auto link = prog->attach();
    REQUIRE(link);
    auto d = link->detach();
    REQUIRE(d);
    // BPF_LINK_DETACH is not implemented for raw tracepoint links; we held the only reference, so it is gone.
    CHECK(*d == DetachOutcome::ReferenceClosed);
}

TEST_CASE("a pinned link outlives its Link and the loader; unpin restores detach on destruction", "[links]") {
    test::BpffsDir dir;
    test::TempCgroup cg;
    const std::string pin = dir / "egress_link";
    std::uint32_t link_id = 0;
    {
        Object obj = loaded_counter();
        Link link = attach_egress(obj, cg);
        REQUIRE(link.pin(pin.c_str()));
        CHECK(link.pinned());
        link_id = link.info()->id;
    }
    // Object and Link are gone, the program still runs through the pinned link.
    auto pinned = Link::from_pin(pin.c_str());
    REQUIRE(pinned);
    CHECK(pinned->pinned());
    CHECK(pinned->info()->id == link_id);
    auto by_id = Link::from_id(link_id);
    REQUIRE(by_id);
    CHECK(by_id->info()->prog_id == pinned->info()->prog_id);
    // Unpinned, the last holders are our two Links: destroying them detaches.
    REQUIRE(pinned->unpin());
    CHECK_FALSE(pinned->pinned());
    CHECK(::access(pin.c_str(), F_OK) != 0);
    auto unpin_again = pinned->unpin();
    CHECK_FALSE(unpin_again);
    by_id = Link::from_pin(pin.c_str());  // the pin is gone: NotFound
    REQUIRE_FALSE(by_id);
    CHECK(by_id.error().code() == Errc::NotFound);
}

TEST_CASE("explicit detach of a pinned link detaches it and removes the pin", "[links]") {
    test::BpffsDir dir;
    test::TempCgroup cg;
    const std::string pin = dir / "egress_link";
    Object obj = loaded_counter();
    Link link = attach_egress(obj, cg);
    REQUIRE(link.pin(pin.c_str()));
    auto d = link.detach();
    REQUIRE(d);
    CHECK(*d == DetachOutcome::Detached);
    CHECK(::access(pin.c_str(), F_OK) != 0);
    CHECK(traffic(obj, cg) == 0);
}

TEST_CASE("release() hands over the fd that keeps the attachment", "[links]") {
    Object obj = loaded_counter();
    test::TempCgroup cg;
    UniqueFd kept;
    {
        Link link = attach_egress(obj, cg);
        kept = link.release();
        CHECK_FALSE(link.attached());
    }
    REQUIRE(kept.valid());
    CHECK(traffic(obj, cg) >= 3);  // still attached after the Link is gone
    kept.reset();                  // the last reference: the kernel detaches
    CHECK(traffic(obj, cg) == 0);
}

TEST_CASE("moving a Link transfers the attachment; move-assigning detaches the old one", "[links]") {
    Object obj = loaded_counter();
    test::TempCgroup cg;
    Link a = attach_egress(obj, cg);
    Link moved = std::move(a);
    CHECK_FALSE(a.attached());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
    CHECK(traffic(obj, cg) >= 3);
    {
        Link holder = std::move(moved);
        CHECK(traffic(obj, cg) >= 3);
    }
    CHECK(traffic(obj, cg) == 0);  // destroyed: detached

    Object other = loaded_counter();
    Link x = attach_egress(obj, cg);
    Link y = attach_egress(other, cg);
    x = std::move(y);  // x's attachment (obj) ends, other's stays
    CHECK(traffic(obj, cg) == 0);
    CHECK(traffic(other, cg) >= 3);
}

TEST_CASE("update() swaps the program of a link; BPF_F_REPLACE checks the old one", "[links]") {
    Object first = loaded_counter();
    Object second = loaded_counter();
    test::TempCgroup cg;
    Link link = attach_egress(first, cg);
    const Program old_prog = *first.program("egress_filter");
    const Program new_prog = *second.program("egress_filter");

    auto wrong = link.update(new_prog, {.expected = &new_prog});  // new_prog is not the attached one
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code() == Errc::Permission);
    CHECK(std::string(wrong.error().message()).find("not 'egress_filter'") != std::string::npos);

    REQUIRE(link.update(new_prog, {.expected = &old_prog}));
    CHECK(traffic(first, cg) == 0);
    CHECK(traffic(second, cg) >= 3);
    CHECK(link.info()->prog_id == new_prog.info()->id);

    // A program of another type is refused, with the reason.
    auto tr = Object::load_file(test::obj_path("tracing_basic.bpf.o").c_str());
    REQUIRE(tr);
    Program raw = *tr->program("count_sys_enter");
    REQUIRE(raw.load());
    auto mismatch = link.update(raw);
    REQUIRE_FALSE(mismatch);
    CHECK(mismatch.error().code() == Errc::InvalidArgument);
    CHECK(std::string(mismatch.error().message()).find("type or expected attach type differs") != std::string::npos);
}

TEST_CASE("info() decodes the link's type and target", "[links]") {
    Object obj = loaded_counter();
    test::TempCgroup cg;
    Link link = attach_egress(obj, cg);
    auto i = link.info();
    REQUIRE(i);
    CHECK(i->bpf_link);
    CHECK(i->type == LinkType::Cgroup);
    CHECK(i->id != 0);
    CHECK(i->prog_id == obj.program("egress_filter")->info()->id);
    REQUIRE(i->attach_type);
    CHECK(*i->attach_type == AttachType::CgroupInetEgress);
    CHECK(i->cgroup_id != 0);
    CHECK(link.description().find("egress_filter") != std::string_view::npos);

    LoadOptions o;
    o.globals.push_back(GlobalValue::of("target_tgid", static_cast<std::uint32_t>(::getpid())));
    auto tr = Object::load_file(test::obj_path("tracing_basic.bpf.o").c_str(), o);
    REQUIRE(tr);
    auto raw = tr->program<RawTracepoint>("count_sys_enter");
    REQUIRE(raw->load());
    auto rl = raw->attach();
    REQUIRE(rl);
    auto ri = rl->info();
    REQUIRE(ri);
    CHECK(ri->type == LinkType::RawTracepoint);
    CHECK(ri->target_name == "sys_enter");
}

TEST_CASE("a link owning several resources releases all of them", "[links]") {
    Object obj = loaded_counter();
    test::TempCgroup cg;
    const int fds_before = test::open_fd_count();
    {
        Link cg_link = attach_egress(obj, cg);
        // Compose a Link of a bpf_link and a perf event, as the perf-event attach paths do.
        Link::Parts parts;
        parts.bpf_link = cg_link.release();
        parts.resources.push_back(detail::perf_event_resource(software_perf_event()));
        parts.description = "bpf_link + perf event";
        Link both(std::move(parts));
        CHECK(test::open_fd_count() == fds_before + 2);
        CHECK(traffic(obj, cg) >= 3);
    }
    CHECK(test::open_fd_count() == fds_before);
    CHECK(traffic(obj, cg) == 0);
}

TEST_CASE("an attachment without a bpf_link: pin and update refused, info and release honest", "[links]") {
    // A real BPF_PROG_ATTACH attachment (what kernels before 5.7 get), forced through the probe layer.
    Object obj = loaded_counter();
    test::TempCgroup cg;
    const Program prog = *obj.program("egress_filter");
    const ProbeKey key = ProbeKey::link(AttachType::CgroupInetEgress);
    override_probe(key, false);
    auto attached = attach_cgroup(prog, cg.path().c_str(), AttachType::CgroupInetEgress);
    override_probe(key, std::nullopt);
    REQUIRE(attached);
    Link legacy = std::move(*attached);
    CHECK_FALSE(legacy.is_bpf_link());
    CHECK(traffic(obj, cg) >= 3);

    test::BpffsDir dir;
    auto r = legacy.pin((dir / "never").c_str());
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::NotSupported);
    auto u = legacy.update(prog);
    REQUIRE_FALSE(u);
    CHECK(u.error().code() == Errc::NotSupported);
    auto i = legacy.info();
    REQUIRE(i);
    CHECK_FALSE(i->bpf_link);
    CHECK(i->prog_id == prog.info()->id);
    REQUIRE(i->attach_type);
    CHECK(*i->attach_type == AttachType::CgroupInetEgress);
    CHECK(legacy.release().valid() == false);  // nothing to hand over: the cgroup holds the attachment
    CHECK(traffic(obj, cg) >= 3);              // released: still attached
    // Clean up the way a user would after release(): BPF_PROG_DETACH.
    auto cgfd = UniqueFd::open(cg.path().c_str(), O_DIRECTORY);
    REQUIRE(cgfd);
    std::uint32_t det[5] = {static_cast<std::uint32_t>(cgfd->get()), static_cast<std::uint32_t>(prog.fd().get()),
                            static_cast<std::uint32_t>(AttachType::CgroupInetEgress), 0, 0};
    REQUIRE(::syscall(SYS_bpf, 9 /* BPF_PROG_DETACH */, det, sizeof det) == 0);
    CHECK(traffic(obj, cg) == 0);
}

TEST_CASE("detach() of a legacy attachment undoes it", "[links]") {
    Object obj = loaded_counter();
    test::TempCgroup cg;
    const ProbeKey key = ProbeKey::link(AttachType::CgroupInetEgress);
    override_probe(key, false);
    auto link = obj.program<CgroupSkb>("egress_filter")->attach(cg.path().c_str(), CgroupSkbAttachType::Egress);
    override_probe(key, std::nullopt);
    REQUIRE(link);
    CHECK(traffic(obj, cg) >= 3);
    const int fds = test::open_fd_count();
    auto d = link->detach();
    REQUIRE(d);
    CHECK(*d == DetachOutcome::Detached);
    CHECK(traffic(obj, cg) == 0);
    CHECK(test::open_fd_count() == fds - 2);  // our duplicates of the cgroup and program fds are closed
}

TEST_CASE("without BPF_LINK_DETACH, detach() closes the link and says so", "[links]") {
    Object obj = loaded_counter();
    test::TempCgroup cg;
    Link link = attach_egress(obj, cg);
    override_probe(ProbeKey::feature(Feature::LinkDetach), false);
    auto d = link.detach();
    override_probe(ProbeKey::feature(Feature::LinkDetach), std::nullopt);
    REQUIRE(d);
    CHECK(*d == DetachOutcome::ReferenceClosed);
    CHECK(traffic(obj, cg) == 0);  // we held the only reference
}
