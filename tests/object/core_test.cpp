// SPDX-License-Identifier: MIT
// CO-RE without a kernel: core_fixture.bpf.o's programs relocated against core_fixture_target.bpf.o's BTF (the same
// source built with -DTARGET, other layouts), checking every patched instruction against values computed by hand
// from the two layouts in bpf-progs/core_fixture.bpf.c; then the engine's errors (ambiguity, bad access strings,
// kinds that do not match) and the patcher's.
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include <ebpf/spec.hpp>

#include "base/bytes.hpp"
#include "btf/core.hpp"
#include "object/core_patch.hpp"
#include "support/expect.hpp"
#include "support/btf_builder.hpp"
#include "support/objects.hpp"

using namespace ebpf;
using btf::CoreReloKind;

namespace {

ObjectSpec parse(const std::string& file) {
    const auto bytes = test::read_obj(file);
    REQUIRE_FALSE(bytes.empty());
    auto spec = ObjectSpec::parse(bytes, {.name = file});
    if (!spec) FAIL(std::string(spec.error().message()));
    REQUIRE(spec->btf);
    return std::move(*spec);
}

btf::TypeId type_id(const btf::Spec& b, std::string_view name, btf::Kind kind) {
    auto id = b.find(name, kind);
    if (!id) FAIL("no " << name << " in the fixture's BTF");
    return *id;
}

// "fx_task.inner.a byte_off", "fx_task.arr[3] byte_off", "fx_state::FX_B enumval_value", "fx_u32 type_size".
std::string describe(const btf::Spec& local, const CoreReloc& r) {
    auto spec = btf::core_parse_spec(local, r.type, r.access, r.kind);
    if (!spec) FAIL(std::string(spec.error().message()));
    std::string out(local.type_or_void(r.type).name());
    const auto k = static_cast<unsigned>(r.kind);
    if (k >= 10 && k <= 11) {
        out += "::" + std::string(spec->access[0].name);
    } else if (k <= 5) {
        for (std::size_t i = 1; i < spec->access.size(); ++i) {
            if (spec->access[i].name.empty()) out += "[" + std::to_string(spec->access[i].idx) + "]";
            else out += "." + std::string(spec->access[i].name);
        }
    }
    return out + " " + std::string(btf::to_string(r.kind));
}

// One relocated program: its instructions after CO-RE, and each relocation's description by instruction index.
struct Relocated {
    std::vector<Instruction> insns;
    std::vector<std::pair<std::uint32_t, std::string>> relos;
};

// Relocates every program of `local` against `target`, one candidate cache for the object and the records in
// .BTF.ext order, as the loader does (lib/loader/core.cpp).
std::map<std::string, Relocated> relocate(const ObjectSpec& local, const btf::Spec& target,
                                          std::string_view skip_program = {}) {
    const btf::CoreTargets targets{&target, {}};
    btf::CoreCandidateCache cache;
    std::vector<std::pair<const ProgramSpec*, const CoreReloc*>> by_id(local.core_relo_count);
    for (const ProgramSpec& p : local.programs)
        if (p.name != skip_program)
            for (const CoreReloc& r : p.core_relocs) by_id.at(r.id) = {&p, &r};
    std::map<std::string, Relocated> out;
    for (const ProgramSpec& p : local.programs) out[p.name].insns = p.instructions;
    for (const auto& [p, r] : by_id) {
        if (!p) continue;
        INFO("program " << p->name << " instruction " << r->insn << ": " << describe(*local.btf, *r));
        auto res = btf::core_calc(*local.btf, r->type, r->access, r->kind, targets, cache);
        if (!res) FAIL(std::string(res.error().message()));
        Relocated& rel = out[p->name];
        auto ok = detail::core_patch(rel.insns, r->insn, *res);
        if (!ok) FAIL(std::string(ok.error().message()));
        rel.relos.emplace_back(r->insn, describe(*local.btf, *r));
    }
    return out;
}

bool is_poison(const Instruction& in) { return in == Instruction{0x85, 0, 0, 0, btf::kCorePoisonImm}; }

int load_size(const Instruction& in) {
    switch (in.code & 0x18) {
    case 0x00: return 4;
    case 0x08: return 2;
    case 0x10: return 1;
    default: return 8;
    }
}

// What a relocated instruction must hold.
struct Expect {
    enum Kind { Value, Load, Poison } kind;
    std::uint64_t value = 0;  // Value: the immediate (ALU) or 64-bit constant (ld_imm64); Load: the offset
    int size = 0;             // Load: bytes accessed
};
Expect value(std::uint64_t v) { return {Expect::Value, v, 0}; }
Expect load(std::uint64_t off, int size) { return {Expect::Load, off, size}; }
const Expect poison{Expect::Poison};

void check(const std::vector<Instruction>& insns, std::uint32_t idx, const Expect& e) {
    REQUIRE(idx < insns.size());
    const Instruction& in = insns[idx];
    switch (e.kind) {
    case Expect::Poison:
        CHECK(is_poison(in));
        if (idx + 1 < insns.size() && insns[idx + 1].code == 0x85) CHECK(is_poison(insns[idx + 1]));
        return;
    case Expect::Load:
        REQUIRE_FALSE(is_poison(in));
        CHECK((in.code & 0x07) == 0x01);  // LDX
        CHECK(in.off == static_cast<std::int16_t>(e.value));
        CHECK(load_size(in) == e.size);
        return;
    case Expect::Value:
        REQUIRE_FALSE(is_poison(in));
        if (in.is_ld_imm64()) {
            REQUIRE(idx + 1 < insns.size());
            const std::uint64_t v = static_cast<std::uint32_t>(in.imm) |
                                    static_cast<std::uint64_t>(static_cast<std::uint32_t>(insns[idx + 1].imm)) << 32;
            CHECK(v == e.value);
        } else {
            CHECK(((in.code & 0x07) == 0x04 || (in.code & 0x07) == 0x07));  // ALU/ALU64 with an immediate
            CHECK((in.code & 0x08) == 0);
            CHECK(static_cast<std::uint64_t>(static_cast<std::int64_t>(in.imm)) == e.value);
        }
        return;
    }
}

// Bitfield left shift for a 64-bit load of `byte_size` bytes at `byte_off`: the program runs in host byte order.
std::uint64_t lshift(std::uint32_t bit_off, std::uint32_t bit_size, std::uint32_t byte_off, std::uint32_t byte_size) {
    if (detail::host_endian() == detail::Endian::Little) return 64 - (bit_off + bit_size - byte_off * 8);
    return (8 - byte_size) * 8 + (bit_off - byte_off * 8);
}

// Every relocation of the fixture and what it must become against the target (hand-computed from the layouts
// written in bpf-progs/core_fixture.bpf.c).
std::map<std::string, Expect> expectations(const btf::Spec& local, const btf::Spec& target) {
    return {
        // fx_fields: loads move, and change size where the field did (unsigned only).
        {"fx_task.pid byte_off", load(20, 4)},
        {"fx_task.tgid byte_off", load(16, 4)},
        {"fx_task.flags byte_off", load(32, 8)},           // u32 -> u64 through the typedef: the load widens
        {"fx_task.inner.a byte_off", load(40 + 8, 4)},     // inner now sits in an anonymous union at 40
        {"fx_task.inner.b byte_off", poison},              // int -> short is signed: cannot be resized safely
        {"fx_task.arr[3] byte_off", poison},               // arr has 2 elements in the target
        {"fx_task.arr[1] byte_off", load(60 + 4, 4)},
        {"fx_task.comm[9] byte_off", poison},              // comm has 8 elements in the target
        {"fx_task.comm[3] byte_off", load(24 + 3, 1)},
        {"fx_task.parent byte_off", load(8, 8)},
        // fx_exists: immediates.
        {"fx_task.old_field field_exists", value(0)},      // removed
        {"fx_task.renamed field_exists", value(0)},        // renamed to renamed_v2
        {"fx_task.pid field_exists", value(1)},
        {"fx_task.comm byte_sz", value(8)},
        {"fx_task.flags byte_sz", value(8)},
        {"fx_task.arr byte_sz", value(8)},
        {"fx_task.inner byte_sz", value(16)},
        {"fx_task type_size", value(104)},
        {"fx_u32 type_size", value(8)},                    // the typedef widened
        {"fx_gone type_exists", value(0)},
        {"fx_task type_exists", value(1)},
        {"fx_task target_type_id", value(type_id(target, "fx_task", btf::Kind::Struct))},
        {"fx_task local_type_id", value(type_id(local, "fx_task", btf::Kind::Struct))},
        {"fx_state::FX_GONE enumval_exists", value(0)},
        {"fx_state::FX_B enumval_value", value(7)},
        {"fx_state::FX_A enumval_value", value(3)},
        {"fx_state::FX_A enumval_exists", value(1)},
        {"fx_state::FX_NEG enumval_value", value(static_cast<std::uint64_t>(-5))},  // sign-extended
        {"fx_big::FX_BIG_A enumval_value", value(6)},                                // ENUM64
        {"fx_big::FX_BIG_B enumval_value", value(0x200000002ULL)},
        {"fx_task.kind_changed field_exists", value(0)},   // an int became a struct: not the same field
        {"fx_kind type_exists", value(0)},                 // a union in the target, not a struct
        {"fx_kind.x field_exists", value(0)},
        {"fx_task.old_field byte_off", poison},            // guarded by field_exists: dead, poisoned
        {"fx_state::FX_GONE enumval_value", poison},       // guarded by enumval_exists: both halves poisoned
        // fx_bits: all four fields live in the 4- or 8-byte unit at byte 96 of the target.
        {"fx_task.bits_a byte_off", value(96)},            // bits 796..804, unsigned long long: 8-byte unit
        {"fx_task.bits_a byte_sz", value(8)},
        {"fx_task.bits_a lshift_u64", value(lshift(796, 9, 96, 8))},
        {"fx_task.bits_a rshift_u64", value(64 - 9)},
        {"fx_task.bits_a signed", value(0)},
        {"fx_task.bits_b byte_off", value(96)},            // bits 775..779, unsigned int
        {"fx_task.bits_b byte_sz", value(4)},
        {"fx_task.bits_b lshift_u64", value(lshift(775, 5, 96, 4))},
        {"fx_task.bits_b rshift_u64", value(64 - 5)},
        {"fx_task.bits_b signed", value(0)},
        {"fx_task.bits_c byte_off", value(96)},            // bits 786..795, unsigned int
        {"fx_task.bits_c byte_sz", value(4)},
        {"fx_task.bits_c lshift_u64", value(lshift(786, 10, 96, 4))},
        {"fx_task.bits_c rshift_u64", value(64 - 10)},
        {"fx_task.bits_c signed", value(0)},
        {"fx_task.signed_bits byte_off", value(96)},       // bits 780..785, int: now 6 bits wide
        {"fx_task.signed_bits byte_sz", value(4)},
        {"fx_task.signed_bits lshift_u64", value(lshift(780, 6, 96, 4))},
        {"fx_task.signed_bits rshift_u64", value(64 - 6)},
        {"fx_task.signed_bits signed", value(1)},
        // fx_flavors: ___v1 and ___v2 resolve to the target's fx_task.
        {"fx_task___v1.pid byte_off", load(20, 4)},
        {"fx_task___v1.comm[2] byte_off", load(24 + 2, 1)},
        {"fx_task___v1.pid field_exists", value(1)},
        {"fx_task___v2.renamed_v2 field_exists", value(1)},
        {"fx_task___v2.renamed_v2 byte_off", load(56, 4)},
        {"fx_task___v1 type_matches", value(0)},           // comm[16] vs comm[8]
        {"fx_inner type_matches", value(0)},               // b: int vs short
        {"fx_task___v2 type_matches", value(1)},
    };
}

void check_fixture(const std::string& local_file, const std::string& target_file) {
    const ObjectSpec local = parse(local_file);
    const ObjectSpec target = parse(target_file);
    const auto expect = expectations(*local.btf, *target.btf);
    const auto relocated = relocate(local, *target.btf);
    std::size_t checked = 0;
    std::map<std::string, int> seen;
    for (const auto& [prog, rel] : relocated) {
        for (const auto& [insn, what] : rel.relos) {
            INFO(local_file << ": program " << prog << " instruction " << insn << ": " << what);
            auto it = expect.find(what);
            if (it == expect.end()) FAIL("no expectation for this relocation: add it to the table");
            Expect e = it->second;
            // bpf_core_field_offset() gives an ALU immediate, a field access a load: same relocation, two forms.
            if (e.kind == Expect::Load && (rel.insns.at(insn).code & 0x07) != 0x01) e = value(e.value);
            check(rel.insns, insn, e);
            ++checked;
            ++seen[what];
        }
    }
    CHECK(relocated.size() == 4);
    CHECK(relocated.count("fx_fields") == 1);
    CHECK(relocated.count("fx_bits") == 1);
    // Every expectation is exercised, except those needing clang 15+ when the fixture was built by an older one.
    for (const auto& [what, e] : expect) {
        if (seen.count(what)) continue;
        const bool new_clang_only = what.find("type_matches") != std::string::npos || what.find("fx_big") == 0;
        INFO("relocation never seen: " << what);
        CHECK(new_clang_only);
    }
    CHECK(checked >= 60);
}

Result<btf::CoreResult> calc(const ObjectSpec& local, const btf::Spec& target, std::string_view type,
                             btf::Kind kind, std::string_view access, CoreReloKind relo) {
    btf::CoreCandidateCache cache;
    return btf::core_calc(*local.btf, type_id(*local.btf, type, kind), access, relo, btf::CoreTargets{&target, {}},
                          cache);
}

bool fails_with(const Result<btf::CoreResult>& r, std::string_view text) {
    return test::fails_with(r, Errc::Relocation, text);
}

}  // namespace

TEST_CASE("CO-RE: fixture relocated against the -DTARGET layouts, exact instructions", "[core]") {
    SECTION("little-endian objects") { check_fixture("core_fixture.bpf.o", "core_fixture_target.bpf.o"); }
    // Big-endian objects decode to the same instructions and BTF; only the bitfield shifts depend on the byte order,
    // and those follow the host's (the program runs on it), so the expectations are the same.
    SECTION("big-endian objects") { check_fixture("core_fixture.bpfeb.o", "core_fixture_target.bpfeb.o"); }
}

TEST_CASE("CO-RE: relocated against its own BTF, only bitfield loads change", "[core]") {
    const ObjectSpec local = parse("core_fixture.bpf.o");
    // Against itself fx_task___v1 is ambiguous (fx_task and fx_task___v1 both match, with comm at different
    // offsets), as it would be for libbpf: leave its program out.
    const auto relocated = relocate(local, *local.btf, "fx_flavors");
    for (const ProgramSpec& p : local.programs) {
        if (p.name == "fx_flavors") continue;
        INFO("program " << p.name);
        const Relocated& rel = relocated.at(p.name);
        REQUIRE(rel.insns.size() == p.instructions.size());
        // clang reads a bitfield with an 8-byte load at 72 here; the loader (like libbpf) picks the smallest
        // naturally aligned load that holds the field, so those offsets, sizes and shifts may differ. Everything
        // else keeps the value clang computed from the same layout (the target type id is the local one).
        std::vector<bool> bitfield(rel.insns.size(), false);
        for (const auto& [insn, what] : rel.relos)
            if (what.find(".bits_") != std::string::npos || what.find(".signed_bits") != std::string::npos)
                bitfield.at(insn) = true;
        for (std::size_t i = 0; i < rel.insns.size(); ++i) {
            INFO("instruction " << i);
            if (!bitfield[i]) CHECK(rel.insns[i] == p.instructions[i]);
        }
    }
}

TEST_CASE("CO-RE: ambiguous candidates", "[core]") {
    const ObjectSpec local = parse("core_fixture.bpf.o");
    const btf::Spec target = *parse("core_fixture_target.bpf.o").btf;  // a copy shares the parsed data
    // fx_amb and fx_amb___2 both have x, at offsets 0 and 8.
    CHECK(fails_with(calc(local, target, "fx_amb", btf::Kind::Struct, "0:0", CoreReloKind::FieldByteOffset),
                     "field offset ambiguity"));
    CHECK(fails_with(calc(local, target, "fx_amb", btf::Kind::Struct, "0:0", CoreReloKind::FieldExists),
                     "field offset ambiguity"));
    // fx_amb_size and fx_amb_size___2: x at offset 0 in both, 4 and 8 bytes.
    CHECK(fails_with(calc(local, target, "fx_amb_size", btf::Kind::Struct, "0:0", CoreReloKind::FieldByteSize),
                     "relocation decision ambiguity"));
    // Same offset: the byte offset itself is not ambiguous (libbpf compares only the values; the first candidate's
    // size is used for the load).
    auto off = calc(local, target, "fx_amb_size", btf::Kind::Struct, "0:0", CoreReloKind::FieldByteOffset);
    REQUIRE(off);
    CHECK(off->new_val == 0);
    // fx_same and fx_same___dup agree on everything: two candidates, no ambiguity.
    auto same = calc(local, target, "fx_same", btf::Kind::Struct, "0:0", CoreReloKind::FieldByteSize);
    REQUIRE(same);
    CHECK_FALSE(same->poison);
    CHECK(same->new_val == 4);
    // Type-based kinds have no offsets: both flavors exist, both are 1.
    auto exists = calc(local, target, "fx_amb", btf::Kind::Struct, "0", CoreReloKind::TypeExists);
    REQUIRE(exists);
    CHECK(exists->new_val == 1);
}

TEST_CASE("CO-RE: access strings that do not fit the local type", "[core]") {
    const ObjectSpec local = parse("core_fixture.bpf.o");
    const btf::Spec target = *parse("core_fixture_target.bpf.o").btf;  // a copy shares the parsed data
    const auto S = btf::Kind::Struct;
    CHECK(fails_with(calc(local, target, "fx_task", S, "0:99", CoreReloKind::FieldByteOffset),
                     "member 99 of struct fx_task does not exist"));
    CHECK(fails_with(calc(local, target, "fx_task", S, "0:8:4", CoreReloKind::FieldByteOffset), "index 4 is outside"));
    CHECK(fails_with(calc(local, target, "fx_task", S, "0:0:1", CoreReloKind::FieldByteOffset),
                     "neither a struct, union nor array"));
    for (std::string_view bad : {"", "0:", ":0", "0::1", "0:x", "a", "0:1 "}) {
        INFO("access '" << bad << "'");
        CHECK(fails_with(calc(local, target, "fx_task", S, bad, CoreReloKind::FieldByteOffset), "access string"));
    }
    CHECK(fails_with(calc(local, target, "fx_task", S, "0:99999999999", CoreReloKind::FieldByteOffset), "too large"));
    // Type-based relocations take exactly "0".
    CHECK(fails_with(calc(local, target, "fx_task", S, "0:1", CoreReloKind::TypeSize), "expected \"0\""));
    CHECK(fails_with(calc(local, target, "fx_task", S, "1", CoreReloKind::TypeExists), "expected \"0\""));
    // Enum value relocations need an enum root and an existing enumerator.
    CHECK(fails_with(calc(local, target, "fx_state", btf::Kind::Enum, "9", CoreReloKind::EnumvalValue),
                     "enum value relocation"));
    CHECK(fails_with(calc(local, target, "fx_task", S, "0", CoreReloKind::EnumvalExists), "enum value relocation"));
    // A kind number no kernel defines.
    CHECK(fails_with(calc(local, target, "fx_task", S, "0:0", static_cast<CoreReloKind>(13)), "unknown"));
    // The first index steps over whole roots: "1:0" is t[1].pid, one struct size further in each layout.
    auto second = calc(local, target, "fx_task", S, "1:0", CoreReloKind::FieldByteOffset);
    REQUIRE(second);
    CHECK(second->orig_val == 80 + 0);
    CHECK(second->new_val == 104 + 20);
}

TEST_CASE("CO-RE: candidates must have the same kind and compatible fields", "[core]") {
    const ObjectSpec local = parse("core_fixture.bpf.o");
    const btf::Spec target = *parse("core_fixture_target.bpf.o").btf;  // a copy shares the parsed data
    // struct fx_kind locally, union fx_kind in the target: no candidate, so existence is 0 and offsets poison.
    auto exists = calc(local, target, "fx_kind", btf::Kind::Struct, "0:0", CoreReloKind::FieldExists);
    REQUIRE(exists);
    CHECK(exists->new_val == 0);
    auto off = calc(local, target, "fx_kind", btf::Kind::Struct, "0:0", CoreReloKind::FieldByteOffset);
    REQUIRE(off);
    CHECK(off->poison);
    // kind_changed is an int locally and a struct in the target: the field does not match.
    auto kc = calc(local, target, "fx_task", btf::Kind::Struct, "0:9", CoreReloKind::FieldByteSize);
    REQUIRE(kc);
    CHECK(kc->poison);
    // A type the target lacks entirely.
    auto gone = calc(local, target, "fx_gone", btf::Kind::Struct, "0", CoreReloKind::TypeSize);
    REQUIRE(gone);
    CHECK(gone->new_val == 0);  // TYPE_SIZE of a missing type is 0, not poison (as libbpf)
    // The compatibility relations directly.
    const btf::Spec& l = *local.btf;
    auto v2_match = btf::core_types_match(l, type_id(l, "fx_task___v2", btf::Kind::Struct), target,
                                          type_id(target, "fx_task", btf::Kind::Struct));
    REQUIRE(v2_match);
    CHECK(*v2_match);
    auto union_compat = btf::core_types_compatible(l, type_id(l, "fx_kind", btf::Kind::Struct), target,
                                                   type_id(target, "fx_kind", btf::Kind::Union));
    REQUIRE(union_compat);
    CHECK_FALSE(*union_compat);
}

TEST_CASE("CO-RE: an anonymous local root cannot be matched by name", "[core]") {
    // Candidates are found by name, so libbpf rejects these too (-EOPNOTSUPP).
    test::BtfBuilder b;
    const btf::TypeId i32 = b.add_int("int", 4, btf::kIntSigned, 32);
    const btf::TypeId anon = b.add_struct("", 4, {{"x", i32, 0}});
    auto spec = btf::Spec::parse(b.build());
    REQUIRE(spec);
    btf::CoreCandidateCache cache;
    auto r = btf::core_calc(*spec, anon, "0:0", CoreReloKind::FieldByteOffset, btf::CoreTargets{&*spec, {}}, cache);
    CHECK(fails_with(r, "anonymous"));
    // The type-id kinds need no candidate: the local id is returned as is.
    auto local_id = btf::core_calc(*spec, anon, "0", CoreReloKind::TypeIdLocal, btf::CoreTargets{&*spec, {}}, cache);
    REQUIRE(local_id);
    CHECK(local_id->new_val == anon);
}

TEST_CASE("CO-RE: module BTF is searched only when vmlinux has no candidate", "[core]") {
    const ObjectSpec local = parse("core_fixture.bpf.o");
    const btf::Spec target = *parse("core_fixture_target.bpf.o").btf;  // a copy shares the parsed data
    int module_calls = 0;
    btf::CoreTargets targets{&target, [&]() -> std::vector<const btf::Spec*> {
                                 ++module_calls;
                                 return {&*local.btf};  // the local BTF plays a module that has fx_gone
                             }};
    btf::CoreCandidateCache cache;
    const btf::Spec& l = *local.btf;
    auto task = btf::core_calc(l, type_id(l, "fx_task", btf::Kind::Struct), "0:0", CoreReloKind::FieldByteOffset,
                               targets, cache);
    REQUIRE(task);
    CHECK(task->new_val == 20);
    CHECK(module_calls == 0);
    auto gone = btf::core_calc(l, type_id(l, "fx_gone", btf::Kind::Struct), "0", CoreReloKind::TypeExists, targets,
                               cache);
    REQUIRE(gone);
    CHECK(gone->new_val == 1);
    CHECK(module_calls == 1);
    CHECK(gone->target_btf == &l);
}

TEST_CASE("CO-RE: patching checks the instruction it rewrites", "[core]") {
    btf::CoreResult r;
    r.orig_val = 4;
    r.new_val = 16;
    r.orig_size = r.new_size = 4;
    SECTION("a load holding another offset than the local type's") {
        std::vector<Instruction> insns{{0x61, 1, 2, 8, 0}};  // r1 = *(u32 *)(r2 + 8)
        auto ok = detail::core_patch(insns, 0, r);
        REQUIRE_FALSE(ok);
        CHECK(ok.error().code() == Errc::Relocation);
        CHECK(std::string(ok.error().message()) == "instruction 0: offset 8, but the local type gives 4");
    }
    SECTION("an offset beyond what a load can encode") {
        std::vector<Instruction> insns{{0x61, 1, 2, 4, 0}};
        r.new_val = 0x8000;
        auto ok = detail::core_patch(insns, 0, r);
        REQUIRE_FALSE(ok);
        CHECK(std::string(ok.error().message()).find("does not fit a load/store offset") != std::string::npos);
    }
    SECTION("a resized load whose size is not the field's") {
        std::vector<Instruction> insns{{0x69, 1, 2, 4, 0}};  // a 2-byte load of a 4-byte field
        r.new_size = 8;
        auto ok = detail::core_patch(insns, 0, r);
        REQUIRE_FALSE(ok);
        CHECK(std::string(ok.error().message()).find("accesses 2 bytes, but the field has 4") != std::string::npos);
    }
    SECTION("a resize the load cannot express") {
        std::vector<Instruction> insns{{0x61, 1, 2, 4, 0}};
        r.new_size = 3;
        auto ok = detail::core_patch(insns, 0, r);
        REQUIRE_FALSE(ok);
        CHECK(std::string(ok.error().message()).find("cannot be loaded in one instruction") != std::string::npos);
    }
    SECTION("an ALU instruction with a register source") {
        std::vector<Instruction> insns{{0x0f, 1, 2, 0, 0}};  // r1 += r2
        auto ok = detail::core_patch(insns, 0, r);
        REQUIRE_FALSE(ok);
        CHECK(std::string(ok.error().message()).find("register source") != std::string::npos);
    }
    SECTION("an immediate that is not the local value") {
        std::vector<Instruction> insns{{0xb7, 1, 0, 0, 5}};  // r1 = 5
        auto ok = detail::core_patch(insns, 0, r);
        REQUIRE_FALSE(ok);
        CHECK(std::string(ok.error().message()) == "instruction 0: holds 5, but the local type gives 4");
    }
    SECTION("an ld_imm64 that is not a plain constant") {
        std::vector<Instruction> insns{{0x18, 1, 2, 0, 4}, {0, 0, 0, 0, 0}};  // a map value reference
        auto ok = detail::core_patch(insns, 0, r);
        REQUIRE_FALSE(ok);
        CHECK(std::string(ok.error().message()).find("unexpected form") != std::string::npos);
    }
    SECTION("a jump cannot carry a relocation") {
        std::vector<Instruction> insns{{0x05, 0, 0, 1, 0}};
        auto ok = detail::core_patch(insns, 0, r);
        REQUIRE_FALSE(ok);
        CHECK(std::string(ok.error().message()).find("cannot carry a CO-RE relocation") != std::string::npos);
    }
    SECTION("an index past the end") {
        std::vector<Instruction> insns{{0xb7, 1, 0, 0, 4}};
        auto ok = detail::core_patch(insns, 1, r);
        REQUIRE_FALSE(ok);
        CHECK(std::string(ok.error().message()).find("outside the program") != std::string::npos);
    }
    SECTION("a 64-bit constant and its poison") {
        std::vector<Instruction> insns{{0x18, 1, 0, 0, 4}, {0, 0, 0, 0, 0}};
        r.new_val = 0x123456789ULL;
        REQUIRE(detail::core_patch(insns, 0, r));
        CHECK(insns[0].imm == 0x23456789);
        CHECK(insns[1].imm == 1);
        r.poison = true;
        REQUIRE(detail::core_patch(insns, 0, r));
        CHECK(is_poison(insns[0]));
        CHECK(is_poison(insns[1]));  // both halves, so the verifier reports the CO-RE failure, not a bad opcode
    }
    SECTION("a signed field that changed size poisons the load instead of resizing it") {
        std::vector<Instruction> insns{{0x61, 1, 2, 4, 0}};
        r.new_size = 2;
        r.fail_memsz_adjust = true;
        REQUIRE(detail::core_patch(insns, 0, r));
        CHECK(is_poison(insns[0]));
    }
}
