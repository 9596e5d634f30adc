// SPDX-License-Identifier: MIT
// ebpf-tool dump-insns (a diagnostic): the final instructions of every program after
// Object::load_file (maps created, externs and CO-RE resolved), one JSON line per program, in the format of
// tests/compat/libbpf_insns.c so the two loaders' relocations can be compared instruction by instruction.
// --target-btf FILE relocates CO-RE against FILE instead of the running kernel (as libbpf_insns --btf FILE).
#include <cstdio>
#include <string>

#include <ebpf/ebpf.hpp>

#include "commands.hpp"
#include "json.hpp"

namespace ebpf::tool {

namespace {
std::string map_name(const Object& obj, int fd) {
    for (const Map& m : obj.maps())
        if (m.fd().get() == fd) return m.name();
    return "?";
}
}  // namespace

int cmd_dump_insns(std::span<const std::string_view> args) {
    LoadOptions opts;
    std::size_t first = 0;
    if (args.size() >= 2 && args[0] == "--target-btf") {
        opts.target_btf = std::string(args[1]);
        first = 2;
    }
    if (args.size() <= first) return usage_error("dump-insns: missing OBJECT");
    int failed = 0;
    for (const std::string_view a : args.subspan(first)) {
        if (!a.empty() && a[0] == '-') return usage_error("dump-insns: unknown option " + std::string(a));
        const std::string path(a);
        auto obj = Object::load_file(path.c_str(), opts);
        if (!obj) {
            // Same shape as the reference's "open" failure, with the reason added.
            Json j;
            j.begin_object().field("obj", path).key("prog").null().field("ok", false);
            j.field("err", obj.error().sys_errno() ? -obj.error().sys_errno() : -22);
            j.field("stage", "load").field("error", obj.error().message()).end_object();
            std::printf("%s\n", j.str().c_str());
            fail("dump-insns: " + std::string(obj.error().message()));  // and the reason on stderr, as elsewhere
            failed = 1;
            continue;
        }
        for (const Program& p : obj->programs()) {
            Json j;
            j.begin_object().field("obj", path).field("prog", p.name()).field("sec", p.section());
            j.key("insns").begin_array();
            for (const Instruction& in : p.def().instructions) {
                j.begin_array()
                    .value(static_cast<unsigned>(in.code))
                    .value(static_cast<unsigned>(in.dst))
                    .value(static_cast<unsigned>(in.src))
                    .value(static_cast<int>(in.off))
                    .value(static_cast<int>(in.imm));
                // Map references hold an fd, which differs between loaders: name the map as well.
                if (in.is_ld_imm64() && (in.src == kPseudoMapFd || in.src == kPseudoMapValue))
                    j.value(map_name(*obj, in.imm));
                j.end_array();
            }
            j.end_array().end_object();
            std::printf("%s\n", j.str().c_str());
        }
    }
    return failed ? kExitFail : kExitOk;
}

}  // namespace ebpf::tool
