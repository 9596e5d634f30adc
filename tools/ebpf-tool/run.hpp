// SPDX-License-Identifier: MIT
// ebpf-tool run: what run.cpp shares with its helpers (run_values.cpp: --set and BTF formatting; run_dump.cpp:
// --dump-maps). Not a library interface: the library has no "parse a value from text".
#pragma once

#include <cstddef>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>

#include <ebpf/ebpf.hpp>

namespace ebpf::tool {

// The new value of global `name` of `spec` from `text`, encoded by the variable's BTF type: integers of any size
// and sign (decimal, 0x hex, range-checked), bool (true/false/1/0), enums (enumerator name or number), floats,
// char arrays (a string that fits with its terminating NUL).
// Errors: NotFound (no such variable in .data/.rodata/.bss, naming those it has), InvalidArgument (a type --set
// cannot write, text that is not a value of the type, a value out of range), each naming the variable and type.
Result<GlobalValue> encode_global(const ObjectSpec& spec, std::string_view name, std::string_view text);

// `bytes` as a value of BTF type `id`: decimal integers, enums by name, bool as true/false, char arrays as quoted
// strings, other arrays as [a, b], structs and unions as {field: value, ...}, pointers in hex. Bytes that the type
// does not describe (no BTF, a type larger than the bytes) are printed in hex.
std::string format_btf_value(const btf::Spec* spec, btf::TypeId id, std::span<const std::byte> bytes);

// Prints every map of `obj` with its entries formatted by BTF (global data sections as `name = value` per
// variable). Maps whose entries user space cannot list (ring buffers, perf event arrays, prog arrays, ...) get
// one line saying so. Lookup failures are printed in place of the entries; returns the number of such failures.
int dump_maps(const Object& obj, std::FILE* out);

}  // namespace ebpf::tool
