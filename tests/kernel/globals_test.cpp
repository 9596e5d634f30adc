// SPDX-License-Identifier: MIT
// Object::global<T>: typed views of global variables after load, in mapped memory or through system calls.
#include <catch2/catch.hpp>

#include <linux/bpf.h>

#include <ebpf/ebpf.hpp>

#include "kernel/map_support.hpp"
#include "support/expect.hpp"
#include "support/fd_count.hpp"
#include "support/runnable.hpp"
#include "support/skip.hpp"

using namespace ebpf;

namespace {
// Runs compute once with `in` as its input (the context's first u64) and returns its result, which it leaves in .bss.
std::uint64_t run_compute(const Object& obj, Program& p, std::uint64_t in) {
    test::run_once(p, as_bytes_of(in));
    std::uint64_t out = 0;
    REQUIRE(obj.read_global("compute_out", as_writable_bytes_of(out)));
    return out;
}
}  // namespace

TEST_CASE("globals are read and written in mapped memory, seen by the program at once", "[maps][globals]") {
    EBPF_SKIP_IF(test::cannot_run_syscall_programs());  // a syscall-section program (support/runnable.hpp)
    const int fds = test::open_fd_count();
    {
        auto obj = Object::load_file(test::obj_path("globals.bpf.o").c_str());
        REQUIRE(obj);
        Program& compute = *obj->find_program("compute");
        auto data_add = obj->global<std::uint64_t>("data_add");     // .data
        auto bss_total = obj->global<std::uint64_t>("bss_total");   // .bss
        auto custom_add = obj->global<std::uint64_t>("custom_add"); // .data.custom
        auto mult = obj->global<std::uint64_t>("rodata_mult");      // .rodata
        auto custom_ro = obj->global<std::uint32_t>("custom_ro");   // .rodata.custom
        REQUIRE(data_add);
        REQUIRE(bss_total);
        REQUIRE(custom_add);
        REQUIRE(mult);
        REQUIRE(custom_ro);
        CHECK(data_add->mapped());
        CHECK(bss_total->mapped());
        CHECK(mult->mapped());
        CHECK(mult->read_only());
        CHECK(data_add->section() == ".data");
        CHECK(*data_add->get() == 5);
        CHECK(*custom_add->get() == 7);
        CHECK(*mult->get() == 3);
        CHECK(*custom_ro->get() == 100);

        const std::uint64_t base = 10 * 3 + 5 + 7 + 11 + 13 + 100;
        CHECK(run_compute(*obj, compute, 10) == base);
        CHECK(*bss_total->get() == base);  // written by the program, read in place
        REQUIRE(data_add->set(1005));
        REQUIRE(custom_add->set(8));
        CHECK(run_compute(*obj, compute, 10) == base + 1000 + 1);
        CHECK(*bss_total->get() == 2 * base + 1001);
        CHECK(*data_add->data() == 1005);
        // The old system-call API sees the same memory.
        std::uint64_t via_syscall = 0;
        REQUIRE(obj->read_global("data_add", as_writable_bytes_of(via_syscall)));
        CHECK(via_syscall == 1005);
        const std::uint64_t six = 6;
        REQUIRE(obj->write_global("data_add", as_bytes_of(six)));
        CHECK(*data_add->get() == 6);

        // .rodata is frozen after load: refused with a clear error, through the view and the old API.
        auto w = mult->set(9);
        CHECK(test::fails_with(w, Errc::Permission, "global 'rodata_mult' is in .rodata, which is read-only after load"));
        CHECK(test::fails_with(custom_ro->set(1), Errc::Permission, ".rodata.custom"));
        CHECK_FALSE(obj->write_global("rodata_mult", as_bytes_of(six)));
        CHECK(*mult->get() == 3);

        // Bad input: a missing name, a type of the wrong size.
        CHECK(test::fails_with(obj->global<std::uint64_t>("nope"), Errc::NotFound, "no global variable named 'nope'"));
        CHECK(test::fails_with(obj->global<std::uint32_t>("data_add"), Errc::InvalidArgument,
                               "global 'data_add' in .data has 8 bytes; the type has 4"));

        // The view outlives the Object (it shares the section map and its mapping).
        auto keep = *obj->global<std::uint64_t>("bss_total");
        obj = Object::load_file(test::obj_path("globals.bpf.o").c_str());  // the first Object is gone
        REQUIRE(obj);
        CHECK(*keep.get() == 2 * base + 1001);
        REQUIRE(keep.set(1));
        CHECK(*keep.get() == 1);
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("a global view of an unmapped section goes through system calls", "[maps][globals]") {
    // The same section map without BPF_F_MMAPABLE: what kernels before 5.5 give the loader.
    MapSpec s;
    s.name = ".data";
    s.type = MapType::Array;
    s.key_size = 4;
    s.value_size = 16;
    s.max_entries = 1;
    auto m = Map::create(s);
    REQUIRE(m);
    detail::GlobalRef ref{*m, std::nullopt, 8, 8, false, "second", ".data"};
    auto g = Global<std::uint64_t>::from(ref);
    REQUIRE(g);
    CHECK_FALSE(g->mapped());
    CHECK(g->data() == nullptr);
    CHECK(*g->get() == 0);
    REQUIRE(g->set(77));
    CHECK(*g->get() == 77);
    std::uint64_t raw[2] = {};
    const std::uint32_t zero = 0;
    REQUIRE(m->lookup(as_bytes_of(zero), as_writable_bytes_of(raw)));
    CHECK(raw[0] == 0);
    CHECK(raw[1] == 77);
    ref.read_only = true;
    CHECK(test::fails_with(Global<std::uint64_t>::from(ref)->set(1), Errc::Permission, "read-only after load"));
    CHECK(test::fails_with(Global<std::uint32_t>::from(ref), Errc::InvalidArgument, "has 8 bytes; the type has 4"));
}
