// SPDX-License-Identifier: MIT
// StackTraceMap: frames by stack id.
#include <ebpf/maps/stack_trace.hpp>

#include "base/format.hpp"
#include "base/try.hpp"

namespace ebpf {

using detail::format;

Result<StackTraceMap> StackTraceMap::from(const Map& map) {
    if (map.type() == MapType::StackTrace && (map.value_size() % 8 != 0 || (map.flags() & kMapStackBuildId)))
        return Error(Errc::InvalidArgument,
                     format("map '%s' holds %s; StackTraceMap reads 8-byte instruction pointers (use the untyped Map)",
                            map.name().c_str(),
                            (map.flags() & kMapStackBuildId) ? "build-id records" : "values that are not 8-byte frames"));
    EBPF_TRY(detail::check_map_view(map, {MapType::StackTrace}, 4, map.value_size(), "StackTraceMap"));
    return StackTraceMap(map);
}

Result<std::optional<std::size_t>> StackTraceMap::frames(std::uint32_t stack_id, std::span<std::uint64_t> out) const {
    if (out.size() != max_depth())
        return Error(Errc::InvalidArgument, format("map '%s': a buffer of %zu frames; the stacks have %u",
                                                   map_.name().c_str(), out.size(), max_depth()));
    EBPF_TRY_ASSIGN(const bool found, map_.lookup(as_bytes_of(stack_id), std::as_writable_bytes(out)));
    if (!found) return std::optional<std::size_t>{};
    std::size_t n = out.size();
    while (n > 0 && out[n - 1] == 0) --n;
    return std::optional<std::size_t>(n);
}

Result<std::optional<std::vector<std::uint64_t>>> StackTraceMap::frames(std::uint32_t stack_id) const {
    std::vector<std::uint64_t> ips(max_depth());
    EBPF_TRY_ASSIGN(const std::optional<std::size_t> n, frames(stack_id, ips));
    if (!n) return std::optional<std::vector<std::uint64_t>>{};
    ips.resize(*n);
    return std::optional<std::vector<std::uint64_t>>(std::move(ips));
}

Result<bool> StackTraceMap::remove(std::uint32_t stack_id) const { return map_.erase(as_bytes_of(stack_id)); }

Result<std::vector<std::uint32_t>> StackTraceMap::ids() const { return detail::keys_as<std::uint32_t>(map_); }

}  // namespace ebpf
