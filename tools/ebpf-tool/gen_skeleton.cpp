// SPDX-License-Identifier: MIT
// ebpf-tool gen skeleton: placeholder until the generator lands.
#include <string>

#include <cstdio>

#include "commands.hpp"

namespace ebpf::tool {

int cmd_gen(std::span<const std::string_view> args) {
    if (args.empty()) return usage_error("gen: missing subcommand (skeleton)");
    return usage_error("gen: unknown subcommand '" + std::string(args[0]) + "'");
}

}  // namespace ebpf::tool
