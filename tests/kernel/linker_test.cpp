// SPDX-License-Identifier: MIT
// Statically linked objects (ebpf::link_objects) load and run: link_a.bpf.o calls a function, a hidden function,
// reads a variable and updates a map that link_b.bpf.o defines, and its weak ws_var loses to link_b's strong one.
// Both link orders must behave the same; each file's static local_helper must stay its own.
#include <catch2/catch.hpp>

#include <linux/bpf.h>

#include <cstring>
#include <string>
#include <vector>

#include <ebpf/ebpf.hpp>
#include <ebpf/linker.hpp>

#include "support/kernel.hpp"
#include "support/objects.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {

struct Args {
    std::uint64_t in, out, extra;
};
struct Val {
    std::uint64_t count, sum;
};

// Runs link_a_prog or link_b_prog once on `in` (the context's u64): each leaves its result and a second value in
// .bss (<a|b>_bss, <a|b>_extra). As raw tracepoint programs where the kernel has no syscall programs.
Args run(Object& obj, std::string_view name, std::uint64_t in) {
    Program* p = obj.find_program(name);
    REQUIRE(p);
    CHECK(test::run_once(*p, as_bytes_of(in)).retval == 0);
    const std::string side(name.substr(5, 1));  // link_<side>_prog
    Args a{in, 0, 0};
    REQUIRE(obj.read_global(side + "_bss", as_writable_bytes_of(a.out)));
    REQUIRE(obj.read_global(side + "_extra", as_writable_bytes_of(a.extra)));
    return a;
}

std::vector<std::byte> link(const std::vector<std::string>& files) {
    std::vector<std::vector<std::byte>> data;
    std::vector<LinkInput> in;
    for (const auto& f : files) data.push_back(test::read_obj(f));
    for (std::size_t i = 0; i < files.size(); ++i) in.push_back({files[i], data[i]});
    auto out = link_objects(in);
    if (!out) FAIL(std::string(out.error().message()));
    return std::move(*out);
}

void check_linked(const std::vector<std::byte>& elf) {
    auto obj = Object::load(elf, {}, "linked");
    if (!obj) FAIL(std::string(obj.error().message()));
    // 4*7 + b_data 2 (b_scale), + a_ro 3 (hidden b_hidden_add), + ws_var 42 (strong), + b_counter 9, + a_data 1.
    Args a = run(*obj, "link_a_prog", 4);
    CHECK(a.out == 85);
    CHECK(a.extra == 1001);  // link_a's own local_helper
    Args b = run(*obj, "link_b_prog", 0);
    CHECK(b.out == 85);      // the map link_a updated is link_b's
    CHECK(b.extra == 2005);  // link_b's own local_helper(b_ro)
    a = run(*obj, "link_a_prog", 10);
    CHECK(a.out == 127);
    b = run(*obj, "link_b_prog", 0);
    CHECK(b.out == 85 + 127);

    std::uint64_t bss = 0;
    REQUIRE(obj->read_global("a_bss", std::as_writable_bytes(std::span(&bss, 1))));
    CHECK(bss == 127);
    std::uint64_t ws = 0;
    REQUIRE(obj->read_global("ws_var", std::as_writable_bytes(std::span(&ws, 1))));
    CHECK(ws == 42);
    Map* m = obj->find_map("shared_map");
    REQUIRE(m);
    std::uint32_t key = 0;
    Val v{};
    auto found = m->lookup(std::as_bytes(std::span(&key, 1)), std::as_writable_bytes(std::span(&v, 1)));
    REQUIRE(found);
    CHECK(*found);
    CHECK(v.count == 2);
    CHECK(v.sum == 85 + 127);
    CHECK(obj->maps().size() == 5);  // .rodata .data .bss shared_map .kconfig
    // func_info of the global subprograms came through .BTF.ext: the kernel knows the program's BTF.
    auto info = obj->find_program("link_a_prog")->info();
    REQUIRE(info);
    CHECK(info->btf_id != 0);
}

}  // namespace

TEST_CASE("a statically linked object resolves functions, maps and variables across files", "[linker]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    SECTION("link_a then link_b") { check_linked(link({"link_a.bpf.o", "link_b.bpf.o"})); }
    SECTION("link_b then link_a") { check_linked(link({"link_b.bpf.o", "link_a.bpf.o"})); }
}

TEST_CASE("a linked object links again (the output is a valid input)", "[linker]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // syscall-section programs (support/runnable.hpp)
    const auto once = link({"link_a.bpf.o", "link_b.bpf.o"});
    std::vector<LinkInput> in{{"linked.o", once}};
    auto twice = link_objects(in);
    if (!twice) FAIL(std::string(twice.error().message()));
    check_linked(*twice);
}
