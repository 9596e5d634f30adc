// SPDX-License-Identifier: MIT
// Object loading end to end: global data, BPF-to-BPF calls, every map kind, pinning, verifier errors.
#include <catch2/catch.hpp>

#include <linux/bpf.h>
#include <sys/stat.h>

#include <cstring>
#include <string>

#include <ebpf/ebpf.hpp>

#include "elf/file.hpp"
#include "support/elf_builder.hpp"
#include "support/kernel.hpp"
#include "support/objects.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

struct Args {
    std::uint64_t in, out, str_sum;
};

Object load(const std::string& file, const LoadOptions& o = {}) {
    auto obj = Object::load_file(test::obj_path(file).c_str(), o);
    if (!obj) FAIL(std::string(obj.error().message()));
    return std::move(*obj);
}

// Runs globals.bpf.o's compute on `in` (the context's first u64): its results are in .bss.
Args run_compute(const Object& obj, Program& p, std::uint64_t in) {
    CHECK(test::run_once(p, as_bytes_of(in)).retval == 0);
    Args a{in, 0, 0};
    REQUIRE(obj.read_global("compute_out", as_writable_bytes_of(a.out)));
    REQUIRE(obj.read_global("compute_str_sum", as_writable_bytes_of(a.str_sum)));
    return a;
}

// Runs a syscall program: the kernel copies the context back into ctx_in.
Args run_syscall(Program& p, std::uint64_t in) {
    Args a{in, 0, 0};
    REQUIRE(p.load());
    auto r = p.test_run({.ctx_in = std::span<const std::byte>(reinterpret_cast<const std::byte*>(&a), sizeof a)});
    if (!r) FAIL(std::string(r.error().message()));
    CHECK(r->retval == 0);
    return a;
}

template <class T>
T global(const Object& obj, const char* name) {
    T v{};
    auto r = obj.read_global(name, as_writable_bytes_of(v));
    if (!r) FAIL(std::string(r.error().message()));
    return v;
}

}  // namespace

TEST_CASE("global data in every section is initialised and relocated", "[loader]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // a syscall-section program (support/runnable.hpp)
    Object obj = load("globals.bpf.o");
    CHECK(obj.warnings().empty());
    CHECK(obj.btf_fd().valid());
    Program* p = obj.find_program("compute");
    REQUIRE(p);
    Args a = run_compute(obj, *p, 10);
    CHECK(a.out == 10 * 3 + 5 + 7 + 11 + 13 + 100);
    CHECK(a.str_sum == 797);  // "ebpf-cxx" read from .rodata.str1.1
    CHECK(global<std::uint64_t>(obj, "bss_total") == a.out);
    run_compute(obj, *p, 0);
    CHECK(global<std::uint64_t>(obj, "bss_total") == a.out + 136);
    // .data is writable from user space between runs.
    std::uint64_t add = 1000;
    REQUIRE(obj.write_global("data_add", as_bytes_of(add)));
    CHECK(run_compute(obj, *p, 0).out == 1136 - 5);
    // The program has BTF func info in the kernel.
    auto info = p->info();
    REQUIRE(info);
    CHECK(info->btf_id != 0);
}

TEST_CASE(".rodata can be set before load and is frozen after", "[loader]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // a syscall-section program (support/runnable.hpp)
    LoadOptions o;
    o.globals.push_back(GlobalValue::of<std::uint64_t>("rodata_mult", 5));
    o.globals.push_back(GlobalValue::of<std::uint32_t>("custom_ro", 1));
    Object obj = load("globals.bpf.o", o);
    CHECK(run_compute(obj, *obj.find_program("compute"), 10).out == 50 + 5 + 7 + 11 + 13 + 1);
    std::uint64_t v = 9;
    auto w = obj.write_global("rodata_mult", as_bytes_of(v));
    REQUIRE_FALSE(w);
    CHECK(w.error().sys_errno() == EPERM);  // frozen
    CHECK(global<std::uint64_t>(obj, "rodata_mult") == 5);

    LoadOptions bad;
    bad.globals.push_back(GlobalValue::of<std::uint32_t>("rodata_mult", 5));
    auto wrong_size = Object::load_file(test::obj_path("globals.bpf.o").c_str(), bad);
    REQUIRE_FALSE(wrong_size);
    CHECK(wrong_size.error().code() == Errc::InvalidArgument);
    LoadOptions missing;
    missing.globals.push_back(GlobalValue::of<std::uint32_t>("nope", 5));
    auto absent = Object::load_file(test::obj_path("globals.bpf.o").c_str(), missing);
    REQUIRE_FALSE(absent);
    CHECK(absent.error().code() == Errc::NotFound);
    CHECK(std::string(absent.error().message()).find("load globals.bpf.o: set global 'nope'") == 0);
}

TEST_CASE("BPF-to-BPF calls and callbacks run in the kernel", "[loader]") {
    EBPF_SKIP_IF(test::needs_syscall_programs("calls.bpf.o's programs write their results into the context"));
    Object obj = load("calls.bpf.o");
    Program* first = obj.find_program("first");
    Program* second = obj.find_program("second");
    REQUIRE(first);
    REQUIRE(second);
    CHECK(run_syscall(*first, 4).out == 4 + 9);
    CHECK(run_syscall(*second, 5).out == (0 + 1 + 2 + 3 + 4) + 4 + 2);
    CHECK(global<std::uint64_t>(obj, "calls_seen") == 2);
}

TEST_CASE("maps: hash, LRU, per-CPU, map-in-map and prog-array slots, pinning", "[loader]") {
    test::BpffsDir dir;
    LoadOptions o;
    o.pin_root = dir.path();
    o.load_programs = true;
    {
        Object obj = load("maps.bpf.o", o);
        Program* use = obj.find_program("use_maps");
        REQUIRE(use);
        REQUIRE(use->loaded());
        std::vector<std::byte> pkt(64);
        auto r = use->test_run({.data_in = pkt});
        REQUIRE(r);
        CHECK(r->retval == 3);  // XDP_TX from the tail-call target: the prog-array slot was filled
        CHECK(global<std::uint64_t>(obj, "tail_ran") == 1);
        CHECK(global<std::uint64_t>(obj, "use_ran") == 1);

        struct Key {
            std::uint32_t a;
            std::uint16_t b, c;
        };
        auto hash = obj.map<HashMap<Key, std::uint64_t>>("hash");
        REQUIRE(hash);
        CHECK(*hash->get({1, 2, 3}) == 1);
        auto inner = obj.map<Array<std::uint64_t>>("inner_a");  // reached through outer[2]
        REQUIRE(inner);
        CHECK(*inner->get(0) == 42);
        auto lru = obj.map<HashMap<std::uint32_t, std::uint64_t>>("lru");
        REQUIRE(lru);
        CHECK(*lru->get(5) == 55);
        Map* percpu = obj.find_map("percpu");
        REQUIRE(percpu);
        std::vector<std::byte> vals(percpu->value_buffer_size());
        const std::uint32_t zero = 0;
        REQUIRE(percpu->lookup(as_bytes_of(zero), vals));
        std::uint64_t sum = 0;
        for (std::size_t off = 0; off < vals.size(); off += 8) {
            std::uint32_t x;
            std::memcpy(&x, vals.data() + off, 4);
            sum += x;
        }
        CHECK(sum == 1);
        struct stat st{};
        CHECK(::stat((dir / "pinned_counts").c_str(), &st) == 0);
    }
    // A second load reuses the pinned map and sees what the first run wrote.
    {
        o.load_programs = false;
        Object obj = load("maps.bpf.o", o);
        auto pinned = obj.map<HashMap<std::uint32_t, std::uint32_t>>("pinned_counts");
        REQUIRE(pinned);
        CHECK(*pinned->get(0) == 9);
    }
}

TEST_CASE("a pinned map with another shape is not reused", "[loader]") {
    test::BpffsDir dir;
    MapSpec other;
    other.name = "pinned_counts";
    other.type = MapType::Hash;
    other.key_size = 4;
    other.value_size = 8;  // the object declares 4
    other.max_entries = 16;
    auto m = Map::create(other);
    REQUIRE(m);
    REQUIRE(m->pin((dir / "pinned_counts").c_str()));
    LoadOptions o;
    o.pin_root = dir.path();
    auto obj = Object::load_file(test::obj_path("maps.bpf.o").c_str(), o);
    REQUIRE_FALSE(obj);
    CHECK(obj.error().code() == Errc::Incompatible);
    const std::string msg(obj.error().message());
    CHECK(msg.find("value_size 8 (object wants 4)") != std::string::npos);
    CHECK(msg.find("pinned_counts") != std::string::npos);
}

TEST_CASE("verifier failures through an object show the log with source lines", "[loader]") {
    Object obj = load("bad_verifier.bpf.o");
    Program* p = obj.find_program("reads_uninit_reg");
    REQUIRE(p);
    auto r = p->load();
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::Verifier);
    const std::string log(r.error().verifier_log());
    CHECK(log.find("R6 !read_ok") != std::string::npos);
    // Line info reached the kernel: the log quotes the source line (newer kernels also add "@ file:line").
    CHECK(log.find("asm volatile") != std::string::npos);
    // The message says where the verifier stopped and why, in words, before the raw log.
    const std::string msg(r.error().message());
    CHECK(msg.find("verifier: instruction 0 (r0 = r6)") != std::string::npos);
    CHECK(msg.find("a register is read before anything was written to it") != std::string::npos);
    // load_programs() stops at the failure and names the object.
    auto all = obj.load_programs();
    REQUIRE_FALSE(all);
    CHECK(std::string(all.error().message()).find("bad_verifier.bpf.o: load program 'reads_uninit_reg'") == 0);
    // '?' programs are skipped by load_programs() but load on request.
    REQUIRE(obj.find_program("good_one")->load());
}

TEST_CASE("lookups of missing programs and maps list what exists", "[loader]") {
    Object obj = load("cgroup_skb_counter.bpf.o");
    auto p = obj.program<CgroupSkb>("nope");
    REQUIRE_FALSE(p);
    CHECK(p.error().code() == Errc::NotFound);
    CHECK(std::string(p.error().message()).find("ingress_filter, egress_filter") != std::string::npos);
    auto m = obj.map<Array<std::uint64_t>>("nope");
    REQUIRE_FALSE(m);
    CHECK(std::string(m.error().message()).find("counts") != std::string::npos);
    auto missing = Object::load_file("/nonexistent/x.bpf.o");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code() == Errc::NotFound);
    CHECK(std::string(missing.error().message()).find("/nonexistent/x.bpf.o") != std::string::npos);
}

TEST_CASE("a poisoned CO-RE relocation the verifier reaches is named in the error", "[loader]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // a syscall-section program (support/runnable.hpp)
    // It calls bpf_get_current_task_btf() before the poisoned read, which must be a helper of its type here.
    EBPF_SKIP_IF(test::syscall_programs_lack_helper(BPF_FUNC_get_current_task_btf, "bpf_get_current_task_btf"));
    Object obj = load("bad_verifier.bpf.o");
    test::runnable(obj);
    auto r = obj.find_program("reads_missing_field")->load();
    REQUIRE_FALSE(r);
    const std::string msg(r.error().message());
    INFO(msg);
    CHECK(msg.find("left invalid on purpose by the loader: CO-RE") != std::string::npos);
    CHECK(msg.find("ebpf_cxx_no_such_field") != std::string::npos);
    CHECK(msg.find("bpf_core_field_exists") != std::string::npos);  // the hint
}

TEST_CASE("max_entries can be overridden before load", "[loader]") {
    LoadOptions o;
    o.max_entries = {{"counts", 7}};
    Object obj = load("cgroup_skb_counter.bpf.o", o);
    CHECK(obj.find_map("counts")->max_entries() == 7);
    CHECK(obj.find_map("counts")->info()->max_entries == 7);
}

TEST_CASE("programs in unknown sections fail alone, or load with a type given by the user", "[loader]") {
    // An object with one program in a section no loader knows, and one ordinary socket filter.
    test::ElfBuilder b;
    const auto custom = b.add_code("my_custom_hook", {test::mov64_imm(0, 1), test::exit_insn()});
    const auto sock = b.add_code("socket", {test::mov64_imm(0, 2), test::exit_insn()});
    b.add_section("license", elf::SHT_PROGBITS, elf::SHF_ALLOC | elf::SHF_WRITE,
                  {std::byte{'G'}, std::byte{'P'}, std::byte{'L'}, std::byte{0}});
    b.add_symbol("custom", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, static_cast<std::uint16_t>(custom));
    b.add_symbol("plain", 0, 16, elf::STB_GLOBAL, elf::STT_FUNC, static_cast<std::uint16_t>(sock));
    const auto bytes = b.build();
    std::vector<std::byte> pkt(64);

    auto obj = Object::load(bytes, {}, "custom.o");
    REQUIRE(obj);
    auto r = obj->find_program("custom")->load();
    REQUIRE_FALSE(r);
    CHECK(std::string(r.error().message()).find("my_custom_hook") != std::string::npos);
    REQUIRE(obj->find_program("plain")->load());  // the other program is not affected

    LoadOptions o;
    o.program_types.push_back({"custom", ProgramType::SocketFilter});
    auto typed = Object::load(bytes, o, "custom.o");
    REQUIRE(typed);
    REQUIRE(typed->find_program("custom")->load());
    CHECK(typed->find_program("custom")->test_run({.data_in = pkt})->retval == 1);
    LoadOptions bad;
    bad.program_types.push_back({"nope", ProgramType::SocketFilter});
    CHECK(Object::load(bytes, bad, "custom.o").error().code() == Errc::NotFound);
}
