// SPDX-License-Identifier: MIT
// What placing uprobes needs from an executable or shared library: file offsets of functions (by name, version
// or glob) and of virtual addresses, and its USDT probe sites. Uprobes are placed by file offset; symbols and
// notes give virtual addresses, which the PT_LOAD program headers translate (p_offset + vaddr - p_vaddr), the
// same for PIE and non-PIE executables and shared libraries, ELF32 and ELF64, either byte order.
// Pure: views into the caller's bytes, which must outlive the UprobeBinary.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>

#include "elf/file.hpp"
#include "elf/ld_cache.hpp"
#include "elf/segments.hpp"
#include "elf/symbol_lookup.hpp"

namespace ebpf::detail {

// The dynamic loader's library search (elf/ld_cache.hpp), offered here to the layers above object.
using elf::find_library;
using elf::LdCacheEntry;
using elf::LibraryLookup;
using elf::LibrarySearch;
using elf::parse_ld_cache;

struct UprobeFunction {
    std::string name;          // as found, with its version ("malloc@@GLIBC_2.2.5")
    std::uint64_t address = 0;  // virtual address
    std::uint64_t offset = 0;   // file offset
};

struct UsdtSite {
    std::string provider, name, args;
    std::uint64_t address = 0;            // virtual address of the probe (after .stapsdt.base adjustment)
    std::uint64_t offset = 0;             // its file offset (where the uprobe goes)
    std::uint64_t semaphore_address = 0;  // 0: no semaphore
    std::uint64_t semaphore_offset = 0;   // its file offset (the uprobe's ref_ctr_offset)
    // Nonzero when the semaphore's file page is also mapped, at a lower address, by another writable PT_LOAD
    // segment (lld's separate RELRO segment shares its last file page with the data segment): the kernel raises
    // the counter in the first writable mapping of the page it finds, i.e. at this address instead.
    std::uint64_t semaphore_alias = 0;
    // The alias lies in PT_GNU_RELRO, which the dynamic loader makes read-only in a running process.
    bool semaphore_alias_relro = false;
};

// Function "+off" splitting: "main+0x10" -> ("main", 16); a name without a numeric suffix has offset 0;
// nullopt only for an offset beyond 64 bits.
struct FunctionAndOffset {
    std::string_view function;
    std::uint64_t offset = 0;
};
std::optional<FunctionAndOffset> split_function_offset(std::string_view text) noexcept;

class UprobeBinary {
public:
    // Parses the ELF header, sections and program headers. `path` names the file in messages.
    // Errors: MalformedElf; InvalidArgument for a file that is neither an executable nor a shared library.
    static Result<UprobeBinary> parse(std::span<const std::byte> bytes, std::string path);

    const std::string& path() const noexcept { return path_; }
    std::uint16_t machine() const noexcept { return file_.machine(); }
    bool elf64() const noexcept { return file_.is64(); }
    // ET_DYN: a shared library or a PIE executable (loaded at a base address chosen at run time).
    bool position_independent() const noexcept { return file_.type() == elf::ET_DYN; }
    // Loaded by the dynamic loader (a PT_INTERP executable or a shared object), which applies RELRO.
    bool loader_applies_relro() const noexcept;
    std::span<const elf::Segment> segments() const noexcept { return segments_; }

    // The file offset of `function` ("readline", "malloc@GLIBC_2.2.5", "main+0x10").
    // Errors: NotFound naming the function, the file and the tables searched; InvalidArgument (ambiguous, IFUNC,
    //   offset beyond the function's size); MalformedElf.
    Result<UprobeFunction> function(std::string_view text) const;
    // The file offset of an instruction at virtual address `vaddr`. Errors: NotFound (outside every executable
    //   PT_LOAD segment).
    Result<std::uint64_t> address_offset(std::uint64_t vaddr) const;
    // The functions whose name matches a glob, one per address, sorted by name. Errors: NotFound when none.
    Result<std::vector<UprobeFunction>> match(std::string_view pattern) const;
    // Every USDT probe site (.note.stapsdt), in note order. Errors: MalformedElf (a bad note, a probe outside
    //   the executable segments, a semaphore outside the file-backed writable ones).
    Result<std::vector<UsdtSite>> usdt_sites() const;

private:
    Result<std::span<const elf::FunctionSymbol>> symbols() const;
    Result<std::uint64_t> exec_offset(std::uint64_t vaddr, std::string_view what) const;
    void semaphore_alias(UsdtSite& s, const elf::Segment& own) const noexcept;

    elf::File file_;
    std::vector<elf::Segment> segments_;
    std::string path_;
    mutable std::optional<std::vector<elf::FunctionSymbol>> symbols_;  // read on first use
};

}  // namespace ebpf::detail
