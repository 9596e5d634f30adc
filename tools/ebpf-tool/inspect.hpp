// SPDX-License-Identifier: MIT
// ebpf-tool inspect's code views (inspect_code.cpp): disassembly, relocations and load problems.
#pragma once

#include <vector>

#include <ebpf/spec.hpp>

namespace ebpf::tool {

class Json;

// "kconfig", "ksym", "kfunc" or "unresolved".
const char* extern_kind_name(const ExternSpec& e);
// What would stop the object from loading: the parser's problems (externs nothing resolves), programs in sections
// that name no program type, maps of types this build does not know.
std::vector<ObjectProblem> inspect_problems(const ObjectSpec& spec);

void print_disasm(const ObjectSpec& spec, const ProgramSpec& p);
void print_relocations(const ObjectSpec& spec, const ProgramSpec& p);
// "disasm": [{"insn", "text", "line", "function", "valid"}...] and "relocations": {"maps", "core", "externs"}.
void json_disasm(Json& j, const ObjectSpec& spec, const ProgramSpec& p);
void json_relocations(Json& j, const ObjectSpec& spec, const ProgramSpec& p);

}  // namespace ebpf::tool
