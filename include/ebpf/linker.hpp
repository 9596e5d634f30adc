// SPDX-License-Identifier: MIT
// Static linking of clang-compiled BPF objects into one relocatable object (what `bpftool gen object` does).
//
// Pure: bytes in, bytes out; no system calls. See docs/linking.md for what is supported.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include <ebpf/error.hpp>

namespace ebpf {

// One input object: its bytes and a name used in error messages (usually the file name).
struct LinkInput {
    std::string_view name;
    std::span<const std::byte> bytes;
};

struct LinkOptions {
    // Run BTF deduplication on the merged BTF (equivalent types of several inputs collapse). false keeps every
    // input's types (only for diagnosing the linker).
    bool dedup_btf = true;
};

// Links ELF64 relocatable EM_BPF objects (all of one byte order) into one: sections merged by name (alignment kept;
// "license" and "version" must be identical and appear once), global symbols resolved across inputs (a strong
// definition wins over weak ones; an extern function, variable or map resolves to a definition in another input;
// unresolved externs stay externs for the loader: .kconfig, .ksyms, kfuncs), relocations rebased, .BTF merged and
// deduplicated with DATASECs rebuilt for the merged sections, and .BTF.ext (func_info, line_info, CO-RE relocations)
// rebased onto the merged sections. DWARF sections are dropped.
// Errors: MalformedElf (not an ELF64 relocatable BPF object, byte orders differ, a truncated file),
// MalformedBtf (corrupt .BTF/.BTF.ext, a global without BTF), MalformedObject (two strong definitions of one
// symbol, naming both inputs; an extern whose type conflicts with its definition; differing license sections;
// visibility other than default/hidden). Every message names the input it concerns.
// Ownership: the result is a new buffer; inputs are only read during the call.
// Thread safety: none needed (no shared state).
Result<std::vector<std::byte>> link_objects(std::span<const LinkInput> inputs, const LinkOptions& options = {});

}  // namespace ebpf
