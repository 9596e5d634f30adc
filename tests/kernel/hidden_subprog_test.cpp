// SPDX-License-Identifier: MIT
// Hidden global subprograms (__hidden) load as static ones, as with libbpf: the verifier checks them in their
// caller's context. hidden_subprog.bpf.o's subprograms store through a pointer argument with no NULL check, which
// verifies only that way; the same object with their BTF linkage put back to global is rejected. Also: a
// libbpf-style USDT handler (<bpf/usdt.bpf.h>, whose helpers are __weak __hidden) loads.
#include <catch2/catch.hpp>

#include <linux/bpf.h>

#include <string>

#include <ebpf/ebpf.hpp>

#include "btf/patch.hpp"
#include "support/kernel.hpp"
#include "support/objects.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

struct Args {
    std::uint64_t in, out;
};

// Loads and runs a syscall program; returns (retval, ctx->out).
std::pair<std::uint32_t, std::uint64_t> run(Program& p, std::uint64_t in) {
    Args a{in, 0};
    auto l = p.load();
    if (!l) FAIL(std::string(l.error().message()));
    auto r = p.test_run({.ctx_in = std::span<const std::byte>(reinterpret_cast<const std::byte*>(&a), sizeof a)});
    if (!r) FAIL(std::string(r.error().message()));
    return {r->retval, a.out};
}

}  // namespace

TEST_CASE("hidden global subprograms are verified in their caller's context", "[loader]") {
    EBPF_SKIP_IF(test::needs_syscall_programs("hidden_calls and hidden_entry write their results into the context"));
    auto obj = Object::load_file(test::obj_path("hidden_subprog.bpf.o").c_str());
    if (!obj) FAIL(std::string(obj.error().message()));
    CHECK(obj->warnings().empty());
    Program* calls = obj->find_program("hidden_calls");
    Program* entry = obj->find_program("hidden_entry");
    REQUIRE(calls);
    REQUIRE(entry);
    CHECK(run(*calls, 4) == std::pair<std::uint32_t, std::uint64_t>{0, 4 * 3 + 5 + 100});
    CHECK(run(*calls, 10) == std::pair<std::uint32_t, std::uint64_t>{0, 10 * 3 + 5 + 100});
    CHECK(run(*entry, 4) == std::pair<std::uint32_t, std::uint64_t>{0, 5});
    auto info = calls->info();
    REQUIRE(info);
    CHECK(info->btf_id != 0);
}

TEST_CASE("the same subprograms with global BTF linkage fail verification", "[loader]") {
    // As a raw tracepoint program the verifier would refuse hidden_calls' write into its context first.
    EBPF_SKIP_IF(test::needs_syscall_programs("hidden_calls writes its result into the context"));
    // Shows that the object tests what it means to: undo the fixup, and the verifier checks scale_into on its own.
    auto spec = parse_object_file(test::obj_path("hidden_subprog.bpf.o").c_str());
    if (!spec) FAIL(std::string(spec.error().message()));
    REQUIRE(spec->btf);
    btf::Patcher patch(*spec->btf);
    int undone = 0;
    for (btf::TypeId id = 1; id < spec->btf->type_count(); ++id) {
        const btf::Type t = spec->btf->type_or_void(id);
        if (t.kind() != btf::Kind::Func || (t.name() != "scale_into" && t.name() != "add_into")) continue;
        REQUIRE(t.linkage() == btf::kFuncStatic);
        patch.set_word(id, 1, (patch.word(id, 1) & ~0xffffu) | btf::kFuncGlobal);
        ++undone;
    }
    REQUIRE(undone == 2);
    auto global_btf = btf::Spec::parse(SharedBytes(patch.bytes()));
    REQUIRE(global_btf);
    spec->btf = std::move(*global_btf);
    auto obj = Object::load(*spec);
    if (!obj) FAIL(std::string(obj.error().message()));
    Program* calls = obj->find_program("hidden_calls");
    REQUIRE(calls);
    auto l = calls->load();
    REQUIRE_FALSE(l);
    CHECK(l.error().code() == Errc::Verifier);
    INFO(std::string(l.error().verifier_log()));
    CHECK(std::string(l.error().verifier_log()).find("mem_or_null") != std::string::npos);
}

TEST_CASE("a libbpf-style USDT handler (usdt.bpf.h, BPF_USDT) loads", "[loader]") {
    if (test::read_obj("usdt_args.bpf.o").empty())
        EBPF_SKIP("usdt_args.bpf.o was not built (no <bpf/usdt.bpf.h> for this architecture)");
    auto obj = Object::load_file(test::obj_path("usdt_args.bpf.o").c_str());
    if (!obj) FAIL(std::string(obj.error().message()));
    Program* p = obj->find_program("on_usdt");
    REQUIRE(p);
    CHECK(p->type() == ProgramType::Kprobe);
    auto l = p->load();
    if (!l) FAIL(std::string(l.error().message()));
    CHECK(p->loaded());
}
