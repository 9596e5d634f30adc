// SPDX-License-Identifier: MIT
// ProgArray: a view of a BPF_MAP_TYPE_PROG_ARRAY, the jump table of bpf_tail_call().
#pragma once

#include <optional>

#include <ebpf/maps/view.hpp>

namespace ebpf {

// ProgArray shares ownership of its Map. Slots hold programs: set() takes a loaded Program (the map keeps the
// program alive while it is in a slot), reads return the program's id, as the kernel reports it.
// Kernel: PROG_ARRAY 4.2+; lookups return ids since 4.20 (older kernels refuse them). A program put in a slot must
//   have the type (and JIT and offload shape) of the programs that tail-call through the map; the kernel refuses
//   others (InvalidArgument). Slots empty themselves when the last user-space fd of the map is closed and no
//   program uses it (the kernel clears prog arrays on release of their last user reference).
// Errors: InvalidArgument for an index >= size(), a program that is not loaded, or one the kernel refuses.
// Thread safety: as Map. Ownership: holds a Map handle.
class ProgArray {
public:
    static Result<ProgArray> from(const Map& map);

    const Map& map() const noexcept { return map_; }
    std::uint32_t size() const noexcept { return map_.max_entries(); }

    // Puts a loaded program in slot `index`.
    template <ProgramHandle P>
    Result<void> set(std::uint32_t index, const P& program) const {
        return set_fd(index, program.fd());
    }
    Result<void> set_fd(std::uint32_t index, FdRef program_fd) const;
    // Empties slot `index`; false when it was empty.
    Result<bool> clear(std::uint32_t index) const;
    // Empties every slot that holds `program`; returns how many did.
    template <ProgramHandle P>
    Result<std::size_t> clear_program(const P& program) const {
        return clear_program_fd(program.fd());
    }
    Result<std::size_t> clear_program_fd(FdRef program_fd) const;
    // The id of the program in slot `index`, or empty.
    Result<std::optional<std::uint32_t>> program_id(std::uint32_t index) const;

private:
    explicit ProgArray(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
