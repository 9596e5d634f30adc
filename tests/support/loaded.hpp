// SPDX-License-Identifier: MIT
// Kernel test cases: load a test object, one of its programs as a typed view, read a counter slot, set a global.
// Each REQUIREs success, naming the kernel's error, so a case reads as the steps it takes.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include <ebpf/ebpf.hpp>

#include "support/objects.hpp"

namespace ebpf::test {

inline Object load_object(const char* file) {
    auto obj = Object::load_file(obj_path(file).c_str());
    INFO((obj ? std::string() : std::string(obj.error().message())));
    REQUIRE(obj);
    return std::move(*obj);
}

// The program `name` as a View (KProbe, SockOps, ...), loaded.
template <class View>
View loaded(const Object& obj, const char* name) {
    auto v = obj.program<View>(name);
    REQUIRE(v);
    auto r = v->load();
    INFO((r ? std::string() : std::string(r.error().message())));
    REQUIRE(r);
    return *v;
}

// Slot `slot` of the u64 array map `map`.
inline std::uint64_t array_slot(const Object& obj, const char* map, std::uint32_t slot) {
    auto a = obj.map<Array<std::uint64_t>>(map);
    REQUIRE(a);
    auto v = a->get(slot);
    REQUIRE(v);
    return *v;
}

template <class T>
void set_global(const Object& obj, const char* name, T value) {
    auto g = obj.global<T>(name);
    REQUIRE(g);
    REQUIRE(g->set(value));
}

}  // namespace ebpf::test
