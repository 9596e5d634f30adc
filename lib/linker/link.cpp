// SPDX-License-Identifier: MIT
// Static linker: inputs, section merging, symbol resolution and relocation rebasing (docs/linking.md).
#include <algorithm>
#include <cstring>

#include "base/format.hpp"
#include "base/try.hpp"
#include "linker/linker_impl.hpp"

namespace ebpf {

namespace linker_impl {

using detail::format;

namespace {

constexpr std::uint32_t R_BPF_64_ABS64 = 2;
// The largest input section alignment taken: a page (clang's BPF objects use at most 8).
constexpr std::uint64_t kMaxSectionAlign = 4096;
constexpr std::uint8_t kBpfJmpCall = 0x85;

Error bad_object(const Input& in, std::string msg) { return Error(Errc::MalformedObject, in.name + ": " + msg); }

bool is_debug(std::string_view name) {
    return name.starts_with(".debug") || name == ".BTF" || name == ".BTF.ext" || name.starts_with(".llvm");
}

// Sections whose bytes become part of the output.
bool is_linked(const elf::Section& s) {
    return (s.type == elf::SHT_PROGBITS || s.type == elf::SHT_NOBITS) && !is_debug(s.name);
}

std::uint64_t load_uint(std::span<const std::byte> p, std::size_t n, detail::Endian e) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto b = static_cast<std::uint64_t>(p[e == detail::Endian::Little ? i : n - 1 - i]);
        v |= b << (8 * i);
    }
    return v;
}
void store_uint(std::span<std::byte> p, std::size_t n, std::uint64_t v, detail::Endian e) {
    for (std::size_t i = 0; i < n; ++i) p[e == detail::Endian::Little ? i : n - 1 - i] = std::byte(v >> (8 * i));
}

Result<Input> parse_input(const LinkInput& li) {
    Input in;
    in.name = std::string(li.name);
    auto ctx = [&](Error e) { return std::move(e.context(in.name)); };
    auto f = elf::File::parse(li.bytes);
    if (!f) return ctx(std::move(f).error());
    in.elf = std::move(*f);
    if (!in.elf.is64() || in.elf.machine() != elf::EM_BPF || in.elf.type() != elf::ET_REL)
        return Error(Errc::MalformedElf, in.name + ": not a relocatable ELF64 BPF object (e_machine " +
                                             std::to_string(in.elf.machine()) + ", e_type " +
                                             std::to_string(in.elf.type()) + ")");
    auto syms = in.elf.symbols();
    if (!syms) return ctx(std::move(syms).error());
    in.syms = std::move(*syms);
    if (in.syms.empty()) return Error(Errc::MalformedElf, in.name + ": no symbol table");
    for (const auto& s : in.elf.sections()) {
        if (s.type != elf::SHT_NOBITS && s.type != elf::SHT_NULL && s.data.size() != s.size)
            return Error(Errc::MalformedElf, in.name + ": section " + std::string(s.name) + " is truncated");
    }
    if (const auto* b = in.elf.find_section(".BTF")) {
        auto spec = btf::Spec::parse(b->data);
        if (!spec) return ctx(std::move(std::move(spec).error().context(".BTF")));
        if (auto v = spec->validate(); !v) return ctx(std::move(std::move(v).error().context(".BTF")));
        if (spec->big_endian() != (in.elf.endian() == detail::Endian::Big))
            return Error(Errc::MalformedBtf, in.name + ": .BTF byte order differs from the ELF file's");
        in.btf = std::move(*spec);
        if (const auto* e = in.elf.find_section(".BTF.ext")) {
            auto ext = btf::ExtInfo::parse(e->data, *in.btf);
            if (!ext) return ctx(std::move(ext).error());
            in.ext = std::move(*ext);
        }
    }
    in.secs.resize(in.elf.sections().size());
    in.sym_map.assign(in.syms.size(), 0);
    return in;
}

}  // namespace

std::uint32_t Linker::find_or_add_sec(std::string_view name) {
    for (std::uint32_t i = 0; i < secs.size(); ++i)
        if (secs[i].name == name) return i;
    OutSec s;
    s.name = std::string(name);
    secs.push_back(std::move(s));
    return static_cast<std::uint32_t>(secs.size() - 1);
}

Result<void> append_sections(Linker& l, std::size_t idx) {
    Input& in = l.inputs[idx];
    for (const elf::Section& s : in.elf.sections()) {
        if (s.index == 0 || !is_linked(s)) continue;
        const std::uint32_t o = l.find_or_add_sec(s.name);
        OutSec& out = l.secs[o];
        InSec& is = in.secs[s.index];
        is.out = o;
        if (out.type == 0) {
            out.type = s.type;
            out.flags = s.flags;
            out.entsize = s.entsize;
        } else if (out.type != s.type || out.flags != s.flags || out.entsize != s.entsize) {
            return bad_object(in, "section " + out.name + " has a type or flags that differ from an earlier input's");
        } else if (out.name == "license" || out.name == "version") {
            // std::equal, not memcmp: an empty section has no data pointer to pass (UBSan, the linker fuzzer).
            if (out.size != s.size || !std::equal(out.data.begin(), out.data.end(), s.data.begin(), s.data.end()))
                return bad_object(in, "section " + out.name + " differs from an earlier input's");
            is.skipped = true;
            continue;
        }
        const std::uint64_t align = std::max<std::uint64_t>({out.align, s.addralign, 1});
        if ((align & (align - 1)) != 0) return bad_object(in, "section " + out.name + ": alignment is not a power of 2");
        // The output pads each section to its alignment, in memory and in the file: an input claiming 2^40 would
        // make the linker allocate that much (found by the linker fuzzer).
        if (align > kMaxSectionAlign)
            return bad_object(in, format("section %s: alignment %llu is over %llu, more than any BPF object needs",
                                         out.name.c_str(), static_cast<unsigned long long>(align),
                                         static_cast<unsigned long long>(kMaxSectionAlign)));
        if (out.exec() && s.size % 8 != 0) return bad_object(in, "section " + out.name + ": size is not a multiple of 8");
        out.align = align;
        const std::uint64_t start = (out.size + align - 1) / align * align;
        is.off = start;
        out.size = start + s.size;
        if (s.type != elf::SHT_NOBITS) {
            out.data.resize(static_cast<std::size_t>(start), std::byte{0});
            out.data.insert(out.data.end(), s.data.begin(), s.data.end());
        }
    }
    return {};
}

Result<void> append_symbols(Linker& l, std::size_t idx) {
    Input& in = l.inputs[idx];
    for (const elf::Symbol& s : in.syms) {
        if (s.index == 0) continue;
        const bool is_extern = s.shndx == elf::SHN_UNDEF;
        std::uint32_t sec = kNone;
        if (!is_extern && s.shndx < elf::SHN_LORESERVE) {
            if (s.shndx >= in.secs.size()) return bad_object(in, "symbol " + std::string(s.name) + ": bad section index");
            const InSec& is = in.secs[s.shndx];
            if (is.out == kNone || is.skipped) continue;  // DWARF, or a repeated license section
            sec = is.out;
            if (s.type == elf::STT_SECTION) {
                if (l.secs[sec].sec_sym) {
                    in.sym_map[s.index] = l.secs[sec].sec_sym;
                    continue;
                }
            }
        } else if (s.shndx == elf::SHN_ABS) {
            sec = kAbs;
        } else if (!is_extern) {
            return bad_object(in, "symbol " + std::string(s.name) + ": unsupported section index " + std::to_string(s.shndx));
        }
        if (s.visibility != elf::STV_DEFAULT && s.visibility != elf::STV_HIDDEN)
            return bad_object(in, "symbol " + std::string(s.name) + ": only default and hidden visibility are supported");
        const std::uint64_t base = (sec != kNone && sec != kAbs) ? in.secs[s.shndx].off : 0;
        if (s.bind != elf::STB_LOCAL) {
            if (s.bind != elf::STB_GLOBAL && s.bind != elf::STB_WEAK)
                return bad_object(in, "symbol " + std::string(s.name) + ": unsupported binding " + std::to_string(s.bind));
            if (s.name.empty()) return bad_object(in, "a global symbol has no name");
            if (!in.btf)
                return Error(Errc::MalformedBtf, in.name + ": global symbol " + std::string(s.name) +
                                                     " has no BTF (the object has no .BTF section; compile with -g)");
            EBPF_TRY_ASSIGN(auto found, find_symbol_btf(in, s.name));
            auto [btf_id, datasec] = found;
            if (is_extern && !datasec.empty() && datasec != ".extern") sec = l.find_or_add_sec(datasec);
            auto git = l.global_index.find(std::string(s.name));
            if (git != l.global_index.end()) {
                Global& g = l.globals[git->second];
                in.sym_map[s.index] = g.sym;
                OutSym& os = l.syms[g.sym];
                if (!is_extern && !g.is_extern && !g.is_weak && s.bind != elf::STB_WEAK)
                    return Error(Errc::MalformedObject,
                                 format("symbol '%.*s' is defined (strong) in both %s and %s", EBPF_SV(s.name),
                                        l.inputs[g.def_input].name.c_str(), in.name.c_str()));
                EBPF_TRY(check_global_types(l, g, s.name, idx, btf_id));
                if (s.bind == elf::STB_GLOBAL) {
                    os.info = static_cast<std::uint8_t>(elf::STB_GLOBAL << 4 | (os.info & 0xf));
                    g.is_weak = false;
                }
                // The stricter visibility wins (hidden over default), even from an extern.
                if (s.visibility > (os.other & 3)) os.other = static_cast<std::uint8_t>((os.other & ~3) | s.visibility);
                if (is_extern) continue;
                if (!g.is_extern && s.bind == elf::STB_WEAK) continue;  // a weak definition loses to the existing one
                // A definition replaces an extern or a weak definition.
                os.info = static_cast<std::uint8_t>((os.info & 0xf0) | s.type);
                os.sec = sec;
                os.value = base + s.value;
                os.size = s.size;
                g.sec = sec;
                g.is_extern = false;
                g.def_input = idx;
                g.pending_underlying = btf_id;
                continue;
            }
            Global g;
            g.sym = static_cast<std::uint32_t>(l.syms.size());
            g.sec = sec;
            g.is_extern = is_extern;
            g.is_weak = s.bind == elf::STB_WEAK;
            g.def_input = idx;
            g.btf_input = idx;
            g.btf_orig = btf_id;
            l.global_index.emplace(std::string(s.name), static_cast<std::uint32_t>(l.globals.size()));
            l.globals.push_back(g);
        }
        OutSym os;
        os.name = std::string(s.name);
        os.info = static_cast<std::uint8_t>(s.bind << 4 | s.type);
        os.other = s.visibility;
        os.sec = is_extern ? kNone : sec;
        os.value = s.type == elf::STT_SECTION ? 0 : base + s.value;
        os.size = s.size;
        in.sym_map[s.index] = static_cast<std::uint32_t>(l.syms.size());
        if (s.type == elf::STT_SECTION && sec != kNone && sec != kAbs) l.secs[sec].sec_sym = in.sym_map[s.index];
        l.syms.push_back(std::move(os));
    }
    return {};
}

Result<void> append_relocations(Linker& l, std::size_t idx) {
    Input& in = l.inputs[idx];
    const detail::Endian e = l.endian;
    for (const elf::Section& rs : in.elf.sections()) {
        if (rs.type == elf::SHT_RELA) {
            const elf::Section* t = in.elf.section(rs.info);
            if (t && t->index < in.secs.size() && in.secs[t->index].out != kNone)
                return bad_object(in, "SHT_RELA section " + std::string(rs.name) + " is not supported");
            continue;
        }
        if (rs.type != elf::SHT_REL) continue;
        if (rs.info >= in.secs.size()) return bad_object(in, "relocation section " + std::string(rs.name) + ": bad target");
        const InSec& target = in.secs[rs.info];
        if (target.out == kNone || target.skipped) continue;
        OutSec& out = l.secs[target.out];
        EBPF_TRY_ASSIGN(auto rels, in.elf.relocations(rs));
        for (const elf::Relocation& r : rels) {
            if (r.symbol >= in.syms.size())
                return bad_object(in, format("%.*s: relocation symbol %u out of range", EBPF_SV(rs.name), r.symbol));
            const elf::Symbol& sym = in.syms[r.symbol];
            const std::uint64_t off = target.off + r.offset;
            const std::uint64_t target_size = in.elf.section(rs.info)->size;
            if (r.offset > target_size || target_size - r.offset < 8)
                return bad_object(in, format("%.*s: relocation offset %llu is outside the section", EBPF_SV(rs.name),
                                             static_cast<unsigned long long>(r.offset)));
            const std::uint32_t out_sym = in.sym_map[r.symbol];
            if (out_sym == 0 && r.symbol != 0)
                return bad_object(in, format("%.*s: relocation against symbol '%.*s' of a section that is not linked",
                                             EBPF_SV(rs.name), EBPF_SV(sym.name)));
            // A section symbol now stands for the merged section: add where this input's part of it starts.
            if (sym.type == elf::STT_SECTION && sym.shndx < in.secs.size()) {
                const std::uint64_t delta = in.secs[sym.shndx].off;
                if (delta != 0 && out.type != elf::SHT_NOBITS) {
                    std::span<std::byte> at(out.data.data() + off, 8);
                    if (out.exec()) {
                        const auto code = static_cast<std::uint8_t>(at[0]);
                        const std::span<std::byte> imm = at.subspan(4, 4);
                        auto v = static_cast<std::int64_t>(static_cast<std::int32_t>(load_uint(imm, 4, e)));
                        v += code == kBpfJmpCall ? static_cast<std::int64_t>(delta / 8) : static_cast<std::int64_t>(delta);
                        store_uint(imm, 4, static_cast<std::uint32_t>(v), e);
                    } else if (r.type == R_BPF_64_ABS64) {
                        store_uint(at, 8, load_uint(at, 8, e) + delta, e);
                    } else {
                        return bad_object(in, format("%.*s: relocation type %u against a section symbol in a data "
                                                     "section is not supported", EBPF_SV(rs.name), r.type));
                    }
                }
            }
            std::byte rec[16];
            store_uint(std::span<std::byte>(rec, 8), 8, off, e);
            store_uint(std::span<std::byte>(rec + 8, 8), 8, std::uint64_t{out_sym} << 32 | r.type, e);
            out.rel.insert(out.rel.end(), rec, rec + 16);
        }
    }
    return {};
}

}  // namespace linker_impl

Result<std::vector<std::byte>> link_objects(std::span<const LinkInput> inputs, const LinkOptions& options) {
    using namespace linker_impl;
    if (inputs.empty()) return Error(Errc::InvalidArgument, "link: no input objects");
    Linker l;
    for (const LinkInput& li : inputs) {
        EBPF_TRY_ASSIGN(Input in, parse_input(li));
        if (l.inputs.empty()) {
            l.endian = in.elf.endian();
        } else if (in.elf.endian() != l.endian) {
            return Error(Errc::MalformedElf, in.name + ": byte order differs from " + l.inputs.front().name + "'s");
        }
        l.inputs.push_back(std::move(in));
    }
    for (std::size_t i = 0; i < l.inputs.size(); ++i) {
        EBPF_TRY(append_sections(l, i));
        EBPF_TRY(append_symbols(l, i));
        EBPF_TRY(append_btf(l, i));
        EBPF_TRY(append_relocations(l, i));
    }
    EBPF_TRY_ASSIGN(auto btf, finish_btf(l, options));
    return write_elf(l, btf.first, btf.second);
}

}  // namespace ebpf
