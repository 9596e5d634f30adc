// SPDX-License-Identifier: MIT
// Globals on the system-call path (sections that are not mapped), and their errors.
#include <ebpf/maps/global.hpp>

#include <vector>

#include "base/format.hpp"
#include "base/try.hpp"

namespace ebpf::detail {

namespace {
Result<std::vector<std::byte>> section_value(const GlobalRef& g) {
    std::vector<std::byte> value(g.map.value_buffer_size());
    const std::uint32_t zero = 0;
    EBPF_TRY_ASSIGN(const bool found, g.map.lookup(as_bytes_of(zero), value));
    if (!found || value.size() < std::size_t{g.offset} + g.size)
        return Error(Errc::NotFound, format("global '%s': its section map '%s' has no value", g.name.c_str(),
                                            g.map.name().c_str()));
    return value;
}
}  // namespace

Result<void> global_read(const GlobalRef& g, std::span<std::byte> out) {
    auto value = section_value(g);
    if (!value) return std::move(value).error().context(format("read global '%s'", g.name.c_str()));
    std::memcpy(out.data(), value->data() + g.offset, std::min<std::size_t>(out.size(), g.size));
    return {};
}

Result<void> global_write(const GlobalRef& g, std::span<const std::byte> in) {
    if (g.read_only) return global_read_only(g);
    // Read-modify-write of the whole section: not atomic against programs writing its other variables meanwhile.
    auto value = section_value(g);
    if (!value) return std::move(value).error().context(format("write global '%s'", g.name.c_str()));
    std::memcpy(value->data() + g.offset, in.data(), std::min<std::size_t>(in.size(), g.size));
    const std::uint32_t zero = 0;
    if (auto r = g.map.update(as_bytes_of(zero), *value); !r)
        return std::move(r).error().context(format("write global '%s'", g.name.c_str()));
    return {};
}

Error global_read_only(const GlobalRef& g) {
    return Error(Errc::Permission,
                 format("global '%s' is in %s, which is read-only after load (frozen): set it before load with "
                        "LoadOptions::globals",
                        g.name.c_str(), g.section.c_str()));
}

Error global_size_mismatch(const GlobalRef& g, std::size_t type_size) {
    return Error(Errc::InvalidArgument, format("global '%s' in %s has %u bytes; the type has %zu", g.name.c_str(),
                                               g.section.c_str(), g.size, type_size));
}

}  // namespace ebpf::detail
