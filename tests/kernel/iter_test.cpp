// SPDX-License-Identifier: MIT
// Iter: a task iterator listing every process ("<tgid> <comm>", this one included) and a bpf_map_elem iterator
// over a map given at attach; walks started with open(), read to the end with read_all(), and through a pin.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <sstream>
#include <string>

#include <ebpf/ebpf.hpp>

#include "kernel/tracing_support.hpp"
#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/skip.hpp"

using namespace ebpf;
using test::msg;

namespace {

std::optional<std::string> lacks_iterators() {
    // Iterators are BPF_PROG_TYPE_TRACING programs: a kernel may refuse the type (the link probe then says false).
    auto tracing = program_type_supported(ProgramType::Tracing);
    if (tracing && !*tracing)
        return std::string("probe prog:tracing = false: the kernel refuses tracing programs (iterators are) to this "
                           "process");
    auto s = link_supported(AttachType::TraceIter);
    if (!s) return "probe link:trace_iter failed: " + msg(s.error());
    if (!*s) return std::string("no BPF iterators here (probe link:trace_iter = false; Linux 5.8)");
    return std::nullopt;
}

bool has_line(const std::string& text, const std::string& line) {
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        if (l == line) return true;
    return false;
}

std::string own_comm() {
    std::string comm = test::read_whole("/proc/self/comm");
    while (!comm.empty() && comm.back() == '\n') comm.pop_back();
    return comm;
}

}  // namespace

TEST_CASE("Iter: a task iterator lists every process, this one included", "[tracing]") {
    EBPF_SKIP_IF(lacks_iterators());
    Object obj = test::load_object("iters.bpf.o", {});
    auto it = obj.program<Iter>("list_processes");
    REQUIRE(it);
    if (auto r = it->load(); !r) {
        EBPF_SKIP_IF(test::kernel_refuses(r.error(), ProgramType::Tracing));
        FAIL(msg(r.error()));
    }
    const int fds = test::open_fd_count();
    {
        auto link = it->attach();
        if (!link) FAIL(msg(link.error()));
        auto text = Iter::read_all(*link);
        if (!text) FAIL(msg(text.error()));
        CHECK(has_line(*text, std::to_string(::getpid()) + " " + own_comm()));
        CHECK(has_line(*text, "1 " + [] {
            std::string c = test::read_whole("/proc/1/comm");
            while (!c.empty() && c.back() == '\n') c.pop_back();
            return c;
        }()));
        // Each open() is a new walk.
        auto fd = Iter::open(*link);
        REQUIRE(fd);
        auto again = Iter::read_all(FdRef(*fd));
        REQUIRE(again);
        CHECK(has_line(*again, std::to_string(::getpid()) + " " + own_comm()));
    }
    CHECK(test::open_fd_count() == fds);
}

TEST_CASE("Iter: a bpf_map_elem iterator walks the map given at attach; a pinned iterator reads like a file",
          "[tracing]") {
    EBPF_SKIP_IF(lacks_iterators());
    Object obj = test::load_object("iters.bpf.o", {});
    auto it = obj.program<Iter>("dump_map");
    REQUIRE(it);
    if (auto r = it->load(); !r) {
        EBPF_SKIP_IF(test::kernel_refuses(r.error(), ProgramType::Tracing));
        FAIL(msg(r.error()));
    }
    Map* input = obj.find_map("iter_input");
    REQUIRE(input);
    for (std::uint32_t k : {1u, 2u, 7u}) {
        const std::uint64_t v = k * 10;
        REQUIRE(input->update(as_bytes_of(k), as_bytes_of(v)));
    }
    auto link = it->attach({.map = input->fd()});
    if (!link) FAIL(msg(link.error()));
    auto text = Iter::read_all(*link);
    if (!text) FAIL(msg(text.error()));
    CHECK(has_line(*text, "1 10"));
    CHECK(has_line(*text, "2 20"));
    CHECK(has_line(*text, "7 70"));
    test::BpffsDir dir;
    const std::string pin = dir / "dump";
    REQUIRE(link->pin(pin.c_str()));
    CHECK(has_line(test::read_whole(pin), "7 70"));
    REQUIRE(link->unpin());
    // Without its map the iterator is refused, saying what it may need.
    auto no_map = it->attach();
    REQUIRE_FALSE(no_map);
    INFO(msg(no_map.error()));
    CHECK(msg(no_map.error()).find("attach iterator program 'dump_map' (bpf_map_elem)") != std::string::npos);
}

TEST_CASE("Iter: bad parameters and links that are not iterators are refused", "[tracing]") {
    Object obj = test::load_object("iters.bpf.o", {});
    auto it = obj.program<Iter>("list_processes");
    REQUIRE(it);
    auto not_loaded = it->attach();
    REQUIRE_FALSE(not_loaded);
    CHECK(msg(not_loaded.error()) == "attach iterator program 'list_processes' (task): the program is not loaded");
    Map* input = obj.find_map("iter_input");
    REQUIRE(input);
    if (auto r = it->load(); !r) {
        EBPF_SKIP_IF(test::kernel_refuses(r.error(), ProgramType::Tracing));
        FAIL(msg(r.error()));
    }
    auto two = it->attach({.map = input->fd(), .task_pid = 1});
    REQUIRE_FALSE(two);
    CHECK(two.error().code() == Errc::InvalidArgument);
    CHECK(msg(two.error()).find("one iterator parameter") != std::string::npos);
    Link empty = Link(Link::Parts{});
    auto not_iter = Iter::open(empty);
    REQUIRE_FALSE(not_iter);
    CHECK(not_iter.error().code() == Errc::InvalidArgument);
}
