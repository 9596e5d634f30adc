// SPDX-License-Identifier: MIT
// btf::ExtInfo::parse: .BTF.ext of real objects cross-checked against their ELF symbols, hand-built and hostile blobs.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/btf.hpp>

#include "elf/file.hpp"
#include "support/expect.hpp"
#include "support/btf_builder.hpp"
#include "support/elf_builder.hpp"
#include "support/objects.hpp"

using ebpf::Errc;
using ebpf::Result;
using ebpf::btf::CoreReloKind;
using ebpf::btf::ExtInfo;
using ebpf::btf::Kind;
using ebpf::btf::Spec;
using ebpf::detail::Endian;
using ebpf::test::BtfBuilder;
namespace btf = ebpf::btf;
namespace elf = ebpf::elf;

using ebpf::test::fails_with;

namespace {

constexpr auto& kObjects = ebpf::test::kSweepObjects;

// A real object's ELF, BTF and .BTF.ext, kept together because the views point into `bytes`.
struct Loaded {
    std::vector<std::byte> bytes;
    std::optional<elf::File> file;
    std::optional<Spec> btf;
    std::span<const std::byte> ext;
};

void load(Loaded& l, const std::string& obj) {
    l.bytes = ebpf::test::read_obj(obj);
    INFO("object " << obj);
    REQUIRE_FALSE(l.bytes.empty());
    auto f = elf::File::parse(l.bytes);
    REQUIRE(f);
    l.file = std::move(*f);
    const elf::Section* b = l.file->find_section(".BTF");
    const elf::Section* x = l.file->find_section(".BTF.ext");
    REQUIRE(b);
    REQUIRE(x);
    auto s = Spec::parse(b->data);
    REQUIRE(s);
    l.btf = std::move(*s);
    l.ext = x->data;
}

// Serialises host-order words in a byte order.
std::vector<std::byte> words(const std::vector<std::uint32_t>& w, Endian e) {
    std::vector<std::byte> out;
    for (std::uint32_t v : w) ebpf::test::put32(out, v, e);
    return out;
}

// A .BTF.ext blob: header of hdr_len bytes, then the func_info, line_info and core_relo blocks back to back.
using Words = std::vector<std::uint32_t>;
std::vector<std::byte> ext_blob(Endian e, const Words& func, const Words& line, const Words& core = {},
                                std::uint32_t hdr_len = 32) {
    std::vector<std::byte> out;
    ebpf::test::put16(out, 0xeB9F, e);
    out.push_back(std::byte{1});
    out.push_back(std::byte{0});
    const auto fl = static_cast<std::uint32_t>(func.size() * 4), ll = static_cast<std::uint32_t>(line.size() * 4),
               cl = static_cast<std::uint32_t>(core.size() * 4);
    ebpf::test::put32(out, hdr_len, e);
    ebpf::test::put32(out, 0, e);
    ebpf::test::put32(out, fl, e);
    ebpf::test::put32(out, fl, e);
    ebpf::test::put32(out, ll, e);
    if (hdr_len >= 32) {
        ebpf::test::put32(out, fl + ll, e);
        ebpf::test::put32(out, cl, e);
    }
    out.resize(hdr_len, std::byte{0});
    for (const auto* blk : {&func, &line, &core}) {
        const auto b = words(*blk, e);
        out.insert(out.end(), b.begin(), b.end());
    }
    return out;
}

// Patches a host-order header word of a blob built in byte order e.
void set_hdr(std::vector<std::byte>& b, std::size_t off, std::uint32_t v, Endian e) {
    std::vector<std::byte> w;
    ebpf::test::put32(w, v, e);
    std::copy(w.begin(), w.end(), b.begin() + static_cast<std::ptrdiff_t>(off));
}

// A small object BTF: section names and two functions for the hand-built records.
struct Names {
    std::uint32_t text, prog, access, file, line;
    btf::TypeId f1, f2;
};

BtfBuilder names_btf(Names& n) {
    BtfBuilder b;
    const auto i = b.add_int("int", 4, btf::kIntSigned);
    const auto proto = b.add_func_proto(i, {});
    n.f1 = b.add_func("main_prog", proto);
    n.f2 = b.add_func("helper", proto, btf::kFuncStatic);
    n.text = b.str(".text");
    n.prog = b.str("xdp");
    n.access = b.str("0:1:2");
    n.file = b.str("/src/prog.bpf.c");
    n.line = b.str("    return helper();");
    return b;
}

}  // namespace

TEST_CASE("real objects' func_info and line_info match their ELF functions", "[btf-ext]") {
    for (const char* name : kObjects) {
        std::map<std::string, std::vector<std::uint32_t>> offsets_el;
        for (bool big : {false, true}) {
            const std::string obj = std::string(name) + (big ? ".bpfeb.o" : ".bpf.o");
            INFO("object " << obj);
            Loaded l;
            load(l, obj);
            auto ext = ExtInfo::parse(l.ext, *l.btf);
            if (!ext) FAIL(".BTF.ext: " << ext.error().message());
            CHECK(ext->func_info_rec_size == 8);
            CHECK(ext->line_info_rec_size == 16);
            // Of these objects only bad_verifier uses CO-RE (one unguarded read of a missing field).
            if (std::string_view(name) == "bad_verifier") CHECK(ext->core_relos.size() == 1);
            else CHECK(ext->core_relos.empty());
            REQUIRE_FALSE(ext->func_info.empty());
            REQUIRE_FALSE(ext->line_info.empty());
            auto syms = l.file->symbols();
            REQUIRE(syms);

            std::size_t funcs = 0;
            for (const auto& sec : ext->func_info) {
                INFO("func_info of section " << sec.section);
                const elf::Section* es = l.file->find_section(sec.section);
                REQUIRE(es);
                CHECK((es->flags & elf::SHF_EXECINSTR) != 0);
                std::size_t elf_funcs = 0;
                for (const elf::Symbol& s : *syms) elf_funcs += s.shndx == es->index && s.type == elf::STT_FUNC;
                CHECK(sec.records.size() == elf_funcs);
                for (const btf::FuncInfo& fi : sec.records) {
                    CHECK(fi.insn_off % 8 == 0);
                    CHECK(fi.insn_off < es->size);
                    const btf::Type t = l.btf->type_or_void(fi.type);
                    CHECK(t.kind() == Kind::Func);
                    // The FUNC named by the record is the ELF function that starts at its offset.
                    const elf::Symbol* sym = nullptr;
                    for (const elf::Symbol& s : *syms)
                        if (s.shndx == es->index && s.type == elf::STT_FUNC && s.value == fi.insn_off) sym = &s;
                    REQUIRE(sym);
                    CHECK(sym->name == t.name());
                    offsets_el[sec.section].push_back(fi.insn_off);
                    ++funcs;
                }
            }
            CHECK(funcs > 0);

            for (const auto& sec : ext->line_info) {
                INFO("line_info of section " << sec.section);
                const elf::Section* es = l.file->find_section(sec.section);
                REQUIRE(es);
                REQUIRE_FALSE(sec.records.empty());
                std::uint32_t prev = 0;
                std::size_t numbered = 0;  // clang emits line 0 for compiler-generated code, but not only that
                for (const btf::LineInfo& li : sec.records) {
                    CHECK(li.insn_off < es->size);
                    CHECK(li.insn_off >= prev);  // clang emits line records in instruction order
                    prev = li.insn_off;
                    const auto file = l.btf->string(li.file_name_off);
                    REQUIRE(file);
                    CHECK(file->find(name) != std::string_view::npos);
                    CHECK(l.btf->string(li.line_off).has_value());
                    numbered += (li.line_col >> 10) > 0;
                }
                CHECK(numbered > 0);
            }
        }
        // The little- and big-endian builds have the same functions at the same offsets (each collected twice).
        for (const auto& [sec, offs] : offsets_el) {
            INFO("section " << sec);
            REQUIRE(offs.size() % 2 == 0);
            const std::size_t half = offs.size() / 2;
            CHECK(std::vector<std::uint32_t>(offs.begin(), offs.begin() + static_cast<std::ptrdiff_t>(half)) ==
                  std::vector<std::uint32_t>(offs.begin() + static_cast<std::ptrdiff_t>(half), offs.end()));
        }
    }
}

TEST_CASE("calls.bpf.o has every .text function in func_info", "[btf-ext]") {
    for (const char* obj : {"calls.bpf.o", "calls.bpfeb.o"}) {
        INFO(obj);
        Loaded l;
        load(l, obj);
        auto ext = ExtInfo::parse(l.ext, *l.btf);
        REQUIRE(ext);
        std::map<std::string, std::map<std::uint32_t, std::string>> funcs;  // section -> offset -> FUNC name
        for (const auto& sec : ext->func_info)
            for (const btf::FuncInfo& fi : sec.records)
                funcs[sec.section][fi.insn_off] = std::string(l.btf->type_or_void(fi.type).name());
        CHECK(funcs.size() == 2);
        CHECK(funcs[".text"] == std::map<std::uint32_t, std::string>{{0, "add_square"}, {0x60, "square"},
                                                                      {0x78, "loop_step"}});
        CHECK(funcs["syscall"] == std::map<std::uint32_t, std::string>{{0, "first"}, {0x48, "second"}});
        bool text_lines = false, prog_lines = false;
        for (const auto& sec : ext->line_info) {
            text_lines = text_lines || sec.section == ".text";
            prog_lines = prog_lines || sec.section == "syscall";
        }
        CHECK(text_lines);
        CHECK(prog_lines);
    }
}

TEST_CASE("CO-RE relocation kind names", "[btf-ext]") {
    const char* names[] = {"byte_off",      "byte_sz",     "field_exists", "signed",         "lshift_u64",
                           "rshift_u64",    "local_type_id", "target_type_id", "type_exists", "type_size",
                           "enumval_exists", "enumval_value", "type_matches"};
    for (std::uint32_t k = 0; k < 13; ++k) CHECK(btf::to_string(static_cast<CoreReloKind>(k)) == names[k]);
    CHECK(btf::to_string(static_cast<CoreReloKind>(13)) == "unknown");
    CHECK(btf::to_string(static_cast<CoreReloKind>(0xffffffffu)) == "unknown");
}

TEST_CASE("hand-built .BTF.ext decodes every record field in both byte orders", "[btf-ext]") {
    Names n{};
    const BtfBuilder b = names_btf(n);
    for (Endian e : {Endian::Little, Endian::Big}) {
        INFO((e == Endian::Little ? "little" : "big") << " endian");
        const Spec spec = Spec::parse(b.build(e)).value();
        const auto blob = ext_blob(e,
                                   {8, n.prog, 1, 0, n.f1, n.text, 2, 0, n.f2, 16, n.f2},
                                   {16, n.prog, 2, 0, n.file, n.line, 3 << 10 | 5, 8, n.file, n.line, 4 << 10 | 1},
                                   {16, n.prog, 2, 8, n.f1, n.access, 0, 24, n.f1, n.access, 12});
        auto ext = ExtInfo::parse(blob, spec);
        if (!ext) FAIL(ext.error().message());
        REQUIRE(ext->func_info.size() == 2);
        CHECK(ext->func_info[0].section == "xdp");
        REQUIRE(ext->func_info[0].records.size() == 1);
        CHECK(ext->func_info[0].records[0].insn_off == 0);
        CHECK(ext->func_info[0].records[0].type == n.f1);
        CHECK(ext->func_info[1].section == ".text");
        REQUIRE(ext->func_info[1].records.size() == 2);
        CHECK(ext->func_info[1].records[1].insn_off == 16);
        CHECK(ext->func_info[1].records[1].type == n.f2);

        REQUIRE(ext->line_info.size() == 1);
        CHECK(ext->line_info[0].section == "xdp");
        REQUIRE(ext->line_info[0].records.size() == 2);
        const btf::LineInfo& li = ext->line_info[0].records[1];
        CHECK(li.insn_off == 8);
        CHECK(li.file_name_off == n.file);
        CHECK(li.line_off == n.line);
        CHECK(li.line_col >> 10 == 4);
        CHECK((li.line_col & 0x3ff) == 1);

        REQUIRE(ext->core_relos.size() == 1);
        CHECK(ext->core_relos[0].section == "xdp");
        REQUIRE(ext->core_relos[0].records.size() == 2);
        const btf::CoreRelo& c0 = ext->core_relos[0].records[0];
        const btf::CoreRelo& c1 = ext->core_relos[0].records[1];
        CHECK(c0.insn_off == 8);
        CHECK(c0.type == n.f1);
        CHECK(c0.access_str_off == n.access);
        CHECK(c0.kind == CoreReloKind::FieldByteOffset);
        CHECK(c1.insn_off == 24);
        CHECK(c1.kind == CoreReloKind::TypeMatches);
        CHECK(spec.string(c1.access_str_off) == std::string_view("0:1:2"));
    }
}

TEST_CASE(".BTF.ext layout variations that are valid", "[btf-ext]") {
    Names n{};
    const BtfBuilder b = names_btf(n);
    const Spec spec = Spec::parse(b.build()).value();
    const Endian e = ebpf::detail::host_endian();
    SECTION("a 24-byte header has no CO-RE block, whatever follows") {
        const auto blob = ext_blob(e, {8, n.prog, 1, 0, n.f1}, {}, {16, n.prog, 1, 0, 1, n.access, 0}, 24);
        auto ext = ExtInfo::parse(blob, spec);
        REQUIRE(ext);
        CHECK(ext->func_info.size() == 1);
        CHECK(ext->line_info.empty());
        CHECK(ext->core_relos.empty());
    }
    SECTION("empty blocks") {
        auto ext = ExtInfo::parse(ext_blob(e, {}, {}, {}), spec);
        REQUIRE(ext);
        CHECK(ext->func_info.empty());
        CHECK(ext->line_info.empty());
        CHECK(ext->core_relos.empty());
        CHECK(ext->func_info_rec_size == 8);
        CHECK(ext->line_info_rec_size == 16);
    }
    SECTION("records larger than known are skipped over by their declared size") {
        const auto blob = ext_blob(e, {12, n.prog, 2, 0, n.f1, 0xdead, 8, n.f2, 0xbeef},
                                   {20, n.prog, 1, 8, n.file, n.line, 7 << 10, 0xffffffff});
        auto ext = ExtInfo::parse(blob, spec);
        REQUIRE(ext);
        CHECK(ext->func_info_rec_size == 12);
        CHECK(ext->line_info_rec_size == 20);
        REQUIRE(ext->func_info.size() == 1);
        REQUIRE(ext->func_info[0].records.size() == 2);
        CHECK(ext->func_info[0].records[1].insn_off == 8);
        CHECK(ext->func_info[0].records[1].type == n.f2);
        CHECK(ext->line_info[0].records[0].line_col == 7u << 10);
    }
    SECTION("blocks may sit anywhere in the body") {
        // line_info first, then func_info, with a gap: offsets are what count.
        auto blob = ext_blob(e, {}, {}, {}, 32);
        const auto line = words({16, n.prog, 1, 0, n.file, n.line, 1 << 10}, e);
        const auto func = words({8, n.text, 1, 0, n.f2}, e);
        blob.insert(blob.end(), line.begin(), line.end());
        blob.resize(blob.size() + 12, std::byte{0});
        const auto func_at = static_cast<std::uint32_t>(blob.size() - 32);
        blob.insert(blob.end(), func.begin(), func.end());
        set_hdr(blob, 8, func_at, e);
        set_hdr(blob, 12, static_cast<std::uint32_t>(func.size()), e);
        set_hdr(blob, 16, 0, e);
        set_hdr(blob, 20, static_cast<std::uint32_t>(line.size()), e);
        auto ext = ExtInfo::parse(blob, spec);
        REQUIRE(ext);
        REQUIRE(ext->func_info.size() == 1);
        CHECK(ext->func_info[0].section == ".text");
        REQUIRE(ext->line_info.size() == 1);
        CHECK(ext->line_info[0].records[0].line_col == 1u << 10);
    }
}

TEST_CASE("malformed .BTF.ext is rejected with a reason", "[btf-ext]") {
    Names n{};
    const BtfBuilder b = names_btf(n);
    for (Endian e : {Endian::Little, Endian::Big}) {
        INFO((e == Endian::Little ? "little" : "big") << " endian");
        const Spec spec = Spec::parse(b.build(e)).value();
        const std::vector<std::uint32_t> func{8, n.prog, 1, 0, n.f1};
        const std::vector<std::uint32_t> line{16, n.prog, 1, 0, n.file, n.line, 1 << 10};
        const auto good = ext_blob(e, func, line);
        REQUIRE(ExtInfo::parse(good, spec));
        auto rejects = [&](const std::vector<std::byte>& blob, std::string_view word) {
            const auto r = ExtInfo::parse(blob, spec);
            CHECK(fails_with(r, Errc::MalformedBtf, word));
            if (!r) CHECK(r.error().message().find(".BTF.ext") != std::string_view::npos);
        };

        SECTION("short header") {
            for (std::size_t len : {0u, 4u, 7u}) rejects({good.begin(), good.begin() + len}, "too short");
        }
        SECTION("bad magic, or another byte order than the BTF") {
            auto m = good;
            m[0] ^= std::byte{0xff};
            rejects(m, "magic");
            rejects(ext_blob(e == Endian::Little ? Endian::Big : Endian::Little, func, line), "byte order");
        }
        SECTION("version") {
            auto m = good;
            m[2] = std::byte{2};
            rejects(m, "version 2");
        }
        SECTION("header length") {
            for (std::uint32_t h : {0u, 8u, 23u, static_cast<std::uint32_t>(good.size() + 1), 0xffffffffu}) {
                auto m = good;
                set_hdr(m, 4, h, e);
                rejects(m, "header length");
            }
            // Valid length field, but the blob ends inside the header.
            auto m = ext_blob(e, {}, {}, {}, 32);
            m.resize(20);
            rejects(m, "header length");
        }
        SECTION("block offsets and lengths outside the section") {
            auto m = good;
            set_hdr(m, 8, 1000, e);
            rejects(m, "func_info block");
            m = good;
            set_hdr(m, 12, 0xfffffff0u, e);
            rejects(m, "outside");
            m = good;
            set_hdr(m, 16, 0xffffffffu, e);
            rejects(m, "line_info block");
            m = good;
            set_hdr(m, 24, 4, e);
            set_hdr(m, 28, static_cast<std::uint32_t>(m.size()), e);
            rejects(m, "core_relo block");
        }
        SECTION("blocks too short for their record size") {
            auto m = good;
            set_hdr(m, 12, 2, e);
            rejects(m, "too short");
        }
        SECTION("record size below the minimum, unaligned or absurd") {
            for (std::uint32_t rs : {0u, 4u, 6u, 10u, 0x10000u, 0xfffffff8u}) {
                rejects(ext_blob(e, {rs, n.prog, 1, 0, n.f1, 0, 0, 0, 0, 0, 0}, {}), "record size");
            }
            rejects(ext_blob(e, {}, {12, n.prog, 1, 0, n.file, n.line}), "line_info record size 12");
            rejects(ext_blob(e, {}, {}, {8, n.prog, 1, 0, n.f1}), "core_relo record size 8");
        }
        SECTION("section name offset invalid") {
            rejects(ext_blob(e, {8, 0xffff, 1, 0, n.f1}, {}), "section name offset 65535");
            rejects(ext_blob(e, {8, 0, 1, 0, n.f1}, {}), "section name offset 0");  // empty name
            rejects(ext_blob(e, {}, {16, 99999, 1, 0, n.file, n.line, 0}), "line_info");
        }
        SECTION("a section with zero records") {
            rejects(ext_blob(e, {8, n.prog, 0}, {}), "no records");
        }
        SECTION("more records than the block holds") {
            rejects(ext_blob(e, {8, n.prog, 2, 0, n.f1}, {}), "claims 2 records");
            // 0xffffffff records of 0xfff0 bytes: the product does not fit 32 bits and must not wrap around.
            rejects(ext_blob(e, {0xfff0, n.prog, 0xffffffffu, 0, n.f1}, {}), "more than the block holds");
            rejects(ext_blob(e, {}, {16, n.prog, 0x10000000u, 0, n.file, n.line, 0}), "more than the block holds");
        }
        SECTION("a truncated section header inside a block") {
            rejects(ext_blob(e, {8, n.prog, 1, 0, n.f1, n.text}, {}), "truncated");
        }
        SECTION("instruction offsets not on an instruction") {
            rejects(ext_blob(e, {8, n.prog, 1, 4, n.f1}, {}), "multiple of 8");
            rejects(ext_blob(e, {}, {16, n.prog, 2, 0, n.file, n.line, 0, 9, n.file, n.line, 0}), "record 1");
            rejects(ext_blob(e, {}, {}, {16, n.prog, 1, 12, n.f1, n.access, 0}), "instruction offset 12");
        }
    }
}

TEST_CASE("every truncation and byte flip of a real .BTF.ext is handled", "[btf-ext]") {
    for (const char* obj : {"calls.bpf.o", "calls.bpfeb.o", "maps.bpf.o"}) {
        INFO(obj);
        Loaded l;
        load(l, obj);
        const std::vector<std::byte> good(l.ext.begin(), l.ext.end());
        auto touch = [&](const ExtInfo& x) {
            std::uint64_t sink = 0;
            for (const auto& s : x.func_info)
                for (const auto& r : s.records) sink += r.insn_off + r.type + s.section.size();
            for (const auto& s : x.line_info)
                for (const auto& r : s.records) sink += r.insn_off + r.line_col;
            for (const auto& s : x.core_relos) sink += s.records.size();
            return sink;
        };
        std::size_t ok = 0;
        for (std::size_t n = 0; n < good.size(); ++n) {
            auto x = ExtInfo::parse(std::span<const std::byte>(good.data(), n), *l.btf);
            if (x) {
                ++ok;
                touch(*x);
            } else {
                CHECK(x.error().code() == Errc::MalformedBtf);
            }
        }
        CHECK(ok == 0);  // the blocks run to the end of the section
        auto m = good;
        std::size_t flips_ok = 0;
        for (std::size_t i = 0; i < good.size(); ++i) {
            for (int mask : {0xff, 0x08}) {
                m[i] ^= std::byte(mask);
                if (auto x = ExtInfo::parse(m, *l.btf)) {
                    ++flips_ok;
                    touch(*x);
                } else if (x.error().code() != Errc::MalformedBtf) {
                    FAIL("unexpected error code: " << x.error().message());
                }
                m[i] = good[i];
            }
        }
        CHECK(flips_ok > 0);
    }
}
