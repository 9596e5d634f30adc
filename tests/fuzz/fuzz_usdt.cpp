// SPDX-License-Identifier: MIT
// libFuzzer target: what uprobes read from untrusted binaries. An ELF input goes through UprobeBinary (program
// headers, function symbols with versions, globs, .note.stapsdt sites) and each note's argument specification
// through the USDT parser of every architecture and the __bpf_usdt_spec encoder; any input is also taken whole
// as an argument specification and as an /etc/ld.so.cache image.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "elf/file.hpp"
#include "elf/ld_cache.hpp"
#include "elf/stapsdt.hpp"
#include "fuzz.hpp"
#include "object/uprobe_binary.hpp"
#include "object/usdt_args.hpp"

namespace {

using namespace ebpf;

constexpr detail::UsdtArch kArchs[] = {detail::UsdtArch::X86_64, detail::UsdtArch::Aarch64, detail::UsdtArch::Arm,
                                       detail::UsdtArch::Riscv64};

void spec(std::string_view text) {
    for (detail::UsdtArch arch : kArchs) {
        auto args = detail::parse_usdt_args(text, arch);
        if (!args) {
            fuzz::sink(args.error().message());
            continue;
        }
        EBPF_FUZZ_CHECK(args->size() <= detail::kUsdtMaxArgs);
        for (const auto& a : *args) {
            const int bytes = a.size < 0 ? -a.size : a.size;
            EBPF_FUZZ_CHECK(bytes == 1 || bytes == 2 || bytes == 4 || bytes == 8);
            // Argument texts are views into the specification.
            EBPF_FUZZ_CHECK(a.text.data() >= text.data() && a.text.data() + a.text.size() <= text.data() + text.size());
            EBPF_FUZZ_CHECK(a.reg_off >= 0 && a.reg_off < 512);
            fuzz::sink(a.text);
            fuzz::sink(static_cast<std::uint64_t>(a.value) + a.reg_off + a.index_reg_off + a.scale);
        }
        auto enc = detail::encode_usdt_spec(*args, 7, detail::Endian::Little);
        if (enc) fuzz::sink(std::span<const std::byte>(*enc));
        else fuzz::sink(enc.error().message());
    }
}

void binary(std::span<const std::byte> bytes) {
    auto b = detail::UprobeBinary::parse(bytes, "fuzz");
    if (!b) {
        fuzz::sink(b.error().message());
        return;
    }
    fuzz::sink(b->machine() + b->elf64() + b->position_independent() + b->segments().size());
    if (auto m = b->match("*")) {
        std::size_t n = 0;
        for (const auto& f : *m) {
            fuzz::sink(f.name);
            EBPF_FUZZ_CHECK(f.offset < bytes.size());
            // Every match can be looked up again by its own name (with version), unless the name is ambiguous.
            if (++n <= 16) {
                auto again = b->function(f.name);
                if (again) fuzz::sink(again->offset);
                else fuzz::sink(again.error().message());
            }
        }
    } else {
        fuzz::sink(m.error().message());
    }
    (void)b->function("main+0x10");
    (void)b->address_offset(0x1000);
    auto sites = b->usdt_sites();
    if (!sites) {
        fuzz::sink(sites.error().message());
        return;
    }
    for (const auto& s : *sites) {
        EBPF_FUZZ_CHECK(s.offset < bytes.size());
        EBPF_FUZZ_CHECK(s.semaphore_address == 0 || s.semaphore_offset < bytes.size());
        fuzz::sink(s.provider);
        fuzz::sink(s.name);
        spec(s.args);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    binary(bytes);
    if (auto f = elf::File::parse(bytes)) {
        if (auto notes = elf::stapsdt_notes(*f)) {
            for (const auto& n : *notes) {
                fuzz::sink(n.provider);
                fuzz::sink(n.args);
                fuzz::sink(elf::stapsdt_adjust(n.pc, n, elf::stapsdt_base(*f), f->is64()));
            }
        }
    }
    if (size <= 4096) spec(std::string_view(reinterpret_cast<const char*>(data), size));
    if (auto cache = elf::parse_ld_cache(bytes)) {
        elf::LibrarySearch s;
        s.cache = *cache;
        s.machine = 62;
        s.exists = [](const std::string& p) { return p.size() % 2 == 0; };
        for (const auto& e : *cache) {
            fuzz::sink(e.name);
            fuzz::sink(e.path);
        }
        if (!cache->empty()) fuzz::sink(elf::find_library(cache->front().name, s).searched.size());
    }
    return 0;
}
