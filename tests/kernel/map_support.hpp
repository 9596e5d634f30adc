// SPDX-License-Identifier: MIT
// Shared by the map view suites: specs, creating a map or skipping (with the reason) when this kernel lacks its
// type, and loading the map test objects.
#pragma once

#include <catch2/catch.hpp>

#include <initializer_list>
#include <optional>
#include <sstream>
#include <string>

#include <ebpf/ebpf.hpp>

#include "support/objects.hpp"
#include "support/skip.hpp"

namespace ebpf::test {

inline MapSpec map_spec(MapType t, std::uint32_t k, std::uint32_t v, std::uint32_t n, std::string name = "test_map",
                        std::uint32_t flags = 0) {
    MapSpec s;
    s.name = std::move(name);
    s.type = t;
    s.key_size = k;
    s.value_size = v;
    s.max_entries = n;
    s.flags = flags;
    return s;
}

// The map, or nullopt (reported as a skip with the reason, support/skip.hpp) when the kernel lacks the map type:
// BPF_MAP_CREATE answers EINVAL and the feature probe (map_type_supported) confirms the type is unknown here. Any
// other failure, or an EINVAL for a type the probe says exists, fails the test.
inline std::optional<Map> create_or_skip(const MapSpec& s, const MapCreateOptions& o = {}) {
    auto m = Map::create(s, o);
    if (m) return std::move(*m);
    if (m.error().sys_errno() == EINVAL) {
        auto supported = map_type_supported(s.type);
        if (supported && !*supported) {
            std::ostringstream why;  // the caller returns: the case is reported skipped (support/skip.hpp)
            why << "this kernel has no " << to_string(s.type) << " maps (feature probe; BPF_MAP_CREATE: "
                << m.error().message() << ")";
            skip_test_case(why.str());
            return std::nullopt;
        }
    }
    FAIL(std::string(m.error().message()));
    return std::nullopt;
}

// The object, or nullopt (reported as a skip) when the feature probe says the kernel lacks a map type it needs.
inline std::optional<Object> load_or_skip(const char* file, const LoadOptions& o = {},
                                          std::initializer_list<MapType> needs = {}) {
    for (const MapType t : needs) {
        auto supported = map_type_supported(t);
        if (supported && !*supported) {
            std::ostringstream why;
            why << file << " needs " << to_string(t) << " maps, which this kernel lacks (feature probe)";
            skip_test_case(why.str());
            return std::nullopt;
        }
    }
    auto obj = Object::load_file(obj_path(file).c_str(), o);
    if (obj) return std::move(*obj);
    FAIL(std::string(obj.error().message()));
    return std::nullopt;
}

template <class T>
std::string message_of(const Result<T>& r) {
    return r ? std::string() : std::string(r.error().message());
}

}  // namespace ebpf::test
