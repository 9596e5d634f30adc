// SPDX-License-Identifier: MIT
// The program model: kinds and attach targets from sections, configuration before load, typed views that check
// the kind, handles that survive their Object (and its maps), auto-attach, raw tracepoints attached for real.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <string>

#include <ebpf/ebpf.hpp>

#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/objects.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

Object load(const char* file, LoadOptions o = {}) {
    auto obj = Object::load_file(test::obj_path(file).c_str(), o);
    REQUIRE(obj);
    return std::move(*obj);
}

LoadOptions for_this_process() {
    LoadOptions o;
    o.globals.push_back(GlobalValue::of("target_tgid", static_cast<std::uint32_t>(::getpid())));
    return o;
}

std::uint64_t raw_calls(const Object& obj) {
    std::uint64_t n = 0;
    REQUIRE(obj.read_global("raw_sys_enter_calls", as_writable_bytes_of(n)));
    return n;
}

// Some system calls of our own.
void make_syscalls(int n) {
    for (int i = 0; i < n; ++i) (void)::getppid();
}

// A view of kprobe-family programs, as the KProbe view declares itself: only the kind check is under test here.
class KprobeLike : public TypedProgramView<KprobeLike> {
public:
    static constexpr const char* kName = "KprobeLike";
    static constexpr ProgramType kType = ProgramType::Kprobe;
    static constexpr ProgramKind kKinds[] = {ProgramKind::Kprobe, ProgramKind::Kretprobe};

private:
    friend class TypedProgramView<KprobeLike>;
    using TypedProgramView::TypedProgramView;
};

ProgramDef kprobe_family(const char* name, const char* section) {
    ProgramDef d;
    d.name = name;
    d.section = section;
    d.type = ProgramType::Kprobe;
    d.instructions = {{0xb7, 0, 0, 0, 0}, {0x95, 0, 0, 0, 0}};
    return d;
}

}  // namespace

TEST_CASE("programs carry their kind and attach target from the section", "[programs]") {
    Object tr = load("tracing_basic.bpf.o", for_this_process());
    const Program* raw = tr.find_program("count_sys_enter");
    REQUIRE(raw);
    CHECK(raw->kind() == ProgramKind::RawTracepoint);
    CHECK(raw->type() == ProgramType::RawTracepoint);
    CHECK(raw->attach_target() == "sys_enter");
    CHECK(to_string(raw->kind()) == "raw_tracepoint");
    Object cg = load("cgroup_skb_counter.bpf.o");
    CHECK(cg.find_program("ingress_filter")->kind() == ProgramKind::CgroupSkb);
    Object ext = load("freplace_ext.bpf.o");
    CHECK(ext.find_program("new_decide")->kind() == ProgramKind::Freplace);
    CHECK(ext.find_program("new_decide")->attach_target() == "decide");
    // Hand-made definitions with a libbpf section name get the same.
    auto k = Program::prepare(kprobe_family("k", "kretprobe/do_unlinkat"));
    REQUIRE(k);
    CHECK(k->kind() == ProgramKind::Kretprobe);
    CHECK(k->attach_target() == "do_unlinkat");
    auto u = Program::prepare(kprobe_family("u", "uprobe//bin/bash:readline"));
    REQUIRE(u);
    CHECK(u->kind() == ProgramKind::Uprobe);
    CHECK(u->attach_target() == "/bin/bash:readline");
}

TEST_CASE("typed views check the kind, not only the program type", "[programs]") {
    auto kp = Program::prepare(kprobe_family("kp", "kprobe/do_unlinkat"));
    auto up = Program::prepare(kprobe_family("up", "uprobe//bin/bash:readline"));
    REQUIRE(kp);
    REQUIRE(up);
    CHECK(KprobeLike::from(*kp));
    // Same BPF_PROG_TYPE_KPROBE, another kind: refused, saying what the view takes.
    auto refused = KprobeLike::from(*up);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code() == Errc::InvalidArgument);
    const std::string msg(refused.error().message());
    CHECK(msg.find("program 'up' (section 'uprobe//bin/bash:readline') is a uprobe program") == 0);
    CHECK(msg.find("KprobeLike takes kprobe, kretprobe programs") != std::string::npos);

    Object cg = load("cgroup_skb_counter.bpf.o");
    auto wrong = cg.program<RawTracepoint>("egress_filter");
    REQUIRE_FALSE(wrong);
    CHECK(std::string(wrong.error().message()).find("RawTracepoint takes raw_tracepoint") != std::string::npos);
}

TEST_CASE("programs without a section are viewed by their type", "[programs]") {
    test::BpffsDir dir;
    Object cg = load("cgroup_skb_counter.bpf.o", {.load_programs = true});
    REQUIRE(cg.find_program("egress_filter")->pin((dir / "egress").c_str()));
    auto opened = Program::from_pin((dir / "egress").c_str());
    REQUIRE(opened);
    CHECK(opened->kind() == ProgramKind::Unknown);
    CHECK(CgroupSkb::from(*opened));
    auto refused = RawTracepoint::from(*opened);
    REQUIRE_FALSE(refused);
    CHECK(std::string(refused.error().message()).find("is a cgroup_skb program; RawTracepoint needs raw_tracepoint") !=
          std::string::npos);
}

TEST_CASE("a new program type drops the load flags the section gave that the type cannot have", "[programs]") {
    static_assert(flags_for_program_type(kProgSleepable, ProgramType::RawTracepoint) == 0);
    static_assert(flags_for_program_type(kProgSleepable, ProgramType::Lsm) == kProgSleepable);
    static_assert(flags_for_program_type(kProgXdpHasFrags | kProgXdpDevBoundOnly, ProgramType::SchedCls) == 0);
    static_assert(flags_for_program_type(kProgXdpHasFrags, ProgramType::Xdp) == kProgXdpHasFrags);
    // A syscall section is sleepable; a raw tracepoint program cannot be (the kernel would refuse the load).
    Object obj = load("syscall_run.bpf.o");
    Program p = *obj.program("double_it");
    CHECK(p.sleepable());
    REQUIRE(p.set_type(ProgramType::RawTracepoint));
    CHECK_FALSE(p.sleepable());
    CHECK(p.type() == ProgramType::RawTracepoint);
    // The same through LoadOptions::program_types.
    LoadOptions o;
    o.program_types.push_back({"double_it", ProgramType::RawTracepoint, std::nullopt});
    Object overridden = load("syscall_run.bpf.o", o);
    CHECK_FALSE(overridden.program("double_it")->sleepable());
}

TEST_CASE("configuration before load; read-only after", "[programs]") {
    Object tr = load("tracing_basic.bpf.o", for_this_process());
    Program p = *tr.program("count_sys_enter_unnamed");
    CHECK(p.attach_target().empty());
    REQUIRE(p.set_attach_target("sys_enter"));
    REQUIRE(p.set_log_level(1));
    REQUIRE(p.load());
    CHECK(std::string(p.verifier_log()).find("processed") != std::string::npos);
    // Loaded: configuration is refused with the reason.
    auto late = p.set_attach_target("sys_exit");
    REQUIRE_FALSE(late);
    CHECK(late.error().code() == Errc::InvalidArgument);
    CHECK(std::string(late.error().message()).find("already loaded") != std::string::npos);
    CHECK_FALSE(p.set_flags(0));
    CHECK_FALSE(p.set_log_level(2));
    CHECK_FALSE(p.set_type(ProgramType::Kprobe));
    CHECK_FALSE(p.set_expected_attach_type(std::nullopt));
    CHECK_FALSE(p.set_ifindex(1));
    // The target set before load is the one auto-attach uses.
    const std::uint64_t before = raw_calls(tr);
    auto link = auto_attach(p);
    REQUIRE(link);
    make_syscalls(20);
    CHECK(raw_calls(tr) >= before + 20);
}

TEST_CASE("copies of a Program share it; moving copies the handle", "[programs]") {
    Object cg = load("cgroup_skb_counter.bpf.o");
    Program a = *cg.program("egress_filter");
    Program b = a;  // shares
    CHECK(a.same_handle(b));
    REQUIRE(b.load());
    CHECK(a.loaded());  // loaded through the copy
    Program c = std::move(a);
    CHECK(c.same_handle(b));
    CHECK(a.loaded());  // NOLINT(bugprone-use-after-move): a Program is never empty
    // An unloadable program moved from still reports its error instead of crashing.
    ProgramDef bad_def;
    bad_def.name = "bad";
    Program bad = Program::unloadable(std::move(bad_def), Error(Errc::Relocation, "CO-RE failed"));
    Program moved = std::move(bad);
    auto r1 = bad.load();  // NOLINT(bugprone-use-after-move)
    auto r2 = moved.load();
    REQUIRE_FALSE(r1);
    REQUIRE_FALSE(r2);
    CHECK(r1.error().message() == "CO-RE failed");
    CHECK(r2.error().code() == Errc::Relocation);
}

TEST_CASE("a program loads after its maps were taken out of the Object and dropped", "[programs]") {
    std::optional<Program> prog;
    {
        Object cg = load("cgroup_skb_counter.bpf.o");
        {
            auto m = cg.take_map("counts");
            REQUIRE(m);
        }  // the only handle to the map is gone
        CHECK(cg.maps().empty());
        auto p = cg.take_program("egress_filter");
        REQUIRE(p);
        prog.emplace(*p);
        auto again = cg.program("egress_filter");
        REQUIRE_FALSE(again);
        CHECK(again.error().code() == Errc::NotFound);
        CHECK(std::string(again.error().message()).find("was taken out of the object") != std::string::npos);
    }  // the Object is gone too
    const int fds_before = test::open_fd_count();
    REQUIRE(prog->load());  // its instructions still name a live map
    CHECK(prog->def().map_fds.empty());  // the kernel holds the map now; ours are closed
    CHECK(test::open_fd_count() == fds_before);  // + the program fd, - the map fd
    auto info = prog->info();
    REQUIRE(info);
    REQUIRE(info->map_ids.size() == 1);
    auto map = Map::from_id(info->map_ids[0]);
    REQUIRE(map);
    CHECK(map->name() == "counts");
    // It works: attached, it counts into that map.
    test::TempCgroup cg;
    auto link = CgroupSkb::from(*prog)->attach(cg.path().c_str(), CgroupSkbAttachType::Egress);
    REQUIRE(link);
    REQUIRE(cg.join());
    REQUIRE(test::udp_ping_loopback(3));
    cg.leave();
    CHECK(*Array<std::uint64_t>::from(*map)->get(1) >= 3);
}

TEST_CASE("raw tracepoints attach by section and by name, and count real system calls", "[programs]") {
    Object tr = load("tracing_basic.bpf.o", for_this_process());
    auto named = tr.program<RawTracepoint>("count_sys_enter");
    REQUIRE(named);
    REQUIRE(named->load());
    {
        auto link = named->attach();
        REQUIRE(link);
        const std::uint64_t before = raw_calls(tr);
        make_syscalls(50);
        CHECK(raw_calls(tr) >= before + 50);
    }
    const std::uint64_t after = raw_calls(tr);
    make_syscalls(50);
    CHECK(raw_calls(tr) <= after + 2);  // detached (a read_global or two of ours may count before it is gone)

    auto unnamed = tr.program<RawTracepoint>("count_sys_enter_unnamed");
    REQUIRE(unnamed->load());
    auto no_target = unnamed->attach();
    REQUIRE_FALSE(no_target);
    CHECK(std::string(no_target.error().message()).find("names no tracepoint") != std::string::npos);
    auto bogus = unnamed->attach("no_such_tracepoint_xyz");
    REQUIRE_FALSE(bogus);
    CHECK(bogus.error().code() == Errc::NotFound);
    CHECK(std::string(bogus.error().message()).find("no_such_tracepoint_xyz") != std::string::npos);
    auto by_name = unnamed->attach("sys_enter");
    REQUIRE(by_name);
}

TEST_CASE("auto_attach follows the table and explains what it cannot do", "[programs]") {
    Object cg = load("cgroup_skb_counter.bpf.o", {.load_programs = true});
    const Program egress = *cg.program("egress_filter");
    auto no_cgroup = auto_attach(egress);
    REQUIRE_FALSE(no_cgroup);
    CHECK(no_cgroup.error().code() == Errc::InvalidArgument);
    CHECK(std::string(no_cgroup.error().message()).find("needs a cgroup") != std::string::npos);
    CHECK(auto_attach_blocker(egress).has_value());
    test::TempCgroup tmp;
    CHECK_FALSE(auto_attach_blocker(egress, {.cgroup = tmp.path()}).has_value());
    auto link = auto_attach(egress, {.cgroup = tmp.path()});
    REQUIRE(link);
    CHECK(link->info()->attach_type == AttachType::CgroupInetEgress);

    // A tc program needs an interface (and a section that names the direction); the blocker says which is missing.
    Object target = load("freplace_target.bpf.o");
    auto tc = auto_attach(*target.program("classify"));
    REQUIRE_FALSE(tc);
    CHECK(tc.error().code() == Errc::InvalidArgument);
    CHECK(std::string(tc.error().message()).find("needs a network interface") != std::string::npos);
    CHECK(auto_attach_blocker(*target.program("classify"), {.interface = "lo"}).value_or("").find("ingress or egress") !=
          std::string::npos);
    // Kinds whose target no section can name are refused, saying what to call instead.
    Object net = load("net_parse.bpf.o");
    auto sock = auto_attach(*net.program("socket_drop_port"));
    REQUIRE_FALSE(sock);
    CHECK(sock.error().code() == Errc::NotSupported);
    CHECK(std::string(sock.error().message()).find("use SocketFilter::attach(socket_fd)") != std::string::npos);
}

TEST_CASE("info() keeps the kernel's 15-character name and gives the whole name from the program's BTF",
          "[programs]") {
    Object net = load("net_parse.bpf.o");
    auto cut = net.program("socket_drop_port");  // 16 characters: the kernel keeps "socket_drop_por"
    REQUIRE(cut);
    REQUIRE(cut->load());
    auto info = cut->info();
    REQUIRE(info);
    CHECK(info->name == "socket_drop_por");
    CHECK(info->full_name == "socket_drop_port");
    // A name that fits is both.
    auto whole = net.program("xdp_parse");
    REQUIRE(whole);
    REQUIRE(whole->load());
    auto short_info = whole->info();
    REQUIRE(short_info);
    CHECK(short_info->name == "xdp_parse");
    CHECK(short_info->full_name == "xdp_parse");
}

TEST_CASE("freplace loads from an Object against a target program, and replaces its function", "[programs]") {
    Object target = load("freplace_target.bpf.o", {.load_programs = true});
    Object ext = load("freplace_ext.bpf.o");
    auto f = ext.program<Freplace>("new_decide");
    REQUIRE(f);
    // Without a target program the load says what is missing.
    auto missing = Program(f->program()).load();
    REQUIRE_FALSE(missing);
    CHECK(std::string(missing.error().message()).find("set_attach_target(target_program, \"decide\")") !=
          std::string::npos);
    const Program classify = *target.program("classify");
    REQUIRE(f->program().set_attach_target(classify, "decide"));
    auto loaded = f->load();
    auto trampolines = link_supported(AttachType::TraceFentry);  // freplace needs BPF trampolines like fentry
    REQUIRE(trampolines);
    if (!*trampolines && !loaded) {
        // This kernel cannot build trampolines (the probe says so): the load fails, and the message must say why.
        // (The probe asks for an fentry link, which 5.10 does not make although it loads freplace programs.)
        CHECK(std::string(loaded.error().message()).find("no BPF trampolines") != std::string::npos);
        EBPF_SKIP("no BPF trampolines (probe link:trace_fentry = false), attach half not run: "
                  << loaded.error().message());
    }
    REQUIRE(loaded);
    std::vector<std::byte> pkt(64);
    CHECK(classify.test_run({.data_in = pkt})->retval == 1);
    {
        auto link = f->attach();
        if (!link && (link.error().code() == Errc::NotSupported || link.error().sys_errno() == 524))
            // arm64 before 6.0 loads freplace programs but has no trampolines to attach them with (ENOTSUPP).
            EBPF_SKIP("the kernel loads freplace programs but cannot attach them: " << link.error().message());
        if (!link) FAIL(std::string(link.error().message()));
        CHECK(classify.test_run({.data_in = pkt})->retval == 42);
    }
    CHECK(classify.test_run({.data_in = pkt})->retval == 1);
}
