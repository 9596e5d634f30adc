// SPDX-License-Identifier: MIT
// Kernel function names: /proc/kallsyms and tracefs available_filter_functions, for kprobe targets (does the
// function exist? which module?) and kprobe.multi patterns. Glob matching is pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>

namespace ebpf::sys {

// libbpf's glob: '*' matches any run of characters, '?' one character; everything else matches itself.
bool glob_match(std::string_view pattern, std::string_view text) noexcept;

// What /proc/kallsyms says about one function name.
struct KsymPresence {
    bool found = false;            // the name is a symbol of the kernel (or of `module` when one was given)
    std::uint64_t address = 0;     // 0 when kptr_restrict hides addresses
    bool module_loaded = true;     // false: a module was named and no symbol of it is listed (not loaded)
};
// Looks `name` up in /proc/kallsyms, in vmlinux and every module, or only in `module` when it is not empty.
// Errors: reading /proc/kallsyms (NotFound without CONFIG_KALLSYMS, ...).
Result<KsymPresence> kallsyms_find(std::string_view name, std::string_view module = {}) noexcept;

// Kernel functions matching a glob, without duplicates, sorted.
struct FunctionMatches {
    std::vector<std::string> names;
    std::string source;  // the file they came from (tracefs available_filter_functions or /proc/kallsyms)
};
// Functions that ftrace can trace (tracefs available_filter_functions; where that cannot be read, the text symbols
// of /proc/kallsyms) whose name matches `pattern`, in vmlinux and every module, or only in `module` when it is not
// empty. ftrace's placeholders for removed functions (__ftrace_invalid_address___*) are left out.
// Errors: reading both files failed (the error says both).
Result<FunctionMatches> match_kernel_functions(std::string_view pattern, std::string_view module = {}) noexcept;


}  // namespace ebpf::sys
