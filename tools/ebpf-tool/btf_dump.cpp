// SPDX-License-Identifier: MIT
// ebpf-tool btf dump: a C header (vmlinux.h) from raw BTF or an ELF file's .BTF section.
#include <cstdio>
#include <string>
#include <vector>

#include <ebpf/btf.hpp>
#include <ebpf/kernel_btf.hpp>

#include "commands.hpp"

namespace ebpf::tool {

namespace {

// "struct foo", "union foo", "enum foo", "typedef foo" or a bare name (the first of those kinds that has it).
Result<btf::TypeId> find_root(const btf::Spec& spec, std::string_view name) {
    static constexpr struct {
        std::string_view prefix;
        btf::Kind kind;
    } prefixed[] = {{"struct ", btf::Kind::Struct}, {"union ", btf::Kind::Union}, {"enum ", btf::Kind::Enum},
                    {"typedef ", btf::Kind::Typedef}};
    for (const auto& p : prefixed) {
        if (!name.starts_with(p.prefix)) continue;
        const std::string_view rest = name.substr(p.prefix.size());
        auto id = spec.find(rest, p.kind);
        if (!id && p.kind == btf::Kind::Enum) id = spec.find(rest, btf::Kind::Enum64);
        return id;
    }
    for (btf::Kind k : {btf::Kind::Struct, btf::Kind::Union, btf::Kind::Typedef, btf::Kind::Enum, btf::Kind::Enum64})
        if (auto id = spec.find(name, k)) return id;
    return Error(Errc::NotFound, "no struct, union, typedef or enum named '" + std::string(name) + "'");
}

int btf_dump(std::span<const std::string_view> args) {
    std::string file;
    std::vector<std::string_view> roots;
    btf::DumpCOptions opt;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        if ((a == "--root-type" || a == "--guard") && i + 1 < args.size()) {
            if (a == "--root-type") roots.push_back(args[++i]);
            else opt.header_guard = std::string(args[++i]);
        } else if (a == "--no-preserve-access-index") {
            opt.preserve_access_index = false;
        } else if (a.starts_with("-")) {
            return usage_error("btf dump: unknown or incomplete option '" + std::string(a) + "'");
        } else if (file.empty()) {
            file = std::string(a);
        } else {
            return usage_error("btf dump: more than one FILE");
        }
    }
    if (file.empty()) return usage_error("btf dump: missing FILE");
    auto kbtf = KernelBtf::from_file(file.c_str());
    if (!kbtf) return fail(kbtf.error().message());
    const btf::Spec& spec = (*kbtf)->vmlinux();
    for (std::string_view r : roots) {
        auto id = find_root(spec, r);
        if (!id) return fail(id.error().message());
        opt.roots.push_back(*id);
    }
    auto header = btf::dump_c(spec, opt);
    if (!header) return fail(file + ": " + std::string(header.error().message()));
    if (std::fwrite(header->data(), 1, header->size(), stdout) != header->size() || std::fflush(stdout) != 0)
        return fail("btf dump: writing the header failed");
    return kExitOk;
}

}  // namespace

int cmd_btf(std::span<const std::string_view> args) {
    if (args.empty()) return usage_error("btf: missing subcommand (dump, list or show ID)");
    if (args[0] == "dump") return btf_dump(args.subspan(1));
    if (args[0] == "list" || args[0] == "show") return cmd_btf_listing(args);
    return usage_error("btf: unknown subcommand '" + std::string(args[0]) + "'");
}

}  // namespace ebpf::tool
