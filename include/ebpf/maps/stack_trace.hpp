// SPDX-License-Identifier: MIT
// StackTraceMap: a view of BPF_MAP_TYPE_STACK_TRACE, the stacks bpf_get_stackid() records, by stack id.
// Symbolisation of the addresses: <ebpf/maps/symbolize.hpp>.
#pragma once

#include <optional>
#include <vector>

#include <ebpf/maps/view.hpp>

namespace ebpf {

// StackTraceMap shares ownership of its Map. Keys are stack ids (u32, what bpf_get_stackid() returned); values
// are up to value_size / 8 instruction pointers, innermost first, the unused tail zero (BPF_F_STACK_BUILD_ID maps
// hold 32-byte build-id records instead: read them with the untyped Map).
// Kernel: STACK_TRACE 4.6+. bpf_get_stackid() derives ids from a hash of the stack: another stack with the same
//   hash fails to record (-EEXIST), or replaces the old one when the program passes BPF_F_REUSE_STACKID; read
//   stacks soon, or remove() them.
// Errors: InvalidArgument for a map of another type or a value size that is not a multiple of 8 (or a build-id
//   map); the kernel's refusal.
// Thread safety: as Map. Ownership: holds a Map handle.
class StackTraceMap {
public:
    static Result<StackTraceMap> from(const Map& map);

    const Map& map() const noexcept { return map_; }
    // Frames per stack (value_size / 8).
    std::uint32_t max_depth() const noexcept { return map_.value_size() / 8; }

    // The stack's instruction pointers, innermost first, without the zero tail; empty when there is no such id.
    Result<std::optional<std::vector<std::uint64_t>>> frames(std::uint32_t stack_id) const;
    // Into a caller's buffer of max_depth() entries (no allocation): the number of frames, or empty.
    Result<std::optional<std::size_t>> frames(std::uint32_t stack_id, std::span<std::uint64_t> out) const;
    // Removes a stack; false when there was none.
    Result<bool> remove(std::uint32_t stack_id) const;
    // The ids present (bounded walk; see HashMap::keys()).
    Result<std::vector<std::uint32_t>> ids() const;

private:
    explicit StackTraceMap(const Map& m) : map_(m) {}
    Map map_;
};

}  // namespace ebpf
