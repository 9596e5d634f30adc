// SPDX-License-Identifier: MIT
// ebpf-tool btf dump: a BTF file, the running kernel's or a module's BTF as a C header (vmlinux.h), raw text
// lines (as `bpftool btf dump ... format raw`) or JSON. Split BTF (--base, --module) is read on top of its base.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include <ebpf/btf.hpp>
#include <ebpf/kernel_btf.hpp>

#include "btf_raw.hpp"
#include "commands.hpp"

namespace ebpf::tool {

namespace {

constexpr const char* kKernelBtfDir = "/sys/kernel/btf/";

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

enum class Format { C, Raw, Json };

struct DumpArgs {
    std::string file;          // FILE, or /sys/kernel/btf/<module> for --module
    std::string base;          // --base FILE, or vmlinux for --module
    bool kernel = false;       // --kernel
    std::string module;        // --module NAME
    Format format = Format::C;
    std::vector<std::string_view> roots;
    btf::DumpCOptions c;
};

// 0 when parsed, else the usage error's exit status (already printed).
int parse_dump_args(std::span<const std::string_view> args, DumpArgs& d) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view a = args[i];
        const bool has_value = i + 1 < args.size();
        if (a == "--root-type" && has_value) {
            d.roots.push_back(args[++i]);
        } else if (a == "--guard" && has_value) {
            d.c.header_guard = std::string(args[++i]);
        } else if (a == "--base" && has_value) {
            d.base = std::string(args[++i]);
        } else if (a == "--module" && has_value) {
            d.module = std::string(args[++i]);
        } else if (a == "--format" && has_value) {
            const std::string_view f = args[++i];
            if (f == "c") d.format = Format::C;
            else if (f == "raw") d.format = Format::Raw;
            else if (f == "json") d.format = Format::Json;
            else return usage_error("btf dump: --format must be c, raw or json, not '" + std::string(f) + "'");
        } else if (a == "--kernel") {
            d.kernel = true;
        } else if (a == "--no-preserve-access-index") {
            d.c.preserve_access_index = false;
        } else if (a.starts_with("-")) {
            return usage_error("btf dump: unknown or incomplete option '" + std::string(a) + "'");
        } else if (d.file.empty()) {
            d.file = std::string(a);
        } else {
            return usage_error("btf dump: more than one FILE");
        }
    }
    const int sources = !d.file.empty() + d.kernel + !d.module.empty();
    if (sources == 0) return usage_error("btf dump: missing FILE (or --kernel, --module NAME)");
    if (sources > 1) return usage_error("btf dump: give one of FILE, --kernel and --module NAME");
    if (!d.base.empty() && d.file.empty())
        return usage_error("btf dump: --base goes with FILE (--module is split on vmlinux already)");
    if (!d.module.empty()) {
        if (d.module.find('/') != std::string::npos || d.module == "." || d.module == "..")
            return usage_error("btf dump: --module takes a module name, not a path");
        d.file = kKernelBtfDir + d.module;
        d.base = std::string(kKernelBtfDir) + "vmlinux";
    }
    if (d.kernel) d.file = std::string(kKernelBtfDir) + "vmlinux";
    return 0;
}

// The types a raw or JSON dump lists: the roots, else every type the file itself defines (a split file's own ids
// start after its base's, as bpftool prints them).
std::vector<btf::TypeId> listed_ids(const btf::Spec& spec, const std::vector<btf::TypeId>& roots) {
    if (!roots.empty()) return roots;
    std::vector<btf::TypeId> ids;
    for (btf::TypeId id = spec.first_id() == 0 ? 1 : spec.first_id(); id < spec.type_count(); ++id) ids.push_back(id);
    return ids;
}

int btf_dump(std::span<const std::string_view> args) {
    DumpArgs d;
    if (int rc = parse_dump_args(args, d)) return rc;
    std::optional<btf::Spec> base;
    if (!d.base.empty()) {
        auto b = btf_from_file(d.base.c_str());
        if (!b) return fail("btf dump: base " + std::string(b.error().message()));
        base = std::move(*b);
    }
    if (!d.module.empty()) {
        // A name that is no module with BTF: say so rather than "open ...: No such file or directory".
        if (FILE* f = std::fopen(d.file.c_str(), "rb")) std::fclose(f);
        else return fail("btf dump: kernel module '" + d.module + "' has no BTF (no " + d.file + ")");
    }
    auto spec = btf_from_file(d.file.c_str(), base ? &*base : nullptr);
    if (!spec) return fail("btf dump: " + std::string(spec.error().message()));
    std::vector<btf::TypeId> roots;
    for (std::string_view r : d.roots) {
        auto id = find_root(*spec, r);
        if (!id) return fail("btf dump: " + d.file + ": " + std::string(id.error().message()));
        roots.push_back(*id);
    }
    std::string text;
    if (d.format == Format::C) {
        d.c.roots = roots;
        auto header = btf::dump_c(*spec, d.c);
        if (!header) return fail("btf dump: " + d.file + ": " + std::string(header.error().message()));
        text = std::move(*header);
    } else if (d.format == Format::Raw) {
        append_btf_raw(*spec, listed_ids(*spec, roots), text);
    } else {
        text = btf_types_json(*spec, listed_ids(*spec, roots));
        text += '\n';
    }
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
        return fail("btf dump: writing the output failed");
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
