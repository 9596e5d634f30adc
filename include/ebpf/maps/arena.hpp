// SPDX-License-Identifier: MIT
// Arena: a BPF_MAP_TYPE_ARENA, memory shared by BPF programs and user space at the same addresses.
#pragma once

#include <ebpf/maps/mapped.hpp>

namespace ebpf {

// Arena maps the arena into this process (once: every Arena of a map shares the mapping) and gives its bytes.
// Pages are allocated on first touch (from user space) or by bpf_arena_alloc_pages() (from programs); with
// BPF_F_SEGV_ON_FAULT, touching an unallocated page from user space is SIGSEGV instead.
// Kernel: ARENA 6.9+, on architectures whose JIT supports it (x86-64, arm64, riscv64). The map is created with
//   key_size 0, value_size 0, max_entries = pages (at most 4 GiB in total), flags BPF_F_MMAPABLE (1 << 10);
//   map_extra, when not 0, is the page-aligned address user space must map it at (a 4 GiB-aligned window), which
//   this view requests (MAP_FIXED_NOREPLACE: fails with Exists rather than replace another mapping). Without
//   map_extra the first mapping in any process picks the address; later mappings elsewhere must use the same
//   one (the kernel answers EBUSY otherwise).
// Errors: InvalidArgument (not an arena); NotSupported is never decided here: a kernel without arenas cannot
//   create the map (EINVAL from BPF_MAP_CREATE); the mmap failure otherwise.
// Thread safety: as MappedMemory. Ownership: shares the mapping and the Map.
class Arena {
public:
    static Result<Arena> from(const Map& map);

    const Map& map() const noexcept { return mem_.map(); }
    std::span<std::byte> bytes() const noexcept { return mem_.bytes(); }
    std::byte* data() const noexcept { return mem_.data(); }
    std::size_t size() const noexcept { return mem_.size(); }
    // The user-space address of the arena's first byte (what BPF-side __arena pointers are relative to).
    std::uint64_t user_address() const noexcept { return reinterpret_cast<std::uintptr_t>(mem_.data()); }

private:
    explicit Arena(MappedMemory m) : mem_(std::move(m)) {}
    MappedMemory mem_;
};

}  // namespace ebpf
