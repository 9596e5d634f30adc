// SPDX-License-Identifier: MIT
// Programs: split executable sections into functions, then build each entry program by appending the .text
// subprograms it calls (depth-first, in first-use order, as libbpf does) and resolving every relocation.
#include <algorithm>
#include <map>

#include "base/index_sort.hpp"
#include "base/try.hpp"
#include "object/parser.hpp"
#include "object/sections.hpp"

namespace ebpf::detail {

namespace {

// A function: the byte range [start, end) of one STT_FUNC symbol in an executable section.
struct Unit {
    std::uint32_t sec = 0;
    std::uint64_t start = 0, end = 0;
    std::string_view name;
    std::vector<Instruction> insns;
};

struct SectionCode {
    const elf::Section* sec = nullptr;
    std::vector<std::uint32_t> units;                       // indices into Linker::units, by start
    std::map<std::uint64_t, const elf::Relocation*> relocs;  // by offset
    std::vector<elf::Relocation> reloc_storage;
};

class Linker {
public:
    explicit Linker(ObjectParser& p) : p_(p) {}

    Result<void> split() {
        for (const elf::Section& s : p_.elf.sections()) {
            if (s.index == 0 || s.type != elf::SHT_PROGBITS || !(s.flags & elf::SHF_EXECINSTR)) continue;
            if (s.size == 0) continue;
            if (s.size % 8 != 0)
                return fail(format("section %.*s: size %llu is not a multiple of the instruction size", EBPF_SV(s.name),
                                   static_cast<unsigned long long>(s.size)));
            SectionCode& sc = code_[s.index];
            sc.sec = &s;
            const auto all = decode_instructions(s.data, p_.elf.endian());
            for (const elf::Symbol& sym : p_.symbols) {
                if (sym.shndx != s.index || sym.type != elf::STT_FUNC) continue;
                if (sym.size == 0 || sym.value % 8 || sym.size % 8 || sym.value > s.size || sym.size > s.size - sym.value)
                    return fail(format("function '%.*s' has a bad range [%llu, +%llu) in section %.*s (%llu bytes)",
                                       EBPF_SV(sym.name), static_cast<unsigned long long>(sym.value),
                                       static_cast<unsigned long long>(sym.size), EBPF_SV(s.name),
                                       static_cast<unsigned long long>(s.size)));
                if (&s != p_.text_sec && sym.bind == elf::STB_LOCAL)
                    return fail(format("program '%.*s' in section %.*s is static; programs must be global functions",
                                       EBPF_SV(sym.name), EBPF_SV(s.name)));
                Unit u;
                u.sec = s.index;
                u.start = sym.value;
                u.end = sym.value + sym.size;
                u.name = sym.name;
                u.insns.assign(all.begin() + static_cast<std::ptrdiff_t>(u.start / 8),
                               all.begin() + static_cast<std::ptrdiff_t>(u.end / 8));
                sc.units.push_back(static_cast<std::uint32_t>(units_.size()));
                units_.push_back(std::move(u));
            }
            if (sc.units.empty())
                return fail(format("section %.*s contains code but no function symbols", EBPF_SV(s.name)));
            stable_sort_indices(sc.units,
                                [&](std::uint32_t a, std::uint32_t b) { return units_[a].start < units_[b].start; });
            for (std::size_t i = 1; i < sc.units.size(); ++i)
                if (units_[sc.units[i]].start < units_[sc.units[i - 1]].end)
                    return fail(format("functions '%.*s' and '%.*s' overlap in section %.*s",
                                       EBPF_SV(units_[sc.units[i - 1]].name), EBPF_SV(units_[sc.units[i]].name),
                                       EBPF_SV(s.name)));
            if (auto it = p_.rel_of_section.find(s.index); it != p_.rel_of_section.end()) {
                EBPF_TRY_ASSIGN(sc.reloc_storage, p_.elf.relocations(*it->second));
                for (const elf::Relocation& r : sc.reloc_storage) {
                    if (r.offset % 8 || r.offset >= s.size)
                        return fail(format("section %.*s: relocation at offset %llu is not on an instruction",
                                           EBPF_SV(s.name), static_cast<unsigned long long>(r.offset)));
                    if (r.symbol == 0 || r.symbol >= p_.symbols.size())
                        return fail(format("section %.*s: relocation at offset %llu refers to symbol %u, which does not "
                                           "exist",
                                           EBPF_SV(s.name), static_cast<unsigned long long>(r.offset), r.symbol));
                    sc.relocs[r.offset] = &r;
                }
            }
        }
        return {};
    }

    Result<void> build_programs() {
        for (auto& [secidx, sc] : code_) {
            if (sc.sec == p_.text_sec) continue;
            std::string_view secname = sc.sec->name;
            bool autoload = true;
            if (!secname.empty() && secname.front() == '?') {
                secname.remove_prefix(1);
                autoload = false;
            }
            for (std::uint32_t ui : sc.units) {
                ProgramSpec prog;
                prog.name = std::string(units_[ui].name);
                prog.section = std::string(secname);
                prog.autoload = autoload;
                prog.license = p_.out.license;
                prog.kern_version = p_.out.kern_version;
                if (auto m = match_section(secname)) {
                    prog.type = m->def->type;
                    prog.kind = m->def->kind;
                    prog.expected_attach_type = m->def->attach;
                    prog.attach_to = std::string(m->attach_to);
                    if (m->def->flags & kSecSleepable) prog.flags |= kProgSleepable;
                    if (m->def->flags & kSecXdpFrags) prog.flags |= kProgXdpHasFrags;
                    prog.attach_btf = (m->def->flags & kSecAttachBtf) != 0;
                }
                prog.entry_instructions = static_cast<std::uint32_t>(units_[ui].insns.size());
                if (auto r = link(ui, prog); !r)
                    return std::move(r).error().context(format("program '%s'", prog.name.c_str()));
                p_.out.programs.push_back(std::move(prog));
            }
        }
        return {};
    }

private:
    Error fail(std::string msg) const { return Error(Errc::MalformedObject, std::move(msg)); }
    Error relo_fail(std::string msg) const { return Error(Errc::Relocation, std::move(msg)); }

    const Unit* unit_at(std::uint32_t sec, std::uint64_t off) const {
        auto it = code_.find(sec);
        if (it == code_.end()) return nullptr;
        for (std::uint32_t ui : it->second.units)
            if (off >= units_[ui].start && off < units_[ui].end) return &units_[ui];
        return nullptr;
    }
    const elf::Relocation* reloc_at(std::uint32_t sec, std::uint64_t off) const {
        auto it = code_.find(sec);
        if (it == code_.end()) return nullptr;
        auto r = it->second.relocs.find(off);
        return r == it->second.relocs.end() ? nullptr : r->second;
    }

    // Where a call or function-address load points: (section, byte offset).
    struct Target {
        std::uint32_t sec;
        std::uint64_t off;
    };

    Result<void> link(std::uint32_t entry, ProgramSpec& prog) {
        std::map<const Unit*, std::uint32_t> placed;  // unit -> index of its first instruction in prog
        std::vector<const Unit*> order;
        auto place = [&](const Unit* u) {
            placed[u] = static_cast<std::uint32_t>(prog.instructions.size());
            order.push_back(u);
            prog.instructions.insert(prog.instructions.end(), u->insns.begin(), u->insns.end());
        };
        // Depth-first like libbpf: a callee is appended and scanned before the caller continues,
        // which keeps instruction layouts identical to libbpf's (useful when comparing the two).
        struct Frame {
            const Unit* u;
            std::size_t next;
        };
        place(&units_[entry]);
        std::vector<Frame> stack{{&units_[entry], 0}};
        while (!stack.empty()) {
            Frame& f = stack.back();
            if (f.next >= f.u->insns.size()) {
                stack.pop_back();
                continue;
            }
            const std::size_t j = f.next++;
            const Unit* u = f.u;
            const std::uint32_t at = placed[u] + static_cast<std::uint32_t>(j);
            EBPF_TRY_ASSIGN(const auto callee, relocate(prog, *u, j, at));
            if (!callee) continue;
            const Unit* t = unit_at(callee->sec, callee->off);
            if (!t)
                return relo_fail(format("instruction %u calls offset %llu of section %.*s, which is not a function", at,
                                        static_cast<unsigned long long>(callee->off),
                                        EBPF_SV(p_.section_name(callee->sec))));
            const bool fresh = placed.find(t) == placed.end();
            if (fresh) {
                if ((!p_.text_sec || t->sec != p_.text_sec->index) && t != &units_[entry])
                    return relo_fail(format("instruction %u calls '%.*s' in section %.*s; subprograms must be in .text",
                                            at, EBPF_SV(t->name), EBPF_SV(p_.section_name(t->sec))));
                place(t);
            }
            const std::int64_t target = placed[t] + static_cast<std::int64_t>((callee->off - t->start) / 8);
            Instruction& insn = prog.instructions[at];
            insn.imm = static_cast<std::int32_t>(target - at - 1);
            if (insn.is_ld_imm64()) {
                insn.src = kPseudoFunc;
                prog.instructions[at + 1].imm = 0;
            }
            if (fresh) stack.push_back({t, 0});  // `f` may dangle after this push; it is not used again
        }
        for (const Unit* u : order) prog.functions.push_back({std::string(u->name), placed[u]});
        return attach_ext_info(prog, placed, order);
    }

    // Resolves the relocation (if any) of instruction j of unit u, placed at `at`. Returns the call target when the
    // instruction is a BPF-to-BPF call or a function-address load that still needs its immediate patched.
    Result<std::optional<Target>> relocate(ProgramSpec& prog, const Unit& u, std::size_t j, std::uint32_t at) {
        Instruction& insn = prog.instructions[at];
        const std::uint64_t off = u.start + j * 8;
        const elf::Relocation* r = reloc_at(u.sec, off);
        const bool pseudo_call = insn.is_call() && insn.src == kPseudoCall;
        if (insn.is_ld_imm64() && (j + 1 >= u.insns.size() || u.insns[j + 1].code != 0))
            return relo_fail(format("instruction %u: ld_imm64 is missing its second half", at));
        if (!r) {
            // A call to a static function in the same section carries no relocation: imm is already relative.
            if (pseudo_call) return std::optional<Target>(Target{u.sec, off + 8 + static_cast<std::int64_t>(insn.imm) * 8});
            return std::optional<Target>();
        }
        const elf::Symbol& sym = p_.symbols[r->symbol];
        const std::string_view symname = sym.name.empty() ? p_.section_name(sym.shndx) : sym.name;
        auto where = [&] { return format("instruction %u (relocation against '%.*s')", at, EBPF_SV(symname)); };

        if (sym.shndx == elf::SHN_UNDEF) {
            auto it = p_.extern_index.find(sym.name);
            if (it == p_.extern_index.end())
                return relo_fail(where() + ": symbol is undefined and not a known extern");
            const ExternSpec& e = p_.out.externs[it->second];
            if (insn.is_call()) {
                if (!e.is_func && e.kind != ExternKind::Unresolved)
                    return relo_fail(where() + ": call to an extern that is not a kfunc");
            } else if (!insn.is_ld_imm64()) {
                return relo_fail(where() + ": extern referenced by an instruction that is not ld_imm64");
            }
            prog.extern_relocs.push_back({at, it->second, insn.is_ld_imm64() ? insn.imm : 0});
            return std::optional<Target>();
        }
        if (sym.shndx >= elf::SHN_LORESERVE && sym.shndx != elf::SHN_XINDEX)
            return relo_fail(where() + ": symbol in a special section is not supported");

        const elf::Section* target_sec = p_.elf.section(sym.shndx);
        if (!target_sec) return relo_fail(where() + format(": symbol's section %u does not exist", sym.shndx));

        if (pseudo_call) {
            if (!(target_sec->flags & elf::SHF_EXECINSTR)) return relo_fail(where() + ": call target is not code");
            // For a global function imm is -1; for a static one the symbol is the section and imm its index - 1.
            const std::int64_t idx = static_cast<std::int64_t>(sym.value / 8) + insn.imm + 1;
            if (idx < 0) return relo_fail(where() + ": call target before the section start");
            return std::optional<Target>(Target{sym.shndx, static_cast<std::uint64_t>(idx) * 8});
        }
        if (!insn.is_ld_imm64())
            return relo_fail(where() + format(": relocation on instruction with opcode 0x%02x (only ld_imm64 and calls "
                                              "can be relocated)",
                                              insn.code));
        if (target_sec->flags & elf::SHF_EXECINSTR) {
            // Address of a function (callbacks for bpf_loop, timers, ...): imm holds a byte offset for static ones.
            if (insn.imm % 8) return relo_fail(where() + ": function address is not instruction-aligned");
            return std::optional<Target>(Target{sym.shndx, sym.value + static_cast<std::int64_t>(insn.imm)});
        }
        if (auto m = p_.map_at.find({sym.shndx, sym.value}); m != p_.map_at.end() && sym.type != elf::STT_SECTION) {
            prog.map_relocs.push_back({at, m->second, MapReloc::Kind::Fd, 0, std::string(symname)});
            return std::optional<Target>();
        }
        if (auto d = p_.data_map_of_section.find(sym.shndx); d != p_.data_map_of_section.end()) {
            const std::int64_t value_off = static_cast<std::int64_t>(sym.value) + insn.imm;
            const MapSpec& m = p_.out.maps[d->second];
            if (value_off < 0 || static_cast<std::uint64_t>(value_off) >= m.value_size)
                return relo_fail(where() + format(": offset %lld is outside %s (%u bytes)",
                                                  static_cast<long long>(value_off), m.name.c_str(), m.value_size));
            prog.map_relocs.push_back(
                {at, d->second, MapReloc::Kind::Value, static_cast<std::uint32_t>(value_off), std::string(symname)});
            return std::optional<Target>();
        }
        if (is_data_section(target_sec->name))
            return relo_fail(where() + format(": section %.*s is empty", EBPF_SV(target_sec->name)));
        if (target_sec == p_.maps_sec || target_sec == p_.legacy_maps_sec)
            return relo_fail(where() + ": no map is defined at this offset");
        return relo_fail(where() + format(": section %.*s is neither a map, global data nor code",
                                          EBPF_SV(target_sec->name)));
    }

    // Copies func_info, line_info and CO-RE records of every placed function, rebased to the program's layout.
    Result<void> attach_ext_info(ProgramSpec& prog, const std::map<const Unit*, std::uint32_t>& placed,
                                 const std::vector<const Unit*>& order) {
        if (!p_.ext) return {};
        const btf::ExtInfo& ext = *p_.ext;
        const btf::Spec& b = *p_.raw_btf;
        // Record ids number CO-RE records in .BTF.ext order, the order in which they are applied at load.
        std::map<const btf::CoreRelo*, std::uint32_t> ids;
        std::uint32_t next_id = 0;
        for (const auto& s : ext.core_relos)
            for (const btf::CoreRelo& cr : s.records) ids[&cr] = next_id++;
        p_.out.core_relo_count = next_id;
        auto rebase = [&](const Unit* u, std::uint32_t off) -> std::uint32_t {
            return placed.at(u) + static_cast<std::uint32_t>((off - u->start) / 8);
        };
        for (const Unit* u : order) {
            const std::string_view secname = p_.section_name(u->sec);
            for (const auto& s : ext.func_info)
                if (s.section == secname)
                    for (btf::FuncInfo fi : s.records)
                        if (fi.insn_off >= u->start && fi.insn_off < u->end) {
                            fi.insn_off = rebase(u, fi.insn_off);
                            prog.func_info.push_back(fi);
                        }
            for (const auto& s : ext.line_info)
                if (s.section == secname)
                    for (btf::LineInfo li : s.records)
                        if (li.insn_off >= u->start && li.insn_off < u->end) {
                            li.insn_off = rebase(u, li.insn_off);
                            prog.line_info.push_back(li);
                        }
            for (const auto& s : ext.core_relos)
                if (s.section == secname)
                    for (const btf::CoreRelo& cr : s.records)
                        if (cr.insn_off >= u->start && cr.insn_off < u->end) {
                            auto access = b.string(cr.access_str_off);
                            if (!access)
                                return Error(Errc::MalformedBtf,
                                             format("CO-RE relocation at %.*s+%u: bad access string offset %u",
                                                    EBPF_SV(secname), cr.insn_off, cr.access_str_off));
                            if (cr.type == 0 || cr.type >= b.type_count())
                                return Error(Errc::MalformedBtf,
                                             format("CO-RE relocation at %.*s+%u: bad type id %u", EBPF_SV(secname),
                                                    cr.insn_off, cr.type));
                            if (static_cast<std::uint32_t>(cr.kind) > static_cast<std::uint32_t>(
                                                                          btf::CoreReloKind::TypeMatches))
                                return Error(Errc::MalformedBtf,
                                             format("CO-RE relocation at %.*s+%u: unknown kind %u", EBPF_SV(secname),
                                                    cr.insn_off, static_cast<unsigned>(cr.kind)));
                            prog.core_relocs.push_back(
                                {ids.at(&cr), rebase(u, cr.insn_off), cr.type, std::string(*access), cr.kind});
                        }
        }
        return {};
    }

    ObjectParser& p_;
    std::vector<Unit> units_;
    std::map<std::uint32_t, SectionCode> code_;
};

}  // namespace

std::vector<Instruction> decode_instructions(std::span<const std::byte> bytes, Endian endian) {
    const ByteView v(bytes, endian);
    std::vector<Instruction> out(bytes.size() / 8);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const std::size_t o = i * 8;
        Instruction& in = out[i];
        in.code = v.load<std::uint8_t>(o);
        const std::uint8_t regs = v.load<std::uint8_t>(o + 1);
        // struct bpf_insn's dst_reg:4/src_reg:4 bitfields are allocated from the low bits on little-endian
        // targets and from the high bits on big-endian ones.
        if (endian == Endian::Little) {
            in.dst = regs & 0x0f;
            in.src = regs >> 4;
        } else {
            in.dst = regs >> 4;
            in.src = regs & 0x0f;
        }
        in.off = static_cast<std::int16_t>(v.load<std::uint16_t>(o + 2));
        in.imm = static_cast<std::int32_t>(v.load<std::uint32_t>(o + 4));
    }
    return out;
}

Result<void> collect_programs(ObjectParser& p) {
    Linker l(p);
    EBPF_TRY(l.split());
    return l.build_programs();
}

}  // namespace ebpf::detail
