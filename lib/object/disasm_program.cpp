// SPDX-License-Identifier: MIT
// Disassembly of a parsed program: its instructions (disasm.cpp) named from the object (maps, externs, functions),
// with .BTF.ext line_info source lines; the text listing; CO-RE access strings spelled against the object's BTF.
#include <charconv>
#include <map>

#include "base/format.hpp"
#include "object/disasm_format.hpp"

namespace ebpf {

namespace detail::disasm_prog {

class ObjectNames final : public DisasmNames {
public:
    ObjectNames(const ProgramSpec& prog, const ObjectSpec& obj) : obj_(obj) {
        for (const MapReloc& r : prog.map_relocs) maps_[r.insn] = &r;
        for (const ExternReloc& r : prog.extern_relocs) externs_[r.insn] = &r;
        if (!prog.functions.empty()) {
            for (const FunctionSpec& f : prog.functions) functions_.emplace(f.insn, f.name);
        } else if (obj.btf && !prog.func_info.empty()) {
            // A spec built by hand (or by an older parser): the names of func_info's FUNCs.
            for (const btf::FuncInfo& fi : prog.func_info) {
                const std::string_view n = obj.btf->type_or_void(fi.type).name();
                if (!n.empty()) functions_.emplace(fi.insn_off, std::string(n));
            }
        }
        if (functions_.find(0) == functions_.end() && !prog.name.empty()) functions_.emplace(0, prog.name);
    }

    std::string ld_imm64_operand(std::uint32_t index, const Instruction&) const override {
        if (auto it = maps_.find(index); it != maps_.end()) {
            const MapReloc& r = *it->second;
            const std::string name = r.map < obj_.maps.size() ? obj_.maps[r.map].name : format("#%u", r.map);
            if (r.kind == MapReloc::Kind::Fd) return "map[" + name + "]";
            return format("map_value[%s] + %u", name.c_str(), r.offset);
        }
        if (const ExternSpec* e = extern_at(index)) {
            const std::int32_t off = externs_.at(index)->offset;
            std::string s;
            switch (e->kind) {
            case ExternKind::Kconfig: s = "kconfig[" + e->name + "]"; break;
            case ExternKind::Ksym: s = "ksym[" + e->name + "]"; break;
            case ExternKind::Unresolved: s = "extern[" + e->name + "] <unresolved>"; break;
            }
            if (off) s += format(" + %d", off);
            return s;
        }
        return {};
    }

    std::string call(std::uint32_t index, const Instruction&) const override {
        const ExternSpec* e = extern_at(index);
        if (!e) return {};
        if (e->kind == ExternKind::Unresolved) return "call extern " + e->name + " <unresolved>";
        return "call kfunc " + e->name;
    }

    std::string function_at(std::int64_t target) const override {
        if (target < 0) return {};
        auto it = functions_.find(static_cast<std::uint32_t>(target));
        return it == functions_.end() ? std::string() : it->second;
    }

private:
    const ExternSpec* extern_at(std::uint32_t index) const {
        auto it = externs_.find(index);
        if (it == externs_.end() || it->second->ext >= obj_.externs.size()) return nullptr;
        return &obj_.externs[it->second->ext];
    }

    const ObjectSpec& obj_;
    std::map<std::uint32_t, const MapReloc*> maps_;
    std::map<std::uint32_t, const ExternReloc*> externs_;
    std::map<std::uint32_t, std::string> functions_;
};

bool is_field_kind(btf::CoreReloKind k) {
    return static_cast<std::uint32_t>(k) <= static_cast<std::uint32_t>(btf::CoreReloKind::FieldRshiftU64);
}

}  // namespace detail::disasm_prog

std::vector<DisasmLine> disassemble(const ProgramSpec& program, const ObjectSpec& object) {
    const detail::disasm_prog::ObjectNames names(program, object);
    std::map<std::uint32_t, const btf::LineInfo*> lines;
    for (const btf::LineInfo& li : program.line_info) lines.emplace(li.insn_off, &li);  // first record wins
    std::vector<DisasmLine> out;
    const std::span<const Instruction> insns = program.instructions;
    for (std::size_t i = 0; i < insns.size();) {
        DisasmLine line = detail::format_insn(insns, i, &names);
        line.function = names.function_at(static_cast<std::int64_t>(i));
        // A line_info record may also point at an ld_imm64's second half; it is shown with the ld_imm64.
        for (std::uint32_t k = 0; k < line.slots && line.source_file.empty(); ++k) {
            auto it = lines.find(static_cast<std::uint32_t>(i + k));
            if (it == lines.end() || !object.btf) continue;
            const btf::LineInfo& li = *it->second;
            line.source = std::string(detail::trim(object.btf->string(li.line_off).value_or("")));
            line.source_file = std::string(object.btf->string(li.file_name_off).value_or(""));
            line.source_line = li.line_col >> 10;
            line.source_column = li.line_col & 0x3ff;
        }
        i += line.slots;
        out.push_back(std::move(line));
    }
    return out;
}

std::string format_listing(std::span<const DisasmLine> lines) {
    std::string out;
    const DisasmLine* shown = nullptr;  // the line whose source was shown last
    for (const DisasmLine& l : lines) {
        if (!l.function.empty()) {
            out += (out.empty() ? "" : "\n") + l.function + ":\n";
            shown = nullptr;
        }
        // clang repeats a line's record for each piece of code it emits for it; show it once per run.
        const bool repeated = shown && shown->source_line == l.source_line && shown->source_file == l.source_file &&
                              shown->source == l.source;
        if (!l.source.empty() && !repeated) {
            out += "; " + l.source + "\n";
            shown = &l;
        }
        out += detail::format("%6u: ", l.insn) + l.text + "\n";
    }
    return out;
}

std::string core_access_spelling(const btf::Spec& btf, btf::TypeId root, std::string_view access,
                                 btf::CoreReloKind kind) {
    std::vector<std::uint32_t> idx;
    for (std::size_t pos = 0; pos <= access.size();) {
        std::size_t colon = access.find(':', pos);
        if (colon == std::string_view::npos) colon = access.size();
        std::uint32_t v = 0;
        const auto r = std::from_chars(access.data() + pos, access.data() + colon, v);
        if (r.ec != std::errc() || r.ptr != access.data() + colon) return btf.describe(root) + " <bad access \"" +
                                                                          std::string(access) + "\">";
        idx.push_back(v);
        pos = colon + 1;
    }
    std::string out = btf.describe(root);
    if (kind == btf::CoreReloKind::EnumvalExists || kind == btf::CoreReloKind::EnumvalValue) {
        auto t = btf.skip_modifiers(root);
        if (!t || (t->kind() != btf::Kind::Enum && t->kind() != btf::Kind::Enum64) || idx[0] >= t->vlen())
            return out + detail::format(".?%u", idx[0]);
        return out + "." + std::string(t->enumerator(idx[0]).name);
    }
    if (!detail::disasm_prog::is_field_kind(kind)) return out;
    if (idx[0] != 0) out += detail::format("[%u]", idx[0]);
    btf::TypeId cur = root;
    for (std::size_t k = 1; k < idx.size(); ++k) {
        auto t = btf.skip_modifiers(cur);
        if (t && t->is_composite() && idx[k] < t->vlen()) {
            const btf::Member m = t->member(idx[k]);
            if (!m.name.empty()) out += "." + std::string(m.name);  // anonymous struct/union members have none
            cur = m.type;
        } else if (t && t->kind() == btf::Kind::Array) {
            out += detail::format("[%u]", idx[k]);
            cur = t->array().elem_type;
        } else {
            return out + detail::format(".?%u", idx[k]);
        }
    }
    return out;
}

}  // namespace ebpf
