// SPDX-License-Identifier: MIT
// The kernel's object lists: loaded_programs(), loaded_maps(), loaded_links(), loaded_btfs() find what this test
// loaded and attached, with the ids, names, types and cross references the kernel reports; nothing leaks an fd.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <ebpf/ebpf.hpp>

#include "support/fd_count.hpp"
#include "support/kernel.hpp"
#include "support/objects.hpp"

using namespace ebpf;

namespace {

template <class Info>
const Info* find_by_id(const std::vector<Info>& list, std::uint32_t id) {
    auto it = std::find_if(list.begin(), list.end(), [&](const Info& i) { return i.id == id; });
    return it == list.end() ? nullptr : &*it;
}

}  // namespace

TEST_CASE("loaded_programs/maps/links/btfs list what this process loaded and attached", "[introspect]") {
    auto obj = Object::load_file(test::obj_path("cgroup_skb_counter.bpf.o").c_str(), {.load_programs = true});
    REQUIRE(obj);
    test::TempCgroup cg;
    auto link = obj->program<CgroupSkb>("egress_filter")->attach(cg.path().c_str(), CgroupSkbAttachType::Egress);
    REQUIRE(link);
    auto prog_info = obj->program("egress_filter")->info();
    REQUIRE(prog_info);
    auto map_info = obj->map("counts")->info();
    REQUIRE(map_info);
    auto link_info = link->info();
    REQUIRE(link_info);

    const int fds_before = test::open_fd_count();
    auto progs = loaded_programs();
    REQUIRE(progs);
    auto maps = loaded_maps();
    REQUIRE(maps);
    auto links = loaded_links();
    REQUIRE(links);
    auto btfs = loaded_btfs();
    REQUIRE(btfs);
    CHECK(test::open_fd_count() == fds_before);

    const ProgramInfo* p = find_by_id(*progs, prog_info->id);
    REQUIRE(p != nullptr);
    CHECK(p->name == "egress_filter");
    CHECK(p->type == ProgramType::CgroupSkb);
    CHECK(p->tag == prog_info->tag);
    CHECK(p->gpl_compatible);
    CHECK(p->load_time_ns > 0);
    CHECK(p->created_by_uid == ::geteuid());
    CHECK(std::find(p->map_ids.begin(), p->map_ids.end(), map_info->id) != p->map_ids.end());

    const MapInfo* m = find_by_id(*maps, map_info->id);
    REQUIRE(m != nullptr);
    CHECK(m->name == "counts");
    CHECK(m->type == map_info->type);

    const LinkInfo* l = find_by_id(*links, link_info->id);
    REQUIRE(l != nullptr);
    CHECK(l->type == LinkType::Cgroup);
    CHECK(l->prog_id == prog_info->id);
    CHECK(l->attach_type == AttachType::CgroupInetEgress);
    struct stat st {};
    REQUIRE(::stat(cg.path().c_str(), &st) == 0);
    CHECK(l->cgroup_id == st.st_ino);

    // The program's BTF is listed, and its types can be read back.
    REQUIRE(p->btf_id != 0);
    const BtfInfo* b = find_by_id(*btfs, p->btf_id);
    REQUIRE(b != nullptr);
    CHECK_FALSE(b->kernel_btf);
    CHECK(b->size > 0);
    auto spec = loaded_btf_spec(p->btf_id);
    REQUIRE(spec);
    CHECK(spec->find("egress_filter", btf::Kind::Func));
    auto vmlinux = std::find_if(btfs->begin(), btfs->end(), [](const BtfInfo& i) { return i.name == "vmlinux"; });
    if (vmlinux != btfs->end()) CHECK(vmlinux->kernel_btf);
    CHECK(test::open_fd_count() == fds_before);

    // Closing our fd of a listed link did not detach it.
    auto again = loaded_links();
    REQUIRE(again);
    CHECK(find_by_id(*again, link_info->id) != nullptr);
}

TEST_CASE("unknown ids are NotFound-like errors naming the id", "[introspect]") {
    // Ids are never reused before wrapping, so 0x7fffffff is free in practice.
    auto p = Program::from_id(0x7fffffff);
    REQUIRE_FALSE(p);
    CHECK(p.error().message().find("2147483647") != std::string::npos);
    auto b = loaded_btf_spec(0x7fffffff);
    REQUIRE_FALSE(b);
    CHECK(b.error().code() == Errc::NotFound);
    auto bi = loaded_btf_info(0x7fffffff);
    CHECK_FALSE(bi);
    auto l = Link::from_id(0x7fffffff);
    CHECK_FALSE(l);
}
