// SPDX-License-Identifier: MIT
// libFuzzer target: elf::File::parse, then every section, symbol table and relocation section it exposes.
#include <cstddef>
#include <cstdint>
#include <span>

#include "elf/file.hpp"
#include "fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace ebpf;
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    auto file = elf::File::parse(bytes);
    if (!file) {
        fuzz::sink(file.error().message());
        return 0;
    }
    const elf::File& f = *file;
    fuzz::sink(f.is64() + f.machine() + f.type() + static_cast<unsigned>(f.endian()));
    EBPF_FUZZ_CHECK(f.bytes().data() == bytes.data() && f.bytes().size() == size);

    const auto sections = f.sections();
    for (const elf::Section& s : sections) {
        EBPF_FUZZ_CHECK(f.section(s.index) == &s);
        fuzz::sink(s.name);
        fuzz::sink(s.type + s.flags + s.addr + s.offset + s.size + s.link + s.info + s.addralign + s.entsize);
        // Section data is a view into the input: it must lie inside it (ASan would also see a stray read).
        if (!s.data.empty()) {
            EBPF_FUZZ_CHECK(s.data.data() >= bytes.data() && s.data.data() + s.data.size() <= bytes.data() + size);
            fuzz::sink(s.data);
        }
        const auto v = f.view(s);
        for (std::uint64_t off : {std::uint64_t{0}, std::uint64_t{s.data.size() - std::min<std::size_t>(s.data.size(), 8)}}) {
            if (auto w = v.get<std::uint64_t>(off)) fuzz::sink(*w);
            if (auto c = v.cstr(off)) fuzz::sink(*c);
        }
        // Lookups by name and type find the first match.
        if (s.index != 0) {
            const elf::Section* byname = f.find_section(s.name);
            EBPF_FUZZ_CHECK(byname && byname->name == s.name && byname->index <= s.index);
            const elf::Section* bytype = f.find_section_by_type(s.type);
            EBPF_FUZZ_CHECK(bytype && bytype->type == s.type && bytype->index <= s.index);
        }
        // Asking any section for symbols or relocations must be an error or a decode, never a stray read.
        if (auto syms = f.symbols(s)) {
            EBPF_FUZZ_CHECK(s.type == elf::SHT_SYMTAB || s.type == elf::SHT_DYNSYM);
            for (const elf::Symbol& sym : *syms) {
                fuzz::sink(sym.name);
                fuzz::sink(sym.index + sym.value + sym.size + sym.bind + sym.type + sym.visibility + sym.shndx);
                if (const elf::Section* in = f.section(sym.shndx)) fuzz::sink(in->name);
            }
        } else {
            fuzz::sink(syms.error().message());
        }
        if (auto rels = f.relocations(s)) {
            EBPF_FUZZ_CHECK(s.type == elf::SHT_REL || s.type == elf::SHT_RELA);
            for (const elf::Relocation& r : *rels)
                fuzz::sink(r.offset + r.symbol + r.type + static_cast<std::uint64_t>(r.addend));
        } else {
            fuzz::sink(rels.error().message());
        }
    }
    EBPF_FUZZ_CHECK(f.section(static_cast<std::uint32_t>(sections.size())) == nullptr);
    // libFuzzer learns compared strings, so even an unlikely name may exist; a hit must at least be that name.
    if (const elf::Section* s = f.find_section("\x01no such section")) EBPF_FUZZ_CHECK(s->name == "\x01no such section");
    if (auto syms = f.symbols()) fuzz::sink(syms->size());
    return 0;
}
