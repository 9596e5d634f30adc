// SPDX-License-Identifier: MIT
// ObjectSpec from real clang-built objects: programs, maps, globals, relocations and BTF, in both byte orders.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <set>

#include <ebpf/spec.hpp>

#include "support/objects.hpp"

using namespace ebpf;

namespace {

ObjectSpec parse(const std::string& file) {
    const auto bytes = test::read_obj(file);
    REQUIRE_FALSE(bytes.empty());
    auto spec = ObjectSpec::parse(bytes, {.name = "test"});
    if (!spec) FAIL(std::string(spec.error().message()));
    return std::move(*spec);
}

std::set<std::string> map_names_used(const ObjectSpec& s, const ProgramSpec& p) {
    std::set<std::string> out;
    for (const MapReloc& r : p.map_relocs) out.insert(s.maps.at(r.map).name);
    return out;
}

std::uint64_t u64_at(const std::vector<std::byte>& v, std::size_t off, bool big) {
    std::uint64_t x = 0;
    for (int i = 0; i < 8; ++i) {
        const auto b = static_cast<std::uint64_t>(v.at(off + static_cast<std::size_t>(i)));
        x |= b << (big ? 8 * (7 - i) : 8 * i);
    }
    return x;
}

// Every call/callback immediate must land on the start of a function (a func_info record).
void check_calls_land_on_functions(const ProgramSpec& p) {
    std::set<std::uint32_t> starts;
    for (const auto& f : p.func_info) starts.insert(f.insn_off);
    for (std::size_t i = 0; i < p.instructions.size(); ++i) {
        const Instruction& in = p.instructions[i];
        const bool call = in.is_call() && in.src == kPseudoCall;
        const bool func_addr = in.is_ld_imm64() && in.src == kPseudoFunc;
        if (!call && !func_addr) continue;
        const auto target = static_cast<std::int64_t>(i) + in.imm + 1;
        INFO("program " << p.name << " instruction " << i << " targets " << target);
        CHECK(starts.count(static_cast<std::uint32_t>(target)) == 1);
    }
}

}  // namespace

TEST_CASE("cgroup_skb_counter: programs, map and relocations", "[object]") {
    const ObjectSpec s = parse("cgroup_skb_counter.bpf.o");
    CHECK(s.license == "GPL");
    CHECK_FALSE(s.big_endian);
    REQUIRE(s.programs.size() == 2);
    const ProgramSpec* in = s.program("ingress_filter");
    const ProgramSpec* out = s.program("egress_filter");
    REQUIRE(in);
    REQUIRE(out);
    CHECK(in->section == "cgroup_skb/ingress");
    CHECK(in->type == ProgramType::CgroupSkb);
    CHECK(in->expected_attach_type == AttachType::CgroupInetIngress);
    CHECK(out->expected_attach_type == AttachType::CgroupInetEgress);
    CHECK(in->license == "GPL");
    CHECK(in->autoload);
    CHECK(map_names_used(s, *in) == std::set<std::string>{"counts"});
    for (const MapReloc& r : in->map_relocs) {
        CHECK(r.kind == MapReloc::Kind::Fd);
        CHECK(in->instructions.at(r.insn).is_ld_imm64());
    }
    REQUIRE(s.maps.size() == 1);
    const MapSpec& m = s.maps[0];
    CHECK(m.name == "counts");
    CHECK(m.type == MapType::Array);
    CHECK(m.key_size == 4);
    CHECK(m.value_size == 8);
    CHECK(m.max_entries == 2);
    CHECK(m.kind == MapKind::User);
    REQUIRE(s.btf);
    CHECK(s.btf->describe(m.value_type) == "__u64");
    CHECK(in->func_info.size() == 1);
    CHECK(in->func_info[0].insn_off == 0);
    CHECK_FALSE(in->line_info.empty());
}

TEST_CASE("globals: one map per data section, variables and value relocations", "[object]") {
    const ObjectSpec s = parse("globals.bpf.o");
    const MapSpec* ro = s.map(".rodata");
    const MapSpec* data = s.map(".data");
    const MapSpec* bss = s.map(".bss");
    const MapSpec* custom = s.map(".data.custom");
    const MapSpec* custom_ro = s.map(".rodata.custom");
    const MapSpec* str = s.map(".rodata.str1.1");
    REQUIRE(ro);
    REQUIRE(data);
    REQUIRE(bss);
    REQUIRE(custom);
    REQUIRE(custom_ro);
    REQUIRE(str);
    CHECK(ro->kind == MapKind::Rodata);
    CHECK(data->kind == MapKind::Data);
    CHECK(bss->kind == MapKind::Bss);
    CHECK(custom_ro->kind == MapKind::Rodata);
    CHECK((ro->flags & 0x80) != 0);    // BPF_F_RDONLY_PROG
    CHECK((data->flags & 0x80) == 0);
    CHECK((data->flags & 0x400) != 0);  // mmapable: has globals user space may use
    CHECK((str->flags & 0x400) == 0);   // only anonymous string literals
    CHECK(ro->type == MapType::Array);
    CHECK(ro->max_entries == 1);
    CHECK(ro->key_size == 4);
    CHECK(bss->contents.empty());  // zero-filled by the kernel, nothing to copy
    CHECK(u64_at(ro->contents, 0, false) == 3);
    CHECK(std::memcmp(str->contents.data(), "ebpf-cxx", 9) == 0);

    auto var = [&](const char* n) -> const VariableSpec& {
        for (const VariableSpec& v : s.variables)
            if (v.name == n) return v;
        FAIL("no variable " << n);
        return s.variables.front();
    };
    CHECK(var("rodata_mult").map == ".rodata");
    CHECK(var("data_add").map == ".data");
    CHECK_FALSE(var("data_add").is_static);
    CHECK(var("static_add").is_static);
    CHECK(var("hidden_add").is_static);
    CHECK(var("bss_total").map == ".bss");
    CHECK(var("custom_ro").size == 4);
    CHECK(u64_at(data->contents, var("data_add").offset, false) == 5);
    CHECK(u64_at(data->contents, var("hidden_add").offset, false) == 13);
    CHECK(s.btf->describe(var("data_add").type) == "__u64");

    // DATASEC sizes and offsets were filled in from the ELF (clang leaves them for the loader).
    REQUIRE(s.btf);
    auto ds = s.btf->find(".data", btf::Kind::Datasec);
    REQUIRE(ds);
    const btf::Type t = s.btf->type_or_void(*ds);
    CHECK(t.size() == data->value_size);
    for (std::uint32_t i = 0; i < t.vlen(); ++i) {
        const btf::Type v = s.btf->type_or_void(t.secinfo(i).type);
        CHECK(t.secinfo(i).offset == var(std::string(v.name()).c_str()).offset);
        if (i) CHECK(t.secinfo(i).offset > t.secinfo(i - 1).offset);
        if (v.name() == "hidden_add") CHECK(v.linkage() == btf::kVarStatic);
    }

    const ProgramSpec* p = s.program("compute");
    REQUIRE(p);
    CHECK(p->type == ProgramType::Syscall);
    CHECK((p->flags & kProgSleepable) != 0);
    bool saw_data_add = false, saw_string = false;
    for (const MapReloc& r : p->map_relocs) {
        CHECK(r.kind == MapReloc::Kind::Value);
        const MapSpec& m = s.maps.at(r.map);
        CHECK(r.offset < m.value_size);
        saw_data_add = saw_data_add || (m.name == ".data" && r.offset == var("data_add").offset);
        saw_string = saw_string || m.name == ".rodata.str1.1";
    }
    CHECK(saw_data_add);
    CHECK(saw_string);
}

TEST_CASE("calls: subprograms are appended depth-first and calls patched", "[object]") {
    const ObjectSpec s = parse("calls.bpf.o");
    const ProgramSpec* first = s.program("first");
    const ProgramSpec* second = s.program("second");
    REQUIRE(first);
    REQUIRE(second);
    // first: entry, add_square, square. second: entry plus loop_step, square and add_square.
    CHECK(first->func_info.size() == 3);
    CHECK(second->func_info.size() == 4);
    CHECK(first->instructions.size() > first->entry_instructions);
    check_calls_land_on_functions(*first);
    check_calls_land_on_functions(*second);
    bool callback = false;
    for (const Instruction& in : second->instructions) callback = callback || (in.is_ld_imm64() && in.src == kPseudoFunc);
    CHECK(callback);
    // Function records are in increasing instruction order, the first at the entry.
    for (const ProgramSpec* p : {first, second}) {
        CHECK(p->func_info.front().insn_off == 0);
        for (std::size_t i = 1; i < p->func_info.size(); ++i)
            CHECK(p->func_info[i].insn_off > p->func_info[i - 1].insn_off);
        for (std::size_t i = 1; i < p->line_info.size(); ++i)
            CHECK(p->line_info[i].insn_off >= p->line_info[i - 1].insn_off);
        CHECK(p->line_info.back().insn_off < p->instructions.size());
    }
    // The global subprogram writes .bss; both programs carry that relocation after appending it.
    CHECK(map_names_used(s, *first) == std::set<std::string>{".bss"});
    CHECK(map_names_used(s, *second) == std::set<std::string>{".bss"});
}

TEST_CASE("maps: BTF map definitions, map-in-map and prog-array slots, pinning", "[object]") {
    const ObjectSpec s = parse("maps.bpf.o");
    const MapSpec* hash = s.map("hash");
    REQUIRE(hash);
    CHECK(hash->type == MapType::Hash);
    CHECK(hash->key_size == 8);
    CHECK(hash->value_size == 8);
    CHECK(hash->max_entries == 128);
    CHECK(s.btf->describe(hash->key_type) == "struct key");
    const MapSpec* lru = s.map("lru");
    REQUIRE(lru);
    CHECK(lru->key_size == 4);
    CHECK(lru->value_size == 8);
    CHECK(lru->key_type == 0);
    const MapSpec* outer = s.map("outer");
    REQUIRE(outer);
    CHECK(outer->type == MapType::ArrayOfMaps);
    CHECK(outer->value_size == 4);
    REQUIRE(outer->inner);
    CHECK(outer->inner->name == "outer.inner");
    CHECK(outer->inner->type == MapType::Array);
    CHECK(outer->inner->value_size == 8);
    REQUIRE(outer->initial_slots.size() == 1);
    CHECK(outer->initial_slots[0] == std::pair<std::uint32_t, std::string>{2, "inner_a"});
    const MapSpec* jumps = s.map("jumps");
    REQUIRE(jumps);
    CHECK(jumps->type == MapType::ProgArray);
    REQUIRE(jumps->initial_slots.size() == 1);
    CHECK(jumps->initial_slots[0] == std::pair<std::uint32_t, std::string>{1, "tail_target"});
    CHECK(s.map("pinned_counts")->pinning == PinType::ByName);
    CHECK(hash->pinning == PinType::None);
    const ProgramSpec* use = s.program("use_maps");
    REQUIRE(use);
    CHECK(use->type == ProgramType::Xdp);
    CHECK(map_names_used(s, *use) == std::set<std::string>{"hash", "outer", "percpu", "pinned_counts", "lru", "jumps",
                                                           ".bss"});
}

TEST_CASE("'?' sections are not autoloaded", "[object]") {
    const ObjectSpec s = parse("bad_verifier.bpf.o");
    REQUIRE(s.program("good_one"));
    CHECK_FALSE(s.program("good_one")->autoload);
    CHECK(s.program("good_one")->section == "socket");
    CHECK(s.program("reads_uninit_reg")->autoload);
}

TEST_CASE("little- and big-endian builds give the same spec", "[object]") {
    for (const char* name : {"cgroup_skb_counter", "globals", "calls", "maps", "bad_verifier"}) {
        INFO(name);
        const ObjectSpec el = parse(std::string(name) + ".bpf.o");
        const ObjectSpec eb = parse(std::string(name) + ".bpfeb.o");
        CHECK_FALSE(el.big_endian);
        CHECK(eb.big_endian);
        REQUIRE(el.programs.size() == eb.programs.size());
        for (std::size_t i = 0; i < el.programs.size(); ++i) {
            const ProgramSpec &a = el.programs[i], &b = eb.programs[i];
            CHECK(a.name == b.name);
            CHECK(a.section == b.section);
            CHECK(a.type == b.type);
            // Identical code, except 64-bit constants built from structs (their bytes follow the target order).
            REQUIRE(a.instructions.size() == b.instructions.size());
            for (std::size_t k = 0; k < a.instructions.size(); ++k) {
                const Instruction &x = a.instructions[k], &y = b.instructions[k];
                const bool wide_const = x.is_ld_imm64() || (k > 0 && a.instructions[k - 1].is_ld_imm64());
                CHECK((x.code == y.code && x.dst == y.dst && x.src == y.src && x.off == y.off &&
                       (wide_const || x.imm == y.imm)));
            }
            CHECK(a.map_relocs.size() == b.map_relocs.size());
            CHECK(a.func_info.size() == b.func_info.size());
            CHECK(a.line_info.size() == b.line_info.size());
        }
        REQUIRE(el.maps.size() == eb.maps.size());
        for (std::size_t i = 0; i < el.maps.size(); ++i) {
            CHECK(el.maps[i].name == eb.maps[i].name);
            CHECK(el.maps[i].type == eb.maps[i].type);
            CHECK(el.maps[i].key_size == eb.maps[i].key_size);
            CHECK(el.maps[i].value_size == eb.maps[i].value_size);
            CHECK(el.maps[i].max_entries == eb.maps[i].max_entries);
            CHECK(el.maps[i].initial_slots == eb.maps[i].initial_slots);
        }
        REQUIRE(el.variables.size() == eb.variables.size());
        for (std::size_t i = 0; i < el.variables.size(); ++i) {
            CHECK(el.variables[i].name == eb.variables[i].name);
            CHECK(el.variables[i].offset == eb.variables[i].offset);
        }
        CHECK(el.btf->type_count() == eb.btf->type_count());
    }
}
