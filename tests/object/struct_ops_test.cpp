// SPDX-License-Identifier: MIT
// struct_ops variables parsed from real clang-built objects (both byte orders): one StructOpsSpec and one
// BPF_MAP_TYPE_STRUCT_OPS map per variable, program slots by member, data bytes, unused programs not autoloaded.
#include <catch2/catch.hpp>

#include <cstring>

#include <ebpf/spec.hpp>

#include "support/objects.hpp"

using namespace ebpf;

namespace {

ObjectSpec parse(const std::string& file) {
    const auto bytes = test::read_obj(file);
    REQUIRE_FALSE(bytes.empty());
    auto spec = ObjectSpec::parse(bytes, {.name = "tcp_cc"});
    if (!spec) FAIL(std::string(spec.error().message()));
    return std::move(*spec);
}

const StructOpsSpec& find(const ObjectSpec& s, const std::string& name) {
    for (const StructOpsSpec& so : s.struct_ops)
        if (so.name == name) return so;
    FAIL("no struct_ops " << name);
    return s.struct_ops.front();
}

}  // namespace

TEST_CASE("struct_ops variables become StructOpsSpecs and struct_ops maps", "[struct_ops]") {
    for (const char* file : {"tcp_cc.bpf.o", "tcp_cc.bpfeb.o"}) {
        DYNAMIC_SECTION(file) {
            const ObjectSpec s = parse(file);
            REQUIRE(s.struct_ops.size() == 4);
            const StructOpsSpec& cc = find(s, "ebpfcxx_cc");
            CHECK(cc.type_name == "tcp_congestion_ops");
            CHECK(cc.section == ".struct_ops.link");
            CHECK(cc.link);
            REQUIRE(cc.data.size() == 4 * 8 + 16);
            // Program slots in member order, zeroed in the data; the name is data.
            REQUIRE(cc.programs.size() == 4);
            CHECK(cc.programs[0].member == "ssthresh");
            CHECK(cc.programs[0].program == "cc_ssthresh");
            CHECK(cc.programs[0].offset == 0);
            CHECK(cc.programs[1].member == "cong_avoid");
            CHECK(cc.programs[2].member == "undo_cwnd");
            CHECK(cc.programs[3].member == "init");
            CHECK(cc.programs[3].program == "cc_init");
            CHECK(cc.programs[3].offset == 24);
            for (std::size_t i = 0; i < 32; ++i) CHECK(cc.data[i] == std::byte{0});
            CHECK(std::memcmp(cc.data.data() + 32, "ebpfcxx_cc", 11) == 0);
            const StructOpsSpec& v2 = find(s, "ebpfcxx_cc_v2");
            CHECK(v2.programs[1].program == "cc_cong_avoid_v2");
            const StructOpsSpec& legacy = find(s, "ebpfcxx_cc_legacy");
            CHECK_FALSE(legacy.link);
            CHECK(legacy.section == ".struct_ops");
            // The taken-name variable sets no init.
            CHECK(find(s, "ebpfcxx_cc_taken").programs.size() == 3);

            const MapSpec* m = s.map("ebpfcxx_cc");
            REQUIRE(m);
            CHECK(m->type == MapType::StructOps);
            CHECK(m->key_size == 4);
            CHECK(m->value_size == 48);
            CHECK(m->max_entries == 1);
            CHECK(m->flags == (1u << 13));  // BPF_F_LINK
            CHECK(m->value_type == cc.type);
            CHECK(s.map("ebpfcxx_cc_legacy")->flags == 0);
            // Every struct_ops program is used, so every one is autoloaded, with its section's member name.
            const ProgramSpec* p = s.program("cc_cong_avoid_v2");
            REQUIRE(p);
            CHECK(p->kind == ProgramKind::StructOps);
            CHECK(p->type == ProgramType::StructOps);
            CHECK(p->attach_to == "cc_cong_avoid_v2");
            CHECK(p->autoload);
        }
    }
}

TEST_CASE("a struct_ops member the kernel may lack still parses: the loader checks it", "[struct_ops]") {
    const ObjectSpec s = parse("tcp_cc_bad.bpf.o");
    REQUIRE(s.struct_ops.size() == 1);
    const StructOpsSpec& bad = s.struct_ops[0];
    REQUIRE(bad.programs.size() == 4);
    CHECK(bad.programs[3].member == "no_such_member");
    CHECK(bad.programs[3].program == "bad_extra");
}
