// SPDX-License-Identifier: MIT
#include "json.hpp"

#include <cstdio>

namespace ebpf::tool {

void Json::separator() {
    if (after_key_) {
        after_key_ = false;
        return;
    }
    if (!first_.empty()) {
        if (!first_.back()) out_ += ',';
        first_.back() = false;
    }
}

Json& Json::begin_object() {
    separator();
    out_ += '{';
    first_.push_back(true);
    return *this;
}
Json& Json::end_object() {
    out_ += '}';
    first_.pop_back();
    return *this;
}
Json& Json::begin_array() {
    separator();
    out_ += '[';
    first_.push_back(true);
    return *this;
}
Json& Json::end_array() {
    out_ += ']';
    first_.pop_back();
    return *this;
}
Json& Json::key(std::string_view k) {
    value(k);
    out_ += ':';
    after_key_ = true;
    return *this;
}
Json& Json::value(std::string_view s) {
    separator();
    out_ += '"';
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out_ += '\\';
            out_ += c;
        } else if (u < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out_ += buf;
        } else {
            out_ += c;
        }
    }
    out_ += '"';
    return *this;
}
Json& Json::value(std::int64_t v) {
    separator();
    out_ += std::to_string(v);
    return *this;
}
Json& Json::value(std::uint64_t v) {
    separator();
    out_ += std::to_string(v);
    return *this;
}
Json& Json::value(bool b) {
    separator();
    out_ += b ? "true" : "false";
    return *this;
}
Json& Json::null() {
    separator();
    out_ += "null";
    return *this;
}

}  // namespace ebpf::tool
