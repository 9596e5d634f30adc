// SPDX-License-Identifier: MIT
// Loader step: turn a ProgramSpec into a ProgramDef by patching map fds and global-data offsets into its
// instructions (externs, CO-RE and attach targets: kernel_relocate.cpp).
#include <algorithm>

#include "base/format.hpp"
#include "base/try.hpp"
#include "loader/state.hpp"

namespace ebpf::detail {

Result<Program> prepare_program(const Object::State& s, const ProgramSpec& p, const LoadOptions& options) {
    ProgramDef d;
    d.name = p.name;
    d.section = p.section;
    d.kind = p.kind;
    d.attach_target = p.attach_to;
    d.type = p.type;
    d.expected_attach_type = p.expected_attach_type;
    d.flags = p.flags;
    d.license = p.license;
    d.kern_version = p.kern_version;
    d.instructions = p.instructions;
    d.log_level = options.log_level;
    auto where = [&](std::uint32_t insn) { return format("program '%s' instruction %u", p.name.c_str(), insn); };

    for (const MapReloc& r : p.map_relocs) {
        if (r.map >= s.maps.size()) return Error(Errc::Relocation, where(r.insn) + ": map index out of range");
        if (r.insn + 1 >= d.instructions.size())
            return Error(Errc::Relocation, where(r.insn) + ": ld_imm64 is truncated");
        Instruction& lo = d.instructions[r.insn];
        Instruction& hi = d.instructions[r.insn + 1];
        const Map& map = s.maps[r.map];
        lo.imm = map.fd().get();
        // Keep the map open until the program is loaded: the instruction carries only its fd number.
        if (std::find(d.map_fds.begin(), d.map_fds.end(), map.shared_fd()) == d.map_fds.end())
            d.map_fds.push_back(map.shared_fd());
        if (r.kind == MapReloc::Kind::Fd) {
            lo.src = kPseudoMapFd;
            hi.imm = 0;
        } else {
            lo.src = kPseudoMapValue;
            hi.imm = static_cast<std::int32_t>(r.offset);
        }
    }
    EBPF_TRY(apply_kernel_deps(s, p, d));
    EBPF_TRY(apply_struct_ops(s, p, d));
    d.resolver = kernel_attach_resolver(s);

    if (s.btf && !s.btf_without_func) {
        d.btf = s.btf;
        d.func_info = p.func_info;
        d.line_info = p.line_info;
    }
    return Program::prepare(std::move(d));
}

}  // namespace ebpf::detail
