// SPDX-License-Identifier: MIT
// Symbolisation of instruction pointers (e.g. from a StackTraceMap): kernel addresses through /proc/kallsyms,
// user addresses through /proc/PID/maps and the ELF symbol tables of the mapped files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>

namespace ebpf {

// A resolved address. The views point into the KernelSymbols / UserSymbols that resolved it.
struct SymbolInfo {
    std::string_view name;    // the function
    std::string_view module;  // kernel: the module ("" for the kernel image); user: the mapped file's path
    std::uint64_t address = 0;  // where the symbol starts (kernel: runtime address; user: the ELF's address)
    std::uint64_t offset = 0;   // how far into the symbol the address is
};

// KernelSymbols: the kernel's text symbols, parsed once and sorted for binary search.
// Kernel: /proc/kallsyms shows real addresses only to root (or CAP_SYSLOG) with kernel.kptr_restrict < 2; otherwise
//   every address is 0, which load() reports as Permission.
// Thread safety: immutable after load(); resolve() may run concurrently. Ownership: a value (moves cheaply).
class KernelSymbols {
public:
    // Reads and parses /proc/kallsyms (a few MB; 100k+ symbols). Errors: Io, NotFound, Permission (hidden addresses).
    static Result<KernelSymbols> load();
    // Parses kallsyms text ("ffffffff81000000 T _stext", optionally followed by "\t[module]"). Keeps text symbols
    // (types t, T, w, W). Errors: Permission when every address is zero; InvalidArgument for unparsable text.
    static Result<KernelSymbols> parse(std::string_view text);

    // The symbol at or below `address`, or empty below the first symbol.
    std::optional<SymbolInfo> resolve(std::uint64_t address) const;
    std::size_t size() const noexcept { return entries_.size(); }

private:
    struct Entry {
        std::uint64_t address;
        std::uint32_t name_offset;
        std::uint16_t name_length;
        std::uint16_t module;  // index into modules_ (0: the kernel image)
    };
    std::string names_;
    std::vector<Entry> entries_;
    std::vector<std::string> modules_;
};

// UserSymbols: the function symbols of a process's executable mappings (the program and its shared libraries),
// from each file's .symtab, or .dynsym when it is stripped.
// Files that cannot be read or parsed are skipped and listed by skipped() (the rest still resolve).
// The snapshot is taken at load(): libraries loaded later are not known.
// Thread safety: immutable after load(); resolve() may run concurrently. Ownership: a value.
class UserSymbols {
public:
    // pid 0: this process. Errors: NotFound (no such process), Permission, Io (reading /proc/PID/maps).
    static Result<UserSymbols> load(int pid = 0);

    // The function containing `address` (or the nearest one below it in the same file), or empty.
    std::optional<SymbolInfo> resolve(std::uint64_t address) const;
    const std::vector<std::string>& skipped() const noexcept { return skipped_; }

    struct Region {  // an executable mapping of a file
        std::uint64_t start, end, file_offset;
        std::uint32_t file;
    };
    struct FileSection {  // how file offsets become ELF addresses
        std::uint64_t offset, size, address;
    };
    struct Function {
        std::uint64_t address, size;
        std::uint32_t name_offset, name_length;
    };
    struct File {
        std::string path;
        std::vector<FileSection> sections;
        std::vector<Function> functions;  // sorted by address
        std::string names;
    };

private:
    std::vector<Region> regions_;  // sorted by start
    std::vector<File> files_;
    std::vector<std::string> skipped_;
};

}  // namespace ebpf
