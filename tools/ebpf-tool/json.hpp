// SPDX-License-Identifier: MIT
// A minimal streaming JSON writer (objects, arrays, strings, numbers, booleans) into a std::string.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ebpf::tool {

class Json {
public:
    Json& begin_object();
    Json& end_object();
    Json& begin_array();
    Json& end_array();
    Json& key(std::string_view k);
    Json& value(std::string_view s);
    Json& value(const char* s) { return value(std::string_view(s)); }
    Json& value(std::int64_t v);
    Json& value(std::uint64_t v);
    Json& value(int v) { return value(static_cast<std::int64_t>(v)); }
    Json& value(unsigned v) { return value(static_cast<std::uint64_t>(v)); }
    Json& value(bool b);
    Json& null();
    template <class T>
    Json& field(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }
    const std::string& str() const noexcept { return out_; }

private:
    void separator();
    std::string out_;
    std::vector<bool> first_;  // per nesting level: no element written yet
    bool after_key_ = false;
};

}  // namespace ebpf::tool
