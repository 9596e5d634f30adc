// SPDX-License-Identifier: MIT
// The one mapping per map and process of BPF_F_MMAPABLE arrays and arenas (MappedMemory, Arena).
#include <ebpf/maps/arena.hpp>
#include <ebpf/maps/mapped.hpp>

#include <cerrno>

#include "base/format.hpp"
#include "base/try.hpp"
#include "sys/mmap.hpp"

namespace ebpf {

using detail::format;

namespace detail {

struct Mapping {
    Map map;
    std::byte* data = nullptr;
    std::size_t length = 0;  // the whole mapping (page multiple)
    std::size_t size = 0;    // what the view exposes
    bool writable = false;
    Mapping(Map m, std::byte* d, std::size_t len, std::size_t sz, bool w)
        : map(std::move(m)), data(d), length(len), size(sz), writable(w) {}
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    ~Mapping() { sys::munmap(data, length); }
};

Error mapping_read_only(const Map& map) {
    return Error(Errc::Permission,
                 format("map '%s' is mapped read-only (it is frozen, or read-only for user space): it cannot be "
                        "written",
                        map.name().c_str()));
}

}  // namespace detail

namespace {
std::size_t align_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }
}  // namespace

const Map& MappedMemory::map() const noexcept { return m_->map; }

Result<MappedMemory> MappedMemory::of(const Map& map) {
    const bool arena = map.type() == MapType::Arena;
    if (!arena && !(map.type() == MapType::Array && (map.flags() & kMapMmapable)))
        return Error(Errc::InvalidArgument,
                     format("map '%s' (%.*s) cannot be mapped: only arrays created with BPF_F_MMAPABLE (kernel 5.5+) "
                            "and arenas can",
                            map.name().c_str(), EBPF_SV(to_string(map.type()))));
    detail::MapState& st = *map.s_;
    std::lock_guard<std::mutex> lock(st.memory_mutex);
    if (auto shared = st.memory.lock())
        return MappedMemory(shared, shared->data, shared->size, shared->writable);

    const std::size_t page = sys::page_size();
    const std::size_t size = arena ? static_cast<std::size_t>(map.max_entries()) * page
                                   : align_up(map.value_size(), 8) * map.max_entries();
    const std::size_t length = align_up(size, page);
    sys::MmapRequest rq;
    rq.length = length;
    rq.fd = map.fd().get();
    rq.prot = sys::MapProt::ReadWrite;
    if (arena && map.map_extra() != 0) {
        rq.addr = reinterpret_cast<void*>(static_cast<std::uintptr_t>(map.map_extra()));
        rq.fixed = true;
    }
    auto p = sys::mmap_shared(rq);
    // Frozen maps, and maps read-only for user space, can only be mapped read-only.
    if (!p && !arena && (p.error().sys_errno() == EPERM || p.error().sys_errno() == EACCES)) {
        rq.prot = sys::MapProt::Read;
        p = sys::mmap_shared(rq);
    }
    if (!p) return std::move(p).error().context(format("map '%s': map its memory (%zu bytes)", map.name().c_str(),
                                                       length));
    auto mapping = std::make_shared<const detail::Mapping>(map, static_cast<std::byte*>(*p), length, size,
                                                           rq.prot == sys::MapProt::ReadWrite);
    st.memory = mapping;
    return MappedMemory(mapping, mapping->data, mapping->size, mapping->writable);
}

Result<Arena> Arena::from(const Map& map) {
    EBPF_TRY(detail::check_map_view(map, {MapType::Arena}, 0, 0, "Arena"));
    EBPF_TRY_ASSIGN(MappedMemory mem, MappedMemory::of(map));
    return Arena(std::move(mem));
}

}  // namespace ebpf
