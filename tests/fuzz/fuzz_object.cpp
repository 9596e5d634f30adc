// SPDX-License-Identifier: MIT
// libFuzzer target: ObjectSpec::parse (ELF, BTF, .BTF.ext, maps, globals, externs, linking and relocation), then
// every program, map, variable and extern, checked against the contracts the loader relies on.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include <ebpf/disasm.hpp>
#include <ebpf/spec.hpp>

#include "fuzz.hpp"

namespace {

using namespace ebpf;

void walk_map(const ObjectSpec& o, const MapSpec& m, int depth) {
    fuzz::sink(m.name);
    fuzz::sink(to_string(m.type));
    fuzz::sink(static_cast<std::uint64_t>(m.type) + m.key_size + m.value_size + m.max_entries + m.flags +
               m.map_extra + m.numa_node + static_cast<unsigned>(m.pinning) + static_cast<unsigned>(m.kind) +
               m.section_offset);
    // The loader hands `contents` to BPF_MAP_UPDATE_ELEM as a value of value_size bytes.
    EBPF_FUZZ_CHECK(m.contents.empty() || m.contents.size() == m.value_size);
    fuzz::sink(m.contents);
    if (o.btf) {
        EBPF_FUZZ_CHECK(m.key_type < o.btf->type_count() && m.value_type < o.btf->type_count());
        fuzz::sink(o.btf->describe(m.key_type));
        fuzz::sink(o.btf->describe(m.value_type));
    }
    for (const auto& [slot, name] : m.initial_slots) {
        fuzz::sink(slot);
        fuzz::sink(name);
    }
    if (m.inner) {
        EBPF_FUZZ_CHECK(depth == 0);  // nested map-in-map definitions are rejected by the parser
        walk_map(o, *m.inner, depth + 1);
    }
}

void walk_program(const ObjectSpec& o, const ProgramSpec& p) {
    fuzz::sink(p.name);
    fuzz::sink(p.section);
    fuzz::sink(p.attach_to);
    fuzz::sink(p.license);
    fuzz::sink(static_cast<std::uint64_t>(p.type) + p.flags + p.autoload + p.attach_btf + p.kern_version);
    if (p.expected_attach_type) fuzz::sink(to_string(*p.expected_attach_type));
    fuzz::sink(to_string(p.type));

    const std::size_t n = p.instructions.size();
    EBPF_FUZZ_CHECK(n > 0);
    EBPF_FUZZ_CHECK(p.entry_instructions > 0 && p.entry_instructions <= n);
    // kfunc calls keep clang's src = BPF_PSEUDO_CALL until the loader resolves them: they are not BPF-to-BPF calls.
    std::vector<bool> is_extern(n);
    for (const ExternReloc& r : p.extern_relocs)
        if (r.insn < n) is_extern[r.insn] = true;
    for (std::size_t i = 0; i < n; ++i) {
        const Instruction& in = p.instructions[i];
        EBPF_FUZZ_CHECK(in.dst < 16 && in.src < 16);
        fuzz::sink(in.code + in.dst + in.src + static_cast<std::uint16_t>(in.off) + static_cast<std::uint32_t>(in.imm));
        // After linking, every BPF-to-BPF call lands on an instruction of this program.
        if (in.is_call() && in.src == kPseudoCall && !is_extern[i]) {
            const std::int64_t target = static_cast<std::int64_t>(i) + in.imm + 1;
            EBPF_FUZZ_CHECK(target >= 0 && static_cast<std::size_t>(target) < n);
        }
    }
    // The loader patches instructions[insn] and [insn + 1] and indexes maps/externs without further checks of
    // the instruction kind, so these indices must be right by construction.
    for (const MapReloc& r : p.map_relocs) {
        EBPF_FUZZ_CHECK(r.map < o.maps.size());
        EBPF_FUZZ_CHECK(std::size_t{r.insn} + 1 < n);
        EBPF_FUZZ_CHECK(p.instructions[r.insn].is_ld_imm64());
        if (r.kind == MapReloc::Kind::Value) EBPF_FUZZ_CHECK(r.offset < o.maps[r.map].value_size);
        fuzz::sink(r.symbol);
    }
    for (const ExternReloc& r : p.extern_relocs) {
        EBPF_FUZZ_CHECK(r.ext < o.externs.size());
        EBPF_FUZZ_CHECK(r.insn < n);
        const Instruction& in = p.instructions[r.insn];
        EBPF_FUZZ_CHECK(in.is_call() || (in.is_ld_imm64() && std::size_t{r.insn} + 1 < n));
        fuzz::sink(o.externs[r.ext].name);
        fuzz::sink(static_cast<std::uint32_t>(r.offset));
    }
    for (const CoreReloc& r : p.core_relocs) {
        EBPF_FUZZ_CHECK(r.insn < n);
        EBPF_FUZZ_CHECK(o.btf && r.type > 0 && r.type < o.btf->type_count());
        fuzz::sink(r.access);
        fuzz::sink(btf::to_string(r.kind));
        fuzz::sink(o.btf->describe(r.type));
    }
    for (const btf::FuncInfo& fi : p.func_info) {
        EBPF_FUZZ_CHECK(fi.insn_off < n);
        if (o.btf) fuzz::sink(o.btf->describe(fi.type));
    }
    for (const btf::LineInfo& li : p.line_info) {
        EBPF_FUZZ_CHECK(li.insn_off < n);
        if (o.btf) {
            if (auto s = o.btf->string(li.file_name_off)) fuzz::sink(*s);
            if (auto s = o.btf->string(li.line_off)) fuzz::sink(*s);
        }
    }
    EBPF_FUZZ_CHECK(o.program(p.name) != nullptr && o.program(p.name)->name == p.name);
}

// The same bytes must give the same spec (ARCHITECTURE.md: "deterministic blueprint"); a difference means
// something read uninitialised or stale memory.
bool same(const ObjectSpec& a, const ObjectSpec& b) {
    if (a.programs.size() != b.programs.size() || a.maps.size() != b.maps.size() ||
        a.variables.size() != b.variables.size() || a.externs.size() != b.externs.size() ||
        a.btf.has_value() != b.btf.has_value() || a.license != b.license || a.kern_version != b.kern_version)
        return false;
    for (std::size_t i = 0; i < a.programs.size(); ++i) {
        const ProgramSpec &x = a.programs[i], &y = b.programs[i];
        if (x.name != y.name || x.instructions != y.instructions || x.map_relocs.size() != y.map_relocs.size() ||
            x.core_relocs.size() != y.core_relocs.size() || x.func_info.size() != y.func_info.size() ||
            x.line_info.size() != y.line_info.size() || x.type != y.type)
            return false;
    }
    for (std::size_t i = 0; i < a.maps.size(); ++i) {
        const MapSpec &x = a.maps[i], &y = b.maps[i];
        if (x.name != y.name || x.type != y.type || x.key_size != y.key_size || x.value_size != y.value_size ||
            x.max_entries != y.max_entries || x.flags != y.flags || x.contents != y.contents)
            return false;
    }
    if (a.btf) {
        const auto ra = a.btf->raw(), rb = b.btf->raw();
        if (!std::equal(ra.begin(), ra.end(), rb.begin(), rb.end())) return false;
    }
    return true;
}

// ebpf-tool inspect --disasm --relocations over a spec: every program's listing, every CO-RE access spelled.
void disassemble_all(const ObjectSpec& o) {
    for (const ProgramSpec& p : o.programs) {
        const std::vector<DisasmLine> lines = disassemble(p, o);
        std::uint64_t slots = 0;
        for (const DisasmLine& l : lines) {
            EBPF_FUZZ_CHECK(l.insn == slots && !l.text.empty() && (l.slots == 1 || l.slots == 2));
            slots += l.slots;
        }
        EBPF_FUZZ_CHECK(slots == p.instructions.size());
        fuzz::sink(format_listing(lines));
        if (o.btf)
            for (const CoreReloc& r : p.core_relocs) fuzz::sink(core_access_spelling(*o.btf, r.type, r.access, r.kind));
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    auto spec = ObjectSpec::parse(bytes, {.name = "fuzz"});
    if (!spec) {
        fuzz::sink(spec.error().message());
        // What inspect shows: the same parse, listing what only stops a load instead of failing on it.
        auto described = ObjectSpec::parse(bytes, {.name = "fuzz", .collect_problems = true});
        if (described) {
            EBPF_FUZZ_CHECK(!described->problems.empty());
            disassemble_all(*described);
        }
        return 0;
    }
    EBPF_FUZZ_CHECK(spec->problems.empty());
    disassemble_all(*spec);
    const ObjectSpec& o = *spec;
    fuzz::sink(o.name);
    fuzz::sink(o.license);
    fuzz::sink(o.kern_version + o.big_endian + o.func_info_rec_size + o.line_info_rec_size);

    if (o.btf) {
        fuzz::walk_btf(*o.btf);
        // The fixed-up BTF is what BTF_LOAD receives; the object parser validated the raw one.
        fuzz::sink(o.btf->validate().has_value());
        EBPF_FUZZ_CHECK(o.btf->base() == nullptr);
    }
    for (const MapSpec& m : o.maps) {
        walk_map(o, m, 0);
        EBPF_FUZZ_CHECK(o.map(m.name) != nullptr && o.map_index(m.name).has_value());
    }
    for (const VariableSpec& v : o.variables) {
        fuzz::sink(v.name);
        const MapSpec* m = o.map(v.map);
        EBPF_FUZZ_CHECK(m != nullptr);
        EBPF_FUZZ_CHECK(std::uint64_t{v.offset} + v.size <= m->value_size);
        if (o.btf) {
            EBPF_FUZZ_CHECK(v.type < o.btf->type_count());
            fuzz::sink(o.btf->describe(v.type));
        }
        fuzz::sink(v.is_static);
    }
    for (const ExternSpec& e : o.externs) {
        fuzz::sink(e.name);
        fuzz::sink(static_cast<unsigned>(e.kind) + e.weak + e.is_func + e.offset + e.size);
        if (o.btf) {
            EBPF_FUZZ_CHECK(e.btf_id < o.btf->type_count() && e.type < o.btf->type_count());
            fuzz::sink(o.btf->describe(e.btf_id));
            fuzz::sink(o.btf->describe(e.type));
        }
    }
    for (const ProgramSpec& p : o.programs) walk_program(o, p);
    if (const ProgramSpec* p = o.program("nonexistent")) EBPF_FUZZ_CHECK(p->name == "nonexistent");
    if (const MapSpec* m = o.map("nonexistent")) EBPF_FUZZ_CHECK(m->name == "nonexistent");

    // Specs are copyable blueprints: a copy must not share anything mutable with the original.
    ObjectSpec copy = o;
    EBPF_FUZZ_CHECK(same(o, copy));
    auto again = ObjectSpec::parse(bytes, {.name = "fuzz"});
    EBPF_FUZZ_CHECK(again.has_value() && same(o, *again));
    return 0;
}
