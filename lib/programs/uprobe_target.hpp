// SPDX-License-Identifier: MIT
// Shared by UProbe, UProbeMulti and Usdt: finding the binary a uprobe names (path, library, executable), mapping
// and parsing it, and the pid rules.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <ebpf/error.hpp>

#include "object/uprobe_binary.hpp"
#include "sys/mapped_file.hpp"

namespace ebpf::detail {

// A binary mapped and parsed; `elf` views `file`. Heap-allocated so the views stay put.
struct OpenedBinary {
    sys::MappedFile file;
    UprobeBinary elf;
};

// The pid a uprobe filters on: -1 (every process) stays, 0 becomes this process's pid, a positive pid must exist.
// Errors: NotFound "no process with pid N", InvalidArgument for other negative values.
Result<int> uprobe_pid(int pid);

// See ebpf::resolve_uprobe_binary().
Result<std::string> resolve_binary(std::string_view binary, int pid);

// Resolves, maps and parses `binary`. Errors: those of resolve_binary(), of opening the file, MalformedElf.
Result<std::unique_ptr<OpenedBinary>> open_binary(std::string_view binary, int pid);

// Splits a section target "<binary>:<rest>" at the first ':' after the binary's last '/' (library and executable
// names have no '/'; probe names may have ':' only in USDT targets, which split twice).
struct SectionTarget {
    std::string_view binary, rest;
};
std::optional<SectionTarget> split_section_target(std::string_view target) noexcept;

}  // namespace ebpf::detail
