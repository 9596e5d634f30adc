// SPDX-License-Identifier: MIT
// The kernel's list of programs: enumeration by BPF_PROG_GET_NEXT_ID, info by id.
#include <ebpf/program.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/bpf.hpp"

namespace ebpf {

Result<std::vector<std::uint32_t>> loaded_program_ids() {
    std::vector<std::uint32_t> ids;
    std::uint32_t id = 0;
    for (;;) {
        auto next = sys::get_next_id(sys::Cmd::ProgGetNextId, id);
        if (!next) return std::move(next).error().context("list loaded programs");
        if (!*next) break;
        id = **next;
        ids.push_back(id);
    }
    return ids;
}

Result<std::vector<ProgramInfo>> loaded_programs() {
    EBPF_TRY_ASSIGN(const std::vector<std::uint32_t> ids, loaded_program_ids());
    std::vector<ProgramInfo> out;
    out.reserve(ids.size());
    for (const std::uint32_t id : ids) {
        auto prog = Program::from_id(id);
        if (!prog) {
            if (prog.error().sys_errno() == ENOENT) continue;  // unloaded since it was listed
            return std::move(prog).error().context("list loaded programs");
        }
        auto info = prog->info();
        if (!info) return std::move(info).error().context(detail::format("list loaded programs: program id %u", id));
        out.push_back(std::move(*info));
    }
    return out;
}

}  // namespace ebpf
